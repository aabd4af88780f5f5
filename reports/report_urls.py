"""Pages of exported reports and data exports; included by `reports.urls` (namespace `reports`, under /reports/).

pdf/                                         report_list        GET the reports and the request form; POST request
pdf/<pk>/                                    report_detail      progress (polls the API's status URL), download
pdf/<pk>/download/                           report_download    the PDF (404 until ready)
pdf/<pk>/retry/                              report_retry       POST: render a failed report again
exports/                                     report_exports     links to every data export
exports/assessments/<pk>/<dataset>.<fmt>     export_assessment  scores|answers|roadmap . csv|json|xlsx
exports/inventory.xlsx                       export_inventory   the inventory as a workbook (?kind= one kind)
"""

from django.urls import path

from . import report_views

urlpatterns = [
    path("pdf/", report_views.ReportListView.as_view(), name="report_list"),
    path("pdf/<int:pk>/", report_views.ReportDetailView.as_view(), name="report_detail"),
    path("pdf/<int:pk>/download/", report_views.ReportDownloadView.as_view(), name="report_download"),
    path("pdf/<int:pk>/retry/", report_views.ReportRetryView.as_view(), name="report_retry"),
    path("exports/", report_views.ExportListView.as_view(), name="report_exports"),
    path(
        "exports/assessments/<int:pk>/<slug:dataset>.<slug:fmt>",
        report_views.AssessmentExportView.as_view(),
        name="export_assessment",
    ),
    path("exports/inventory.xlsx", report_views.InventoryExportView.as_view(), name="export_inventory"),
]
