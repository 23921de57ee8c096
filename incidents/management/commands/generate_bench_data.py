"""``generate_bench_data --reports N [--seed S]``: ten years of realistic reports for the
benchmark (issue 12), loaded with COPY after ``seed_demo``; a progress bar on stderr.

Refuses to run under the production settings, like seed_demo: it writes thousands of made-up
reports about made-up candidates."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from incidents.bench_data import generate


class Command(BaseCommand):
    help = "Add N realistic made-up reports for the benchmark (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, required=True, help="How many reports.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")
        parser.add_argument(
            "--skip-history",
            action="store_true",
            help="Load without triggers (no change history; needs a superuser): benchmark "
            "databases only.",
        )
        parser.add_argument(
            "--parallel",
            type=int,
            default=1,
            help="Load the reports over this many connections (with --skip-history).",
        )

    def handle(self, *args, reports: int, seed: int, skip_history: bool, parallel: int, **_):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "generate_bench_data refuses to run under these settings: made-up reports must "
                "never reach a real deployment."
            )
        if reports < 1:
            raise CommandError("--reports must be at least 1.")
        if parallel > 1 and not skip_history:
            raise CommandError("--parallel needs --skip-history.")
        started = time.monotonic()
        try:
            counts = generate(
                reports=reports,
                seed=seed,
                progress=True,
                skip_history=skip_history,
                parallel=parallel,
            )
        except RuntimeError as error:  # no demo data
            raise CommandError(str(error)) from error
        # Outside any transaction: the visibility map lets index-only scans skip the heap,
        # as on a database that autovacuum has long looked after.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Generated in {time.monotonic() - started:.0f} s: {summary}.")
        )
