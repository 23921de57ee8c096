"""Which uploaded files may be stored as evidence (DESIGN.md §8, evidence files), and how a
stored file is taken back when its row is not committed.

The checks are pure: the upload service calls them before it stores anything, so a file
that is refused never touches the evidence storage.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import filetype
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError
from django.utils.translation import gettext as _

from .models import Attachment

logger = logging.getLogger(__name__)

# filetype never looks further than this, so reading more would only cost memory.
HEAD_BYTES = 8192
MAX_NAME_LENGTH = 200
MEGABYTE = 1024 * 1024

# These reorder how the rest of a name is displayed without being visible themselves:
# "invoice\u202egpj.exe" shows as "invoiceexe.jpg", so a supervisor would open a program
# believing it a photo. This is the whole Bidi_Control set of Unicode.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
PATH_SEPARATORS = re.compile(r"[/\\]")


@dataclass(frozen=True)
class EvidenceType:
    """A kind of file we accept as evidence, as decided from its content."""

    extension: str
    content_type: str
    kind: str


EVIDENCE_TYPES: dict[str, EvidenceType] = {
    evidence_type.extension: evidence_type
    for evidence_type in (
        EvidenceType("jpg", "image/jpeg", "photo"),
        EvidenceType("png", "image/png", "photo"),
        EvidenceType("heic", "image/heic", "photo"),
        EvidenceType("mp3", "audio/mpeg", "audio"),
        EvidenceType("m4a", "audio/mp4", "audio"),
        # filetype says audio/x-wav; we serve the registered audio/wav.
        EvidenceType("wav", "audio/wav", "audio"),
        EvidenceType("mp4", "video/mp4", "video"),
        EvidenceType("pdf", "application/pdf", "document"),
    )
}


def clean_original_name(name: str) -> str:
    """The name the user's device gave the file, safe to show next to the evidence.

    It is kept for display only: files are stored under generated names, so this never
    becomes a path. Names that could mislead whoever reads them later (hidden characters,
    reordered text, directory parts) are refused rather than silently repaired, so the name
    on record is exactly what the uploader's device called the file.
    """
    not_allowed = _(
        "The file name contains characters that are not allowed; rename the file and try again."
    )
    # Checked before stripping, which would quietly drop a trailing newline or tab.
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationError(not_allowed, code="control_character")
    if any(char in BIDI_CONTROLS for char in name):
        raise ValidationError(not_allowed, code="bidi_control")

    # NFC so that the same name typed on a Mac (decomposed) and on Windows compares equal.
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise ValidationError(
            _("The file has no name; rename the file and try again."), code="empty_name"
        )
    if ".." in PATH_SEPARATORS.split(cleaned):
        raise ValidationError(not_allowed, code="parent_directory")
    if PATH_SEPARATORS.search(cleaned):
        raise ValidationError(not_allowed, code="path_separator")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValidationError(
            _("The file name is longer than %(limit)s characters; shorten it and try again."),
            code="name_too_long",
            params={"limit": MAX_NAME_LENGTH},
        )
    return cleaned


def detect_evidence_type(head: bytes) -> EvidenceType | None:
    """The evidence type that the first bytes of a file show, or None if we do not accept it.

    filetype tries image matchers before audio before video. That order is what keeps an M4A
    (brand "M4A ", which also lists "mp42" and "isom") from being taken for an MP4; the
    tests pin it in case an upgrade changes it.
    """
    # bytes(): filetype.guess() would open a str as a path on the server.
    kind = filetype.guess(bytes(head))
    if kind is None:
        return None
    # Our canonical extensions are filetype's, so its extension is the key; the content
    # type comes from our table, never from filetype.
    return EVIDENCE_TYPES.get(kind.extension)


def check_evidence_file(uploaded: UploadedFile, *, max_bytes: int) -> EvidenceType:
    """The evidence type of an upload, or a ValidationError the uploader can act on.

    The type comes from the content only. The name's extension is whatever the device or
    the sender chose: a PNG called "photo.jpg" is still a photo, and a script called
    "photo.png" is still a script that must not reach a supervisor's download folder.
    """
    name = clean_original_name(uploaded.name or "")
    if not uploaded.size:
        raise ValidationError(
            _("“%(name)s” is empty. Check that it was saved completely, then attach it again."),
            code="empty_file",
            params={"name": name},
        )
    if uploaded.size > max_bytes:
        raise ValidationError(
            _(
                "“%(name)s” is larger than %(limit)s MB. Attach a smaller copy, or give the "
                "file to your supervisor another way."
            ),
            code="file_too_large",
            params={"name": name, "limit": _megabytes(max_bytes)},
        )

    uploaded.seek(0)
    try:
        head = uploaded.read(HEAD_BYTES)
    finally:
        # The caller goes on to hash and store the file from its first byte.
        uploaded.seek(0)

    evidence_type = detect_evidence_type(head)
    if evidence_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, HEIC), audio (MP3, M4A, WAV), video (MP4) "
                "or PDF file. Its content was checked, not its name."
            ),
            code="file_type_not_accepted",
            params={"name": name},
        )
    return evidence_type


def sha256_of(uploaded: UploadedFile) -> str:
    """Hex SHA-256 of the whole upload, for the chain of custody.

    Recorded at upload, it lets anyone show later that the file handed to the police or the
    client is byte for byte the one the staff member attached. Read in chunks because a
    video can be larger than we want in memory.
    """
    digest = hashlib.sha256()
    uploaded.seek(0)
    try:
        for chunk in uploaded.chunks():
            digest.update(chunk)
    finally:
        uploaded.seek(0)
    return digest.hexdigest()


def _megabytes(size: int) -> str:
    """A byte count as megabytes for a message: "25" or "0.5", never "26214400"."""
    return f"{size / MEGABYTE:.1f}".removesuffix(".0")


def discard_uncommitted_evidence(
    storage: Storage, names: Iterable[str], *, commit_attempted: bool
) -> None:
    """Delete evidence files written in a transaction that failed, so none stays on disk
    without its row.

    A file is written before its row, so that a committed row always has its file (a row
    whose file is missing would break the chain of custody). When the transaction fails
    before its commit, its rows are certainly gone and so go the files. When the commit
    itself failed (a connection killed at that moment), PostgreSQL may have committed all
    the same: a file is then deleted only if a fresh query finds no row naming it, and kept
    when even that query fails, for ``manage.py evidence_orphans`` to find.
    """
    names = [name for name in names if name]
    if names and commit_attempted:
        try:
            recorded = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        except DatabaseError:
            logger.warning(
                "Could not tell whether %d evidence file(s) were committed; kept for the "
                "evidence_orphans check: %s",
                len(names),
                ", ".join(names),
            )
            return
        names = [name for name in names if name not in recorded]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the uncommitted evidence file %s", name)


class EvidenceWrites:
    """The evidence files written inside a transaction, deleted again if it fails: wrap the
    outermost ``transaction.atomic()`` of a write that stores evidence, ``add()`` each file
    written, and set ``commit_attempted`` as the last statement inside the atomic block.

        with EvidenceWrites() as written:
            with transaction.atomic():
                ...
                written.add(attachment.file.name)
                ...
                written.commit_attempted = True
    """

    def __init__(self):
        self.names: list[str] = []
        self.commit_attempted = False

    def add(self, name: str) -> None:
        self.names.append(name)

    def __enter__(self) -> EvidenceWrites:
        return self

    def __exit__(self, exc_type, _exc, _traceback) -> bool:
        if exc_type is not None:
            discard_uncommitted_evidence(
                Attachment.file.field.storage, self.names, commit_attempted=self.commit_attempted
            )
        return False


# --- Orphans: files without their row, rows without their file -----------------------------

# A file younger than this may belong to an upload whose transaction is still open.
ORPHAN_GRACE_SECONDS = 60 * 60


@dataclass
class EvidenceOrphans:
    """What the evidence storage and the Attachment rows disagree on."""

    # Stored names (relative to PRIVATE_MEDIA_ROOT) with their age in seconds.
    files_without_row: list[tuple[str, float]] = field(default_factory=list)
    # Rows whose file is gone: the evidence is lost, the chain of custody broken.
    rows_without_file: list[Attachment] = field(default_factory=list)

    def deletable(self, older_than: float = ORPHAN_GRACE_SECONDS) -> list[str]:
        return [name for name, age in self.files_without_row if age >= older_than]


def evidence_orphans() -> EvidenceOrphans:
    """Compare the files under PRIVATE_MEDIA_ROOT with the Attachment rows.

    Every file there is evidence (the storage holds nothing else), so any file that no row
    names is an orphan: left by a crash between writing a file and committing its row, or by
    a removal whose file could not be deleted.
    """
    storage = Attachment.file.field.storage
    root = Path(storage.location)
    now = time.time()
    on_disk: dict[str, float] = {}
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                on_disk[path.relative_to(root).as_posix()] = now - path.stat().st_mtime
    # A row whose file the retention period removed names no file: it is no loss.
    recorded = Attachment.objects.filter(removed_at=None).select_related("report").order_by("pk")
    named = set()
    orphans = EvidenceOrphans()
    for attachment in recorded.iterator():
        named.add(attachment.file.name)
        if attachment.file.name not in on_disk:
            orphans.rows_without_file.append(attachment)
    orphans.files_without_row = sorted(
        (name, age) for name, age in on_disk.items() if name not in named
    )
    return orphans
