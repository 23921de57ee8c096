from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and test centers")

    def ready(self):
        # Stamps a new session with its sign-in time and idle limit (user_logged_in).
        from . import sessions  # noqa: F401
