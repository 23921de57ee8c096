from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.policy import may_preview_policy_drafts

from .models import PolicyVersion
from .selectors import (
    active_categories,
    diff_versions,
    published_version,
    show_section,
    versions_for,
)


class CompareForm(forms.Form):
    """The two versions to compare, by number (?from=&to=)."""

    from_ = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    to = forms.IntegerField(min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")  # "from" is a Python keyword


def _may_see_drafts(request: HttpRequest) -> bool:
    return may_preview_policy_drafts(request.user)


def _get_version_for_user(request: HttpRequest, number: int) -> PolicyVersion:
    # Drafts are for admins; to everyone else a draft does not exist (404, not 403).
    versions = versions_for(include_drafts=_may_see_drafts(request)).prefetch_related("sections")
    try:
        return versions.get(number=number)
    except PolicyVersion.DoesNotExist:
        raise Http404(_("No such policy version.")) from None


def _render_version(request: HttpRequest, version: PolicyVersion | None, **extra) -> HttpResponse:
    sections = [show_section(section) for section in version.sections.all()] if version else []
    context = {
        "version": version,
        "sections": sections,
        "categories": active_categories(),
        "has_fallback": any(s.heading_is_fallback or s.body_is_fallback for s in sections),
        **extra,
    }
    return render(request, "policy/policy.html", context)


def policy_current(request: HttpRequest) -> HttpResponse:
    return _render_version(request, published_version(), is_current=True)


def policy_version_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = _get_version_for_user(request, number)
    return _render_version(request, version, is_current=False)


def policy_versions(request: HttpRequest) -> HttpResponse:
    versions = list(versions_for(include_drafts=_may_see_drafts(request)))
    numbers = [v.number for v in versions]
    diff, older, newer, error = None, None, None, None
    if "from" in request.GET or "to" in request.GET:
        compare = CompareForm(request.GET)
        a, b = (
            (compare.cleaned_data["from"], compare.cleaned_data["to"])
            if compare.is_valid()
            else (None, None)
        )
        if a in numbers and b in numbers and a != b:
            older = _get_version_for_user(request, min(a, b))
            newer = _get_version_for_user(request, max(a, b))
            diff = diff_versions(older, newer)
        else:
            error = _("Choose two different versions to compare.")
    context = {
        "versions": versions,
        "diff": diff,
        "older": older,
        "newer": newer,
        "compare_error": error,
        "default_from": numbers[1] if len(numbers) > 1 else None,
        "default_to": numbers[0] if numbers else None,
    }
    return render(request, "policy/versions.html", context)
