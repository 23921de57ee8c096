from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, cached_property

from accounts.policy import capabilities_of
from mfa.gate import awaiting_second_factor

from .selectors.escalations import (
    BellCount,
    bell_and_notices,
    bell_of,
    sees_all_escalations,
)
from .selectors.notices import unread_notice_count


class _NavbarCounts:
    """The navbar's bell and, for those who file reports, their unread notices: read together
    in one query when the page asks for the bell first (the navbar does, above the notices),
    each alone otherwise (a page that counted the bell itself puts its own in the context)."""

    def __init__(self, request: HttpRequest):
        self.request, self.user = request, request.user

    @cached_property
    def bell(self) -> BellCount:
        if awaiting_second_factor(self.request):
            return BellCount(0)  # half signed in (no second factor yet, mfa/): not even a count
        if capabilities_of(self.user).files_reports:
            bell, self.__dict__["notices"] = bell_and_notices(self.user)
            return bell
        return bell_of(self.user)

    @cached_property
    def notices(self) -> int:
        return unread_notice_count(self.user)


def bell(request: HttpRequest) -> dict:
    """The navbar's counts: the incidents the inbox shows the signed-in user to act on (an
    escalation she was told of that nobody acknowledged), and the notices she has not read;
    counted lazily (pages that do not render the navbar run no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = _NavbarCounts(request)
    return {
        "bell": SimpleLazyObject(lambda: counts.bell),
        "notice_count": SimpleLazyObject(lambda: counts.notices),
        "bell_for_all": SimpleLazyObject(
            lambda: not awaiting_second_factor(request) and sees_all_escalations(user)
        ),
    }
