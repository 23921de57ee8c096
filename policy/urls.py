from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_current, name="current"),
    path("versions/", views.policy_versions, name="versions"),
    path("versions/<int:number>/", views.policy_version_detail, name="version"),
]
