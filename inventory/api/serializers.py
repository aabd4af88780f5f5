"""Serializers of the inventory API. Related rows are chosen by id or by name (`fields`) among what the active
organization may use (its own sites; the shared catalog and its private entries), so another organization's row is
a field error.

Field rules are the model's (`inventory.validators`): every serializer validates through the model
(`ValidatedModelSerializer`: ``full_clean`` on the instance to be saved), so the API refuses what the app's forms
and the import refuse, with the same messages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework import serializers

from accounts.api.base import OrganizationRelatedField
from config.errors import ErrorItem, Invalid
from config.serializers import KnownFieldsOnly, ValidatedModelSerializer

from .. import selectors
from ..hardware.selectors import server_models_for
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
from .fields import accelerator_type_field, model_profile_field, site_field


def _shown(value: Any) -> str:
    return str(getattr(value, "name", value))


class BulkListSerializer(serializers.ListSerializer):
    """Create many rows in one request, all or nothing. The model's natural key (a server's hostname, a storage
    system's site and name, ...) must not repeat inside the request: each repeat is an error at its ``index``."""

    def validate(self, attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        key = getattr(self.child.Meta.model, "natural_key", ())
        first: dict[tuple[Any, ...], int] = {}
        repeats = []
        for index, item in enumerate(attrs):
            values = tuple(item.get(name) for name in key)
            if not key or any(value is None for value in values):
                continue
            if values in first:
                shown = " / ".join(_shown(value) for value in values)
                message = f"{shown!r} is repeated in this request (first as item {first[values] + 1})."
                repeats.append(ErrorItem(message, "duplicate", field=key[-1], index=index))
            else:
                first[values] = index
        if repeats:
            raise Invalid(repeats)
        return attrs

    @transaction.atomic
    def create(self, validated_data: list[dict[str, Any]]) -> list[Any]:
        return [self.child.create(item) for item in validated_data]


class OrganizationOwnedSerializer(ValidatedModelSerializer):
    """Base of the organization-owned inventory: the organization comes from the request, never the payload."""

    ignored_fields = ("organization",)

    def prepare_instance(self, instance: Any) -> None:
        if instance.pk is None:
            instance.organization = self.context["organization"]

    def create(self, validated_data: dict[str, Any]) -> Any:
        validated_data.setdefault("organization", self.context["organization"])
        return super().create(validated_data)


class CatalogSerializer(ValidatedModelSerializer):
    """Private catalog entries of the organization (shared ones are read-only through the API)."""

    shared = serializers.BooleanField(source="is_shared", read_only=True)
    ignored_fields = ("organization",)

    def prepare_instance(self, instance: Any) -> None:
        if instance.pk is None:
            instance.organization = self.context.get("organization")


class AcceleratorTypeSerializer(CatalogSerializer):
    class Meta:
        model = AcceleratorType
        exclude = ("organization",)


class ModelProfileSerializer(CatalogSerializer):
    class Meta:
        model = ModelProfile
        exclude = ("organization",)


class GridRegionSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    class Meta:
        model = GridRegion
        fields = ("id", "country_code", "name", "g_co2_per_kwh", "year", "source")


class SiteSerializer(OrganizationOwnedSerializer):
    class Meta:
        model = Site
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
        extra_kwargs = {  # noqa: RUF012 - DRF's Meta
            "electricity_price_per_kwh": {"help_text": "Price of one kWh, in the site's `currency`."},
            "currency": {
                "help_text": "ISO 4217 code of the site's prices (electricity, colocation, maintenance, staff), e.g. "
                "EUR."
            },
        }


class ServerSerializer(OrganizationOwnedSerializer):
    site = site_field(selectors.sites_for)
    accelerator_type = accelerator_type_field(selectors.accelerator_types_for, allow_null=True, required=False)
    site_name = serializers.CharField(source="site.name", read_only=True)
    accelerator_type_name = serializers.StringRelatedField(source="accelerator_type", read_only=True, allow_null=True)
    server_model = OrganizationRelatedField(server_models_for, allow_null=True, required=False)

    class Meta:
        model = Server
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer


class SiteOwnedSerializer(OrganizationOwnedSerializer):
    """Rows that belong to one of the organization's sites, named in the output too."""

    site = site_field(selectors.sites_for)
    site_name = serializers.CharField(source="site.name", read_only=True)


class StorageSystemSerializer(SiteOwnedSerializer):
    class Meta:
        model = StorageSystem
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer


class NetworkFabricSerializer(SiteOwnedSerializer):
    class Meta:
        model = NetworkFabric
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer


class CloudCapacitySerializer(OrganizationOwnedSerializer):
    accelerator_type = accelerator_type_field(selectors.accelerator_types_for)
    accelerator_type_name = serializers.StringRelatedField(source="accelerator_type", read_only=True)

    class Meta:
        model = CloudCapacity
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
        extra_kwargs = {  # noqa: RUF012 - DRF's Meta
            "hourly_price": {"help_text": "Price per instance-hour, in `currency`."},
            "currency": {"help_text": "ISO 4217 code of the hourly price, e.g. USD."},
        }


class WorkloadSerializer(OrganizationOwnedSerializer):
    model_profile = model_profile_field(selectors.model_profiles_for)
    model_profile_name = serializers.CharField(source="model_profile.name", read_only=True)

    class Meta:
        model = Workload
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
