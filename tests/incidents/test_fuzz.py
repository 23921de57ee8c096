"""Odd input, from every demo role, to every page, form and filter of the portal: whatever is
sent, the answer is a page or a clear refusal, never a server error (issue 8). A scanner
crawling the portal as a supervisor once produced seven 500s; these crawl it the same way.

Every role asks for every page; the odd input (each page's odd parameters and posts, most of the
walk's cost) is shared between the two staff members and between the two supervisors (TWINS),
and a page that refuses the method or asks to sign in is sent no more of it."""

from __future__ import annotations

import inspect
import re
import traceback
import uuid
import zlib
from collections.abc import Iterator

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from api.models import PersonalToken
from dashboard.figures import TABLES
from incidents import forms as incident_forms
from incidents.models import Attachment, CaseFile, Decision, Escalation, IncidentReport
from incidents.services import report_attach_evidence
from incidents.services.triage import information_request
from incidents.views import cases, checkin, escalations, reports, review
from policy import views as policy_views
from policy.models import PolicyVersion
from tests.helpers import DEMO_ROLES, file_report, pass_second_factor, report_form_data
from tests.samples import png_bytes

# What a scanner, a confused browser or a pasted document sends.
ODD_VALUES = [
    "",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31",
    "9999-12-31T23:59",
    "²",
    "１２３",
    "-1",
    "99999999999999999999999",
    "nul\x00byte",
    "x" * 3_000,  # longer than every short field (the long texts: see the report form test)
    "not-a-uuid",
    "<script>alert(1)</script>' OR 1=1 --",
    "CH-9999-999999",
]
# The ones posted to every form as every role (all of them would make the crawl slow).
POSTED_VALUES = ["", "0001-01-01T00:00", "²", "99999999999999999999999", "nul\x00byte"]
POSTED_VALUES += ["x" * 3_000, "not-a-uuid"]
# Query parameters the portal's pages read, besides their forms' fields.
EXTRA_PARAMETERS = ("page", "q", "status", "next", "escalation", "from", "to", "action")
# Pages a scanner is kept away from: Django's own admin, sign-out (it would end the crawl)
# and the health check (it waits for the worker, which these tests do not start).
SKIPPED = ("admin:", "logout", "healthz")
ROLES = (*DEMO_ROLES, "outsider", None)  # None: not signed in


def portal_forms() -> list[type[forms.BaseForm]]:
    """Every form class of the portal's views."""
    modules = (incident_forms, cases, checkin, escalations, reports, review, policy_views)
    return [
        value
        for module in modules
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, forms.BaseForm)
        and value.__module__ in {m.__name__ for m in modules}
    ]


def field_names() -> list[str]:
    names: set[str] = set(EXTRA_PARAMETERS)
    for form_class in portal_forms():
        names |= set(form_class.base_fields)
    names |= {"form_token", "from"}  # CompareForm renames its field at init
    names |= {"username", "password", "old_password", "new_password1", "new_password2"}
    names |= {"email", "language", "candidate_id"}
    return sorted(names)


def url_patterns() -> Iterator[tuple[str, dict]]:
    """The name and converters of every named URL pattern (namespaced)."""

    def walk(resolver, namespace: str, converters: dict):
        for pattern in resolver.url_patterns:
            found = {**converters, **pattern.pattern.converters}
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, inner, found)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", found

    for name, converters in walk(get_resolver(), "", {}):
        if not any(name == skipped or name.startswith(skipped) for skipped in SKIPPED):
            yield name, converters


