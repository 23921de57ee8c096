"""Every word in the page's language: the timeline, escalation rules and severities that the
code generates are stored as codes and rendered in the reader's language, so a Japanese page
shows none of their English and no raw code, and an English page shows them in English. The
Django admin names every app and model in Japanese; no select offers Django's "---------".

The history below has an event of every kind the pages show (a correction of behaviours and
severity, an escalation by each rule, the next level, an acknowledgement, support asked and
given, a question and its answer, decisions proposed, in force and rejected, a report linked
to another candidate, two records merged, a case-file move, an internal note), all through
the real services."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone, translation

from incidents.models import (
    Candidate,
    Escalation,
    EscalationRule,
    EventKind,
    IncidentReport,
    TimelineEvent,
)
from incidents.models.logs import AccessKind
from incidents.services.cases import candidates_merge, case_file_link_report, case_file_set_status
from incidents.services.decisions import (
    DecisionDraft,
    decision_approve,
    decision_propose,
    decision_reject,
    decisions_expire_due,
)
from incidents.services.escalation import escalation_acknowledge, escalations_sweep
from incidents.services.reports import report_add_addendum, support_follow_up_add
from incidents.services.retention import (
    case_file_release_legal_hold,
    case_file_set_legal_hold,
    retention_apply,
)
from incidents.services.subject_access import subject_access_record
from incidents.services.timeline import record_event
from incidents.services.triage import (
    information_request,
    note_add,
    report_correct,
    report_set_status,
)
from policy.models import Category, Severity
from tests.helpers import client_for, file_report

CANDIDATE = "SR47000001"
MISTYPED = "SR47000002"
DUPLICATE = "SR47000003"
FORGOTTEN = "SR47000004"  # a case file closed long ago, anonymised by the retention period

# What people typed, in Japanese: their words are theirs, whatever the page's language.
TYPED = {
    "location": "受付",
    "demand": "今日の再受験",
    "narrative": "受付で四十分間どなり続けた。",
}


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes, never attributes (data-severity="high" is a code
    for the page's scripts and styles), nor scripts and styles."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def in_language(language: str, label) -> str:
    """A lazy label, or a msgid, in ``language``."""
    with translation.override(language):
        return translation.gettext(label) if isinstance(label, str) else str(label)


def draft(outcome: str, **values) -> DecisionDraft:
    values = {
        "outcome": outcome,
        "demand_legitimacy": "no",
        "manner": "inappropriate",
        "rationale": "四十分間どなり、名札を撮影した。",
        "categories": list(Category.objects.filter(code="verbal_abuse")),
        **values,
    }
    if outcome == "testing_refused":
        values |= {
            "starts_on": timezone.localdate(),
            "ends_on": timezone.localdate() + timedelta(days=365),
            "scope": "all_centers",
        }
    return DecisionDraft(**values)


def decide(case_file, by, outcome: str, **values):
    case_file.refresh_from_db()
    return decision_propose(
        case_file=case_file,
        by=by,
        expected_revision=case_file.revision,
        draft=draft(outcome, **values),
    )


def revision(case_file) -> int:
    case_file.refresh_from_db()
    return case_file.revision


@pytest.fixture
def history(demo, staff_tokyo, supervisor_tokyo, manager) -> dict:
    """A candidate's history with an event of every kind, through the real services."""
    severe = file_report(
        staff_tokyo,
        categories=("physical_attack",),
        candidate_id_entered=CANDIDATE,
        support_requested=True,
        injury=True,
        injury_details="腕にあざ",
        police_called=True,
        **TYPED,
    )
    corrected = file_report(staff_tokyo, candidate_id_entered=CANDIDATE, **TYPED)
    file_report(staff_tokyo, candidate_id_entered=CANDIDATE, **TYPED)  # the third: a repeat
    # Nobody acknowledged the severe escalation within its hour: it goes to the next level.
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        escalations_sweep()
    escalation_acknowledge(
        escalation=Escalation.objects.filter(report=severe).order_by("pk").first(),
        by=manager,
        note="対応します。",
    )
    support_follow_up_add(report=severe, by=demo["care"], note="面談の予定を立てた。")
    report_correct(
        report=corrected,
        by=supervisor_tokyo,
        categories=Category.objects.filter(code__in=["verbal_abuse", "prolonged_detention"]),
        severity="critical",
        reason="出口もふさいでいた。",
    )
    information_request(report=corrected, by=supervisor_tokyo, question="何分続きましたか。")
    report_add_addendum(report=corrected, by=staff_tokyo, text="四十分ほどです。")
    note_add(by=supervisor_tokyo, text="本人に確認済み。", report=corrected)
    report_set_status(report=severe, by=supervisor_tokyo, status="under_review")
    report_set_status(
        report=severe, by=supervisor_tokyo, status="closed", note="警察に引き継いだ。"
    )
    mistyped = file_report(staff_tokyo, candidate_id_entered=MISTYPED, **TYPED)
    case_file_link_report(
        report=mistyped, by=supervisor_tokyo, candidate_id=CANDIDATE, reason="ID の打ち間違い。"
    )
    file_report(staff_tokyo, candidate_id_entered=DUPLICATE, **TYPED)
    candidates_merge(
        source=Candidate.objects.get(candidate_id=DUPLICATE),
        target=Candidate.objects.get(candidate_id=CANDIDATE),
        by=supervisor_tokyo,
        reason="同じ人物。",
    )
    case_file = Candidate.objects.get(candidate_id=CANDIDATE).case_file
    case_file_set_status(
        case_file=case_file,
        by=supervisor_tokyo,
        status="under_review",
        expected_revision=revision(case_file),
    )
    caution = decide(case_file, supervisor_tokyo, "caution")
    decide(case_file, supervisor_tokyo, "written_warning", supersedes=caution)
    decide(case_file, supervisor_tokyo, "legitimate_complaint", demand_legitimacy="yes")
    refused = decide(case_file, supervisor_tokyo, "testing_refused")
    decision_approve(
        decision=refused, by=manager, reason="承認します。", expected_revision=revision(case_file)
    )
    legal_action = decide(case_file, supervisor_tokyo, "legal_action")
    decision_reject(
        decision=legal_action,
        by=manager,
        reason="まだ早い。",
        expected_revision=revision(case_file),
    )
    decisions_expire_due(today=timezone.localdate() + timedelta(days=366))  # the refusal ends
    for status, note in (("closed", "決定を伝えた。"), ("open", "また来た。")):
        case_file_set_status(
            case_file=case_file,
            by=supervisor_tokyo,
            status=status,
            expected_revision=revision(case_file),
            note=note,
        )
    # Legal holds the file and releases it, and answers the candidate's request for their
    # data; another candidate's file, closed long ago, is anonymised by the retention period.
    case_file_set_legal_hold(case_file=case_file, by=demo["legal"], reason="訴訟の可能性。")
    case_file_release_legal_hold(case_file=case_file, by=demo["legal"], reason="和解した。")
    subject_access_record(case_file=case_file, by=demo["legal"], form="json")
    forgotten = file_report(
        staff_tokyo, candidate_id_entered=FORGOTTEN, candidate_name="山田 花子", **TYPED
    ).case_file
    case_file_set_status(
        case_file=forgotten,
        by=supervisor_tokyo,
        status="closed",
        expected_revision=revision(forgotten),
        note="解決した。",
    )
    retention_apply(now=timezone.now() + timedelta(days=6 * 366))
    client_for(supervisor_tokyo).get(f"/cases/{case_file.pk}/")  # an access-log line
    return {"severe": severe, "corrected": corrected, "case_file": case_file}


