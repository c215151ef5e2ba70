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

# A file, not memory, so a worker started in a subprocess sees the test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