@pytest.fixture
def portal(demo) -> dict[str, list]:
    """Real ids of every kind a URL takes, from the demo data plus what these tests add (a
    draft of each reporter, an attachment, a question, an escalation), and ids that do not
    exist."""
    reporters = [demo[name] for name in ("staff.tokyo", "supervisor.tokyo", "staff.osaka")]
    drafts = [file_report(person, submit=False) for person in reporters]
    report = file_report(
        demo["staff.tokyo"], categories=("physical_attack",), candidate_id_entered="SR27182818"
    )
    information_request(report=report, by=demo["supervisor.tokyo"], question="Which desk?")
    report_attach_evidence(
        report=drafts[0],
        files=[SimpleUploadedFile("photo.png", png_bytes())],
        by=demo["staff.tokyo"],
    )
    huge = 10**20
    return {
        "reference": [
            *IncidentReport.objects.exclude(reference=None).values_list("reference", flat=True)[:4],
            "CH-9999-999999",
        ],
        "draft_id": [*(draft.public_id for draft in drafts), uuid.uuid4()],
        # The API's report key: a reference or a draft's id.
        "key": [report.reference, str(drafts[0].public_id), "CH-9999-999999", "x"],
        "candidate_id": ["SR27182818", "SR00000000", "x" * 40],
        "table": [*TABLES[:2], "x"],
        "token_id": [*PersonalToken.objects.values_list("pk", flat=True)[:2], 0, huge],
        "attachment_id": [*Attachment.objects.values_list("pk", flat=True)[:2], 0, huge],
        "case_file_id": [*CaseFile.objects.values_list("pk", flat=True)[:3], 0, huge],
        "decision_id": [*Decision.objects.values_list("pk", flat=True)[:3], 0, huge],
        "escalation_id": [*Escalation.objects.values_list("pk", flat=True)[:2], 0, huge],
        "number": [*PolicyVersion.objects.values_list("number", flat=True)[:2], 0, huge],
        "uidb64": ["MQ", "x"],
        "token": ["set-password", "x"],
        "form_tokens": [str(draft.form_token) for draft in drafts],
        # Second-factor devices (mfa/): the demo's authenticators, of one user and another.
        "kind": ["totp", "passkey", "x"],
        "device_id": [*TOTPDevice.objects.values_list("pk", flat=True)[:2], 0, huge],
    }


def urls(portal: dict[str, list], *, real_ids_only: bool = False) -> list[tuple[str, str]]:
    """Every URL pattern with real and made-up ids: variant i takes the i-th value of each
    of its arguments (wrapping round), so that each value is used once; the first variant
    has real ids only. Each URL comes with its pattern's name and variant, the same for every
    role whatever the ids."""
    found = {}
    for name, converters in url_patterns():
        variants = max((len(portal[arg]) for arg in converters), default=1)
        for index in range(1 if real_ids_only else variants):
            kwargs = {arg: portal[arg][index % len(portal[arg])] for arg in converters}
            found.setdefault(reverse(name, kwargs=kwargs), f"{name}#{index}")
    return sorted((variant, url) for url, variant in found.items())


class ServerErrors:
    """The requests that ended in a server error, with the exception each raised."""

    def __init__(self):
        self.found: list[str] = []
        self.last_exception = ""

    def __enter__(self):
        got_request_exception.connect(self._record)
        return self

    def __exit__(self, *exc):
        got_request_exception.disconnect(self._record)

    def _record(self, sender, request=None, **kwargs):
        self.last_exception = traceback.format_exc(limit=-3)

    def check(self, response, what: str) -> None:
        if response.status_code >= 500:
            self.found.append(f"{what} → {response.status_code}\n{self.last_exception}")

    def assert_none(self) -> None:
        shown = "\n".join(error[:2000] for error in self.found[:10])
        assert not self.found, f"{len(self.found)} server errors:\n{shown}"


def client_as(user: User | None) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ja")
    if user is not None:
        client.force_login(user, backend="accounts.backends.PortalBackend")
        pass_second_factor(client, user)
    return client


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "…"


# Two roles of the same access at the two centers share the odd input (a page's odd parameters
# and odd posts): each sends half, the other the other half, chosen by the page and the value,
# so that every odd value still reaches every page as someone of that access. Every role asks
# for every page plainly.
TWINS = {"staff.tokyo": 0, "staff.osaka": 1, "supervisor.tokyo": 0, "supervisor.osaka": 1}


def sends(role: str | None, odd_request: str) -> bool:
    """Whether ``role`` sends ``odd_request`` (a page's pattern and variant, and what is odd
    in it): every role does, but twins share them."""
    half = TWINS.get(role)
    return half is None or zlib.crc32(odd_request.encode()) % 2 == half


def refused_before_the_view(response) -> bool:
    """An answer decided by the method or by being signed in, before the view reads a
    parameter or a field: whatever else is sent gets the same answer."""
    return response.status_code == 405 or (
        response.status_code == 302 and response.url.startswith(resolve_url(settings.LOGIN_URL))
    )


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_no_page_or_form_answers_a_server_error(demo, portal, role):
    user = demo[role] if role else None
    client = client_as(user)
    names = field_names()
    # Each parameter with a different odd value, in one request.
    mixed = {name: ODD_VALUES[i % len(ODD_VALUES)] for i, name in enumerate(names)}
    with ServerErrors() as errors:
        for variant, url in urls(portal):
            response = client.get(url)
            errors.check(response, f"GET {url}")
            if not refused_before_the_view(response) and sends(role, f"{variant} mixed"):
                errors.check(client.get(url, mixed), f"GET {url} mixed")
        for variant, url in urls(portal, real_ids_only=True):
            for odd in POSTED_VALUES:
                if not sends(role, f"{variant} {odd!r}"):
                    continue
                response = client.post(url, dict.fromkeys(names, odd))
                errors.check(response, f"POST {url} all={_short(odd)}")
                if refused_before_the_view(response):
                    break
    errors.assert_none()


