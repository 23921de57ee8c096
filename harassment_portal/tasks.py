"""Celery tasks of the portal as a whole (found by autodiscovery: this app is installed)."""

from __future__ import annotations

import logging

from celery import shared_task

from incidents.evidence import evidence_orphans

logger = logging.getLogger(__name__)


@shared_task
def log_evidence_orphans() -> dict:
    """Daily (beat): say which evidence files have no row and which rows lost their file.
    Deleting is left to an operator (``manage.py evidence_orphans --delete``)."""
    orphans = evidence_orphans()
    for name, age in orphans.files_without_row:
        logger.warning("Evidence file without row: %s (%.0f min old)", name, age / 60)
    for attachment in orphans.rows_without_file:
        logger.error(
            "Evidence row without file: attachment %s of report %s (%s)",
            attachment.pk,
            attachment.report_id,
            attachment.file.name,
        )
    return {
        "files_without_row": len(orphans.files_without_row),
        "rows_without_file": len(orphans.rows_without_file),
    }
