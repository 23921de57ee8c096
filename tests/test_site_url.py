"""Links in e-mails point at the instance that sent them: in development SITE_URL follows the
PORT that ``make run`` serves on, unless SITE_URL is set."""

import subprocess
import sys

from tests.helpers import child_env

PRINT_SITE_URL = "from django.conf import settings; print(settings.SITE_URL)"


def development(**env: str) -> subprocess.CompletedProcess:
    """Import the development settings in a fresh process with ``env``, print SITE_URL."""
    clean = {k: v for k, v in child_env().items() if k not in {"PORT", "SITE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", PRINT_SITE_URL],
        env={**clean, "DJANGO_SETTINGS_MODULE": "harassment_portal.settings.development", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def development_site_url(**env: str) -> str:
    result = development(**env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_point_at_port_8000_by_default():
    assert development_site_url() == "http://127.0.0.1:8000"


def test_a_second_instance_on_another_port_mails_links_to_itself():
    assert development_site_url(PORT="8001") == "http://127.0.0.1:8001"


def test_an_explicit_site_url_wins_over_the_port():
    assert (
        development_site_url(PORT="8001", SITE_URL="http://portal.test:9000")
        == "http://portal.test:9000"
    )


def test_a_port_that_is_not_a_number_is_refused_by_name():
    result = development(PORT="eighty")
    assert result.returncode != 0
    assert "PORT='eighty' is not a whole number" in result.stderr
