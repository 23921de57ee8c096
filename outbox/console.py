"""Development's console e-mail, readable: Django's console backend prints the MIME message,
in which a Japanese subject and body are base64 and cannot be read. This prints the headers
and the text part as they read."""

from __future__ import annotations

from django.core.mail.backends import console


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            f"Message-ID: {message.extra_headers.get('Message-ID', '')}",
            "",
            message.body,
        ]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
