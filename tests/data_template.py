"""The 20,000 generated reports of the query-plan tests, generated once, not once per module.

Three modules (tests/incidents/test_query_plans.py, tests/incidents/test_inbox_performance.py,
tests/dashboard/test_query_plans.py) check the plans PostgreSQL chooses on a data set large
enough for the planner to care. Generating it (incidents.bench_data) takes about 30 s of CPU,
most of it PostgreSQL computing each report's search tokens, and each module generated it in a
transaction of its own in whichever process ran it: three times a run, more when work stealing
split a module between processes. Now the first process to need it builds a data template: a
copy of the migrated template (tests/template_database.py) holding the demo data, the generated
reports and fresh planner statistics. Each process copies it once into a database of its own
(``CREATE DATABASE … TEMPLATE``, a second or two) and those modules' tests run on that copy:
:func:`connected_to` points the default connection at it for the module.

The template is named by what decides its rows: the migrated template it starts from, the
data set's size and seed, the source of the generator, of ``seed_demo`` and of every project
module they import (:func:`sources`), and the day: the generator writes ten years up to the
moment it runs, and the dashboard's default period is the last twelve months.
"""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections

from tests.template_database import PREFIX, ROOT, built_once, database_url, server

DATA_PREFIX = "hp_test_data_"
REPORTS = 20_000
SEED = 1
# Where the data set comes from; sources() adds every project module these import.
ROOTS = (
    ROOT / "tests" / "data_template.py",
    ROOT / "harassment_portal" / "management" / "commands" / "seed_demo.py",
    ROOT / "incidents" / "bench_data.py",
    ROOT / "incidents" / "services" / "cases.py",
)


def data_template() -> str:
    """The name of the data template of this run's migrated template, built if it is missing
    (tests/template_database.py's :func:`built_once`)."""
    migrated = settings.DATABASES["default"]["TEST"]["TEMPLATE"]
    database, migrations = migrated.removeprefix(PREFIX).rsplit("_", 1)
    family = f"{DATA_PREFIX}{database}_"
    digest = hashlib.sha256(f"{migrations} {REPORTS} {SEED} {datetime.now(UTC):%F}".encode())
    for path in sources():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())

    def build(postgres: psycopg.Connection, building: str) -> None:
        postgres.execute(f'CREATE DATABASE "{building}" TEMPLATE "{migrated}"')
        _run_fill(building)

    return built_once(family, family + digest.hexdigest()[:16], build)


def sources() -> list[Path]:
    """The project's source files the data set is made by: :data:`ROOTS` and every project
    module they import, read from their ``import`` statements (those inside functions too)."""
    found: set[Path] = set()
    pending = list(ROOTS)
    while pending:
        path = pending.pop()
        if path in found:
            continue
        found.add(path)
        package = path.parent.relative_to(ROOT).parts
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".") for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = list(package[: len(package) - node.level + 1]) if node.level else []
                base += node.module.split(".") if node.module else []
                names = [base] + [[*base, alias.name] for alias in node.names]
            else:
                continue
            for parts in names:
                for depth in range(1, len(parts) + 1):  # a module runs its packages' __init__
                    for candidate in (
                        ROOT.joinpath(*parts[:depth]).with_suffix(".py"),
                        ROOT.joinpath(*parts[:depth], "__init__.py"),
                    ):
                        if candidate.is_file() and ".venv" not in candidate.parts:
                            pending.append(candidate)
    return sorted(found)


def _run_fill(database: str) -> None:
    """:func:`fill` on ``database``, in a process of its own (this one's connections stay on
    its test database)."""
    subprocess.run(
        [sys.executable, "-c", "from tests.data_template import fill; fill()"],
        env={
            **os.environ,
            "DATABASE_URL": database_url(database),
            "DJANGO_SETTINGS_MODULE": "harassment_portal.settings.test",
        },
        cwd=ROOT,
        check=True,
    )


def fill() -> None:
    """The demo data, the generated reports and the planner's statistics, in the database of
    DATABASE_URL (a fresh copy of the migrated template)."""
    import django

    django.setup()
    from django.db import connection

    from incidents.bench_data import generate
    from incidents.services.cases import case_files_summarise
    from tests.conftest import seed_demo

    with connection.cursor() as cursor:
        # Autovacuum would vacuum the new rows some time after the load, or not, and a vacuumed
        # table's visibility map makes index-only scans cheaper to the planner: kept away, the
        # plans are those of rows just loaded, whenever the template was made.
        cursor.execute(
            """
            DO $$ DECLARE tables record; BEGIN
                FOR tables IN SELECT oid::regclass AS name FROM pg_class
                    WHERE relkind = 'r' AND relnamespace::regnamespace::text NOT IN
                        ('pg_catalog', 'information_schema', 'pg_toast')
                LOOP
                    EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', tables.name);
                END LOOP;
            END $$
            """
        )
    seed_demo()
    # Without the change history and foreign-key triggers (they would triple the load): these
    # tests read plans.
    generate(reports=REPORTS, seed=SEED, skip_history=True)
    case_files_summarise()  # the bulk load leaves the case files' summaries to this
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def copy_name() -> str:
    """This process's copy of the data template, named after its test database."""
    return f"{settings.DATABASES['default']['NAME'][:58]}_data"


def copy_create(name: str) -> None:
    with psycopg.connect(**server(), dbname="postgres", autocommit=True) as postgres:
        postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a crashed run's
        postgres.execute(f'CREATE DATABASE "{name}" TEMPLATE "{data_template()}"')


def copy_drop(name: str) -> None:
    with psycopg.connect(**server(), dbname="postgres", autocommit=True) as postgres:
        postgres.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def connected_to(database: str) -> Iterator[None]:
    """The default connection on ``database`` (its settings are Django's settings.DATABASES
    entry, which this changes too), and back on the test database afterwards."""
    connection = connections["default"]
    test_database = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = test_database
