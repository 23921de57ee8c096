"""The third-party apps under names of our own: Django admin lists them by their app's
verbose name, which their authors left untranslated ("AXES", "PGHISTORY")."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from pghistory.apps import PGHistoryConfig


class PortalConfig(AppConfig):
    name = "harassment_portal"
    verbose_name = _("Harassment Portal")


class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class ChangeHistoryConfig(PGHistoryConfig):
    verbose_name = _("Change history")
