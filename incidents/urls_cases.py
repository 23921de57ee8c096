from django.urls import path

from audit import views as audit_views

from .views import cases, exports, retention

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("<int:case_file_id>/", cases.case_detail, name="detail"),
    path("<int:case_file_id>/status/", cases.case_status, name="status"),
    path("<int:case_file_id>/decisions/", cases.decision_new, name="decide"),
    path(
        "<int:case_file_id>/decisions/<int:decision_id>/approve/",
        cases.decision_approve_view,
        name="approve",
    ),
    path(
        "<int:case_file_id>/decisions/<int:decision_id>/reject/",
        cases.decision_reject_view,
        name="reject",
    ),
    path(
        "<int:case_file_id>/decisions/<int:decision_id>/notice/",
        cases.decision_notice,
        name="notice",
    ),
    path("<int:case_file_id>/notes/", cases.case_note, name="note"),
    path("<int:case_file_id>/merge/", cases.case_merge, name="merge"),
    # Legal's hold against the retention period, and the candidate's subject-access export.
    path("<int:case_file_id>/legal-hold/", retention.legal_hold, name="legal_hold"),
    path(
        "<int:case_file_id>/subject-access/",
        retention.subject_access_page,
        name="subject_access",
    ),
    path(
        "<int:case_file_id>/subject-access.json",
        retention.subject_access_json,
        name="subject_access_json",
    ),
    # The disclosure log (audit app): recorded from the case file it concerns.
    path("<int:case_file_id>/disclosures/", audit_views.disclosure_new, name="disclose"),
    # The case summary PDF for the police, the test organiser or a lawyer (a disclosure too).
    path("<int:case_file_id>/summary/", exports.case_summary_page, name="summary"),
]
