"""The import and export pages, included by `inventory.urls` (namespace `inventory`, under /inventory/)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.ImportView.as_view(), name="import"),
    path("import/<uuid:pk>/", import_views.ImportJobView.as_view(), name="import_job"),
    path("import/<uuid:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/<uuid:pk>/retry/", import_views.ImportRetryView.as_view(), name="import_retry"),
    path("import/<uuid:pk>/status/", import_views.ImportStatusView.as_view(), name="import_status"),
    path("export/", import_views.ExportView.as_view(), name="export"),
    path("export/download/", import_views.ExportDownloadView.as_view(), name="export_download"),
]
