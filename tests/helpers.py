"""Small helpers the tests share."""

from __future__ import annotations

import os

from django.test import Client

from accounts.models import User


def client_for(user: User | None, *, language: str = "ja") -> Client:
    """A test client signed in as ``user`` (anonymous for None), reading in ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user, backend="accounts.backends.PortalBackend")
        pass_second_factor(client, user)
    client.cookies["django_language"] = language
    return client


def pass_second_factor(client: Client, user: User) -> None:
    """The signed-in session of ``client`` has passed its second factor, as it would after
    she typed her code, when her role asks for one (mfa/): with her demo authenticator, or an
    app enrolled for the test. The factor itself is tested in tests/accounts/test_mfa.py."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.policy import capabilities_of

    if not capabilities_of(User.objects.get(pk=user.pk)).needs_second_factor:
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# Variables a child process (manage.py, a Celery worker) must not inherit from the test run.
_TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: this one's, less test-only variables, plus
    ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY_VARIABLES}
    return {**env, **overrides}


def file_report(
    reporter: User,
    *,
    categories: tuple[str, ...] = ("verbal_abuse",),
    submit: bool = True,
    **values,
):
    """A report filed through the real services, as the report form files it."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from incidents.selectors import reporting_centers
    from incidents.services import report_save_draft, report_submit
    from policy.models import Category

    defaults = {
        "center": reporting_centers(reporter).first(),
        "occurred_at": timezone.now() - timedelta(hours=1),
        "channel": "in_person_checkin",
        "location": "Check-in desk",
        "demand": "A retest today.",
        "demand_legitimacy": "no",
        "narrative": "The candidate shouted at the desk for forty minutes.",
    }
    report = report_save_draft(
        reporter=reporter,
        form_token=uuid.uuid4(),
        values={**defaults, **values},
        categories=Category.objects.filter(code__in=categories),
    )
    if submit:
        report = report_submit(report=report, by=reporter)
    return report


def deliver_outbox(about: str = "") -> int:
    """One delivery attempt for every outbox e-mail that is due (whose key starts with
    ``about``), in this process, as the worker's task would make it; returns how many were
    sent."""
    from outbox.models import Email, EmailStatus
    from outbox.services import email_deliver

    pending = Email.objects.filter(status=EmailStatus.PENDING, key__startswith=about)
    ids = pending.values_list("pk", flat=True)
    return sum(email_deliver(email_id) == "sent" for email_id in list(ids))


def report_form_data(center=None, **overrides) -> dict:
    """A complete report as the report form posts it, for ``center`` (a test center or its
    primary key); ``overrides`` change fields, and None leaves a field out."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    occurred = timezone.localtime() - timedelta(minutes=50)
    data = {
        "form_token": str(uuid.uuid4()),
        "center": getattr(center, "pk", center) if center is not None else "",
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "channel": "in_person_checkin",
        "location": "受付",
        "demand": "受験させろ",
        "demand_legitimacy": "no",
        "narrative": "受付で40分間、大声で暴言を繰り返した。",
        "categories": ["verbal_abuse"],
        "duration_minutes": "40",
        "action": "submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def in_threads(count: int, work) -> list:
    """Run ``work(index)`` in ``count`` threads that start together; each has its own
    database connection, as concurrent requests do. Returns each result or exception."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001  (the test inspects it)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# The demo's people (seed_demo), as the visibility tests go through them: the contract's
# seven users and the staff-care contact.
DEMO_ROLES = (
    "staff.tokyo",
    "staff.osaka",
    "supervisor.tokyo",
    "supervisor.osaka",
    "manager",
    "legal",
    "admin",
    "care",
)
