from django.urls import path

from .views import checkin

app_name = "checkin"
urlpatterns = [
    path("", checkin.checkin_lookup, name="lookup"),
]
