from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from mfa.urls import passkey_patterns

from . import health

admin.site.site_header = _("Harassment Portal administration")
admin.site.site_title = _("Harassment Portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/second-factor/", include("mfa.urls")),
    path("accounts/second-factor/passkeys/", include(passkey_patterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch works on the sign-in page too.
    path("i18n/setlang/", account_views.switch_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("policy/", include("policy.urls")),
    path("incidents/", include("incidents.urls")),
    path("review/", include("incidents.urls_review")),
    path("cases/", include("incidents.urls_cases")),
    path("checkin/", include("incidents.urls_checkin")),
    path("escalations/", include("incidents.urls_escalations")),
    path("audit/", include("audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    # The REST API, its schema and docs (api/urls.py); personal tokens are made on a page.
    path("api/", include("api.urls")),
    path("accounts/tokens/", include("api.urls_tokens")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# Rendered without the request, so that they make no database query (errors.py); Django's
# 400 and 500 views already do so, with templates/400.html and 500.html.
handler403 = "harassment_portal.errors.permission_denied"
handler404 = "harassment_portal.errors.page_not_found"
