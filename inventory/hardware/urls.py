"""Discovery and NetBox pages, included by `inventory.urls` (namespace `inventory`, under /inventory/)."""

from django.urls import path

from . import netbox_views, views

urlpatterns = [
    path("discover/", views.DiscoverView.as_view(), name="discover"),
    path("discover/<uuid:pk>/", views.DiscoveryRunView.as_view(), name="discover_run"),
    path("discover/<uuid:pk>/confirm/", views.DiscoveryConfirmView.as_view(), name="discover_confirm"),
    path("discover/<uuid:pk>/accelerator/", views.DiscoveryAddAcceleratorView.as_view(), name="discover_accelerator"),
    path("netbox/", netbox_views.NetboxView.as_view(), name="netbox"),
    path("netbox/sync/", netbox_views.NetboxSyncView.as_view(), name="netbox_sync"),
    path("netbox/status/", netbox_views.NetboxStatusView.as_view(), name="netbox_status"),
]
