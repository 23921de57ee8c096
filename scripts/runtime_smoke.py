"""Run by scripts/check-runtime-requirements.sh with the interpreter of the runtime virtual
environment (requirements.txt alone): the standard library and the runtime packages only.

1. The Celery app imports with its Redis transport, and a real worker started from this
   environment answers a ping on a Redis database of its own.
2. ``make run`` as the README tells a newcomer, on a free port, a database and a Redis
   database of its own: /healthz answers 200 with the database, Redis and a worker ok, the
   sign-in page answers 200, and Ctrl-C stops every process it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_VENV = os.environ.get("RUNTIME_VENV", "var/runtime-venv")
POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SMOKE_DATABASE = "hp_smoke"
# Redis databases of their own: neither a developer's `make run` (0) nor a test run (11, 15)
# can answer these pings or take these tasks (kombu prefixes its broadcasts with the db).
WORKER_CHECK_REDIS_URL = os.environ.get("WORKER_CHECK_REDIS_URL", "redis://127.0.0.1:6379/12")
SMOKE_REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
HEALTH_CHECKS = ("database", "redis", "worker")
WORKER_SECONDS = 30
STARTUP_SECONDS = 120
STOP_SECONDS = 20


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def fail(message: str, log: Path | None = None) -> None:
    print(f"\n  ✗ {message}", file=sys.stderr)
    if log is not None and log.exists():
        print(f"\n--- last lines of {log} ---", file=sys.stderr)
        print("\n".join(log.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
    sys.exit(1)


def check_runtime_environment() -> None:
    # The interpreter must be the runtime one, or a package from the dev environment could
    # hide a missing runtime requirement (the 'packaging' failure of a fresh `make run`).
    expected = (ROOT / RUNTIME_VENV).resolve()
    if Path(sys.prefix).resolve() != expected:
        fail(f"run with {RUNTIME_VENV}/bin/python, not {sys.executable}")
    try:
        import pytest  # noqa: F401
    except ImportError:
        pass
    else:
        fail(f"{RUNTIME_VENV} holds pytest: it is not built from requirements.txt alone")


def stop_group(process: subprocess.Popen, first_signal: int) -> bool:
    """Signal the whole process group; True if every process in it ended in time."""
    try:
        os.killpg(process.pid, first_signal)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(process.pid, 0)  # anyone left in the group?
        except ProcessLookupError:
            process.wait()
            return True
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return False


def check_worker() -> None:
    say("Celery app with its Redis transport, and a real worker…")
    import kombu.transport.redis  # noqa: F401  (needs 'packaging': the fresh-clone failure)

    os.environ["DJANGO_SETTINGS_MODULE"] = "harassment_portal.settings.development"
    os.environ["REDIS_URL"] = WORKER_CHECK_REDIS_URL
    sys.path.insert(0, str(ROOT))
    from harassment_portal.celery import app

    name = f"runtime-check-{os.getpid()}@localhost"
    log = ROOT / "var" / "runtime-check-worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                f"{RUNTIME_VENV}/bin/celery",
                "-A",
                "harassment_portal",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
                f"--hostname={name}",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + WORKER_SECONDS
        while True:
            if worker.poll() is not None:
                fail(f"the worker exited with code {worker.returncode}", log)
            replies = app.control.ping(timeout=0.5)
            if any(name in reply for reply in replies):
                break
            if time.monotonic() > deadline:
                fail(f"no answer to a ping from the worker within {WORKER_SECONDS} s", log)
    finally:
        stopped = stop_group(worker, signal.SIGTERM)
    if not stopped:
        fail("the worker did not stop on SIGTERM", log)
    say("✓ the worker answered a ping and stopped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own http URL)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def drop_smoke_database() -> None:
    """Start from nothing, as a fresh clone does: preflight must create the database."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(SMOKE_DATABASE)
            )
        )


def group_commands(pgid: int) -> list[str]:
    commands = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            raw = (entry / "cmdline").read_bytes()
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        commands.append(raw.replace(b"\0", b" ").decode(errors="replace").strip())
    return commands


def check_make_run() -> None:
    port = free_port()
    say(f"make run VENV={RUNTIME_VENV} on port {port}…")
    drop_smoke_database()
    import redis

    redis.Redis.from_url(SMOKE_REDIS_URL).flushdb()

    smoke_dir = ROOT / "var" / "smoke"
    smoke_dir.mkdir(parents=True, exist_ok=True)
    log = smoke_dir / "make-run.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"{POSTGRES}/{SMOKE_DATABASE}",
        "REDIS_URL": SMOKE_REDIS_URL,
        "DEMO_PASSWORD": "smoke-test-demo-password",
        "PRIVATE_MEDIA_ROOT": str(smoke_dir / "private-media"),
        "BEAT_SCHEDULE": str(smoke_dir / "celerybeat-schedule"),
    }
    # A newcomer's shell: no settings module chosen, and not inside another make.
    for variable in ("DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(variable, None)
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("w") as output:
        run = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"VENV={RUNTIME_VENV}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives `make run`
        )
    try:
        health: dict = {}
        while True:
            if run.poll() is not None:
                fail(f"make run exited with code {run.returncode} before it was healthy", log)
            if time.monotonic() - started > STARTUP_SECONDS:
                fail(f"not healthy within {STARTUP_SECONDS} s: last /healthz {health}", log)
            try:
                status, body = get(f"{base}/healthz")
            except OSError:
                time.sleep(0.5)
                continue
            health = json.loads(body) if body.startswith(b"{") else {"status": status}
            if status == 200 and all(health.get(check) == "ok" for check in HEALTH_CHECKS):
                break
            time.sleep(0.5)
        say(f"✓ /healthz: {health} after {time.monotonic() - started:.0f} s")

        status, _body = get(f"{base}/accounts/login/")
        if status != 200:
            fail(f"/accounts/login/ answered {status}", log)
        say("✓ /accounts/login/ answered 200")

        strays = [c for c in group_commands(run.pid) if "/.venv/" in c or c.startswith(".venv/")]
        if strays:
            fail(f"make run used the dev environment, not {RUNTIME_VENV}: {strays}", log)
    finally:
        # Ctrl-C, as the README says: the terminal signals the whole foreground group.
        stopped = stop_group(run, signal.SIGINT)
    if not stopped:
        fail(f"make run left processes behind {STOP_SECONDS} s after Ctrl-C", log)
    say("✓ Ctrl-C stopped the web server, the worker and beat")


if __name__ == "__main__":
    os.chdir(ROOT)
    started = time.monotonic()
    check_runtime_environment()
    check_worker()
    check_make_run()
    say(f"requirements.txt alone runs the app ({time.monotonic() - started:.0f} s)")
