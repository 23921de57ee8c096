"""What the services refuse, with a message for the user. In a module of their own because
the services that raise them import one another (a report's submission opens a case file)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class ReportError(Exception):
    """A change to a report that its state does not allow; the message is for the user."""


class CaseFileError(Exception):
    """A change to a case file that its state or the user's access does not allow; the
    message is for the user."""


class CaseFileChanged(CaseFileError):
    """Someone else changed the case file since the page was loaded."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this case file while you were writing. Read what changed "
                "below; your text is still in the form."
            )
        )
