from django.urls import path

from . import capacity

app_name = "capacity"

urlpatterns = [
    path("summary/", capacity.CapacitySummaryView.as_view(), name="summary"),
    path("estimate/", capacity.CapacityEstimateView.as_view(), name="estimate"),
]
