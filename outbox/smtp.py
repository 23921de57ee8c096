"""Django's SMTP backend, told apart "never sent" from "maybe delivered".

Once the whole message and its final dot have gone to the server, a lost connection or a
timeout no longer means the e-mail was not accepted: the server may have queued it and only
the "250 OK" was lost. Re-sending then is how one escalation became six e-mails. So the
connection notes when the message has left, and the reply to it is awaited as long as
RFC 5321 (4.5.3.2.6) asks of a client: ten minutes, not the ten seconds that bound the
rest of the conversation (``EMAIL_TIMEOUT``)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp


class MaybeDelivered(smtplib.SMTPException):
    """The server went silent or away after it had received the whole message."""


class _NotesWhenTheMessageLeft:
    message_left = False
    _in_data = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s):
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.message_left = True
            if self.sock is not None:
                self.sock.settimeout(settings.OUTBOX_SMTP_DATA_TIMEOUT_SECONDS)


class _SMTP(_NotesWhenTheMessageLeft, smtplib.SMTP):
    pass


class _SMTPSSL(_NotesWhenTheMessageLeft, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return _SMTPSSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        try:
            return super()._send(email_message)
        except smtplib.SMTPResponseException:
            raise  # the server answered: accepted or refused, not "maybe"
        except OSError as failure:  # a timeout, a reset, a disconnection (SMTPException too)
            if getattr(self.connection, "message_left", False):
                raise MaybeDelivered(f"{type(failure).__name__}: {failure}") from failure
            raise

    def _close_connection(self, connection):
        # After a timeout the socket is dead: saying QUIT on it would only raise again and
        # hide the error that matters.
        try:
            super()._close_connection(connection)
        except (OSError, smtplib.SMTPException):
            connection.close()
