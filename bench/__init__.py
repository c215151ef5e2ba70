"""Benchmarks for Clarion's performance budgets: `python -m bench.NAME [--scale N]`.

Each benchmark prints, as its last line, `RESULT NAME METRIC=VALUE budget=VALUE ok|FAIL`, and
measures the ceiling (the bare SQL or protocol work) in the same run.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable

DEFAULT_BENCH_DATABASE = "postgres://postgres@127.0.0.1:5432/clarion_bench"


def setup_django() -> None:
    """Configure Django against the benchmark database (BENCH_DATABASE_URL, PostgreSQL by
    default) with the production settings, and migrate it."""
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarion.settings")
    os.environ.setdefault("CLARION_TASKS", "immediate")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ensure_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Run `function` `repeat` times; return each duration in milliseconds."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def p95(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=20)[-1] if len(durations) > 1 else durations[0]


def report(name: str, metric: str, value: float, budget: float, *, lower_is_better=True) -> bool:
    ok = value <= budget if lower_is_better else value >= budget
    print(f"RESULT {name} {metric}={value:.1f} budget={budget:g} {'ok' if ok else 'FAIL'}")
    sys.stdout.flush()
    return ok
