"""Who signs in, and who is signed in: Django's ModelBackend, with the signed-in user of each
request read by a statement compiled once per process. Every page a signed-in person opens
reads her row first, and building the queryset cost more than running it."""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from .models import User


class PortalBackend(ModelBackend):
    """Django's ModelBackend as it is (passwords, inactive accounts refused, permissions),
    but for get_user: the same row, the same refusal of an inactive account, read afresh on
    every request with a statement built once."""

    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        database = router.db_for_read(User)
        sql, columns = _user_sql()
        with connections[database].cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = User.from_db(database, columns, row)
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_sql() -> tuple[str, list[str]]:
    """Django's SQL of the user with a primary key, and the attributes its columns fill."""
    compiler = User._default_manager.filter(pk=0).query.get_compiler(using="default")
    sql, params = compiler.as_sql()
    if tuple(params) != (0,):  # the key, given at each call
        raise RuntimeError(f"the user's query has other values: {params}")
    columns = [column.target.attname for column, _sql, _alias in compiler.select]
    return sql, columns
