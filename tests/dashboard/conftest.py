"""Known reports for the dashboard's tests: two months (August and September 2025, Tokyo
time) at both demo centers, with reports just outside them on either side, filed, triaged,
decided and followed up through the real services at known times (the clock travels)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents.models import CaseFile
from incidents.services import support_follow_up_add
from incidents.services.decisions import DecisionDraft, decision_propose
from incidents.services.triage import report_set_status
from policy.models import Category
from tests.helpers import file_report

TOKYO = ZoneInfo("Asia/Tokyo")
PERIOD = {"start": "2025-08", "end": "2025-09"}


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def _file(reporter, when: datetime, **values):
    with time_machine.travel(when, tick=False):
        return file_report(reporter, **values)


def _triage(report, by, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        report_set_status(report=report, by=by, status="under_review")


@pytest.fixture
def known_reports(without_reports, staff_tokyo, staff_osaka, supervisor_tokyo, supervisor_osaka):
    """A, B, F at Tokyo; C, D, G at Osaka; E and F2 outside the period. Candidate CAND0001
    has three reports in it (A, B, C), CAND0003 two (D, G), CAND0002 one (F; F2 is in
    October). Triaged: A after 2 h, B after 28 h, D after 4 h. A decision on CAND0001's case
    file 24 h after A. Support: A (followed up), C (not yet). Advice asked: B."""
    reports = {
        "E": _file(staff_tokyo, at(7, 31, 23, 50), candidate_id_entered="CAND0001"),
        "A": _file(
            staff_tokyo, at(8, 5, 10), candidate_id_entered="CAND0001", support_requested=True
        ),
        "B": _file(
            staff_tokyo,
            at(8, 20, 10),
            categories=("verbal_abuse", "prolonged_detention"),
            candidate_id_entered="CAND0001",
            advice_requested=True,
        ),
        "C": _file(
            staff_osaka,
            at(9, 3, 9),
            categories=("physical_attack",),
            candidate_id_entered="CAND0001",
            support_requested=True,
        ),
        "D": _file(
            staff_osaka, at(9, 10, 9), categories=("other",), candidate_id_entered="CAND0003"
        ),
        "G": _file(
            staff_osaka, at(9, 15, 9), categories=("other",), candidate_id_entered="CAND0003"
        ),
        "F": _file(staff_tokyo, at(9, 30, 23, 30), candidate_id_entered="CAND0002"),
        "F2": _file(staff_tokyo, at(10, 1, 0, 10), candidate_id_entered="CAND0002"),
    }
    _triage(reports["A"], supervisor_tokyo, at(8, 5, 12))
    _triage(reports["B"], supervisor_tokyo, at(8, 21, 14))
    _triage(reports["D"], supervisor_osaka, at(9, 10, 13))
    with time_machine.travel(at(8, 6, 10), tick=False):
        support_follow_up_add(report=reports["A"], by=supervisor_tokyo, note="Talked with her.")
    _decide("CAND0001", supervisor_tokyo, at(8, 6, 10))
    return reports


def _decide(candidate_id: str, by, when) -> None:
    """A caution on the candidate's case file, proposed at ``when``."""
    case_file = CaseFile.objects.get(candidate__candidate_id=candidate_id)
    with time_machine.travel(when, tick=False):
        decision_propose(
            case_file=case_file,
            by=by,
            expected_revision=case_file.revision,
            draft=DecisionDraft(
                outcome="caution",
                demand_legitimacy="no",
                manner="inappropriate",
                rationale="Shouting at the desk.",
                categories=list(Category.objects.filter(code="verbal_abuse")),
            ),
        )
