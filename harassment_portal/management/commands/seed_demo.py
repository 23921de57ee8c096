"""``seed_demo --password P``: the demo data of DESIGN.md §6 (idempotent).

Refuses to run under the production settings: demo accounts with a known password must
never reach a real deployment."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, TestCenter
from accounts.services import user_upsert
from policy.services import policy_seed

CENTERS = [
    {
        "code": "TKY01",
        "name_ja": "東京テストセンター",
        "name_en": "Tokyo Test Center",
        "region": "Kanto",
    },
    {
        "code": "OSA01",
        "name_ja": "大阪テストセンター",
        "name_en": "Osaka Test Center",
        "region": "Kansai",
    },
]

# username, staff code, family name, given name, role, center code (None: every center)
USERS = [
    ("staff.tokyo", "TKY-0042", "佐藤", "美咲", Role.STAFF, "TKY01"),
    ("staff.osaka", "OSA-0017", "田中", "健", Role.STAFF, "OSA01"),
    ("supervisor.tokyo", "TKY-0007", "鈴木", "由美", Role.SUPERVISOR, "TKY01"),
    ("supervisor.osaka", "OSA-0003", "高橋", "誠", Role.SUPERVISOR, "OSA01"),
    ("manager", "HQ-0002", "山本", "浩二", Role.MANAGER, None),
    ("legal", "LGL-0001", "中村", "綾", Role.LEGAL, None),
    ("admin", "ADM-0001", "小林", "直樹", Role.ADMIN, None),
]


class Command(BaseCommand):
    help = "Create or refresh the demo test centers, users and policy (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password for every demo user.")

    def handle(self, *args, password: str, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refuses to run under these settings: demo accounts with a known "
                "password must never reach a real deployment."
            )
        if len(password) < 8:
            raise CommandError("The demo password must have at least 8 characters.")
        with transaction.atomic():
            centers = {}
            for center in CENTERS:
                centers[center["code"]], _ = TestCenter.objects.update_or_create(
                    code=center["code"], defaults=center
                )
            users = {}
            for username, staff_code, family, given, role, center_code in USERS:
                users[username] = user_upsert(
                    username=username,
                    staff_code=staff_code,
                    password=password,
                    email=f"{username}@example.com",
                    first_name=given,
                    last_name=family,
                    is_superuser=role == Role.ADMIN,
                    memberships=[(role, centers[center_code] if center_code else None)],
                )
            policy_seed(published_by=users["admin"])
        self.stdout.write(self.style.SUCCESS("Demo data ready: " + ", ".join(users)))
