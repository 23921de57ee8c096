from django.urls import path

from .views import escalations

app_name = "escalations"
urlpatterns = [
    path("", escalations.inbox, name="inbox"),
    path("<int:escalation_id>/acknowledge/", escalations.acknowledge, name="acknowledge"),
]
