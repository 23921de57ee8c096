"""Compute the dashboard's rollup again from the reports (dashboard/models.py): after a load
that ran without triggers, or to check it (``--check`` says whether the tallies the triggers
kept equal the ones computed from scratch, and changes nothing)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard.rollup import tallies_rebuild, tally_contents


class Command(BaseCommand):
    help = "Compute the dashboard's rollup again from the reports."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Say whether the tallies equal the ones computed from scratch; change nothing.",
        )

    def handle(self, *args, check: bool = False, **options):
        with transaction.atomic():
            kept = tally_contents() if check else None
            tallies_rebuild()
            if not check:
                self.stdout.write("The dashboard's tallies were computed again from the reports.")
                return
            differ = [name for name, rows in tally_contents().items() if rows != kept[name]]
            transaction.set_rollback(True)
        if differ:
            raise CommandError(f"The dashboard's tallies differ from the reports: {differ}")
        self.stdout.write("The dashboard's tallies equal the reports.")
