from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from mfa.gate import awaiting_second_factor

from .policy import NOTHING, capabilities_of


def capabilities(request: HttpRequest) -> dict:
    """``can`` in every template: what the signed-in user may do, read lazily so that pages
    which never look (the sign-in page) run no query for it. Templates show or hide an action
    by asking ``can``, never by testing a role."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # Half signed in (password, no second factor yet), her pages offer nothing yet.
    can = SimpleLazyObject(
        lambda: NOTHING if awaiting_second_factor(request) else capabilities_of(user)
    )
    return {"can": can, "navbar_key": SimpleLazyObject(lambda: _navbar_key(request, can))}


def _navbar_key(request: HttpRequest, can) -> str:
    """Everything the navbar's menus show that differs between readers and pages (the
    "navbar.menu" and "navbar.account" fragments of templates/base.html are drawn once per
    key): her language, whether she is signed in, what she may do, the page she is on."""
    match = request.resolver_match
    return "|".join(
        str(part)
        for part in (
            get_language(),
            request.user.is_authenticated,
            can.files_reports,
            can.reviews,
            can.sees_dashboard,
            can.looks_up_at_checkin,
            can.opens_administration,
            can.reads_audit_trail,
            match.url_name if match else "",
            match.app_name if match else "",
        )
    )
