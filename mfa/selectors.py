"""Reads of the second factor: her devices, for the step and her security page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User

from .models import RecoveryCodeDevice


@dataclass
class SecondFactors:
    totp: list[TOTPDevice] = field(default_factory=list)
    passkeys: list[WebAuthnCredential] = field(default_factory=list)
    recovery: RecoveryCodeDevice | None = None

    @property
    def recovery_left(self) -> int:
        return self.recovery.remaining if self.recovery else 0

    @property
    def enrolled(self) -> bool:
        """A device that proves it is her: an app or a passkey (recovery codes come with them
        and are no way to start)."""
        return bool(self.totp or self.passkeys)

    @property
    def count(self) -> int:
        return len(self.totp) + len(self.passkeys)


def second_factors_of(user: User) -> SecondFactors:
    return SecondFactors(
        totp=list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")),
        passkeys=list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk")),
        recovery=RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first(),
    )


def own_device(user: User, kind: str, device_id: int):
    """One of her own devices, or None (another's is as absent as a missing one)."""
    model = {"totp": TOTPDevice, "passkey": WebAuthnCredential}.get(kind)
    if model is None:
        return None
    return model.objects.filter(user=user, pk=device_id).first()