def test_twins_share_every_odd_request():
    """Of two twins, exactly one sends each odd request of a page."""
    requests = [f"incidents:detail#{i} {odd!r}" for i in range(5) for odd in POSTED_VALUES]
    for request in [*requests, "cases:detail#0 mixed", "review:queue#0 mixed"]:
        assert sends("staff.tokyo", request) != sends("staff.osaka", request)
        assert sends("supervisor.tokyo", request) != sends("supervisor.osaka", request)
        assert sends("manager", request) and sends(None, request)
    shares = [sends("staff.tokyo", request) for request in requests]
    assert 0.3 < sum(shares) / len(shares) < 0.7


# Each list page, its filters, and people who see it (two people of a page share its odd values).
FILTERS = [
    ("/incidents/mine/", reports.MyReportsFilterForm, "staff.tokyo"),
    ("/review/", review.ReviewFilterForm, "supervisor.tokyo"),
    ("/review/", review.ReviewFilterForm, "manager"),
    ("/cases/", cases.CaseFileFilterForm, "supervisor.osaka"),
    ("/cases/", cases.CaseFileFilterForm, "legal"),
    ("/escalations/", escalations.InboxFilterForm, "manager"),
    ("/policy/versions/", policy_views.CompareForm, "admin"),
]


@pytest.mark.parametrize(
    ("url", "form_class", "role"), FILTERS, ids=[f"{url}-{role}" for url, _f, role in FILTERS]
)
def test_every_filter_takes_any_value(demo, url, form_class, role):
    """Each odd value of each filter, from one of the people listed for the page (they share
    them, as twins share a page's odd input)."""
    client = client_as(demo[role])
    names = sorted({*form_class.base_fields, "from", "page", "q"})
    people = [person for page, _form, person in FILTERS if page == url]
    with ServerErrors() as errors:
        for name in names:
            for odd in ODD_VALUES:
                if zlib.crc32(f"{name} {odd!r}".encode()) % len(people) != people.index(role):
                    continue
                errors.check(client.get(url, {name: odd}), f"GET {url} {name}={_short(odd)}")
    errors.assert_none()


def valid_report(center_pk: int) -> dict:
    return report_form_data(center_pk)


@pytest.mark.parametrize("action", ["save", "submit"])
def test_each_field_of_the_report_form_takes_any_value(demo, portal, action):
    """One odd value at a time in an otherwise complete report, so that each reaches the
    services, not only the form's first check."""
    staff = demo["staff.tokyo"]
    client = client_as(staff)
    center_pk = staff.memberships.get().center_id
    fields = list(incident_forms.ReportForm.base_fields) + ["action"]
    odd_tokens = [*portal["form_tokens"], "not-a-uuid", "\x00"]
    with ServerErrors() as errors:
        for name in fields:
            values = odd_tokens if name == "form_token" else ODD_VALUES
            for odd in values:
                data = {**valid_report(center_pk), "action": action, name: odd}
                if action == "save" and goes_where_submit_goes(data, staff):
                    continue  # posted with "submit" (which posts every odd "action" too)
                response = client.post("/incidents/new/", data)
                errors.check(response, f"{name}={_short(odd)}")
    errors.assert_none()


def goes_where_submit_goes(data: dict, user: User) -> bool:
    """Whether ``data`` takes the path it takes with "action": "submit": the view reads the
    action only after the form has taken the post, so a post the form refuses is shown again
    whatever its action; and a post whose action is odd is the one the submit run makes."""
    return (
        data["action"] not in {"save", "submit"}
        or not incident_forms.ReportForm(data, user=user).is_valid()
    )


def test_a_scanner_crawling_as_a_supervisor_finds_no_server_error(demo, portal):
    """The crawl that once found seven 500s: every link of every page reached from home."""
    client = client_as(demo["supervisor.tokyo"])
    seen: set[str] = set()
    queue = ["/"]
    with ServerErrors() as errors:
        while queue and len(seen) < 400:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            errors.check(response, f"GET {url}")
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                queue.extend(_links(response.content.decode()) - seen)
    errors.assert_none()
    assert len(seen) > 10


def _links(page: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)', page):
        href = href.replace("&amp;", "&")
        if href.startswith("/") and not href.startswith(
            ("/static/", "/admin/", "/accounts/logout")
        ):
            found.add(href)
    return found
