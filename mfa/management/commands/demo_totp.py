"""``demo_totp <username>``: the six-digit code of a demo user's authenticator, for trying the
demo without a phone; ``demo_totp --secret``: the key to add to an authenticator app instead.
Never in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from mfa.demo import demo_totp_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo user (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--secret", action="store_true", help="Print the demo's key.")

    def handle(self, *args, username: str | None, secret: bool, **_options):
        if not settings.DEMO_DATA_ALLOWED or not settings.DEMO_TOTP_SECRET:
            raise CommandError("demo_totp runs only with the demo's settings (development).")
        if secret:
            self.stdout.write(settings.DEMO_TOTP_SECRET)
            return
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            self.stdout.write(demo_totp_code(user))
        except TOTPDevice.DoesNotExist:
            raise CommandError(f"{username} has no demo authenticator.") from None
