"""Time (or profile) a few pages in-process against one database, beside the trivial page,
without gunicorn: for working on a page between two runs of `make bench`.

    DATABASE_URL=postgres://…/hp_me_1m DJANGO_SETTINGS_MODULE=harassment_portal.settings.bench \
        .venv/bin/python bench/profile_page.py [--requests 25] [--profile PAGE] [--only WORDS]

Each page is requested by Django's test client signed in as its role (second factor passed
as tests/helpers.py passes it), warmed up, then timed: median, and the queries of the last
request, and the CPU time of this process (the page's Python, without PostgreSQL's part:
steadier than the wall clock on a shared machine). ``--profile "case file"`` prints the
cProfile of that page's requests instead. It writes nothing but the session rows and the
access log lines the pages themselves write.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.bench")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.sessions import CONFIRMED_AT  # noqa: E402


def signed_in(username: str) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    client = Client(HTTP_ACCEPT_LANGUAGE="ja", HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="accounts.backends.PortalBackend")
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[CONFIRMED_AT] = int(time.time()) + 86_400  # an export's password, asked once
    session.save()
    client.cookies["django_language"] = "ja"
    return client


def pages() -> list[tuple[str, str, str]]:
    """(name, username, path) as bench/run.py picks them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT f.id, count(*) FROM incidents_incidentreport r
            JOIN incidents_candidate c ON c.id = r.candidate_id
            JOIN incidents_casefile f ON f.candidate_id = c.id
            GROUP BY f.id ORDER BY count(*) DESC, f.id LIMIT 1
            """
        )
        case_file, reports = cursor.fetchone()
    return [
        ("trivial page (staff profile)", "staff.tokyo", "/accounts/profile/"),
        ("new report form", "staff.tokyo", "/incidents/new/"),
        (f"case file ({reports} reports)", "manager", f"/cases/{case_file}/"),
        (f"case file ({reports} reports, supervisor)", "supervisor.tokyo", f"/cases/{case_file}/"),
        ("escalations inbox (manager)", "manager", "/escalations/"),
        ("escalations inbox (legal)", "legal", "/escalations/"),
        ("search 暴言", "manager", "/review/?status=all&q=暴言"),
        ("queue CSV export", "supervisor.tokyo", "/review/export.csv"),
    ]


def request(client: Client, path: str) -> tuple[int, int, str]:
    """Status, bytes and queries (X-Query-Count, bench/query_count.py) of the whole answer
    (a streamed one read to its end)."""
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(body), response.get("X-Query-Count", "?")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", default="")
    parser.add_argument("--only", default="")
    options = parser.parse_args()
    only = [word for word in options.only.split(",") if word]
    clients: dict[str, Client] = {}
    for name, username, path in pages():
        if only and not name.startswith("trivial") and not any(w in name for w in only):
            continue
        if options.profile and options.profile not in name:
            continue
        client = clients.get(username) or clients.setdefault(username, signed_in(username))
        status, size, queries = request(client, path)
        for _ in range(options.warmup):
            request(client, path)
        if options.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(options.requests):
                request(client, path)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
            return
        elapsed, cpu = [], []
        for _ in range(options.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            request(client, path)
            elapsed.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        print(
            f"{name:<42} {statistics.median(elapsed):8.1f} ms  min {min(elapsed):7.1f}"
            f"  cpu {statistics.median(cpu):7.1f} min {min(cpu):6.1f}"
            f"  queries {queries:>3}  status {status}  {size:,} bytes",
            flush=True,
        )


if __name__ == "__main__":
    main()
