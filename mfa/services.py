"""Writes of the second factor: enrolment, recovery codes, removal and an administrator's reset.
Each writes its line in the user's change history (pghistory manual events on the User, with
the request's context: who did it), in the same transaction."""

from __future__ import annotations

import secrets

import pghistory
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import hex_validator

from accounts.models import User

from .models import (
    RECOVERY_ALPHABET,
    RECOVERY_CODE_LENGTH,
    RecoveryCode,
    RecoveryCodeDevice,
    recovery_digest,
)

# The labels of the User's manual history events (accounts/models.py registers them).
ENROLLED = "second_factor.enrolled"
REMOVED = "second_factor.removed"
RESET = "second_factor.reset"
RECOVERY_CODES_ISSUED = "second_factor.recovery_codes_issued"

PENDING_TOTP_NAME = "pending"


def _record(user: User, label: str, **context) -> None:
    with pghistory.context(**context):
        pghistory.create_event(user, label=label)


def totp_device_start(*, user: User) -> TOTPDevice:
    """Her authenticator app's secret, not yet confirmed: shown as a QR code until she types a
    code it made. Visiting the page again shows the same secret, not a new one each time."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PENDING_TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, name: str) -> bool:
    """Confirms the device when ``token`` is a code it made now (proof that she scanned it)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.name = name
    device.save(update_fields=["confirmed", "name"])
    _record(device.user, ENROLLED, device="totp")
    return True


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """New recovery codes for ``user``, replacing any she had; returned once, stored only as
    digests."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(settings.MFA_RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_digest(code)) for code in codes
    )
    _record(user, RECOVERY_CODES_ISSUED)
    return ["-".join(code[i : i + 4] for i in range(0, len(code), 4)) for code in codes]


@transaction.atomic
def second_factor_device_remove(*, user: User, device: Device) -> None:
    """She removes one of her devices (a phone she no longer has)."""
    if device.user_id != user.pk:
        raise PermissionError("not her device")
    kind = device._meta.model_name
    device.delete()
    _record(user, REMOVED, device=kind)


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> int:
    """An administrator removes every device of ``user`` (she lost her phone and her recovery
    codes): her next sign-in enrols again. Returns how many devices went."""
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    _record(user, RESET, reset_by=by.pk, devices_removed=removed)
    return removed


@transaction.atomic
def demo_totp_enrol(*, user: User, secret_hex: str) -> TOTPDevice:
    """The demo's known authenticator for a demo user (seed_demo, never in production)."""
    hex_validator(20)(secret_hex)
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name="demo",
        defaults={"key": secret_hex, "confirmed": True},
    )
    return device


@transaction.atomic
def second_factor_verify(*, user: User, kind: str, token: str) -> Device | None:
    """The device of ``user`` that accepts ``token`` now, or None. Each device is locked
    while it checks, so that one code cannot be used by two sign-ins at once (TOTP codes are
    refused after their use, recovery codes are spent); wrong codes slow the next try down
    (django-otp's throttling: 1, 2, 4… seconds)."""
    model = {"totp": TOTPDevice, "recovery": RecoveryCodeDevice}[kind]
    for device in model.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def second_factor_wait(*, user: User, kind: str):
    """When she may try a code again after wrong ones (None: now)."""
    model = {"totp": TOTPDevice, "recovery": RecoveryCodeDevice}[kind]
    waits = []
    for device in model.objects.filter(user=user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if allowed:
            return None
        waits.append((details or {}).get("locked_until"))
    return min((w for w in waits if w), default=None)


def passkey_enrolled(*, user: User) -> None:
    """The passkey ceremony saved her credential (django-otp-webauthn): its history line."""
    _record(user, ENROLLED, device="passkey")
