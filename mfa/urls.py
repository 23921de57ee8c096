from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from . import views

app_name = "mfa"

# django-otp-webauthn's ceremonies under its own namespace (its template tags name them), two
# with our additions; harassment_portal/urls.py mounts them beside ours.
passkey_patterns = (
    [
        path(
            "registration/begin/",
            webauthn_views.BeginCredentialRegistrationView.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            views.PasskeyRegistrationComplete.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            webauthn_views.BeginCredentialAuthenticationView.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            views.PasskeyAuthenticationComplete.as_view(),
            name="credential-authentication-complete",
        ),
        # Its scripts' words: the portal's catalog, which has their Japanese (locale/).
        path("jsi18n/", JavaScriptCatalog.as_view(), name="js-i18n-catalog"),
    ],
    "otp_webauthn",
)

urlpatterns = [
    path("", views.verify, name="verify"),
    path("devices/", views.devices, name="devices"),
    path("devices/app/", views.totp_enrol, name="totp_enrol"),
    path("devices/<str:kind>/<int:device_id>/remove/", views.remove, name="remove"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
