"""One migrated database that every test database is copied from.

Migrating takes about 24 s of CPU (Django renders the state of every migration, and the
history triggers are many), and each pytest-xdist process made its own test database that
way: three processes paid it three times over, on two cores. Now the first process to need
one migrates a template database, named by a digest of the migrations and the pinned
requirements, and every test database is created from it with ``CREATE DATABASE … TEMPLATE``
(a file copy, about a second); Django's ``migrate`` then finds nothing left to apply. A later
run with the same migrations reuses the template; a template of other migrations is dropped.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "hp_test_template_"


def migrations_digest() -> str:
    """A digest of what decides the schema and the rows migrations write: the project's
    migrations, the modules they import (the seeded policy and escalation rules, the
    incidents models), and the pinned requirements (third-party apps bring migrations of
    their own)."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("*/migrations/*.py"))
    files += [ROOT / "policy" / "seed_data.py", ROOT / "incidents" / "seed_rules.py"]
    files += sorted((ROOT / "incidents" / "models").glob("*.py"))
    files += [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_template() -> str:
    """The name of a template database holding every migration, made if it is missing
    (:func:`built_once`)."""
    session_template = settings.DATABASES["default"].get("TEST", {}).get("TEMPLATE")
    if session_template:
        # Asked again during the session (tests/test_replica.py copies it): by then the name
        # below is the test database's, which would make a template of its own in each process
        # (a migration more, about 24 s of CPU each).
        return session_template
    # Named after the database it serves too: runs on other databases of the same server
    # (another checkout, other migrations) keep their own templates.
    family = f"{PREFIX}{settings.DATABASES['default']['NAME'][:20]}_"

    def build(postgres: psycopg.Connection, building: str) -> None:
        postgres.execute(f'CREATE DATABASE "{building}"')
        _migrate(building)

    return built_once(family, family + migrations_digest(), build)


def built_once(family: str, name: str, build: Callable[[psycopg.Connection, str], None]) -> str:
    """``name``, a database that ``build(postgres, building)`` makes under the name
    ``building`` if it is missing; the other databases of ``family`` are dropped then (older
    migrations' or code's, or a build that was interrupted).

    Several test processes may ask at once: a PostgreSQL advisory lock lets one build it
    while the others wait, and it is renamed only once complete, so that no process ever
    copies a half-built one."""
    with psycopg.connect(**server(), dbname="postgres", autocommit=True) as postgres:
        postgres.execute("SELECT pg_advisory_lock(hashtext(%s))", [family])
        try:
            existing = {
                row[0]
                for row in postgres.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [family]
                )
            }
            if name in existing:
                return name
            building = f"{name}_building"
            for stale in existing:
                postgres.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
            build(postgres, building)
            postgres.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            return name
        finally:
            postgres.execute("SELECT pg_advisory_unlock(hashtext(%s))", [family])


def server() -> dict:
    database = settings.DATABASES["default"]
    return {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }


def database_url(database: str) -> str:
    """The DATABASE_URL of ``database`` on the test server, for a process of its own."""
    address = server()
    credentials = address["user"] or ""
    if address["password"]:
        credentials += f":{address['password']}"
    return f"postgres://{credentials}@{address['host'] or ''}:{address['port'] or 5432}/{database}"


def _migrate(database: str) -> None:
    """``manage.py migrate`` on ``database``, in a process of its own (this one's connections
    stay on the test database)."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        env={**os.environ, "DATABASE_URL": database_url(database)},
        cwd=ROOT,
        check=True,
    )
