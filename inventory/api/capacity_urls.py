from django.urls import path

from . import capacity, rates

app_name = "capacity"

urlpatterns = [
    path("summary/", capacity.CapacitySummaryView.as_view(), name="summary"),
    path("estimate/", capacity.CapacityEstimateView.as_view(), name="estimate"),
    path("exchange-rates/", rates.ExchangeRatesView.as_view(), name="exchange-rates"),
    path("exchange-rates/<str:currency>/", rates.ExchangeRateOverrideView.as_view(), name="exchange-rate"),
]
