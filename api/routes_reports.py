"""The report and case-file endpoints (helper api2's), included by api/urls.py."""

urlpatterns = []
