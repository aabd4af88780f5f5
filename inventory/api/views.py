"""Inventory REST API: full CRUD, filters, ordering, pagination and bulk create, scoped to the organization; each
record's change history at ``{id}/history/``."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.api.base import OrganizationScopedAPIMixin, OrganizationScopedViewSet
from config.api_history import HistoryActionMixin
from config.light_lists import LightListMixin

from .. import filtersets, selectors
from ..models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)
from . import serializers


class CatalogViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    """The shared catalog (read-only here; staff edit it in the admin) plus the organization's private entries,
    which assessors create, edit and delete."""

    def get_object(self) -> Any:
        entry = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and entry.is_shared:
            raise PermissionDenied("Shared catalog entries are edited by staff in the admin; add a private entry.")
        return entry


class AcceleratorTypeViewSet(CatalogViewSet):
    queryset = AcceleratorType.objects.all()
    selector = selectors.accelerator_types_for
    serializer_class = serializers.AcceleratorTypeSerializer
    filterset_class = filtersets.AcceleratorTypeFilterSet
    ordering_fields = ("vendor", "model", "memory_gb", "bf16_tflops", "release_year")
    ordering = ("vendor", "model")


class ModelProfileViewSet(CatalogViewSet):
    queryset = ModelProfile.objects.all()
    selector = selectors.model_profiles_for
    serializer_class = serializers.ModelProfileSerializer
    filterset_class = filtersets.ModelProfileFilterSet
    ordering_fields = ("name", "params", "context_length")
    ordering = ("name",)


class GridRegionViewSet(OrganizationScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = GridRegion.objects.all()
    serializer_class = serializers.GridRegionSerializer
    filterset_class = filtersets.GridRegionFilterSet
    ordering_fields = ("country_code", "g_co2_per_kwh")
    ordering = ("country_code",)


class SiteViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    queryset = Site.objects.all()
    selector = selectors.sites_for
    serializer_class = serializers.SiteSerializer
    filterset_class = filtersets.SiteFilterSet
    ordering_fields = ("name", "country", "pue", "power_capacity_kw")
    ordering = ("name",)


class ServerViewSet(HistoryActionMixin, LightListMixin, OrganizationScopedViewSet):
    """Servers; list pages come from rows (`config.light_lists`): up to 1,000 per page at a flat cost."""

    light_fields = {  # noqa: RUF012 - read only
        # StringRelatedField: str(AcceleratorType) is "<vendor> <model>"
        "accelerator_type_name": (
            ("accelerator_type__vendor", "accelerator_type__model"),
            lambda vendor, model: None if model is None else f"{vendor} {model}",
        ),
    }
    queryset = Server.objects.all()
    selector = selectors.servers_for
    serializer_class = serializers.ServerSerializer
    filterset_class = filtersets.ServerFilterSet
    ordering_fields = ("hostname", "status", "accelerator_count", "purchase_date", "site__name")
    ordering = ("hostname",)


class StorageSystemViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    queryset = StorageSystem.objects.all()
    selector = selectors.storage_systems_for
    serializer_class = serializers.StorageSystemSerializer
    filterset_class = filtersets.StorageSystemFilterSet
    ordering_fields = ("name", "usable_tb", "read_throughput_gbps")
    ordering = ("name",)


class NetworkFabricViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    queryset = NetworkFabric.objects.all()
    selector = selectors.network_fabrics_for
    serializer_class = serializers.NetworkFabricSerializer
    filterset_class = filtersets.NetworkFabricFilterSet
    ordering_fields = ("name", "link_speed_gbps")
    ordering = ("name",)


class CloudCapacityViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    queryset = CloudCapacity.objects.all()
    selector = selectors.cloud_capacity_for
    serializer_class = serializers.CloudCapacitySerializer
    filterset_class = filtersets.CloudCapacityFilterSet
    ordering_fields = ("provider", "region", "instances", "hourly_price")
    ordering = ("provider", "region")


class WorkloadViewSet(HistoryActionMixin, OrganizationScopedViewSet):
    queryset = Workload.objects.all()
    selector = selectors.workloads_for
    serializer_class = serializers.WorkloadSerializer
    filterset_class = filtersets.WorkloadFilterSet
    ordering_fields = ("name", "kind", "requests_per_second")
    ordering = ("name",)
