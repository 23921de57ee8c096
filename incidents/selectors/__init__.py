"""The one door to reports, evidence, candidates and case files. Every page, download, export
and API endpoint reaches them through these functions, so that who sees what is decided in
one place (DESIGN.md §8). Outsiders get 404, never 403: a reference number leaks nothing."""

from .reports import (
    NOT_YET_RECORDS,
    SupportRequest,
    can_follow_up_support,
    full_reports,
    get_attachment_for_user,
    get_draft_for_user,
    get_report_for_user,
    get_report_page_for_user,
    get_report_to_follow_up,
    my_reports,
    report_timeline,
    reportable_categories,
    reporting_centers,
    submitted_from_draft,
    visible_attachments,
    visible_reports,
)

__all__ = [
    "NOT_YET_RECORDS",
    "SupportRequest",
    "can_follow_up_support",
    "full_reports",
    "get_attachment_for_user",
    "get_draft_for_user",
    "get_report_for_user",
    "get_report_page_for_user",
    "get_report_to_follow_up",
    "my_reports",
    "report_timeline",
    "reportable_categories",
    "reporting_centers",
    "submitted_from_draft",
    "visible_attachments",
    "visible_reports",
]
