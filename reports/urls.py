"""Pages under /reports/: dashboards (the overview is the home page, `config.urls`), PDF reports, data exports."""

from django.urls import path

from . import report_urls, views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:pk>/", views.AssessmentDashboardView.as_view(), name="dashboard_assessment"),
    path(
        "assessments/<int:pk>/charts/<slug:chart>.csv",
        views.AssessmentChartCsvView.as_view(),
        name="assessment_chart_csv",
    ),
    path("inventory/", views.InventoryDashboardView.as_view(), name="dashboard_inventory"),
    path("energy/", views.EnergyDashboardView.as_view(), name="dashboard_energy"),
    path("trend/", views.TrendDashboardView.as_view(), name="dashboard_trend"),
    path("charts/<slug:page>/<slug:chart>.csv", views.ChartCsvView.as_view(), name="chart_csv"),
    *report_urls.urlpatterns,  # PDF reports and data exports
]
