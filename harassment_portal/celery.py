"""The Celery app. Its configuration lives in Django settings under the ``CELERY_`` prefix
(broker, late acknowledgement, publish timeouts, the beat schedule)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harassment_portal.settings.development")

app = Celery("harassment_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
