"""The name an evidence file is shown and downloaded under (issue 11).

Uploads with hidden characters are refused (incidents/evidence.py), but rows stored before
that check, and any name that reaches a download, go through here as well: the name is
cleaned on the way out, so no row needs rewriting. Pure functions, no model imports, so the
model, the views and the upload checks can all use them.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# Extensions that name the same type as our canonical one (EVIDENCE_TYPES' keys).
EXTENSION_ALIASES = {"jpg": {"jpg", "jpeg", "jpe"}, "heic": {"heic", "heif"}, "m4a": {"m4a"}}
PATH_SEPARATORS = re.compile(r"[/\\]+")
# What a desktop takes for an extension after the last dot ("_etc_passwd" is not one).
EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")
FALLBACK_STEM = "evidence"


def visible_name(name: str) -> str:
    """``name`` without control and format characters (Unicode categories Cc and Cf: the bidi
    overrides and isolates, zero-width marks, U+061C, tabs and newlines) and without path
    separators; Japanese and every other visible character stay.

    "invoice\u202egpj.exe" is shown by a browser as "invoiceexe.jpg": a supervisor would
    open a program believing it a photo. Stripped, it reads "invoicegpj.exe", as it is.
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf"))
    return PATH_SEPARATORS.sub("_", name).strip().strip(".")


def download_name(original_name: str, extension: str) -> str:
    """The name the file is saved under: its visible name, ending in the extension of the
    type detected from its content.

    The browser (and then the desktop) decides how to open a download by the extension of
    its name, not by our Content-Type: "photo.jpg.html", a JPEG that is also an HTML page,
    saved under its own name would open as a web page and run its script. So a last
    extension that is not the detected type's is replaced: "photo.jpg.html" (JPEG) becomes
    "photo.jpg", "invoice\u202egpj.exe" (PDF) becomes "invoicegpj.pdf".
    """
    name = visible_name(original_name)
    extension = extension.lower()
    accepted = EXTENSION_ALIASES.get(extension, {extension})
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix.lower() in accepted:
        return name
    if dot and EXTENSION.fullmatch(suffix):
        name = stem.rstrip(".").strip()  # the misleading last extension goes
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix.lower() in accepted:
        return name  # "photo.jpg" of "photo.jpg.html"
    return f"{name or FALLBACK_STEM}.{extension}"


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition: attachment`` with the name for every browser: RFC 6266's
    ``filename*`` (RFC 5987, UTF-8, so Japanese names survive) and an ASCII ``filename`` for
    clients that read only that."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'["\\;]', "_", ascii_name).strip()
    stem, _dot, extension = filename.rpartition(".")
    if not ascii_name.rpartition(".")[0].strip("._ "):
        ascii_name = f"{FALLBACK_STEM}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
