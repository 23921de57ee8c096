"""Evidence files: stored privately, with their digest at upload."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from policy.models import full_history

from ..filenames import download_name
from .reports import Addendum, IncidentReport


class PrivateStorage(FileSystemStorage):
    """Evidence lives outside any public URL: it is served only through the permission-checked
    download view, never by the web server or WhiteNoise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.PRIVATE_MEDIA_ROOT)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name):
        raise ValueError("evidence files have no public URL")


def evidence_path(attachment: Attachment, filename: str) -> str:
    # A generated name: nothing a reporter's device chose reaches the file system.
    return f"evidence/{attachment.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{attachment.extension}"


@pghistory.track(*full_history())
class Attachment(models.Model):
    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("report"),
    )
    addendum = models.ForeignKey(
        Addendum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("addendum"),
    )
    file = models.FileField(
        _("file"), storage=PrivateStorage, upload_to=evidence_path, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(_("type"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # Chain of custody: the digest at upload proves later that the file was not altered.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    # The file was deleted at the end of the retention period (services.retention): the row
    # stays with its digest, size and type, so the chain of custody still shows what was held.
    removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The name shown beside the evidence and given to its download: no hidden
        characters, and the extension of the type detected at upload (incidents/filenames.py).
        Computed, so rows stored before these rules are shown safely too."""
        return download_name(self.original_name, self.extension)
