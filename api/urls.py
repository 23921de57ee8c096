"""The REST API under /api/: version 1 of the endpoints, the OpenAPI schema and its page."""

from django.urls import include, path, re_path

from .views import NoSuchEndpoint, checkin, escalations, notifications, policy
from .views.docs import DocsView, SchemaView

app_name = "api"

v1 = [
    path("categories/", policy.CategoryList.as_view(), name="categories"),
    path("policy/", policy.PolicyInForce.as_view(), name="policy"),
    path("candidates/status", checkin.CandidateStatusLookup.as_view(), name="candidate_lookup"),
    path(
        "candidates/<str:candidate_id>/status",
        checkin.CandidateStatus.as_view(),
        name="candidate_status",
    ),
    path("escalations/", escalations.EscalationList.as_view(), name="escalations"),
    path(
        "escalations/<int:escalation_id>/acknowledge",
        escalations.EscalationAcknowledge.as_view(),
        name="escalation_acknowledge",
    ),
    path("notifications/notices/", notifications.NoticeList.as_view(), name="notices"),
    path("notifications/notices/read", notifications.NoticesRead.as_view(), name="notices_read"),
    path(
        "notifications/escalations/",
        notifications.EscalationNotificationList.as_view(),
        name="escalation_notifications",
    ),
    # Reports, evidence, case files and decisions (api/routes_reports.py).
    path("", include("api.routes_reports")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    re_path(r"^", NoSuchEndpoint.as_view()),
]
