from django.urls import path

from .views import escalations

app_name = "escalations"
urlpatterns = [
    path("", escalations.inbox, name="inbox"),
    path("support/", escalations.support_list, name="support"),
    path("<int:escalation_id>/acknowledge/", escalations.acknowledge, name="acknowledge"),
]
