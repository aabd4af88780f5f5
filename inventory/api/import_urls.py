"""Bulk import, export and nvidia-smi discovery: included by `inventory.api.urls` at /api/v1/inventory/.

import/                    api:inventory:import           GET the organization's imports, POST a file
import/<uuid>/             api:inventory:import-detail    GET status, progress, counts and problems
import/<uuid>/status/      api:inventory:import-status    GET the import as a job (JobStatus)
import/<uuid>/confirm/     api:inventory:import-confirm   POST: import a validated dry run
import/<uuid>/retry/       api:inventory:import-retry     POST: try a failed import again
export/                    api:inventory:export           GET ?kind=&format=csv|json|yaml
discover/                  api:inventory:discover         POST a GPU tool's output (format detected)
discover/nvidia-smi/       api:inventory:discover-nvidia-smi   POST one server's output (kept)
"""

from django.urls import path

from . import discovery, imports

urlpatterns = [
    path("import/", imports.ImportJobListCreateView.as_view(), name="import"),
    path("import/<uuid:pk>/", imports.ImportJobDetailView.as_view(), name="import-detail"),
    path("import/<uuid:pk>/status/", imports.ImportJobStatusView.as_view(), name="import-status"),
    path("import/<uuid:pk>/confirm/", imports.ImportJobConfirmView.as_view(), name="import-confirm"),
    path("import/<uuid:pk>/retry/", imports.ImportJobRetryView.as_view(), name="import-retry"),
    path("export/", imports.ExportView.as_view(), name="export"),
    path("discover/", discovery.DiscoverView.as_view(), name="discover"),
    path("discover/nvidia-smi/", discovery.NvidiaSmiDiscoveryView.as_view(), name="discover-nvidia-smi"),
]
