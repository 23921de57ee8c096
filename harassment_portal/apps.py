"""The third-party apps under names of our own: Django admin lists them by their app's
verbose name, which their authors left untranslated ("AXES", "PGHISTORY"), and their models
by names with no Japanese ("Access attempts", "Events")."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from pghistory import runtime
from pghistory.apps import PGHistoryConfig


class PortalConfig(AppConfig):
    name = "harassment_portal"
    verbose_name = _("Harassment Portal")


class PortalAdminConfig(AdminConfig):
    """Django admin on our site, which names every select's empty choice (admin_site.py)."""

    default_site = "harassment_portal.admin_site.PortalAdminSite"


def _name_models(app: AppConfig, names: dict) -> None:
    """Give the app's models our own translated names. Only ``_meta.verbose_name`` changes:
    migrations read a model's declared options (``_meta.original_attrs``), so no migration of
    the third-party app follows from this."""
    for model_name, (singular, plural) in names.items():
        meta = app.get_model(model_name)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural


class SignInLockoutsConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "AccessAttempt": (_("failed sign-in attempt"), _("failed sign-in attempts")),
                "AccessFailureLog": (_("failed sign-in record"), _("failed sign-in records")),
                "AccessLog": (_("sign-in record"), _("sign-in records")),
                "AccessAttemptExpiration": (_("lockout expiry"), _("lockout expiries")),
            },
        )


class ChangeHistoryConfig(PGHistoryConfig):
    verbose_name = _("Change history")

    def ready(self):
        super().ready()
        # pghistory sets who and where (the request's context) before every statement of a
        # request that writes, savepoints included; a savepoint changes no row, and the next
        # statement that does sets the context itself. Six statements of a report's
        # submission (three savepoints and their releases) no longer carry it: a tenth of a
        # millisecond of CPU each, on PostgreSQL's side and ours.
        runtime.IGNORED_SQL_PREFIXES = (
            *runtime.IGNORED_SQL_PREFIXES,
            "savepoint",
            "release savepoint",
            "rollback to savepoint",
        )
        _name_models(self, {"Events": (_("change"), _("changes"))})
        # The columns of the admin's list of changes. Events is an unmanaged model (a view
        # over the event tables): migrations do not compare its fields.
        events = self.get_model("Events")._meta
        for field, name in {
            "pgh_created_at": _("when"),
            "pgh_obj_id": _("record"),
            "pgh_diff": _("what changed"),
        }.items():
            events.get_field(field).verbose_name = name
