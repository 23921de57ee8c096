from django.urls import path, register_converter

from .views import drafts, exports, notices, reports, triage


class ReferenceConverter:
    regex = r"CH-[0-9]{4}-[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "incidents"
urlpatterns = [
    path("new/", reports.report_new, name="new"),
    path("mine/", reports.reports_mine, name="mine"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/read/", notices.notices_read_all, name="notices_read"),
    path("drafts/<uuid:draft_id>/", reports.draft_edit, name="draft"),
    path("drafts/<uuid:draft_id>/withdraw/", reports.draft_withdraw, name="draft_withdraw"),
    path("new/autosave/", drafts.autosave_new, name="autosave_new"),
    path("drafts/<uuid:draft_id>/autosave/", drafts.autosave_draft, name="draft_autosave"),
    path(
        "drafts/<uuid:draft_id>/evidence/",
        drafts.draft_evidence_upload,
        name="draft_evidence_upload",
    ),
    path("drafts/<uuid:draft_id>/discard/", drafts.draft_discard, name="draft_discard"),
    path(
        "drafts/<uuid:draft_id>/evidence/<int:attachment_id>/remove/",
        reports.draft_evidence_remove,
        name="draft_evidence_remove",
    ),
    path("evidence/<int:attachment_id>/", reports.attachment_download, name="evidence"),
    path("<reference:reference>/", reports.report_detail, name="detail"),
    path("<reference:reference>/submitted/", reports.report_submitted, name="submitted"),
    path("<reference:reference>/addenda/", reports.addendum_add, name="addendum_add"),
    # The one-page record sheet (the MHLW manual's record form): to print, and as a PDF.
    path("<reference:reference>/record-sheet/", exports.record_sheet_page, name="record_sheet"),
    path(
        "<reference:reference>/record-sheet.pdf",
        exports.record_sheet_pdf,
        name="record_sheet_pdf",
    ),
]

# Reviewers' actions on a report (incidents.views.triage).
urlpatterns += [
    path("<reference:reference>/review/status/", triage.report_status, name="review_status"),
    path("<reference:reference>/review/correct/", triage.report_correction, name="review_correct"),
    path("<reference:reference>/review/note/", triage.report_note, name="review_note"),
    path("<reference:reference>/review/question/", triage.report_question, name="review_question"),
    path("<reference:reference>/review/link/", triage.report_link, name="review_link"),
    path("<reference:reference>/support/", reports.support_follow_up, name="support"),
]
