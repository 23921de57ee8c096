"""A real Celery worker for the tests: a separate process on the test Redis and, through
DATABASE_URL, the test database, exactly as ``make run`` starts one."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from django.conf import settings
from django.db import connection

from harassment_portal.celery import app as celery_app
from tests.helpers import child_env

ROOT = Path(__file__).resolve().parent.parent


def child_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_ping(process: subprocess.Popen, seconds: float, broker_url: str) -> None:
    app = celery_app if broker_url == settings.REDIS_URL else Celery(broker=broker_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited early with code {process.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"no Celery worker answered a ping within {seconds} seconds")


@contextmanager
def celery_worker(*extra_args: str, **env_overrides: str):
    """A worker process; ``env_overrides`` reach its settings (EMAIL_HOST, SITE_URL…, and
    TEST_REDIS_URL for a broker of the test's own)."""
    env = child_env(
        DJANGO_SETTINGS_MODULE="harassment_portal.settings.test",
        TEST_REDIS_URL=settings.REDIS_URL,
        DATABASE_URL=child_database_url(),
    )
    env.update(env_overrides)
    if env["TEST_REDIS_URL"] == settings.REDIS_URL:
        # Tasks left on the test queue by earlier tests (whose rows are gone, or are the
        # demo data's, which the session shares) are dropped: this worker runs this test's.
        celery_app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "harassment_portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_for_ping(process, seconds=30, broker_url=env["TEST_REDIS_URL"])
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
