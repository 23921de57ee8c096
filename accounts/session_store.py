"""Sessions in PostgreSQL, as Django's database backend keeps them, read by Django's own
statement compiled once per process: every signed-in request reads its session first, and
building the query each time cost three times what running it does. Writes (a sign-in, the
activity stamp, a sign-out) are Django's, unchanged: the table and the rows are the same."""

from __future__ import annotations

import functools

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        # As Django's: the row of this key that has not expired, else no session (and no key,
        # so that a new one is made if anything is stored).
        database = router.db_for_read(self.model)
        with connections[database].cursor() as cursor:
            cursor.execute(_session_sql(), [timezone.now(), self.session_key])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_key, session_data, expire_date = row
        return self.model(
            session_key=session_key, session_data=session_data, expire_date=expire_date
        )


@functools.cache
def _session_sql() -> str:
    now = timezone.now()
    query = Session.objects.filter(session_key="key", expire_date__gt=now).values_list(
        "session_key", "session_data", "expire_date"
    )
    sql, params = query.query.sql_with_params()
    if params != (now, "key"):  # the time and the key, given at each call in this order
        raise RuntimeError(f"the session's query has other values: {params}")
    return sql
