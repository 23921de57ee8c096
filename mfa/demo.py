"""The demo's known second factor (development and test only; seed_demo and demo_totp refuse
production)."""

from __future__ import annotations

import time
from base64 import b32decode

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.policy import capabilities_of

from .services import demo_totp_enrol

DEMO_DEVICE_NAME = "demo"


def demo_second_factors_enrol(users) -> list[User]:
    """Enrols the demo secret for each of ``users`` whose role asks for a second factor."""
    if not settings.DEMO_TOTP_SECRET:
        return []
    secret_hex = b32decode(settings.DEMO_TOTP_SECRET).hex()
    enrolled = []
    for user in users:
        if capabilities_of(user).needs_second_factor:
            demo_totp_enrol(user=user, secret_hex=secret_hex)
            enrolled.append(user)
    return enrolled


def demo_totp_code(user: User) -> str:
    """The code her demo device accepts now."""
    return accepted_code(TOTPDevice.objects.get(user=user, name=DEMO_DEVICE_NAME, confirmed=True))


def accepted_code(device: TOTPDevice) -> str:
    """The code ``device`` accepts now, as an app holding its key would show it. A code is
    refused once used (replay), so when this time step's was used the next step's is given:
    the device accepts one step ahead (django-otp's tolerance) and follows the drift."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"
