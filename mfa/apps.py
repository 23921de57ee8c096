from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = _("Second factor")

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings check)
