from django.urls import path

from . import views

# Ahead of django.contrib.auth.urls under accounts/: our sign-in view replaces Django's.
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("profile/", views.profile, name="profile"),
]
