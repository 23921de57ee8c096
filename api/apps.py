from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        # The token scheme, described in the OpenAPI schema (drf-spectacular finds it by import).
        from . import schema  # noqa: F401
