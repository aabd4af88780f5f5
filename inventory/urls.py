"""Inventory pages: /inventory/ is the overview; each kind has the same five URLs.

    /inventory/<path>/                  <name>_list     (filter with GET parameters, 50 per page)
    /inventory/<path>/new/              <name>_create
    /inventory/<path>/<pk>/             <name>_detail
    /inventory/<path>/<pk>/edit/        <name>_update
    /inventory/<path>/<pk>/delete/      <name>_delete

for site (sites/), server (servers/), storage (storage/), network (networks/), cloud (cloud/) and workload
(workloads/). The import pages come from `inventory.import_urls`, discovery and NetBox from
`inventory.hardware.urls`.
"""

from django.urls import URLPattern, include, path

from . import capacity_views, views
from .exchange.views import ExchangeRatesView

app_name = "inventory"


def kind_urls(kind: views.Kind) -> list[URLPattern]:
    return [
        path(f"{kind.path}/", views.ObjectListView.as_view(kind=kind), name=f"{kind.name}_list"),
        path(f"{kind.path}/new/", views.ObjectEditView.as_view(kind=kind), name=f"{kind.name}_create"),
        path(f"{kind.path}/<int:pk>/", views.ObjectDetailView.as_view(kind=kind), name=f"{kind.name}_detail"),
        path(f"{kind.path}/<int:pk>/history/", views.ObjectHistoryView.as_view(kind=kind), name=f"{kind.name}_history"),
        path(f"{kind.path}/<int:pk>/edit/", views.ObjectEditView.as_view(kind=kind), name=f"{kind.name}_update"),
        path(f"{kind.path}/<int:pk>/delete/", views.ObjectDeleteView.as_view(kind=kind), name=f"{kind.name}_delete"),
    ]


urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("capacity/", capacity_views.CapacityView.as_view(), name="capacity"),
    path("exchange-rates/", ExchangeRatesView.as_view(), name="exchange_rates"),
    *(pattern for kind in views.KINDS for pattern in kind_urls(kind)),
    path("", include("inventory.import_urls")),
    path("", include("inventory.telemetry.urls")),
    path("", include("inventory.hardware.urls")),
]
