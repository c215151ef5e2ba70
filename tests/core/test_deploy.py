"""`clarion check --deploy` is clean with production settings from the environment."""

import secrets

import pytest

from tests.core.subprocesses import run_clarion

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_URL": "https://crm.example.com",
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "postgres://clarion:secret@db.example.com:5432/clarion",
    # Production must send real mail: Django's deploy check refuses the console backend.
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587?tls=1",
}


@pytest.mark.parametrize("extra", [
    pytest.param({"CLARION_TASKS": "db"}, id="embedded-queue"),
    pytest.param({"CLARION_TASKS": "celery", "REDIS_URL": "redis://redis.example.com:6379/0"},
                 id="celery-and-redis"),
])
def test_the_deploy_check_is_clean_with_production_settings(tmp_path, extra):
    done = run_clarion("check", "--deploy", "--fail-level", "WARNING", timeout=60,
                       CLARION_DATA_DIR=str(tmp_path), **PRODUCTION, **extra)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