def pages(history, demo) -> list[tuple[str, str]]:
    """(username, path) of every page that shows a timeline, an escalation or a severity,
    for each role that sees it."""
    severe = f"/incidents/{history['severe'].reference}/"
    corrected = f"/incidents/{history['corrected'].reference}/"
    case_file = f"/cases/{history['case_file'].pk}/"
    reviewers = ["supervisor.tokyo", "manager", "legal"]
    return [
        *[(user, path) for user in reviewers for path in (severe, corrected, case_file)],
        ("staff.tokyo", severe),
        ("staff.tokyo", corrected),
        ("staff.tokyo", "/incidents/mine/"),
        ("staff.tokyo", "/incidents/notices/"),
        ("care", severe),  # her support-request page
        ("care", "/escalations/support/"),
        ("supervisor.tokyo", "/escalations/support/"),
        ("manager", "/escalations/"),
        ("legal", "/escalations/"),
        ("supervisor.tokyo", "/review/"),
        ("manager", "/review/"),
        ("manager", "/cases/"),
        *[(user, "/") for user in demo if user != "outsider"],
    ]


def portal_words(language: str) -> set[str]:
    """Everything the code names on these pages, in ``language``: event kinds, severities,
    behaviours, escalation rules, access-log entries and the details' labels (the notes
    that used to be written in English were the rule names and these codes)."""
    labels = [*EventKind.labels, *Severity.labels, *AccessKind.labels]
    labels += ["Rule", "Behaviours", "Severity", "Candidate ID"]
    words = {in_language(language, label) for label in labels}
    words |= set(EscalationRule.objects.values_list(f"name_{language}", flat=True))
    words |= set(Category.objects.values_list(f"name_{language}", flat=True))
    return words


def raw_codes() -> set[str]:
    codes = set(Severity.values) | set(EventKind.values) | set(AccessKind.values)
    return codes | set(Category.objects.values_list("code", flat=True))


