"""Starting Clarion's own commands in a subprocess against the test database."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests run on, for a process outside pytest."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


# Only these pass through from the test process: the rest of its environment (test-only flags
# such as DJANGO_ALLOW_ASYNC_UNSAFE, the test DATABASE_URL) must not leak into the command.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")


def clarion_env(**overrides: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env.update({"DJANGO_SETTINGS_MODULE": "clarion.settings", "PYTHONUNBUFFERED": "1",
                "CLARION_DATA_DIR": str(settings.DATA_DIR)})
    env.update(overrides)
    return env


def clarion_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "clarion.cli", *args]


def run_clarion(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(clarion_command(*args), env=clarion_env(**env), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)
