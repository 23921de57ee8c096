"""The settings contract: production passes ``check --deploy``; bad values fail loudly."""

import subprocess
import sys

from tests.helpers import child_env

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "harassment_portal.settings.production",
    "SECRET_KEY": "a-production-secret-" + "k" * 50,
    "ALLOWED_HOSTS": "portal.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "SITE_URL": "https://portal.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in child_env().items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", **env)
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_a_malformed_value_names_the_variable():
    assert (
        "EMAIL_PORT='twenty-five' is not a whole number"
        in manage("check", EMAIL_PORT="twenty-five").stderr
    )
    assert (
        "DATABASE_URL='mysql://db/portal' is not a valid URL"
        in manage("check", DATABASE_URL="mysql://db/portal").stderr
    )
    assert "EMAIL_USE_TLS='maybe' is not a boolean" in manage("check", EMAIL_USE_TLS="maybe").stderr


def test_development_sends_mail_to_the_console_unless_an_smtp_host_is_set():
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_TIMEOUT)"
    plain = manage(
        "shell", "-v0", "-c", code, DJANGO_SETTINGS_MODULE="harassment_portal.settings.development"
    )
    assert plain.stdout.strip() == "outbox.console.EmailBackend 10"
    smtp = manage(
        "shell",
        "-v0",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE="harassment_portal.settings.development",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT="1025",
    )
    assert smtp.stdout.strip() == "outbox.smtp.EmailBackend 10"  # Django's, told "maybe"


def test_production_sends_through_the_smtp_backend_that_tells_maybe_delivered_apart():
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = manage("shell", "-v0", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "outbox.smtp.EmailBackend", result.stderr


def test_the_portals_connections_plan_without_jit_or_parallel_workers(db):
    # Set per connection, whatever the server's defaults: a page's short queries paid more to
    # compile their plans and to start workers than either saved (settings/base.py).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