def appears(word: str, text: str) -> bool:
    """``word`` as a word or phrase of its own (not "High" inside "Highlight", nor a code
    inside a longer identifier)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_history_has_an_event_of_every_kind_and_an_escalation_by_every_rule(history):
    """The test below is only as good as its data."""
    recorded = set(TimelineEvent.objects.values_list("kind", flat=True))
    assert set(EventKind.values) <= recorded
    fired = set(Escalation.objects.values_list("rule_id", flat=True))
    assert set(EscalationRule.objects.filter(active=True).values_list("pk", flat=True)) <= fired


def test_japanese_pages_show_no_english_and_no_code_of_what_the_portal_generates(history, demo):
    forbidden_words = portal_words("en")
    codes = raw_codes()
    for username, path in pages(history, demo):
        response = client_for(demo[username]).get(path)
        assert response.status_code == 200, (username, path)
        text = visible_text(response.content.decode())
        english = sorted(word for word in forbidden_words if appears(word, text))
        assert not english, f"{username} {path} shows English: {english}"
        shown_codes = sorted(code for code in codes if appears(code, text))
        assert not shown_codes, f"{username} {path} shows codes: {shown_codes}"


def details_line(language: str, label, before, after) -> str:
    return f"{in_language(language, label)}: {before} → {after}"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_correction_and_escalations_read_in_the_page_language(history, manager, language):
    """The reviewer's reason as she wrote it; what changed and which rule fired in the
    page's language."""
    text = visible_text(
        client_for(manager, language=language)
        .get(f"/incidents/{history['corrected'].reference}/")
        .content.decode()
    )

    def label(value):
        return in_language(language, value)

    def behaviours(*codes):
        """Named in the page's language, in the policy's order."""
        join = "、" if language == "ja" else ", "
        named = Category.objects.filter(code__in=codes).order_by("order")
        return join.join(getattr(category, f"name_{language}") for category in named)

    assert label(EventKind.REPORT_CORRECTED.label) in text
    high, critical = label(Severity.HIGH.label), label(Severity.CRITICAL.label)
    assert details_line(language, "Severity", high, critical) in text
    after = behaviours("verbal_abuse", "prolonged_detention")
    assert details_line(language, "Behaviours", behaviours("verbal_abuse"), after) in text
    assert "出口もふさいでいた。" in text
    severe = visible_text(
        client_for(manager, language=language)
        .get(f"/incidents/{history['severe'].reference}/")
        .content.decode()
    )
    for rule in EscalationRule.objects.filter(escalations__report=history["severe"]):
        assert f"{label('Rule')}: {getattr(rule, f'name_{language}')}" in severe


def test_the_case_file_names_the_candidates_moved_and_the_access_log_in_words(history, legal):
    for language in ("ja", "en"):
        text = visible_text(
            client_for(legal, language=language)
            .get(f"/cases/{history['case_file'].pk}/")
            .content.decode()
        )
        assert details_line(language, "Candidate ID", MISTYPED, CANDIDATE) in text
        assert details_line(language, "Candidate ID", DUPLICATE, CANDIDATE) in text
        assert in_language(language, AccessKind.CASE_FILE.label) in text


def test_english_pages_show_english(history, demo):
    """The same pages in English show none of the Japanese of the portal's own words (what
    people typed is theirs, in whatever language they wrote it)."""
    japanese = portal_words("ja")
    for username, path in pages(history, demo):
        response = client_for(demo[username], language="en").get(path)
        assert response.status_code == 200, (username, path)
        text = visible_text(response.content.decode())
        shown = sorted(word for word in japanese if appears(word, text))
        assert not shown, f"{username} {path} shows Japanese: {shown}"
    rules = EscalationRule.objects.filter(escalations__report=history["severe"]).distinct()
    inbox = client_for(demo["legal"], language="en").get("/escalations/").content.decode()
    assert any(rule.name_en in visible_text(inbox) for rule in rules)


def test_the_reporter_sees_that_her_report_escalated_not_the_rule(history, staff_tokyo):
    text = visible_text(
        client_for(staff_tokyo).get(f"/incidents/{history['severe'].reference}/").content.decode()
    )
    assert in_language("ja", EventKind.ESCALATED.label) in text
    assert not any(
        name in text for name in EscalationRule.objects.values_list("name_ja", flat=True)
    )


def test_a_corrected_severity_shows_what_was_suggested_and_no_empty_reason(history, manager):
    """Corrected at review, the report had no reason of the reporter's: no "( : )"."""
    html = client_for(manager).get(f"/incidents/{history['corrected'].reference}/").content
    text = visible_text(html.decode())
    with translation.override("ja"):
        suggested = str(Severity.HIGH.label)
        assert f"{Severity.CRITICAL.label} (" in text
    assert suggested in text
    assert ": )" not in text and "：)" not in text
    assert b"data-severity-reason" not in html


