"""Keeps API tokens, and the candidate IDs of check-in lookups, out of the logs: a filter on
every handler that replaces anything shaped like a personal token (hp_…), a Bearer credential
or a candidate ID in the check-in endpoint's address in a record's message with a mark.

The API itself never logs a key (api/authentication.py logs a token's id); this is for what
others log about a request: Django's "Unauthorized: /api/…" lines, an exception whose message
quotes a header, a library's debug output. Imported by the LOGGING setting, before the apps
are ready: it must not import models."""

from __future__ import annotations

import logging
import re

from .tokens import KEY_LIKE

BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s,;\"']+")
# A candidate ID in the check-in endpoint's address (Django logs "Bad Request: <path>"): the
# check-in page keeps IDs out of logs, and so does the API's log (api/views/checkin.py).
CANDIDATE_IN_PATH = re.compile(r"(/api/v\d+/candidates/)[^/\s]+(/status)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    text = CANDIDATE_IN_PATH.sub(rf"\1{REDACTED}\2", text)
    return BEARER.sub(rf"\1 {REDACTED}", KEY_LIKE.sub(REDACTED, text))


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatted here, so that the traceback's text is redacted too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
