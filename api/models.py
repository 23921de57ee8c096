"""Personal API tokens: what another system (the check-in desk's, a call-center tool) sends
instead of a session, acting as the person who created the token and seeing what she sees.

The secret is shown once, when the token is made, and never stored: the row keeps a short
public prefix to find it by and the SHA-256 digest of the secret to check it against. A
random 256-bit secret needs no slow password hash: nobody can guess one from its digest."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The public part of the key (hp_<prefix>_<secret>): the unique index finds the row
    # without comparing digests across the table.
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(_("SHA-256 digest of the secret"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The tokens page lists one user's tokens, newest first.
            models.Index(fields=["user", "-created_at"], name="api_token_user_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (hp_{self.prefix}_…)"

    def is_active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > moment

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())
