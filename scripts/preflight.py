"""Before ``make run``: are PostgreSQL and Redis reachable? Create the database if missing.

Stops at once, naming the service that is down and how to start it, instead of letting the
web server, worker and beat each fail with a long traceback."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import dj_database_url
import psycopg
import redis
from psycopg import sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/harassment_portal"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
HOW_TO_START = "Start it with:  docker compose up -d db redis   (or your system's service manager)"


def fail(message: str) -> None:
    print(f"\n  ✗ {message}\n    {HOW_TO_START}\n", file=sys.stderr)
    sys.exit(1)


def check_postgres(url: str) -> None:
    config = dj_database_url.parse(url)
    where = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}"
    params = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
            ).fetchone()
            if not exists:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"]))
                )
                print(f"  ✓ created the database {config['NAME']}")
    except psycopg.OperationalError as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        fail(f"PostgreSQL at {where} cannot be reached ({first_line}).")
    print(f"  ✓ PostgreSQL at {where}, database {config['NAME']}")


def check_redis(url: str) -> None:
    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or 6379}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        fail(f"Redis at {where} cannot be reached ({type(error).__name__}).")
    finally:
        client.close()
    print(f"  ✓ Redis at {where}")


if __name__ == "__main__":
    check_postgres(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    check_redis(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
