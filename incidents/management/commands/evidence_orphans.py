"""List evidence files that no row names, and rows whose file is gone; ``--delete`` removes
the orphan files older than an hour (younger ones may be uploads still in progress)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from incidents.evidence import ORPHAN_GRACE_SECONDS, evidence_orphans
from incidents.models import Attachment


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete",
            action="store_true",
            help="delete the orphan files older than --older-than minutes",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=ORPHAN_GRACE_SECONDS // 60,
            metavar="MINUTES",
            help="age from which an orphan file may be deleted (default: %(default)s)",
        )

    def handle(self, *args, delete: bool, older_than: int, **_options):
        if older_than < 0:
            raise CommandError("--older-than must not be negative")
        orphans = evidence_orphans()
        for name, age in orphans.files_without_row:
            self.stdout.write(f"file without row: {name} ({age / 60:.0f} min old)")
        for attachment in orphans.rows_without_file:
            self.stdout.write(
                self.style.ERROR(
                    f"row without file: attachment {attachment.pk} of "
                    f"{attachment.report.reference or attachment.report.public_id} "
                    f"({attachment.file.name})"
                )
            )
        deleted = 0
        if delete:
            storage = Attachment.file.field.storage
            for name in orphans.deletable(older_than=older_than * 60):
                storage.delete(name)
                deleted += 1
                self.stdout.write(f"deleted: {name}")
        self.stdout.write(
            f"{len(orphans.files_without_row)} file(s) without row, "
            f"{len(orphans.rows_without_file)} row(s) without file, {deleted} deleted"
        )
