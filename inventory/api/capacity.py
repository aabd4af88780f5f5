"""`/api/v1/capacity/`: the capacity model over the organization's inventory, with hypothetical changes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import OrganizationRelatedField, OrganizationScopedAPIMixin
from accounts.models import Role

from .. import selectors
from ..analysis import SOURCES, CapacitySummary, SiteFootprint, WhatIf, WorkloadVerdict, analyse, verdict_figures
from ..models import Precision, Workload, WorkloadKind


class ChangeSerializer(serializers.Serializer):
    """A hypothetical inventory change; nothing is stored."""

    accelerator_type = OrganizationRelatedField(selectors.accelerator_types_for, required=False, allow_null=True)
    accelerator_count = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    site = OrganizationRelatedField(selectors.sites_for, required=False, allow_null=True)
    pue = serializers.FloatField(min_value=1.0, max_value=5.0, required=False, allow_null=True)
    price_per_kwh = serializers.FloatField(min_value=0, max_value=10, required=False, allow_null=True)
    precision = serializers.ChoiceField(choices=Precision.choices, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("accelerator_count") and not attrs.get("accelerator_type"):
            raise serializers.ValidationError({"accelerator_type": "required when accelerator_count is above 0."})
        return attrs


class WorkloadInputSerializer(serializers.ModelSerializer):
    model_profile = OrganizationRelatedField(selectors.model_profiles_for)

    class Meta:
        model = Workload
        fields = (
            "name",
            "kind",
            "model_profile",
            "precision",
            "requests_per_second",
            "prompt_tokens",
            "output_tokens",
            "ttft_target_ms",
            "tpot_target_ms",
            "training_tokens",
            "deadline_days",
            "assumed_mfu",
            "dataset_size_tb",
        )
        extra_kwargs = {"name": {"required": False, "default": "estimate"}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = (
            ("requests_per_second", "prompt_tokens", "output_tokens")
            if attrs["kind"] == WorkloadKind.INFERENCE
            else ("training_tokens",)
        )
        missing = {field: f"required for {attrs['kind']} workloads." for field in needed if attrs.get(field) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class EstimateSerializer(serializers.Serializer):
    workload = OrganizationRelatedField(
        lambda organization: Workload.objects.filter(organization=organization).select_related("model_profile"),
        required=False,
        help_text="A stored workload's id, or describe one in `workload_spec`.",
    )
    workload_spec = WorkloadInputSerializer(required=False)
    change = ChangeSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("workload" in attrs) == ("workload_spec" in attrs):
            raise serializers.ValidationError({"workload": "give either `workload` (an id) or `workload_spec`."})
        return attrs


def footprint_data(site: SiteFootprint) -> dict[str, Any]:
    return {
        "site": site.site.name,
        "servers": site.servers,
        "accelerators": site.accelerators,
        "it_power_kw": site.footprint.it_power_kw,
        "pue": site.pue,
        "facility_power_kw": site.footprint.facility_power_kw,
        "power_capacity_kw": site.power_capacity_kw,
        "energy_kwh_per_month": site.footprint.energy_kwh_per_month,
        "price_per_kwh": site.price_per_kwh,
        "cost_per_month": site.footprint.cost_per_month,
        "currency": site.currency,
        "grid_g_co2_per_kwh": site.g_per_kwh,
        "tco2_per_month": site.footprint.tco2_per_month,
    }


def verdict_data(verdict: WorkloadVerdict) -> dict[str, Any]:
    return {
        "workload": verdict.workload.name,
        "workload_id": verdict.workload.pk,
        "fits": verdict.fits,
        "pool": verdict.pool.label if verdict.pool else None,
        "bottleneck": verdict.bottleneck,
        "meets_latency_targets": verdict.meets_latency,
        "reasons": list(verdict.reasons),
        "figures": verdict_figures(verdict),
        "alternatives": [
            {"pool": info.label, "fits": fit.fits, "bottleneck": fit.bottleneck, "gpus_needed": fit.gpus_needed}
            for info, fit in verdict.alternatives
        ],
    }


def summary_data(summary: CapacitySummary) -> dict[str, Any]:
    return {
        "sites": [footprint_data(site) for site in summary.sites],
        "total": {
            "it_power_kw": summary.total.it_power_kw,
            "facility_power_kw": summary.total.facility_power_kw,
            "energy_kwh_per_month": summary.total.energy_kwh_per_month,
            "cost_per_month": summary.total.cost_per_month,
            "currencies": sorted(summary.currencies),
            "tco2_per_month": summary.total.tco2_per_month,
            "accelerators": summary.accelerators,
            "accelerator_memory_gb": summary.memory_gb,
            "bf16_pflops": summary.bf16_tflops / 1000,
        },
        "workloads": [verdict_data(v) for v in summary.verdicts],
        "assumptions": {
            "hours_per_month": 730,
            "load": "accelerators at full rated power (an upper bound)",
            "cost": "energy only, in each site's currency; the total adds currencies as they are",
        },
        "sources": SOURCES,
    }


class CapacitySummaryView(OrganizationScopedAPIMixin, APIView):
    """The organization's monthly power, energy, cost and carbon per site and in total, and each workload's
    verdict (fits or not, where, with what, and the bottleneck)."""

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        return Response(summary_data(analyse(organization=self.organization)))


class CapacityEstimateView(OrganizationScopedAPIMixin, APIView):
    """Estimate one workload (a stored one, or described in the request) against the inventory, optionally
    with a hypothetical change (GPU type and count at a site, PUE, electricity price, precision). Nothing is
    stored, so viewers may ask too. Every figure comes with its unit, formula and source."""

    write_role = Role.VIEWER

    @extend_schema(request=EstimateSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        payload = EstimateSerializer(data=request.data, context={"organization": self.organization})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        workload = data.get("workload") or Workload(organization=self.organization, **data["workload_spec"])
        change = data.get("change") or {}
        what_if = WhatIf(
            accelerator_type=change.get("accelerator_type"),
            accelerator_count=change.get("accelerator_count", 0),
            site=change.get("site"),
            pue=change.get("pue"),
            price_per_kwh=change.get("price_per_kwh"),
            precision=change.get("precision"),
        )
        summary = analyse(organization=self.organization, what_if=what_if, workloads=[workload])
        body = summary_data(summary)
        body["estimate"] = body.pop("workloads")[0]
        return Response(body)
