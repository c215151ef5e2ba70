"""`clarion run` end to end: a fresh data folder, migrations, demo data, web server, worker
and scheduler, all from one command."""

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from clarion.accounts.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD
from tests.core.subprocesses import REPO, clarion_command, clarion_env

DEMO_LOGIN = f"Sign in as {DEMO_ADMIN_EMAIL} with the password {DEMO_PASSWORD}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # 503 still carries the report
        return json.load(error)
    except OSError:
        return None


def fetch_status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class ClarionRun:
    """`clarion run` in a subprocess, its output going to a file we can read at any time."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.log = data_dir / f"run-{self.port}.log"
        env = clarion_env(CLARION_DATA_DIR=str(data_dir), CLARION_TASKS="db",
                          SECRET_KEY="x" * 50)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(clarion_command("run", "--port", str(self.port)),
                                            env=env, cwd=REPO, stdout=log,
                                            stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path


def test_clarion_run_serves_with_a_live_worker_and_loads_demo_data_only_once(data_dir):
    first = ClarionRun(data_dir)
    try:
        report = wait_for(lambda: healthz(first.port), 90, "/healthz to answer")
        checks = report["checks"]
        assert checks["database"]["ok"] and checks["database"]["vendor"] == "sqlite"
        assert checks["cache"]["ok"] and checks["task_queue"]["ok"]
        wait_for(lambda: healthz(first.port)["checks"]["worker"]["ok"], 60,
                 "the worker heartbeat")
        assert healthz(first.port)["status"] == "ok"
        assert fetch_status(first.port, "/static/dist/app.css") == 200
        assert fetch_status(first.port, "/static/ninja/swagger-ui-bundle.js") == 200
        assert fetch_status(first.port, "/api/v1/docs") == 200
        assert fetch_status(first.port, "/api/v1/me") == 401
    finally:
        first.stop()
    assert DEMO_LOGIN in first.output()
    assert (data_dir / "clarion.sqlite3").exists()

    second = ClarionRun(data_dir)
    try:
        wait_for(lambda: healthz(second.port), 90, "/healthz to answer after a restart")
    finally:
        second.stop()
    assert DEMO_LOGIN not in second.output()
    assert "Collecting static files" not in second.output()
    assert "Clarion is running at" in second.output()
