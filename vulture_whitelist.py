"""What vulture (``make lint``) cannot see used: names Django reaches by a dotted path in
settings or by convention, fields and properties only templates read, and model fields the
services set (models are not scanned). Each line says who uses it."""
# ruff: noqa

_ = object()

# By a dotted path in settings or the URLconf
from accounts.client_ip import client_ip  # AXES_CLIENT_IP_CALLABLE
from accounts.lockout import lockout_username  # AXES_USERNAME_CALLABLE
from accounts.lockout import LockoutHandler, lockout_response  # AXES_HANDLER, AXES_LOCKOUT_CALLABLE
from accounts.sessions import session_begin  # a user_logged_in receiver
from accounts.backends import PortalBackend  # AUTHENTICATION_BACKENDS
from accounts.reauth import reauthenticated_admin  # accounts/admin.py (admin modules unscanned)
from harassment_portal.errors import page_not_found, permission_denied  # handler404, handler403
from harassment_portal.history import ConfigurationEventsAdmin  # PGHISTORY_ADMIN_CLASS
from harassment_portal.admin_site import PortalAdminSite  # PortalAdminConfig.default_site
from harassment_portal.middleware import SessionIdleTimeoutMiddleware  # MIDDLEWARE
from harassment_portal.headers import PrivatePageHeadersMiddleware  # MIDDLEWARE
from harassment_portal.routers import ReportingRouter  # DATABASE_ROUTERS

ReportingRouter.db_for_read, ReportingRouter.db_for_write  # Django's router interface
ReportingRouter.allow_relation, ReportingRouter.allow_migrate  # Django's router interface
PortalBackend.get_user  # Django's authentication backend interface
from incidents.context_processors import bell  # TEMPLATES context_processors
from outbox.context_processors import outbox_banner  # TEMPLATES context_processors
from outbox.services import email_resend  # outbox/admin.py, the "send again" action
from incidents.search import search_reports  # the search API: bench/search_explain.py, tests
from policy.services import policy_version_create_draft  # policy/admin.py, "new draft from"

from mfa.middleware import SecondFactorMiddleware  # MIDDLEWARE
from mfa.webauthn import PortalWebAuthnHelper  # OTP_WEBAUTHN_HELPER_CLASS
from mfa.checks import required_roles_exist  # a system check, registered by mfa/apps.py
from mfa.services import second_factor_reset  # accounts/admin.py, "reset the second factor"
from accounts.policy import monthly_summary_recipient_ids  # dashboard/services.py (unscanned)

# REST_FRAMEWORK's authentication classes
from api.authentication import PersonalTokenAuthentication, SignedInSessionAuthentication
from api.errors import problem_details_handler  # REST_FRAMEWORK EXCEPTION_HANDLER
from api.log_redaction import RedactTokens  # LOGGING filters
from api.throttling import PerTokenThrottle, PerUserThrottle  # REST_FRAMEWORK throttles
from api.schema import PersonalTokenScheme, SignedInSessionScheme  # drf-spectacular extensions
from api.schema import add_problem_responses  # SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS

client_ip, lockout_username, page_not_found, permission_denied, ConfigurationEventsAdmin
SecondFactorMiddleware, PortalWebAuthnHelper, required_roles_exist, second_factor_reset
_.process_view  # Django calls a middleware's hook before the view
_.get_relying_party_domain, _.get_allowed_origins  # django-otp-webauthn's helper hooks
_.resets_second_factors  # accounts/admin.py (admin modules are not scanned)
LockoutHandler, lockout_response, session_begin, reauthenticated_admin
_.post_delete_access_attempt  # axes calls its handler's hook when an attempt is deleted
_.axes_credentials  # read by axes's middleware for the lockout page
_.original_response  # axes passes the page it would have shown to AXES_LOCKOUT_CALLABLE
_.session_seconds_left, _.session_warning_seconds  # accounts/_session_warning.html
PortalAdminSite
SessionIdleTimeoutMiddleware, bell, outbox_banner, email_resend, search_reports
policy_version_create_draft
PrivatePageHeadersMiddleware
monthly_summary_recipient_ids
PersonalTokenAuthentication, SignedInSessionAuthentication, problem_details_handler
RedactTokens, PerTokenThrottle, PerUserThrottle, PersonalTokenScheme, SignedInSessionScheme
add_problem_responses

