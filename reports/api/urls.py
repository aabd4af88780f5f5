"""The reports section of the API, `/api/v1/reports/`:

""                                               report-list (= api-root)   GET reports, POST request one (202)
<id>/                                            report-detail
<id>/status/                                     report-status
<id>/download/                                   report-download            the PDF
exports/assessments/<id>/<dataset>/?format=      export-assessment          scores|answers|roadmap, csv|json|xlsx
exports/inventory/?format=&kind=                 export-inventory           xlsx|csv|json
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "reports"

router = SimpleRouter()
router.register("", views.ReportViewSet, basename="report")

urlpatterns = [
    path(
        "exports/assessments/<int:pk>/<slug:dataset>/",
        views.AssessmentExportView.as_view(),
        name="export-assessment",
    ),
    path("exports/inventory/", views.InventoryExportView.as_view(), name="export-inventory"),
    *router.urls,
    # The section's entry point for the API root (`config.api.SECTIONS`): the reports themselves.
    path("", views.ReportViewSet.as_view({"get": "list", "post": "create"}), name="api-root"),
]
