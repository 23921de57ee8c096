"""Recovery codes, a django-otp device of our own.

django-otp's static tokens are stored as typed; a recovery code here is kept only as its
SHA-256 digest. A plain digest is enough because each code carries 80 random bits (16 base-32
characters): nothing guessable for a slow hash to protect, and a sign-in checks ten digests."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

# Crockford's base 32: no I, L, O or U to misread on paper.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_CODE_LENGTH = 16


def normalise_recovery_code(typed: str) -> str:
    """What she typed, as the code was printed: capitals, without the spaces and hyphens
    that group it, with the letters people read for digits."""
    code = "".join(typed.split()).replace("-", "").upper()
    return code.translate(str.maketrans({"I": "1", "L": "1", "O": "0"}))


def recovery_digest(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One set of printed recovery codes: each signs in once, for the day her phone is lost."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        # One UPDATE that only an unused code matches: two sign-ins racing with the same
        # code cannot both win.
        used = self.codes.filter(digest=recovery_digest(str(token)), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="mfa_recoverycode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}: {'used' if self.used_at else 'unused'}"
