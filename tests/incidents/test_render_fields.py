"""The form fields of the queue, the case files and the report page, written by
incidents/templatetags/form_fields.py, read as crispy-forms' Bootstrap 5 pack writes them:
the same elements, attributes, classes, texts and order (whitespace between tags aside), for
a blank form, one filled in and one refused, in both languages."""

from __future__ import annotations

import re

import pytest
import time_machine
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django.http import QueryDict
from django.utils import timezone, translation

from audit.forms import DisclosureForm
from incidents.forms import (
    AddendumForm,
    ApprovalForm,
    CorrectionForm,
    DecisionForm,
    InformationRequestForm,
    LinkCandidateForm,
    MergeForm,
    NoteForm,
    StatusForm,
    SupportFollowUpForm,
)
from incidents.selectors.review import review_categories, review_centers
from incidents.templatetags.form_fields import as_field, as_fields
from incidents.views.cases import CaseFileFilterForm
from incidents.views.review import ReviewFilterForm

pytestmark = pytest.mark.django_db


def shown(html) -> str:
    """The markup as a browser reads it: a run of whitespace is one space."""
    return re.sub(r"\s+", " ", str(html)).strip()


def review_filters(manager, query: str) -> ReviewFilterForm:
    form = ReviewFilterForm(
        QueryDict(query),
        centers=list(review_centers(manager)),
        categories=list(review_categories()),
    )
    form.is_valid()
    return form


def bound(form_class, data: dict, **kwargs):
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# Each form as a page shows it: blank, filled in, refused. Built anew for each renderer, since
# both add their classes to the widgets.
FORMS = {
    "queue filters, blank": lambda users: review_filters(users["manager"], ""),
    "queue filters, filled in": lambda users: review_filters(
        users["manager"],
        "q=refund&severity=high&severity=low&category=verbal_abuse&submitted_from=2025-01-01"
        "&candidate=yes&support=on&sort=oldest&status=closed",
    ),
    "queue filters, refused": lambda users: review_filters(
        users["manager"],
        "submitted_from=2025-13-01&submitted_to=1999-01-01&category=nothing&center=x"
        "&severity=worst&status=nothing",
    ),
    "queue filters of one center": lambda users: review_filters(users["supervisor.tokyo"], ""),
    "case-file filters, blank": lambda users: CaseFileFilterForm(None),
    "case-file filters, filled in": lambda users: bound(
        CaseFileFilterForm, {"q": "C-1", "status": "open", "risk": "high", "center": "TKY01"}
    ),
    "case-file filters, refused": lambda users: bound(
        CaseFileFilterForm, {"status": "nothing", "center": "NOWHERE", "q": "x" * 50}
    ),
    "decision, blank": lambda users: DecisionForm(),
    "decision, refused": lambda users: bound(
        DecisionForm,
        {"outcome": "caution", "categories": ["verbal_abuse", "nothing"], "ends_on": "x"},
    ),
    "correction, as the report is": lambda users: CorrectionForm(
        initial={"categories": ["verbal_abuse", "other"], "severity": "high"}
    ),
    "correction, refused": lambda users: bound(CorrectionForm, {"severity": "worst"}),
    "note, blank": lambda users: NoteForm(),
    "note, refused": lambda users: bound(NoteForm, {"text": ""}),
    "question, refused": lambda users: bound(InformationRequestForm, {}),
    "link, refused": lambda users: bound(LinkCandidateForm, {"candidate_id": "x" * 50}),
    "merge, blank": lambda users: MergeForm(),
    "approval, refused": lambda users: bound(ApprovalForm, {"revision": "x"}),
    "status, blank": lambda users: StatusForm(),
    "support follow-up, refused": lambda users: bound(SupportFollowUpForm, {}),
    "disclosure, blank": lambda users: DisclosureForm(),
    "disclosure, refused": lambda users: bound(
        DisclosureForm,
        {"recipient_kind": "nobody", "legal_basis": "other", "disclosed_at": "2999-01-01T10:00"},
    ),
    "addendum (its file input by crispy)": lambda users: AddendumForm(),
    "addendum, refused": lambda users: bound(AddendumForm, {"text": ""}),
}


@pytest.fixture
def still_clock():
    """Each comparison builds its form twice, and some forms offer the time they were drawn
    (a disclosure's, a report's): the clock must not pass a second between the two."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("case", FORMS)
def test_each_field_reads_as_crispy_writes_it(demo, case, language, still_clock):
    with translation.override(language):
        expected = FORMS[case](demo)
        written = FORMS[case](demo)
        for name in expected.fields:
            assert shown(as_field(written[name])) == shown(as_crispy_field(expected[name])), name


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("case", FORMS)
def test_a_whole_form_reads_as_crispy_writes_it(demo, case, language, still_clock):
    with translation.override(language):
        assert shown(as_fields(FORMS[case](demo))) == shown(as_crispy_form(FORMS[case](demo)))


def test_a_refused_form_keeps_its_own_errors_above_its_fields(demo):
    form = bound(LinkCandidateForm, {"candidate_id": "C-1", "reason": "why"})
    form.add_error(None, "No candidate has this ID.")
    html = shown(as_fields(form))
    assert html == shown(as_crispy_form(form))
    assert html.index("No candidate has this ID.") < html.index('name="candidate_id"')
