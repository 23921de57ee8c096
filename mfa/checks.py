"""`manage.py check` refuses a second-factor setting that names no role of the portal: a typo
in MFA_REQUIRED_ROLES would otherwise silently let that role in with a password alone."""

from django.conf import settings
from django.core.checks import Error, register

from accounts.models import Role


@register()
def required_roles_exist(**kwargs):
    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"MFA_REQUIRED_ROLES names roles the portal does not have: {', '.join(unknown)}.",
            hint=f"Roles: {', '.join(Role.values)}.",
            id="mfa.E001",
        )
    ]
