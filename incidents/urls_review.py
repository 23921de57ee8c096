from django.urls import path

from .views import exports, review

app_name = "review"
urlpatterns = [
    path("", review.review_queue_page, name="queue"),
    # The queue under the same query string, as CSV.
    path("export.csv", exports.review_queue_csv, name="export"),
]
