"""The second factor: the step after the password, her sign-in security page (enrolment of an
authenticator app or a passkey, recovery codes, removal), and the passkey ceremonies."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp_webauthn import views as webauthn_views

from . import services
from .forms import RecoveryCodeForm, TotpCodeForm, TotpEnrolForm
from .gate import awaiting_second_factor, second_factor_needed, second_factor_passed
from .selectors import own_device, second_factors_of

WRONG_CODE = {
    "totp": gettext_lazy(
        "This code is wrong or was already used. Type the code your app shows now."
    ),
    "recovery": gettext_lazy("This recovery code is wrong or was already used."),
}

# The codes just made, shown on the next page and then forgotten (popped from the session).
FRESH_CODES_SESSION_KEY = "mfa_fresh_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("home")


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}"


def _passed(request: HttpRequest, device) -> None:
    """The session has its second factor: a new session key, as at every change of privilege
    (a key seen while half signed in must not be the one that is fully signed in)."""
    otp_login(request, device)
    request.session.cycle_key()


def qr_svg(data: str) -> str:
    """The QR code as inline SVG, made here: no image service, no CDN sees the secret."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    # In pixels for the page, not in millimetres; attributes, not a style (CSP).
    svg = re.sub(r'width="[^"]+" height="[^"]+"', 'width="240" height="240"', svg, count=1)
    return svg.replace("<svg ", '<svg class="mfa-qr" role="img" aria-labelledby="qr-label" ', 1)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The step after the password: a code from her app, her passkey, or a recovery code."""
    if second_factor_passed(request) or not second_factor_needed(request):
        return HttpResponseRedirect(_next_url(request))
    factors = second_factors_of(request.user)
    if not factors.enrolled and not factors.recovery_left:
        return redirect(_with_next("mfa:devices", request))
    totp_form = TotpCodeForm(prefix="totp")
    recovery_form = RecoveryCodeForm(prefix="recovery")
    status = 200
    if request.method == "POST":
        kind = "recovery" if "recovery-recovery_code" in request.POST else "totp"
        # Only the form she sent is bound: the other shows no error for being empty.
        if kind == "totp":
            form = totp_form = TotpCodeForm(request.POST, prefix="totp")
            field = "code"
        else:
            form = recovery_form = RecoveryCodeForm(request.POST, prefix="recovery")
            field = "recovery_code"
        # After a wrong code the next try waits (1, 2, 4… seconds): said before any check.
        if form.is_valid() and services.second_factor_wait(user=request.user, kind=kind):
            form.add_error(field, _("Too many wrong codes. Wait a few seconds, then try again."))
        elif form.is_valid():
            token = form.cleaned_data[field]
            device = services.second_factor_verify(user=request.user, kind=kind, token=token)
            if device is not None:
                _passed(request, device)
                if kind == "recovery":
                    left = second_factors_of(request.user).recovery_left
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; %(left)s are left. If you "
                            "lost your phone or key, remove it below and enrol a new one."
                        )
                        % {"left": left},
                    )
                    return redirect("mfa:devices")
                return HttpResponseRedirect(_next_url(request))
            form.add_error(field, WRONG_CODE[kind])
        status = 400
    context = {
        "factors": factors,
        "totp_form": totp_form,
        "recovery_form": recovery_form,
        "next": _next_url(request),
        "recovery_open": "recovery-recovery_code" in request.POST,
    }
    return render(request, "mfa/verify.html", context, status=status)


def _first_enrolment_only(request: HttpRequest) -> HttpResponse | None:
    """While half signed in she may enrol her first device, never add one to those she has:
    someone who knows only her password must not put his own phone on her account."""
    if awaiting_second_factor(request) and second_factors_of(request.user).enrolled:
        return redirect(_with_next("mfa:verify", request))
    return None


@never_cache
def devices(request: HttpRequest) -> HttpResponse:
    """Her sign-in security: the devices she has, adding an app or a passkey, recovery codes."""
    if (response := _first_enrolment_only(request)) is not None:
        return response
    context = {
        "factors": second_factors_of(request.user),
        "awaiting": awaiting_second_factor(request),
        "required": second_factor_needed(request),
        "next": _next_url(request),
    }
    return render(request, "mfa/devices.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    if (response := _first_enrolment_only(request)) is not None:
        return response
    device = services.totp_device_start(user=request.user)
    form = TotpEnrolForm()
    if request.method == "POST":
        form = TotpEnrolForm(request.POST)
        if form.is_valid():
            confirmed = services.totp_device_confirm(
                device=device, token=form.cleaned_data["code"], name=form.cleaned_data["name"]
            )
            if confirmed:
                device.refresh_from_db()
                if not second_factor_passed(request):
                    _passed(request, device)
                messages.success(request, _("Your authenticator app is set up."))
                if second_factors_of(request.user).recovery is None:
                    codes = services.recovery_codes_issue(user=request.user)
                    request.session[FRESH_CODES_SESSION_KEY] = codes
                    return redirect(_with_next("mfa:recovery_codes", request))
                return redirect("mfa:devices")
            form.add_error(
                "code", _("This code is not the one your app shows now. Scan again and retry.")
            )
    context = {
        "form": form,
        "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308  (made above, from no input)
        "secret": _grouped(device.config_url.split("secret=")[1].split("&")[0]),
        "next": _next_url(request),
    }
    return render(request, "mfa/totp_enrol.html", context, status=400 if form.errors else 200)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Her recovery codes, shown once right after they are made; new ones replace them all
    (and need a session that passed its second factor)."""
    if request.method == "POST":
        if not second_factor_passed(request):
            return redirect(_with_next("mfa:verify", request))
        request.session[FRESH_CODES_SESSION_KEY] = services.recovery_codes_issue(user=request.user)
        return redirect("mfa:recovery_codes")
    context = {
        "codes": request.session.pop(FRESH_CODES_SESSION_KEY, None),
        "factors": second_factors_of(request.user),
        "next": _next_url(request),
    }
    return render(request, "mfa/recovery_codes.html", context)


@require_POST
def remove(request: HttpRequest, kind: str, device_id: int) -> HttpResponse:
    device = own_device(request.user, kind, device_id)
    if device is None:
        raise Http404
    factors = second_factors_of(request.user)
    if second_factor_needed(request) and factors.count <= 1:
        messages.error(
            request, _("This is your only device: enrol another before you remove this one.")
        )
        return redirect("mfa:devices")
    services.second_factor_device_remove(user=request.user, device=device)
    messages.success(request, _("The device is removed: it no longer signs you in."))
    return redirect("mfa:devices")


class PasskeyRegistrationComplete(webauthn_views.CompleteCredentialRegistrationView):
    """django-otp-webauthn's, plus the line in her history, and a new session key when her
    first passkey is what completes her sign-in (the library counts it as the factor)."""

    def post(self, *args, **kwargs):
        was_passed = second_factor_passed(self.request)
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            services.passkey_enrolled(user=self.request.user)
            if not was_passed and second_factor_passed(self.request):
                self.request.session.cycle_key()
        return response


class PasskeyAuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    """django-otp-webauthn's, with a new session key once the passkey is accepted."""

    def complete_auth(self, device):
        super().complete_auth(device)
        self.request.session.cycle_key()
