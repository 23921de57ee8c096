"""Shared fixtures. People are named by their access, as in the demo data:
``staff_tokyo`` files reports in Tokyo, ``supervisor_osaka`` supervises Osaka, ``manager`` and
``legal`` see every center, ``admin`` runs the portal, ``outsider`` has no role at all.

The demo data (DESIGN.md §6) is made once per test session, through the real ``seed_demo``,
right after the test database is created; every ``db`` test then runs in a transaction on it
that is rolled back afterwards, so it always starts from the same demo data. A transactional
test (``django_db(transaction=True)``, ``live_server``) commits, and the database is emptied
after it: ``demo`` seeds again when it finds the demo users gone. pytest-django runs the
transactional tests after all the others, so those still find the session's data."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import translation

from accounts.models import User

DEMO_PASSWORD = "demo-password-for-tests"


def seed_demo() -> None:
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())


def ensure_demo() -> None:
    """The demo data, seeded again if a transactional test before this one emptied the
    database (pytest-xdist may run one before any test of a module)."""
    if not User.objects.filter(username="staff.tokyo").exists():
        seed_demo()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each process's test database is a copy of one migrated template (tests/
    template_database.py), not migrated again in every process."""
    from tests.template_database import migrated_template

    settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = migrated_template()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the demo data committed in it once."""
    with django_db_blocker.unblock():
        seed_demo()
    yield
    connections.close_all()  # this thread's, before the test database is dropped


@pytest.fixture(scope="session")
def data_database(django_db_setup) -> Iterator[str]:
    """This process's copy of the data template (tests/data_template.py), made when a module
    first asks for it and dropped at the end of the session."""
    from tests.data_template import copy_create, copy_drop, copy_name

    name = copy_name()
    copy_create(name)
    yield name
    copy_drop(name)


@pytest.fixture(scope="module")
def generated_reports(data_database, django_db_blocker) -> Iterator[None]:
    """For a module of query-plan tests: the demo data plus 20,000 reports of
    incidents.bench_data with fresh planner statistics, on this process's copy of the data
    template instead of the test database. The module's tests run in a transaction rolled back
    after its last one (each test in a savepoint of it), so the copy serves the next module as
    it was made."""
    from tests.data_template import connected_to

    with django_db_blocker.unblock(), connected_to(data_database), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's default language, whatever a request before it
    activated in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """What the portal keeps in the cache (the check-in lookup counts, keyed by a user id that
    is now the same in every test) outlives a test's transaction: each test starts without
    it. Only the cache's own keys go: the Celery queue shares this Redis database, and a
    worker that outlives one test must keep its queue bindings."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def demo(db) -> dict[str, User]:
    """The demo data of DESIGN.md §6, through the real command, plus an outsider (made in
    this test's transaction)."""
    ensure_demo()
    users = {user.username: user for user in User.objects.all()}
    users["outsider"] = User.objects.create_user(
        "outsider", staff_code="EXT-0001", password=DEMO_PASSWORD, email="outsider@example.com"
    )
    return users


def _truncate(*models) -> None:
    """Empty the tables of ``models`` and of everything that refers to their rows, in this
    test's transaction: PostgreSQL rolls TRUNCATE back with it, and row triggers (the history,
    the guards of published data) do not fire."""
    from django.db import connection

    tables = ", ".join(f'"{model._meta.db_table}"' for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE TABLE {tables} CASCADE")


@pytest.fixture
def empty_outbox(db) -> None:
    """The demo's reports have escalation e-mails too: none in this test's transaction, for a
    test that counts every e-mail of the outbox (their notifications go with them). The
    table stays locked until the test ends: for tests that use it from this process alone."""
    from outbox.models import Email

    _truncate(Email)


@pytest.fixture
def quiet_outbox(db) -> None:
    """The demo's e-mails marked sent in this test's transaction, so that the outbox has none
    pending, late or failed but the test's own. Row locks only: unlike empty_outbox, other
    processes (a worker starting up) are not kept waiting on the table."""
    from outbox.models import Email

    Email.objects.update(status="sent")


@pytest.fixture
def without_reports(db) -> None:
    """For a test of an empty portal: no report in this test's transaction, nor anything that
    hangs off one."""
    from incidents.models import IncidentReport

    _truncate(IncidentReport)


def _person(username: str):
    @pytest.fixture
    def person(demo) -> User:
        return demo[username]

    return person


staff_tokyo = _person("staff.tokyo")
staff_osaka = _person("staff.osaka")
supervisor_tokyo = _person("supervisor.tokyo")
supervisor_osaka = _person("supervisor.osaka")
manager = _person("manager")
legal = _person("legal")
admin = _person("admin")
outsider = _person("outsider")


@pytest.fixture
def signed_in(staff_tokyo):
    """staff.tokyo's browser, signed in through the real sign-in page (her session made as
    every session is, by the backends in settings)."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/accounts/login/", {"username": staff_tokyo.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client
