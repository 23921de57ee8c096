"""Apply the retention period: anonymise the candidates of case files closed longer than
RETENTION_CASE_FILE_YEARS (unless under a legal hold), delete their evidence files, and delete
drafts never submitted after RETENTION_DRAFT_DAYS. ``--dry-run`` lists what is due and changes
nothing. The nightly beat task does the same as this command without ``--dry-run``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from incidents.selectors.retention import case_file_cutoff, draft_cutoff, retention_plan
from incidents.services.retention import retention_apply


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due; change nothing"
        )

    def handle(self, *args, dry_run: bool, **_options):
        if dry_run:
            self._print_plan()
            return
        done = retention_apply()
        self.stdout.write(
            f"Anonymised {done['case_files']} case file(s), removed "
            f"{done['evidence_files']} evidence file(s), deleted {done['drafts']} draft(s)."
        )

    def _print_plan(self) -> None:
        now = timezone.now()
        plan = retention_plan(now)
        closed_cutoff = timezone.localtime(case_file_cutoff(now))
        # References and counts only: a dry run is read by operators, not by legal.
        self.stdout.write(
            f"Case files closed on or before {closed_cutoff:%Y-%m-%d %H:%M}"
            f" ({settings.RETENTION_CASE_FILE_YEARS} years) with personal data or evidence left:"
            f" {len(plan.case_files)} due, {len(plan.held)} under a legal hold."
        )
        for item in plan.case_files:
            self.stdout.write(
                f"  due: case file {item.case_file_id} (candidate {item.candidate_id}), closed "
                f"{timezone.localtime(item.closed_at):%Y-%m-%d}, "
                f"{item.evidence_files} evidence file(s)"
            )
        for item in plan.held:
            self.stdout.write(
                f"  held: case file {item.case_file_id} (candidate {item.candidate_id}), closed "
                f"{timezone.localtime(item.closed_at):%Y-%m-%d}: kept under a legal hold"
            )
        self.stdout.write(
            f"Drafts never submitted, last saved on or before "
            f"{timezone.localtime(draft_cutoff(now)):%Y-%m-%d %H:%M}"
            f" ({settings.RETENTION_DRAFT_DAYS} days): {len(plan.drafts)} due."
        )
        for draft in plan.drafts:
            self.stdout.write(
                f"  due: draft {draft.public_id} of {draft.reporter_code}, last saved "
                f"{timezone.localtime(draft.last_saved_at):%Y-%m-%d}, "
                f"{draft.evidence_files} evidence file(s)"
            )
        self.stdout.write(
            f"In all: {len(plan.case_files)} case file(s), {len(plan.drafts)} draft(s), "
            f"{plan.evidence_files} evidence file(s). Dry run: nothing was changed."
        )
