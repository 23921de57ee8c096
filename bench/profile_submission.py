"""The submission cycle of bench/submissions.py (open the form, post a complete report, follow
the redirect) in-process, through Django's test client, without gunicorn: for working on a
submission's Python between two runs of `make bench`.

    DATABASE_URL=postgres://…/hp_copy .venv/bin/python bench/profile_submission.py \
        [--cycles 20] [--profile]

It files ``--cycles`` reports as staff.tokyo (after two not counted, which warm the process's
caches) and prints the CPU time of this process per cycle: the Python of the three requests,
without PostgreSQL's part. ``--profile`` prints their cProfile instead. The CPU time of a
shared machine drifts; for a figure that does not, count instructions, which depend only on
the code and its data:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python \
        bench/profile_submission.py --cycles 0      # then --cycles 20: the difference / 20

It writes what the reports write: run it on a copy of a benchmark database, never on one
that make bench measures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from submissions import _Browser  # noqa: E402

from accounts.models import User  # noqa: E402


class InProcessBrowser(_Browser):
    """bench/submissions.py's browser, its requests answered by Django's test client (with
    the CSRF check a browser's post goes through)."""

    def __init__(self, username: str):
        self.client = Client(
            enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ja", HTTP_HOST="127.0.0.1"
        )
        self.client.force_login(
            User.objects.get(username=username), backend="accounts.backends.PortalBackend"
        )
        self.client.cookies["django_language"] = "ja"

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = ""):
        if method == "POST":
            response = self.client.generic(method, path, body, content_type)
        else:
            response = self.client.get(path)
        return response.status_code, response.get("Location", ""), response.content.decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    browser = InProcessBrowser("staff.tokyo")
    rng = random.Random(1)
    for _ in range(2):
        browser.file_report(rng)
    profile = cProfile.Profile(time.process_time) if options.profile else None
    if profile:
        profile.enable()
    started = time.process_time()
    for _ in range(options.cycles):
        browser.file_report(rng)
    used = time.process_time() - started
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    elif options.cycles:
        print(f"{options.cycles} cycles: {used * 1000 / options.cycles:.1f} ms of CPU each")


if __name__ == "__main__":
    main()
