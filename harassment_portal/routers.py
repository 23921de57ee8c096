"""Reads that may go to a read replica: the dashboard's figures and the CSV exports.

With ``DATABASE_REPLICA_URL`` set (settings/base.py), the code inside ``reporting_reads()``
reads from the alias ``replica``: aggregate reads over months of reports and downloads of
thousands of rows then leave the primary to the pages people wait on. A replica lags its
primary by a moment, which figures and exports can afford and a page that has just been
written cannot, so nothing else reads there, and every write goes to the primary whatever
read the object. Without a replica both are the primary.

Routing is by a context variable rather than ``.using()`` in each selector, so that the
selectors stay the one door to the data (the capability policy's scoping) whichever server
answers. A queryset is routed when it runs: evaluate it inside the block (a streamed
response's generator enters the block itself, see ``reporting_stream``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("reporting_reads", default=False)


def reporting_database() -> str:
    """The alias that reports and figures read from here: the replica inside
    ``reporting_reads()`` when one is configured, the primary otherwise."""
    if _reporting.get() and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


def reporting_connection() -> BaseDatabaseWrapper:
    """The connection for a raw SQL read of figures (the ORM is routed by itself)."""
    return connections[reporting_database()]


@contextmanager
def reporting_reads() -> Iterator[None]:
    # Set back rather than reset by token: a streamed response's generator may be resumed in
    # another copy of the context (ASGI runs each chunk through sync_to_async), where a
    # token from the first would be refused.
    previous = _reporting.get()
    _reporting.set(True)
    try:
        yield
    finally:
        _reporting.set(previous)


def reporting_stream(rows: Iterable) -> Iterator:
    """``rows`` (a generator a StreamingHttpResponse iterates after the view has returned)
    read from the reporting database as it is consumed."""
    with reporting_reads():
        yield from rows


# The apps whose rows reporting reads take from the replica: the records and the figures.
# Who may see what (accounts: users, their roles and centers; sessions, second factors, API
# tokens) is always read from the primary, so that a role just taken away never lingers on
# a replica that lags, whatever code asks.
REPORTING_APPS = frozenset({"incidents", "dashboard", "policy", "audit"})


class ReportingRouter:
    """Reads of the records inside ``reporting_reads()`` go to the replica; writes always to
    the primary (an object read from the replica is saved on the primary, never on the
    replica, which PostgreSQL would refuse anyway); migrations run on the primary only."""

    def db_for_read(self, model, **_hints) -> str:
        # Named even for the primary: Django would otherwise read a related object from
        # where its instance came from, the replica, outside the block.
        if model._meta.app_label in REPORTING_APPS:
            return reporting_database()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **_hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, _obj1, _obj2, **_hints) -> bool:
        return True  # the same data on both servers

    def allow_migrate(self, db, app_label, model_name=None, **_hints) -> bool:
        return db == DEFAULT_DB_ALIAS
