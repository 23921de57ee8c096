"""Password reset (Django's flow under /accounts/password_reset/), made safe to leave open to
anyone: rate-limited, its e-mail through the outbox in the account's own language, and its
link built from SITE_URL.

- The link: Django builds it from the request's Host header unless told otherwise. A forged
  Host ("evil.example") would mail a real user a genuine token on a link to the forger's
  site; here the domain and scheme always come from SITE_URL.
- The limits: a sliding window in Redis per client address (against one machine trying
  every address) and per e-mail address (against flooding one person's inbox). Over either,
  nothing is sent and the page is the same "if the address is known, an e-mail is on its way"
  as always, so the limit tells an attacker nothing about which addresses exist.
- The e-mail: a row in the outbox (outbox/services.py), delivered and retried like every
  other; in the account's language, not the language of the page that asked.
"""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from harassment_portal.sliding_window import window_hit
from outbox.services import email_enqueue, emails_send_on_commit

from .client_ip import client_ip

WINDOW_SECONDS = 60 * 60
PER_ADDRESS = 10  # requests from one client address an hour
PER_EMAIL = 3  # e-mails asked for one e-mail address an hour


def _key(kind: str, value: str) -> str:
    # Hashed: the cache keeps no e-mail address in clear.
    return f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def password_reset_allowed(*, address: str | None, email: str) -> bool:
    """Counts this request against both windows; False when either is over its limit.

    A sliding window per key (harassment_portal/sliding_window.py), so concurrent requests
    on several web nodes count exactly. A refused request still counts: hammering does not open the
    window sooner."""
    limits = [(_key("email", email.casefold()), PER_EMAIL)]
    if address:
        limits.append((_key("address", address), PER_ADDRESS))
    hit = window_hit([(key, WINDOW_SECONDS) for key, _limit in limits])
    counts = hit.counts
    return all(count <= limit for count, (_key_, limit) in zip(counts, limits, strict=True))


class PortalPasswordResetForm(PasswordResetForm):
    """Django's form, its save() replaced: Django's would mail straight to SMTP from a link
    built on the request's Host."""

    def save(self, *, request: HttpRequest, **_ignored) -> None:
        site = urlsplit(settings.SITE_URL)
        email = self.cleaned_data["email"]
        if not password_reset_allowed(address=client_ip(request), email=email):
            return
        for user in self.get_users(email):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
            password_reset_email_enqueue(
                user=user,
                to=getattr(user, user.get_email_field_name()),
                reset_url=f"{site.scheme}://{site.netloc}{path}",
            )


def password_reset_email_enqueue(*, user, to: str, reset_url: str) -> None:
    """Into the outbox in the account's language, delivered once the row is committed."""
    with transaction.atomic():
        email = email_enqueue(
            key=f"password-reset:{user.pk}:{uuid.uuid4().hex}",
            to=to,
            language=user.language,
            template="password_reset",
            context={"reset_url": reset_url, "staff_code": user.staff_code},
        )
        emails_send_on_commit([email])


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm

    def form_valid(self, form):
        form.save(request=self.request)
        # The same page whether the address is known, unknown or over its limit.
        return super(auth_views.PasswordResetView, self).form_valid(form)
