"""The tokens page (/accounts/tokens/): her personal API tokens, a new one, revoking one.

A portal page like any other, so only a fully signed-in session reaches it (the second
factor's middleware holds a half-signed-in one at the factor step). Making a token asks for
her password again when it was not given recently: a token outlives the session."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import capabilities_of
from accounts.reauth import kept_form, reauthenticated

from ..forms import TokenForm
from ..selectors import get_token_for_user, tokens_of
from ..services import token_create, token_revoke


def _ensure_may_use_tokens(request: HttpRequest) -> None:
    if not capabilities_of(request.user).uses_api_tokens:
        raise Http404("No API tokens.")


def _page(request: HttpRequest, form: TokenForm, *, new_key: str = "", status: int = 200):
    context = {"form": form, "tokens": tokens_of(request.user), "new_key": new_key}
    return render(request, "api/tokens.html", context, status=status)


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    _ensure_may_use_tokens(request)
    return _page(request, TokenForm(initial=kept_form(request, reverse("api_tokens:create"))))


# Never cached: the answer carries the key, shown this once.
@never_cache
@require_POST
@reauthenticated(form_page=lambda request: reverse("api_tokens:list"))
def token_new(request: HttpRequest) -> HttpResponse:
    _ensure_may_use_tokens(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    created = token_create(
        user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
    )
    # The key is in this response alone, never in the session or a message: both are stored.
    return _page(request, TokenForm(), new_key=created.key)


@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    _ensure_may_use_tokens(request)
    token = token_revoke(token=get_token_for_user(request.user, token_id))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
