"""Test settings: Clarion's own settings with tasks run immediately and fast hashing.

DATABASE_URL and REDIS_URL pass through, so the same suite runs on SQLite or on
PostgreSQL + Redis.
"""

import os
import tempfile

os.environ.setdefault("CLARION_TESTING", "1")
os.environ.setdefault("CLARION_TASKS", "immediate")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("CLARION_DATA_DIR", tempfile.mkdtemp(prefix="clarion-test-"))

from clarion.settings import *  # noqa: E402,F403
