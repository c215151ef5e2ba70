"""Starting Clarion's own commands in a subprocess against the test database."""

import os
import subprocess
import sys
from pathlib import Path

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


def clarion_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DJANGO_SETTINGS_MODULE", "CLARION_TESTING", "PYTEST_CURRENT_TEST"}}
    env.update({"DJANGO_SETTINGS_MODULE": "clarion.settings", "PYTHONUNBUFFERED": "1"})
    env.update(overrides)
    return env


def clarion_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "clarion.cli", *args]


def run_clarion(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(clarion_command(*args), env=clarion_env(**env), cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)
