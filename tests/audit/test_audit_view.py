"""The audit view (/audit/): legal and administrators only; every change, read and lookup
with who, when and what changed from what to what, in the page's language; filters; keyset
pages in a fixed number of queries; the streamed CSV export, with a byte-order mark and
formulas neutralised; nothing on it changes a line."""

import csv
import io

import pghistory
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.sessions import CONFIRMED_AT
from audit.services import disclosure_record
from audit.trail import SOURCES, Cursor, TrailFilters
from incidents.models import CaseFile, IncidentReport
from incidents.models.retention import RetentionAction
from incidents.services.cases import case_file_log_access
from tests.helpers import DEMO_ROLES, client_for, file_report

WHO_READS_IT = {"legal", "admin"}


@pytest.fixture
def case_file(staff_tokyo):
    report = file_report(
        staff_tokyo, candidate_id_entered="AV20000001", narrative="秘密の経緯: 受付で大声。"
    )
    case_file = CaseFile.objects.get(candidate__candidate_id="AV20000001")
    case_file.report = report
    return case_file


@pytest.mark.parametrize("role", [*DEMO_ROLES, "outsider"])
def test_only_legal_and_administrators_read_the_trail(demo, role):
    for url in ("/audit/", "/audit/export.csv"):
        response = client_for(demo[role]).get(url)
        assert response.status_code == (200 if role in WHO_READS_IT else 404), (role, url)


def test_signed_out_visitors_are_sent_to_sign_in(db):
    response = client_for(None).get("/audit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_change_says_who_what_from_what_to_what_in_the_page_language(
    case_file, supervisor_tokyo, legal
):
    with pghistory.context(user=supervisor_tokyo.pk):
        IncidentReport.objects.filter(pk=case_file.report.pk).update(
            severity="critical", narrative="書き換えた経緯"
        )
    query = {"record": case_file.report.reference, "action": "update"}
    english = client_for(legal, language="en").get("/audit/", query).content.decode()
    japanese = client_for(legal, language="ja").get("/audit/", query).content.decode()
    for page in (english, japanese):
        assert supervisor_tokyo.staff_code in page
        assert case_file.report.reference in page
        # the narrative changed: said, never shown, before or after
        assert "秘密の経緯" not in page and "書き換えた経緯" not in page
    assert "severity" in english and "Critical" in english and "changed" in english
    assert "重大" in japanese and "変更" in japanese


def test_reads_lookups_and_disclosures_are_on_it(case_file, staff_tokyo, legal):
    client_for(legal).get(f"/cases/{case_file.pk}/")
    client_for(staff_tokyo).post("/checkin/", {"candidate_id": "AV20000001"})
    disclosure_record(
        case_file=case_file,
        by=legal,
        recipient_kind="police",
        recipient_name="新宿警察署",
        legal_basis="laws_and_regulations",
        disclosed="報告書と写真",
    )
    page = client_for(legal, language="en").get("/audit/", {"record": "AV20000001"})
    content = page.content.decode()
    assert 'data-line="case_file_read"' in content
    assert 'data-line="checkin_lookup"' in content and staff_tokyo.staff_code in content
    assert 'data-line="disclosure"' in content and "新宿警察署" in content
    assert 'data-line="report"' in content and 'data-line="case_file"' in content


def test_filters_narrow_the_lines(case_file, staff_tokyo, legal, manager):
    other = file_report(staff_tokyo, candidate_id_entered="AV20000002")
    case_file_log_access(case_file=case_file, user=legal)
    case_file_log_access(case_file=case_file, user=manager)
    client = client_for(legal)

    def lines(**query):
        content = client.get("/audit/", query).content.decode()
        return content

    by_kind = lines(kind="case_file_read", record="AV20000001")
    assert by_kind.count('data-line="case_file_read"') == 2 and 'data-line="report"' not in by_kind
    by_person = lines(kind="case_file_read", staff_code=manager.staff_code.lower())
    assert f"data-staff>{manager.staff_code}<" in by_person
    assert f"data-staff>{legal.staff_code}<" not in by_person
    by_reference = lines(record=other.reference)
    assert other.reference in by_reference and case_file.report.reference not in by_reference
    by_candidate = lines(record="av-20000001")  # typed as people type it
    assert case_file.report.reference in by_candidate and other.reference not in by_candidate
    created = lines(record="AV20000001", action="insert")
    assert 'data-action="insert"' in created and 'data-action="read"' not in created
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    assert "data-line=" not in lines(since=tomorrow.isoformat())
    assert "data-line=" in lines(until=tomorrow.isoformat(), record="AV20000001")
    assert "data-line=" not in lines(staff_code="NOBODY-1")
    assert "data-line=" in lines(since="0001-01-01", until="9999-12-31", record="AV20000001")


