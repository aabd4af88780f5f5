"""Serializers of the inventory API. Related rows are chosen by id among what the active organization may use
(its own sites; the shared catalog and its private entries), so another organization's id is a field error."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from rest_framework import serializers

from accounts.api.base import OrganizationRelatedField

from .. import selectors
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
    WorkloadKind,
)


class BulkListSerializer(serializers.ListSerializer):
    """Create many rows in one request, all or nothing; `unique_fields` must not repeat inside the request."""

    def validate(self, attrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for field in getattr(self.child.Meta, "bulk_unique_fields", ()):
            counts = Counter(item.get(field) for item in attrs)
            repeated = sorted(str(value) for value, n in counts.items() if n > 1 and value is not None)
            if repeated:
                raise serializers.ValidationError({field: f"repeated in this request: {', '.join(repeated)}"})
        return attrs

    @transaction.atomic
    def create(self, validated_data: list[dict[str, Any]]) -> list[Any]:
        return [self.child.create(item) for item in validated_data]


class OrganizationOwnedSerializer(serializers.ModelSerializer):
    """Base of the organization-owned inventory: the organization comes from the request, never the payload."""

    unique_per_organization: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        organization = self.context.get("organization")
        for field in self.unique_per_organization:
            if field in attrs:
                clash = self.Meta.model.objects.filter(organization=organization, **{field: attrs[field]})
                if self.instance is not None:
                    clash = clash.exclude(pk=self.instance.pk)
                if clash.exists():
                    raise serializers.ValidationError({field: f"{attrs[field]!r} exists already in this organization."})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        validated_data.setdefault("organization", self.context["organization"])
        return super().create(validated_data)


class CatalogSerializer(serializers.ModelSerializer):
    shared = serializers.BooleanField(source="is_shared", read_only=True)


class AcceleratorTypeSerializer(CatalogSerializer):
    class Meta:
        model = AcceleratorType
        exclude = ("organization",)


class ModelProfileSerializer(CatalogSerializer):
    class Meta:
        model = ModelProfile
        exclude = ("organization",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        heads = attrs.get("attention_heads", getattr(self.instance, "attention_heads", None))
        kv_heads = attrs.get("kv_heads", getattr(self.instance, "kv_heads", None))
        if heads and kv_heads and kv_heads > heads:
            raise serializers.ValidationError({"kv_heads": "cannot exceed attention_heads."})
        return attrs


class GridRegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = GridRegion
        fields = ("id", "country_code", "name", "g_co2_per_kwh", "year", "source")


class SiteSerializer(OrganizationOwnedSerializer):
    unique_per_organization = ("name",)

    class Meta:
        model = Site
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
        bulk_unique_fields = ("name",)

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise serializers.ValidationError("use the two-letter ISO code, e.g. DE.")
        return value

    def validate_pue(self, value: float) -> float:
        if value < 1:
            raise serializers.ValidationError("PUE is at least 1.0 (all power reaches IT equipment).")
        return value

    def validate_renewable_share_pct(self, value: float) -> float:
        if not 0 <= value <= 100:
            raise serializers.ValidationError("a percentage between 0 and 100.")
        return value


def _positive_or_null(value: Any, field: str) -> None:
    if value is not None and value <= 0:
        raise serializers.ValidationError({field: "must be greater than 0."})


class ServerSerializer(OrganizationOwnedSerializer):
    unique_per_organization = ("hostname",)
    site = OrganizationRelatedField(selectors.sites_for)
    accelerator_type = OrganizationRelatedField(selectors.accelerator_types_for, allow_null=True, required=False)
    site_name = serializers.CharField(source="site.name", read_only=True)
    accelerator_type_name = serializers.StringRelatedField(source="accelerator_type", read_only=True)

    class Meta:
        model = Server
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
        bulk_unique_fields = ("hostname",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        count = attrs.get("accelerator_count", getattr(self.instance, "accelerator_count", 0))
        kind = attrs.get("accelerator_type", getattr(self.instance, "accelerator_type", None))
        if count and kind is None:
            raise serializers.ValidationError({"accelerator_type": "required when accelerator_count is above 0."})
        return attrs


class SiteOwnedSerializer(OrganizationOwnedSerializer):
    """Rows that belong to one of the organization's sites, named in the output too."""

    site = OrganizationRelatedField(selectors.sites_for)
    site_name = serializers.CharField(source="site.name", read_only=True)


class StorageSystemSerializer(SiteOwnedSerializer):
    class Meta:
        model = StorageSystem
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        _positive_or_null(attrs.get("usable_tb"), "usable_tb")
        if (attrs.get("read_throughput_gbps") or 0) < 0:
            raise serializers.ValidationError({"read_throughput_gbps": "cannot be negative."})
        return attrs


class NetworkFabricSerializer(SiteOwnedSerializer):
    class Meta:
        model = NetworkFabric
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        _positive_or_null(attrs.get("link_speed_gbps"), "link_speed_gbps")
        if attrs.get("oversubscription_ratio", 1) < 1:
            raise serializers.ValidationError({"oversubscription_ratio": "at least 1 (1 is non-blocking)."})
        return attrs


class CloudCapacitySerializer(OrganizationOwnedSerializer):
    accelerator_type = OrganizationRelatedField(selectors.accelerator_types_for)
    accelerator_type_name = serializers.StringRelatedField(source="accelerator_type", read_only=True)

    class Meta:
        model = CloudCapacity
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        _positive_or_null(attrs.get("accelerators_per_instance"), "accelerators_per_instance")
        _positive_or_null(attrs.get("instances"), "instances")
        return attrs


class WorkloadSerializer(OrganizationOwnedSerializer):
    unique_per_organization = ("name",)
    model_profile = OrganizationRelatedField(selectors.model_profiles_for)
    model_profile_name = serializers.CharField(source="model_profile.name", read_only=True)

    class Meta:
        model = Workload
        exclude = ("organization",)
        list_serializer_class = BulkListSerializer
        bulk_unique_fields = ("name",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)

        def value(field: str) -> Any:
            return attrs.get(field, getattr(self.instance, field, None))

        if value("kind") == WorkloadKind.INFERENCE:
            needed = ("requests_per_second", "prompt_tokens", "output_tokens")
        else:
            needed = ("training_tokens",)
        missing = {field: f"required for {value('kind')} workloads." for field in needed if value(field) is None}
        if missing:
            raise serializers.ValidationError(missing)
        for field in ("requests_per_second", "training_tokens", "deadline_days"):
            _positive_or_null(attrs.get(field), field)
        mfu = attrs.get("assumed_mfu")
        if mfu is not None and not 0 < mfu <= 1:
            raise serializers.ValidationError({"assumed_mfu": "a fraction in (0, 1], e.g. 0.4."})
        return attrs
