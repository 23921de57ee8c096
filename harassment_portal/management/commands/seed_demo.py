"""``seed_demo --password P``: the demo data of DESIGN.md §6 (idempotent).

Refuses to run under the production settings: demo accounts with a known password must
never reach a real deployment."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, TestCenter
from accounts.services import user_upsert
from harassment_portal.demo_notice import DEMO_NOTICE_CONTACT
from harassment_portal.demo_reports import DEMO_REPORTS, occurred
from incidents.models import EscalationRule, IncidentReport
from incidents.seed_rules import seed_default_rules
from incidents.services import report_save_draft, report_submit
from mfa.demo import demo_second_factors_enrol
from policy.models import Category
from policy.services import candidate_notice_settings_seed, policy_seed

DEMO_NAMESPACE = uuid.UUID("0b8f6f5e-6a1d-4c33-9f39-5d3f1f0c2a11")

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
    # Not in the demo contract, but the support rule needs someone to tell.
    ("care", "CARE-0001", "伊藤", "恵", Role.STAFF_CARE, None),
]


class Command(BaseCommand):
    help = "Create or refresh the demo test centers, users and policy (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Password for every demo user.")

    def handle(self, *args, password: str, **_options):
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
            # The privileged demo users' second factor: the known demo secret, whose codes
            # `manage.py demo_totp <username>` prints (mfa/demo.py).
            demo_second_factors_enrol(users.values())
            policy_seed(published_by=users["admin"])
            candidate_notice_settings_seed(values=DEMO_NOTICE_CONTACT)
            seed_default_rules(EscalationRule, Category)
            filed = self._file_reports(users, centers)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {', '.join(users)}; {filed} new example reports.")
        )

    def _file_reports(self, users, centers) -> int:
        """File the example reports once: each has a fixed form token, so a second run finds
        it and leaves it as it is (and as supervisors may have changed it since)."""
        now = timezone.now()
        filed = 0
        for example in DEMO_REPORTS:
            token = uuid.uuid5(DEMO_NAMESPACE, example["key"])
            if IncidentReport.objects.filter(form_token=token).exists():
                continue
            reporter = users[example["reporter"]]
            report = report_save_draft(
                reporter=reporter,
                form_token=token,
                values={
                    **example["values"],
                    "center": centers[example["center"]],
                    "occurred_at": occurred(now, example["days_ago"]),
                },
                categories=Category.objects.filter(code__in=example["categories"]),
            )
            if example["submit"]:
                report_submit(report=report, by=reporter)
            filed += 1
        return filed
