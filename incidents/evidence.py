"""Which uploaded files may be stored as evidence (DESIGN.md §8, evidence files).

Pure checks, no models: the upload service calls them before it stores anything, so a file
that is refused never touches the evidence storage.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

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
                "“%(name)s” is larger than %(limit)s MB. Shorten the recording or send it to "
                "your supervisor another way."
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