# Read by templates
_.opens_administration  # base.html
_.sees_dashboard  # base.html and dashboard/views.py (unscanned)
_.description, _.icon  # accounts/home.html (Action)
_.until, _.scope_label  # incidents/checkin.html (CheckinRestriction)
(
    _.center_name,
    _.reporter_name,
    _.reporter_staff_code,
    _.follow_ups,
    _.may_follow_up,
)  # support_request.html
_.has_filters_beyond_search  # incidents/review_queue.html
_.person, _.in_portal, _.email_status_label, _.for_me  # incidents/escalations.html
_.reads_in_full, _.opens_report  # incidents/escalations.html (InboxCard)
_.alert_minutes  # outbox/_banner.html, admin/base_site.html
_.retry_after_minutes  # incidents/checkin.html (CheckinAllowance)
_.has_other_pages  # _keyset_pagination.html (harassment_portal.keyset.KeysetPage)
_.arg_joiner  # read by Django's Func (incidents/selectors/cases.py _AnyOf)
_.paragraphs  # policy/policy.html
_.shows_staff_codes, _.recipient_label, _.decisions_in_force, _.reported_by  # exports templates
_.SUMMARY_RECIPIENTS  # incidents/exports/forms.py (the recipients the form offers)
_.q, _.borderline, _.from_  # fields of forms declared in views
_.site_header, _.site_title, _.index_title  # Django admin's titles (harassment_portal/urls.py)
_.connection_class  # Django's SMTP backend (outbox/smtp.py)
_.write_message  # Django's console backend (outbox/console.py)

# Read by Django REST framework: serializer fields, their SerializerMethodField getters,
# the PATCH handler, and arguments of the methods it calls
_.report_count, _.last_report_at, _.also_known_as, _.download, _.asked_by  # api serializers
_.category_names, _.marked_read  # api serializers
_.get_may_approve, _.get_download, _.get_asked_by, _.get_text, _.get_details  # api/*.py
_.get_draft_id, _.get_reading, _.get_evidence, _.get_questions, _.get_timeline  # api/reports.py
_.get_overdue, _.get_severity, _.get_case_file  # api/serializers.py
_.patch  # api/reports.py (the draft's PATCH)
_.format_suffix, _.auto_schema, _.public  # DRF's select_renderer, drf-spectacular's hooks
_.labelled_rows, _.labelled_total  # templates/dashboard (figures' tables)
_.function  # Django's Func subclass in dashboard/selectors.py

# Model fields the services set
_.ended_at, _.decided_by, _.decided_at, _.decision_reason  # Decision
_.acknowledged_by, _.ack_note  # Escalation
_.last_attempt_at, _.last_outcome, _.last_error, _.sent_at, _.queued_at  # outbox.Email
_.published_at  # PolicyVersion
_.legal_hold_reason, _.legal_hold_by, _.legal_hold_at  # CaseFile (services.retention)
_.exports_subject_access  # incidents/_legal_hold.html and views.retention (by name)
_.KINDS  # audit/forms.py (the trail's kinds of record, as the filter's choices)

# Hooks and attributes read by the frameworks
_._get_schema_response  # drf-spectacular's SpectacularAPIView (api/views/docs.py)
_._prefetched_objects_cache  # Django's prefetch cache (services.escalation fills it)
_.is_localized  # Django's widget attribute (templatetags/form_fields.py)
_.outbox_email, _.triaged_at  # model fields the services set (Notification, IncidentReport)
_._session_key  # Django's SessionBase property: no session, no key (accounts/session_store.py)
_._get_session_from_db  # Django's SessionStore.load() calls it (accounts/session_store.py)
