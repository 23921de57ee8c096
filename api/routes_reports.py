"""The report, evidence, case-file and decision endpoints (issue 14 item 3), included by
api/urls.py under /api/v1/. Collections end in a slash; actions on one object do not."""

from django.urls import path

from . import cases, reports

urlpatterns = [
    path("reports/", reports.ReportList.as_view(), name="reports"),
    path("reports/<str:key>/", reports.ReportDetail.as_view(), name="report"),
    path("reports/<str:key>/submit", reports.ReportSubmit.as_view(), name="report_submit"),
    path("reports/<str:key>/evidence", reports.ReportEvidence.as_view(), name="report_evidence"),
    path("reports/<str:key>/addenda", reports.ReportAddenda.as_view(), name="report_addenda"),
    path("evidence/<int:attachment_id>", reports.EvidenceDownload.as_view(), name="evidence"),
    path("case-files/", cases.CaseFileList.as_view(), name="case_files"),
    path("case-files/<int:case_file_id>/", cases.CaseFileDetail.as_view(), name="case_file"),
    path(
        "case-files/<int:case_file_id>/decisions/",
        cases.DecisionList.as_view(),
        name="decisions",
    ),
    path(
        "case-files/<int:case_file_id>/decisions/<int:decision_id>/approve",
        cases.DecisionApprove.as_view(),
        name="decision_approve",
    ),
    path(
        "case-files/<int:case_file_id>/decisions/<int:decision_id>/reject",
        cases.DecisionReject.as_view(),
        name="decision_reject",
    ),
]
