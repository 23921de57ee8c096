from django.urls import path

from .views import review

app_name = "review"
urlpatterns = [
    path("", review.review_queue_page, name="queue"),
]