def test_a_severity_raised_by_the_reporter_shows_her_reason(staff_tokyo):
    report = file_report(
        staff_tokyo, severity="critical", severity_reason="刃物を持っていた。", **TYPED
    )
    text = visible_text(
        client_for(staff_tokyo).get(f"/incidents/{report.reference}/").content.decode()
    )
    assert "刃物を持っていた。" in text


def test_no_select_offers_djangos_dashes(history, demo):
    paths = [
        ("staff.tokyo", "/incidents/new/"),
        ("staff.tokyo", "/incidents/mine/"),
        ("staff.tokyo", "/checkin/"),
        ("supervisor.tokyo", f"/cases/{history['case_file'].pk}/"),
        ("supervisor.tokyo", f"/incidents/{history['corrected'].reference}/"),
        ("supervisor.tokyo", "/review/"),
        ("manager", "/cases/"),
        ("manager", "/escalations/"),
    ]
    for username, path in paths:
        response = client_for(demo[username]).get(path)
        assert response.status_code == 200, path
        assert "---------" not in response.content.decode(), path


def admin_names(html: str) -> list[str]:
    """The app and model names of the admin index (its captions and row headers)."""
    cells = re.findall(r"<caption>(.*?)</caption>|<th scope=\"row\"[^>]*>(.*?)</th>", html, re.S)
    return [visible_text(caption or row) for caption, row in cells]


def test_the_admin_index_names_every_app_and_model_in_japanese(admin):
    names = admin_names(client_for(admin).get("/admin/").content.decode())
    assert len(names) > 10
    english = [name for name in names if re.search(r"[A-Za-z]", name)]
    assert not english, english


def test_the_admin_index_in_english_names_them_in_english(admin):
    names = admin_names(client_for(admin, language="en").get("/admin/").content.decode())
    assert "Change history" in names and "Sign-in lockouts" in names
    assert not [name for name in names if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name)]


def test_an_old_event_that_kept_its_english_note_still_shows_it(history, manager):
    """The migration converts the notes it can parse; one it could not keeps its words
    (better an English note than a guessed one)."""
    report = IncidentReport.objects.get(pk=history["severe"].pk)
    record_event(EventKind.NOTE_ADDED, actor=None, report=report, note="Legacy words.")
    text = visible_text(client_for(manager).get(f"/incidents/{report.reference}/").content.decode())
    assert "Legacy words." in text


# Names that are the same in Japanese: protocols and formats.
LATIN_NAMES = {"ID", "IP", "HTML", "HTTP", "Accept", "GET", "POST", "SHA", "Message-ID", "URL"}


def test_every_admin_list_names_its_columns_and_filters_in_japanese(admin):
    """Third-party apps included: django-axes' sign-in records, django-pghistory's changes."""
    client = client_for(admin)
    index = client.get("/admin/").content.decode()
    lists = sorted(set(re.findall(r'href="(/admin/\w+/\w+/)"', index)))
    assert "/admin/pghistory/events/" in lists and "/admin/axes/accesslog/" in lists
    for path in lists:
        html = client.get(path).content.decode()
        head = re.search(r"<thead>(.*?)</thead>", html, re.S)
        names = visible_text(head.group(1)) if head else ""
        names += "\n" + "\n".join(re.findall(r'data-filter-title="([^"]*)"', html))
        english = set(re.findall(r"[A-Za-z][A-Za-z-]+", names)) - LATIN_NAMES
        assert not english, f"{path}: {sorted(english)}"


def test_no_admin_select_offers_djangos_dashes(admin, history):
    """Optional choices, optional links to other records and the actions menu, on every
    list, add and change page of the admin (escalation rules have all three)."""
    client = client_for(admin)
    index = client.get("/admin/").content.decode()
    lists = sorted(set(re.findall(r'href="(/admin/\w+/\w+/)"', index)))
    rule = EscalationRule.objects.filter(next_level__isnull=False).first()
    pages = [*lists, *(f"{path}add/" for path in lists)]
    pages += [f"/admin/incidents/escalationrule/{rule.pk}/change/"]
    pages += [f"/admin/accounts/user/{admin.pk}/change/"]  # its memberships inline
    for path in pages:
        response = client.get(path, follow=True)  # a single row's list opens the row
        if response.status_code == 403:  # a log or a history: nobody adds to it
            continue
        assert response.status_code == 200, path
        assert "---------" not in response.content.decode(), path
    page = client.get(f"/admin/incidents/escalationrule/{rule.pk}/change/").content.decode()
    assert f">{in_language('ja', '(none)')}</option>" in page
