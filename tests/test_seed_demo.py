import os
import subprocess
import sys

from django.core.management import call_command

from accounts.models import Membership, User
from accounts.models import TestCenter as Center
from policy.models import Category, PolicyVersion
from tests.conftest import DEMO_PASSWORD
from tests.helpers import child_env


def test_seed_demo_creates_the_contract_data(demo):
    assert set(Center.objects.values_list("code", flat=True)) == {"TKY01", "OSA01"}
    for username in [
        "staff.tokyo",
        "staff.osaka",
        "supervisor.tokyo",
        "supervisor.osaka",
        "manager",
        "legal",
        "admin",
    ]:
        user = User.objects.get(username=username)
        assert user.email == f"{username}@example.com"
        assert user.check_password(DEMO_PASSWORD)
    assert Membership.objects.get(user__username="supervisor.tokyo").center.code == "TKY01"
    assert Membership.objects.get(user__username="manager").center is None
    assert User.objects.get(username="admin").is_superuser


def test_seed_demo_is_idempotent_and_keeps_admins_edits(demo):
    category = Category.objects.get(code="other")
    category.name_en = "Something else"
    category.save()
    call_command("seed_demo", password="another-password", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert User.objects.filter(username="staff.tokyo").count() == 1
    assert Membership.objects.filter(user__username="staff.tokyo").count() == 1
    assert PolicyVersion.objects.count() == 1 and Category.objects.count() == 13
    assert Category.objects.get(code="other").name_en == "Something else"
    assert User.objects.get(username="staff.tokyo").check_password("another-password")


def test_seed_demo_refuses_the_production_settings():
    env = child_env(
        DJANGO_SETTINGS_MODULE="harassment_portal.settings.production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="portal.example.com",
        EMAIL_HOST="smtp.example.com",
        SITE_URL="https://portal.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--password", "whatever-123"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refuses to run under these settings" in result.stderr
