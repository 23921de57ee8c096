"""Who uses the portal: users with a staff code, test centers, and memberships that give a
user a role in a center (or, for managers, legal and admins, everywhere)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

staff_code_validator = RegexValidator(
    r"^[A-Z]{2,5}-[0-9]{3,6}$",
    _("A staff code is two to five capital letters, a hyphen and three to six digits."),
)


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    LEGAL = "legal", _("Legal and compliance")
    ADMIN = "admin", _("Administrator")
    STAFF_CARE = "staff_care", _("Staff-care contact")


# Roles that act in one or more named centers; the others may act everywhere.
CENTER_ROLES = (Role.STAFF, Role.SUPERVISOR)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    # Her second factor's history, written by mfa/services.py: enrolled, removed, reset by an
    # administrator, new recovery codes (the devices themselves are django-otp's tables).
    pghistory.ManualEvent("second_factor.enrolled"),
    pghistory.ManualEvent("second_factor.removed"),
    pghistory.ManualEvent("second_factor.reset"),
    pghistory.ManualEvent("second_factor.recovery_codes_issued"),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    # Staff are named by this code wherever a name would leave the portal (DESIGN.md §8):
    # candidates often demand staff names, and the portal must not become the leak.
    staff_code = models.CharField(
        _("staff code"),
        max_length=12,
        unique=True,
        validators=[staff_code_validator],
        help_text=_("Such as TKY-0042. Used instead of the name outside the portal."),
    )
    # The language of e-mails and notifications to this user: her own setting, not the page
    # language of whoever last used a shared tablet (the navbar switch changes only pages).
    language = models.CharField(
        _("language for e-mails and notifications"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Until she chooses a language on her profile, each sign-in sets it to the language she
    # signed in with (a sensible default that follows her, not the device's last switch).
    language_chosen = models.BooleanField(_("language chosen on the profile"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.staff_code})"

    @property
    def display_name(self) -> str:
        # Japanese names read family name first; romanised ones given name first.
        if self.last_name and not self.last_name.isascii():
            return f"{self.last_name} {self.first_name}".strip()
        return self.get_full_name() or self.username


@pghistory.track()
class TestCenter(models.Model):
    code = models.SlugField(_("code"), max_length=10, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    region = models.CharField(_("region"), max_length=50)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Tokyo")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("test center")
        verbose_name_plural = _("test centers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    center = models.ForeignKey(
        TestCenter,
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("test center"),
        help_text=_("Empty for a manager, legal contact or administrator of every center."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "center", "role"],
                nulls_distinct=False,
                name="accounts_membership_unique",
            ),
            # Staff and supervisors always belong to a center: a supervisor of "everywhere"
            # would see every report, which is the managers' and legal's privilege.
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in CENTER_ROLES]) | Q(center__isnull=False),
                name="accounts_membership_center_role_has_center",
            ),
        ]

    def __str__(self) -> str:
        where = self.center.code if self.center_id else _("all centers")
        return f"{self.user.username}: {self.get_role_display()} ({where})"
