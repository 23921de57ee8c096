"""The retention period, as the case file page states it."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def retention_years() -> int:
    return settings.RETENTION_CASE_FILE_YEARS
