"""How fast an escalation e-mail reaches the SMTP server after the report's commit.

Creates a throwaway database (harassment_portal_bench_mail) and uses Redis database 14, starts
a Celery worker process and an SMTP sink on loopback, submits N reports that escalate (a
physical attack: managers, legal and the center's supervisor are told), and prints p50, p95
and the worst time from commit to the e-mail reaching the SMTP server, the submission
throughput, and whether every e-mail arrived exactly once. Target (DESIGN.md §9): p95 < 2 s.

    .venv/bin/python bench/escalation_latency.py --reports 200
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "harassment_portal_bench_mail"
# `make bench` passes its own Redis database (BENCH_REDIS_URL).
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--template", help="a migrated database to copy instead of migrating")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.development")
    os.environ["REDIS_URL"] = BENCH_REDIS
    from django.conf import settings
    from search_explain import _drop_database, _recreate_database

    server = dict(settings.DATABASES["default"])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _recreate_database(server, BENCH_DATABASE, args.template)
    worker = None
    try:
        settings.DATABASES["default"]["NAME"] = BENCH_DATABASE
        import django

        django.setup()
        from tests.smtp import smtp_server

        with smtp_server() as smtp:
            worker = _start_worker(server, smtp.port)
            return _bench(args.reports, smtp, as_json=args.json)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        _drop_database(server, BENCH_DATABASE)
        print(f"\nDropped the database {BENCH_DATABASE}.")


def _start_worker(server: dict, smtp_port: int) -> subprocess.Popen:
    from django.core.management import call_command

    from harassment_portal.celery import app

    call_command("migrate", verbosity=0)
    call_command("seed_demo", password="bench-password-1", verbosity=0)
    app.control.purge()
    user = server["USER"] or "postgres"
    host = f"{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    database_url = f"postgres://{user}@{host}/{BENCH_DATABASE}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": BENCH_REDIS,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "harassment_portal",
            "worker",
            "--loglevel=WARNING",
            "--concurrency=2",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while not app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("the worker did not start")
    return worker


def _bench(count: int, smtp, *, as_json: bool = False) -> int:
    from accounts.models import User
    from incidents.models import Notification
    from tests.helpers import file_report

    reporter = User.objects.get(username="staff.tokyo")
    committed: dict[str, float] = {}
    started = time.time()
    for _ in range(count):
        report = file_report(reporter, categories=("physical_attack",))
        committed[report.reference] = time.time()  # report_submit returned: committed
    elapsed = time.time() - started
    expected = Notification.objects.filter(
        escalation__report__reference__in=committed, channel="email"
    ).count()

    deadline = time.time() + 120
    while time.time() < deadline and len(smtp.messages) < expected:
        time.sleep(0.2)
    time.sleep(2)  # duplicates, if any, would arrive now

    latencies = []
    seen = Counter()
    for message, arrived in zip(smtp.messages, smtp.received_at, strict=True):
        reference = next((r for r in committed if r in message["Subject"]), None)
        if reference is None:
            continue
        seen[(reference, message["To"], message["Subject"])] += 1
        latencies.append(arrived - committed[reference])
    latencies.sort()
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\n{count} reports submitted in {elapsed:.1f} s: {count / elapsed:.1f} submissions/s")
    print(f"e-mails expected {expected}, received {len(latencies)}, duplicates {duplicates}")
    print(
        f"commit → SMTP server:  p50 {p50 * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms   "
        f"max {latencies[-1] * 1000:.0f} ms"
    )
    ok = p95 < 2 and len(latencies) == expected and duplicates == 0
    print("target p95 < 2 s, every e-mail exactly once:", "met" if ok else "NOT met")
    if as_json:  # one line, read by bench/run.py
        figures = {
            "p50_ms": p50 * 1000,
            "p95_ms": p95 * 1000,
            "max_ms": latencies[-1] * 1000,
            "expected": expected,
            "received": len(latencies),
            "duplicates": duplicates,
            "exactly_once": len(latencies) == expected and duplicates == 0,
            "submissions_per_second": count / elapsed,
        }
        print(json.dumps(figures))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