def test_pages_follow_on_without_overlap_and_in_a_fixed_number_of_queries(
    case_file, staff_tokyo, legal
):
    client = client_for(legal)
    query = {"kind": "case_file_read", "record": "AV20000001"}
    case_file_log_access(case_file=case_file, user=legal)
    with CaptureQueriesContext(connection) as one_line:
        assert client.get("/audit/", query).content.decode().count("data-line=") == 1
    for _ in range(60):
        case_file_log_access(case_file=case_file, user=staff_tokyo)
    with CaptureQueriesContext(connection) as full_page:
        first = client.get("/audit/", query)
    assert first.context["lines"] and len(first.context["lines"]) == 50
    assert len(full_page.captured_queries) == len(one_line.captured_queries)
    second = client.get("/audit/", {**query, "after": first.context["next_cursor"]})
    keys = [line.key for line in first.context["lines"] + second.context["lines"]]
    assert len(keys) == 61 == len(set(keys)) and keys == sorted(keys, reverse=True)
    assert second.context["next_cursor"] is None


def test_the_whole_trail_is_one_query_per_table_and_kind_of_name(demo, case_file, legal):
    for _ in range(50):
        case_file_log_access(case_file=case_file, user=legal)
    client = client_for(legal)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/")
    assert len(response.context["lines"]) == 50
    # one per table (10) and per kind of name (5), and what every page asks (session, user,
    # second factor, memberships, the navbar's bell)
    assert len(queries.captured_queries) <= 25


def test_a_hand_edited_cursor_starts_again_at_the_newest(case_file, legal):
    for cursor in (
        "nonsense",
        "2026-01-01T00:00:00_x_1",
        "9" * 400,
        "2026-01-01T00:00:00+00:00_1_" + "9" * 30,  # beyond bigint
        "0001-01-01T00:00:00+00:00_1_1",
        "2026-01-01T00:00:00 09:00_1_1",  # a '+' that arrived as a space
    ):
        assert client_for(legal).get("/audit/", {"after": cursor}).status_code == 200


def test_the_export_is_streamed_utf8_with_bom_staff_as_codes_formulas_neutralised(case_file, legal):
    disclosure_record(
        case_file=case_file,
        by=legal,
        recipient_kind="other",
        recipient_name='=HYPERLINK("http://evil.example","x")',
        legal_basis="other",
        legal_basis_detail="court order",
        disclosed="-2+3",
    )
    response = client_for(legal, language="en").get("/audit/export.csv", {"record": "AV20000001"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["When", "Kind of record", "Action", "Staff code"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert any(cell.startswith("'=HYPERLINK") or "=HYPERLINK" in cell for cell in cells)
    disclosure = next(row for row in rows if row[1] == "disclosure to a third party")
    assert disclosure[3] == legal.staff_code
    assert legal.last_name not in body.decode("utf-8-sig")  # codes, never names
    assert "秘密の経緯" not in body.decode("utf-8-sig")


def test_nothing_on_the_page_changes_a_line(case_file, legal):
    content = client_for(legal).get("/audit/").content.decode()
    main = content[content.index("<main") : content.index("</main>")]
    assert "data-line=" in main and 'method="post"' not in main.lower()
    assert client_for(legal).post("/audit/").status_code == 405
    assert client_for(legal).post("/audit/export.csv").status_code == 405


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.kind)
def test_each_table_is_read_backwards_through_an_index_on_its_time(db, source):
    """A deep page costs what the first does: each table's page is an index scan in the
    order of the trail, never a sort of every older line."""
    cursor_at = timezone.now()
    queryset = source.older_than(
        source.queryset(TrailFilters(), None, None), Cursor(cursor_at, source.rank, 10**9)
    )
    ordered = source.rows(queryset.order_by(f"-{source.at_field}", f"-{source.pk_field}"))[:51]
    with transaction.atomic():
        with connection.cursor() as cursor:
            # a test table is small: make the planner choose as on a big one, where a sort
            # of every older line is what an index in the wrong order would cost
            for plan_kind in ("seqscan", "bitmapscan", "sort"):
                cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
        plan = ordered.explain()
    table = source.base().model._meta.db_table
    assert "Index Scan Backward using" in plan and f" on {table} " in plan + " ", plan
    # the time's order comes from the index (an incremental sort of equal times at most)
    assert f"Sort Key: {table}" not in plan or "Presorted Key" in plan, plan


def test_the_export_asks_for_the_password_again_after_a_while(case_file, legal):
    """Exporting is one of the gravest acts (issue 11, item 3): a session confirmed long ago
    goes to the confirmation first, and comes back to the same filtered export."""
    client = client_for(legal)
    session = client.session
    session[CONFIRMED_AT] = 0
    session.save()
    response = client.get("/audit/export.csv", {"record": "AV20000001"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    assert "export.csv%3Frecord%3DAV20000001" in response["Location"]
    assert client.get("/audit/").status_code == 200  # reading the trail needs no more


def test_what_the_retention_period_removed_is_on_it(case_file, legal):
    RetentionAction.objects.create(kind="candidate_anonymised", case_file=case_file)
    page = client_for(legal, language="en").get("/audit/", {"record": "AV20000001"})
    content = page.content.decode()
    assert 'data-line="retention"' in content
    assert "name and contact removed" in content
    by_person = client_for(legal).get("/audit/", {"kind": "retention", "staff_code": "LGL-0001"})
    assert 'data-line="retention"' not in by_person.content.decode()  # nobody did it by hand
