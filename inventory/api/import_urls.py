"""Bulk import, export and nvidia-smi discovery: included by `inventory.api.urls` at /api/v1/inventory/.

import/                    api:inventory:import           GET the organization's imports, POST a file
import/<uuid>/             api:inventory:import-detail    GET status, progress, counts and problems
import/<uuid>/confirm/     api:inventory:import-confirm   POST: import a validated dry run
export/                    api:inventory:export           GET ?kind=&format=csv|json|yaml
discover/nvidia-smi/       api:inventory:discover-nvidia-smi   POST nvidia-smi's CSV for one server
"""

from django.urls import path

from . import imports

urlpatterns = [
    path("import/", imports.ImportJobListCreateView.as_view(), name="import"),
    path("import/<uuid:pk>/", imports.ImportJobDetailView.as_view(), name="import-detail"),
    path("import/<uuid:pk>/confirm/", imports.ImportJobConfirmView.as_view(), name="import-confirm"),
    path("export/", imports.ExportView.as_view(), name="export"),
    path("discover/nvidia-smi/", imports.NvidiaSmiDiscoveryView.as_view(), name="discover-nvidia-smi"),
]
