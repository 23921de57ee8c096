"""The key of a personal token: its format, and the digest kept of its secret."""

from __future__ import annotations

import hashlib
import re
import secrets

# hp_<prefix>_<secret>: the prefix finds the row, the secret proves the key. "hp_" lets
# secret scanners (and the log filter, api/logging.py) recognise a key wherever it turns up.
KEY_PATTERN = re.compile(r"hp_(?P<prefix>[0-9a-f]{10})_(?P<secret>[A-Za-z0-9_-]{43})")
# Anything that looks like a key, or a part of one, for redaction.
KEY_LIKE = re.compile(r"hp_[0-9a-f]{4,}_[A-Za-z0-9_-]*")


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the key as shown once, its prefix, the digest of its secret)."""
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)  # 256 bits, 43 characters
    return f"hp_{prefix}_{secret}", prefix, secret_digest(secret)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key; None for anything else."""
    match = KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    return match["prefix"], match["secret"]
