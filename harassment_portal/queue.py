"""Putting a task on the queue from a web request, without letting Redis hold the request.

Every task we queue after a commit has a row in PostgreSQL that says it is owed (an outbox
e-mail, an escalation), and a beat sweep queues it again if it never ran. So publishing is a
fast path, not the only path: it gives up after ``TASK_PUBLISH_TIMEOUT_SECONDS`` and, once it
has failed, skips the broker for ``TASK_PUBLISH_PAUSE_SECONDS`` so that every submission
during an outage does not wait again (a hung broker cost each submission 4 to 8 seconds)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)

_local = threading.local()  # kombu connections are not shared between threads
_paused_until = 0.0


def _connection():
    connection = getattr(_local, "connection", None)
    if connection is None:
        timeout = settings.TASK_PUBLISH_TIMEOUT_SECONDS
        connection = current_app.connection_for_write(
            connect_timeout=timeout,
            transport_options={
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
                "max_retries": 0,
            },
        )
        _local.connection = connection
    return connection


def publish(name: str, *args) -> bool:
    """Queue task ``name`` with ``args``; False (and a log line) if the broker did not take
    it quickly. Never raises: the caller's rows are committed and the sweep will queue them."""
    global _paused_until
    if time.monotonic() < _paused_until:
        return False
    try:
        current_app.send_task(name, args=list(args), connection=_connection(), retry=False)
    except Exception:  # noqa: BLE001  (any broker failure means: the sweep will do it)
        _paused_until = time.monotonic() + settings.TASK_PUBLISH_PAUSE_SECONDS
        connection = getattr(_local, "connection", None)
        _local.connection = None
        if connection is not None:
            # A broken connection may fail to close as well.
            with contextlib.suppress(Exception):
                connection.release()
        logger.warning("could not queue %s: the sweep will", name)
        return False
    return True
