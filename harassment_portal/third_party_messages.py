"""Words django-axes and django-pghistory show in Django admin and translate into no Japanese.
Listed here so that makemessages keeps them in our catalog, which translates them for those
apps too (Django's catalogs are merged, ours first). Never imported: only read by makemessages."""

from django.utils.translation import gettext_noop

# django-axes: its models' fields and its admin's headings.
AXES = [
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
]

# django-pghistory: the button on every tracked model's admin page.
PGHISTORY = [gettext_noop("Events")]
