"""The telemetry pages, included by `inventory.urls` (namespace `inventory`, under /inventory/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("telemetry/", views.TelemetryView.as_view(), name="telemetry"),
    path("telemetry/prometheus/", views.PrometheusSaveView.as_view(), name="telemetry_prometheus"),
    path("telemetry/prometheus/pull/", views.PrometheusPullView.as_view(), name="telemetry_prometheus_pull"),
    path("telemetry/bmc/read/", views.BmcReadView.as_view(), name="telemetry_bmc_read"),
    path("telemetry/status/", views.TelemetryStatusView.as_view(), name="telemetry_status"),
]
