"""`/api/v1/capacity/`: the capacity model over the organization's inventory, with hypothetical changes."""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import OrganizationRelatedField, OrganizationScopedAPIMixin
from accounts.models import Role
from config.serializers import KnownFieldsOnly, NumberField

from .. import selectors
from ..analysis import (
    ASSUMPTIONS,
    LOAD_BASIS,
    SOURCES,
    CapacitySummary,
    CostSummary,
    SiteFootprint,
    WhatIf,
    WorkloadVerdict,
    analyse,
    analysis_of,
    costs_for,
    costs_of,
    serving_sizing,
    verdict_figures,
)
from ..models import Precision, Workload
from ..money import MoneyTotal, decimal_string, money_unit
from ..rounding import round_half_away
from ..validators import raise_for, server_rules, workload_rules
from .fields import MONEY_SCHEMA, MoneyField, accelerator_type_field, model_profile_field, money_by_currency, site_field


class ChangeSerializer(KnownFieldsOnly, serializers.Serializer):
    """A hypothetical inventory change; nothing is stored."""

    accelerator_type = accelerator_type_field(selectors.accelerator_types_for, required=False, allow_null=True)
    accelerator_count = serializers.IntegerField(min_value=0, max_value=100_000, default=0)
    site = site_field(selectors.sites_for, required=False, allow_null=True)
    pue = NumberField(min_value=1.0, max_value=5.0, required=False, allow_null=True)
    price_per_kwh = NumberField(min_value=0, max_value=10, required=False, allow_null=True)
    precision = serializers.ChoiceField(choices=Precision.choices, required=False, allow_null=True)
    kv_cache_precision = serializers.ChoiceField(
        choices=Precision.choices,
        required=False,
        allow_null=True,
        help_text="Every inference workload's KV cache precision (e.g. fp8), apart from the weights' precision.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raise_for(server_rules(attrs))  # accelerators need a type, as on a server
        return attrs


class WorkloadInputSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    model_profile = model_profile_field(selectors.model_profiles_for)

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
            "activation_recompute",
            "goodput",
            "dataset_size_tb",
            "kv_cache_precision",
        )
        extra_kwargs = {"name": {"required": False, "default": "estimate"}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raise_for(workload_rules(attrs))  # a stored workload's rules (nothing is stored here)
        return attrs


class EstimateSerializer(KnownFieldsOnly, serializers.Serializer):
    workload = OrganizationRelatedField(
        lambda organization: Workload.objects.filter(organization=organization).select_related("model_profile"),
        required=False,
        help_text="A stored workload's id, or describe one in `workload_spec`.",
    )
    workload_spec = WorkloadInputSerializer(required=False)
    change = ChangeSerializer(required=False)
    serving_batch = serializers.IntegerField(
        min_value=1,
        max_value=4096,
        default=1,
        help_text="Concurrent sequences for `serving_memory.largest_context_tokens` (batch 1 is always given too).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("workload" in attrs) == ("workload_spec" in attrs):
            raise serializers.ValidationError({"workload": "give either `workload` (an id) or `workload_spec`."})
        return attrs


class ServingMemorySerializer(KnownFieldsOnly, serializers.Serializer):
    """Quantized serving answers for an inference estimate on the pool it was placed on (memory only: weights and
    KV cache over the GPUs' memory x 0.9; docs/capacity.md, "Quantized serving")."""

    model = serializers.CharField()
    accelerator = serializers.CharField()
    gpus = serializers.IntegerField(help_text="GPUs of the pool the estimate was placed on.")
    weight_precision = serializers.CharField()
    kv_cache_precision = serializers.CharField(help_text="KV cache precision, chosen apart from the weights'.")
    batch = serializers.IntegerField(help_text="Concurrent sequences (the request's `serving_batch`).")
    usable_gb = serializers.FloatField(help_text="GPUs x memory x 0.9, GB.")
    weights_gb = serializers.FloatField(help_text="params x bytes per value (int4 0.5, fp8/int8 1, bf16 2), GB.")
    kv_cache_mb_per_token = serializers.FloatField(
        help_text="2 x layers x kv_heads x head_dim x bytes (KV precision), MB per token of one sequence."
    )
    full_context_tokens = serializers.IntegerField(help_text="The model's context length.")
    memory_gb_full_context = serializers.FloatField(help_text="Weights + KV of `batch` full-context sequences, GB.")
    largest_context_tokens = serializers.IntegerField(
        help_text="Largest context per sequence that fits the pool at `batch`, capped at the model's context."
    )
    largest_context_tokens_batch1 = serializers.IntegerField(help_text="The same at batch 1.")
    context_limited_by = serializers.ChoiceField(choices=["model context", "memory", "weights do not fit"])
    gpus_needed_full_context = serializers.IntegerField(
        allow_null=True, help_text="Fewest GPUs of this type holding weights + KV of `batch` full-context sequences."
    )
    nodes_needed_full_context = serializers.IntegerField(allow_null=True, help_text="ceil(GPUs needed / 8).")
    gpus_per_node = serializers.IntegerField()


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "boolean"}, MONEY_SCHEMA]})
class NumberOrBooleanField(serializers.JSONField):
    """A figure's value: a number, yes/no (true/false) for a check such as ``meets_deadline``, or money (a unit
    naming a currency, "EUR/month"): a decimal string rounded to that currency's minor unit (per kWh: 4 decimals)."""


class FigureInputSerializer(KnownFieldsOnly, serializers.Serializer):
    """One input of a figure: its value and unit, and its origin (the record, reference row, assumption or other
    figure it comes from, e.g. "Site Frankfurt DC: PUE 1.35 (recorded)")."""

    name = serializers.CharField(help_text="What the input is, in words.")
    value = NumberOrBooleanField()
    unit = serializers.CharField()
    origin = serializers.CharField(help_text="Which record, reference row, assumption or figure it comes from.")


class FigureSerializer(KnownFieldsOnly, serializers.Serializer):
    """A computed figure with everything needed to reproduce it: ``value`` in ``unit``, the ``formula`` in words,
    the ``inputs`` it was computed from (each with unit and origin) and the ``source`` of the formula."""

    name = serializers.CharField(help_text="Stable identifier, e.g. weights_gb_per_gpu.")
    label = serializers.CharField(help_text="The figure in words, e.g. Weights per GPU.")
    value = NumberOrBooleanField()
    unit = serializers.CharField()
    formula = serializers.CharField()
    inputs = FigureInputSerializer(many=True)
    source = serializers.CharField(help_text="The publication or definition the formula follows.")
    note = serializers.CharField(help_text="What the figure includes or leaves out (e.g. energy only); may be empty.")


class SiteFootprintSerializer(KnownFieldsOnly, serializers.Serializer):
    site = serializers.CharField()
    servers = serializers.IntegerField()
    accelerators = serializers.IntegerField()
    it_power_kw = serializers.FloatField()
    pue = serializers.FloatField()
    facility_power_kw = serializers.FloatField()
    power_capacity_kw = serializers.FloatField(allow_null=True)
    energy_kwh_per_month = serializers.FloatField()
    price_per_kwh = MoneyField(allow_null=True, help_text="In the site's currency, to its 4 stored decimals.")
    cost_per_month = MoneyField(allow_null=True, help_text="In the site's currency; null without price.")
    currency = serializers.CharField()
    grid_g_co2_per_kwh = serializers.FloatField()
    grid_basis = serializers.ChoiceField(
        choices=["override", "country", "world average"],
        help_text="The site's own figure, its country's reference figure, or the IEA world-average fallback.",
    )
    tco2_per_month = serializers.FloatField()
    power_sources = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Active servers by the rung of the power rule their power came from, in its order "
        "(measured_server, measured_accelerators, recorded, server_model, tdp, none).",
    )
    power_sources_in_words = serializers.CharField(
        help_text='The same in words, e.g. "4 servers measured (Redfish), 7-day p95; 12 servers recorded server power".'
    )
    rated_it_power_kw = serializers.FloatField(help_text="The same servers on their rated rungs only (no telemetry).")
    measured_servers = serializers.IntegerField(help_text="Servers on a measured rung (Redfish or DCGM).")
    measured_it_power_kw = serializers.FloatField(help_text="Their measured power (7-day p95), kW.")
    measured_rated_kw = serializers.FloatField(help_text="Their rated power, kW.")
    figures = FigureSerializer(many=True)


class RateSerializer(KnownFieldsOnly, serializers.Serializer):
    """An exchange rate used: units of ``currency`` per euro on ``date``, from ``source``; an organization's own
    rate says so (``overridden``, by whom, when)."""

    currency = serializers.CharField()
    rate_per_eur = serializers.FloatField(help_text="Units of the currency per euro.")
    date = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    overridden = serializers.BooleanField()
    overridden_by = serializers.CharField(allow_blank=True)
    overridden_at = serializers.DateTimeField(allow_null=True)


class ConvertedSerializer(KnownFieldsOnly, serializers.Serializer):
    """Amounts per currency, never added as they are, and their total converted into the reporting currency at
    the ``rates`` given (null with ``missing_rates`` when a currency has no rate)."""

    by_currency = money_by_currency()
    currency = serializers.CharField(help_text="The organization's reporting currency.")
    converted = MoneyField(allow_null=True, help_text="In `currency`.")
    rates = RateSerializer(many=True)
    rates_date = serializers.DateField(allow_null=True, help_text="The date of the oldest reference rate used.")
    missing_rates = serializers.ListField(child=serializers.CharField())


class CostLineSerializer(KnownFieldsOnly, serializers.Serializer):
    kind = serializers.ChoiceField(choices=["depreciation", "energy", "colocation", "maintenance", "staff"])
    label = serializers.CharField()
    amount_per_month = MoneyField()
    currency = serializers.CharField()
    origin = serializers.CharField()


class SiteCostSerializer(KnownFieldsOnly, serializers.Serializer):
    site = serializers.CharField()
    currency = serializers.CharField()
    lines = CostLineSerializer(many=True)
    tco_per_month = ConvertedSerializer()
    accelerators = serializers.IntegerField()
    reporting_currency = serializers.CharField(help_text="The currency of `cost_per_accelerator_hour`.")
    cost_per_accelerator_hour = MoneyField(allow_null=True, help_text="In `reporting_currency`.")
    figures = FigureSerializer(many=True)


class WorkloadCostSerializer(KnownFieldsOnly, serializers.Serializer):
    workload = serializers.CharField()
    currency = serializers.CharField()
    period = serializers.CharField(help_text='"per month" (inference) or "for the run" (training, fine-tuning).')
    gpu_hours = serializers.FloatField(allow_null=True)
    own_cost = MoneyField(allow_null=True, help_text="GPU-hours x the site's cost per accelerator-hour.")
    cost_per_million_tokens = MoneyField(allow_null=True)
    rent_cost = MoneyField(allow_null=True)
    rent_per_gpu_hour = MoneyField(allow_null=True)
    rent_origin = serializers.CharField(allow_blank=True, help_text="Your cloud capacity record, or a list price.")
    cheaper = serializers.ChoiceField(choices=["own", "rent", "same"], allow_null=True)
    note = serializers.CharField(allow_blank=True)
    figures = FigureSerializer(many=True)


class MoneySerializer(KnownFieldsOnly, serializers.Serializer):
    """Total cost of ownership in the organization's reporting currency: per site, in total, per
    accelerator-hour and per million tokens, and build versus rent per workload. Amounts in different currencies
    are never added: each total gives its amounts per currency and the converted sum with the rates used."""

    reporting_currency = serializers.CharField()
    includes = serializers.ListField(child=serializers.CharField(), help_text="The cost lines the totals include.")
    tco_per_month = ConvertedSerializer()
    energy_cost_per_month = ConvertedSerializer()
    cost_per_accelerator_hour = MoneyField(allow_null=True, help_text="In `reporting_currency`.")
    cost_per_million_tokens = MoneyField(allow_null=True, help_text="In `reporting_currency`.")
    sites = SiteCostSerializer(many=True)
    workloads = WorkloadCostSerializer(many=True)
    figures = FigureSerializer(many=True)


class TotalSerializer(KnownFieldsOnly, serializers.Serializer):
    it_power_kw = serializers.FloatField()
    facility_power_kw = serializers.FloatField()
    energy_kwh_per_month = serializers.FloatField()
    tco2_per_month = serializers.FloatField()
    cost_per_month_by_currency = money_by_currency(
        help_text="Monthly energy cost of the priced sites, per currency: amounts in different currencies are "
        "never added.",
    )
    currencies = serializers.ListField(child=serializers.CharField())
    unpriced_sites = serializers.ListField(child=serializers.CharField())
    cost_per_month_converted = ConvertedSerializer(
        help_text="The energy cost per currency and its total in the reporting currency, with the rates and date."
    )
    accelerators = serializers.IntegerField()
    accelerator_memory_gb = serializers.FloatField()
    bf16_pflops = serializers.FloatField()
    figures = FigureSerializer(many=True)


class AlternativeSerializer(KnownFieldsOnly, serializers.Serializer):
    pool = serializers.CharField()
    fits = serializers.BooleanField()
    bottleneck = serializers.CharField(allow_null=True)
    gpus_needed = serializers.IntegerField(allow_null=True)


class VerdictSerializer(KnownFieldsOnly, serializers.Serializer):
    workload = serializers.CharField()
    workload_id = serializers.IntegerField(allow_null=True)
    fits = serializers.BooleanField()
    pool = serializers.CharField(allow_null=True)
    bottleneck = serializers.CharField(allow_null=True)
    meets_latency_targets = serializers.BooleanField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    figures = FigureSerializer(many=True)
    alternatives = AlternativeSerializer(many=True)


class AssumptionSerializer(KnownFieldsOnly, serializers.Serializer):
    what = serializers.CharField()
    value = serializers.CharField()
    source = serializers.CharField()


class CapacitySummarySerializer(KnownFieldsOnly, serializers.Serializer):
    """The organization's month per site and in total (money per currency), each workload's verdict, every figure
    with its formula, inputs and source, and the assumptions."""

    sites = SiteFootprintSerializer(many=True)
    total = TotalSerializer()
    money = MoneySerializer()
    workloads = VerdictSerializer(many=True)
    assumptions = serializers.DictField(child=serializers.JSONField())
    assumptions_table = AssumptionSerializer(many=True)
    sources = serializers.DictField(child=serializers.CharField())


class EstimateResponseSerializer(KnownFieldsOnly, serializers.Serializer):
    """The estimate: the summary's sites and totals, the workload's verdict with every figure, and the quantized
    serving answers (``serving_memory``; null for training or when no pool holds the workload's accelerators)."""

    sites = SiteFootprintSerializer(many=True)
    total = TotalSerializer()
    money = MoneySerializer()
    estimate = VerdictSerializer(help_text="The verdict: fits, pool, bottleneck, reasons, figures.")
    serving_memory = ServingMemorySerializer(allow_null=True)
    assumptions = serializers.DictField(child=serializers.JSONField())
    assumptions_table = AssumptionSerializer(many=True)
    sources = serializers.DictField(child=serializers.CharField())


def sizing_data(verdict: WorkloadVerdict, what_if: WhatIf, batch: int) -> dict[str, Any] | None:
    sizing = serving_sizing(verdict, what_if=what_if, batch=batch)
    if sizing is None:
        return None
    return {name: getattr(sizing, name) for name in ServingMemorySerializer().fields}


def footprint_data(site: SiteFootprint) -> dict[str, Any]:
    return {
        "site": site.site.name,
        "servers": site.servers,
        "accelerators": site.accelerators,
        "it_power_kw": _thousandth(site.footprint.it_power_kw),
        "pue": site.pue,
        "facility_power_kw": _thousandth(site.footprint.facility_power_kw),
        "power_capacity_kw": site.power_capacity_kw,
        "energy_kwh_per_month": _tenth(site.footprint.energy_kwh_per_month),
        "price_per_kwh": decimal_string(site.price_per_kwh, site.currency, decimals=4),
        "cost_per_month": decimal_string(site.cost_per_month, site.currency),
        "currency": site.currency,
        "grid_g_co2_per_kwh": site.g_per_kwh,
        "grid_basis": site.grid_basis,
        "tco2_per_month": _thousandth(site.footprint.tco2_per_month),
        "power_sources": dict(site.power_sources),
        "power_sources_in_words": site.power_sources_in_words,
        "rated_it_power_kw": _thousandth(site.rated_it_power_kw),
        "measured_servers": site.measured_servers,
        "measured_it_power_kw": _thousandth(site.measured_it_power_kw),
        "measured_rated_kw": _thousandth(site.measured_rated_kw),
        "figures": [figure.as_dict() for figure in site.figures],
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


FLOAT_DIGITS = 12
"""Significant digits a float of the capacity API keeps: what the model's arithmetic carries, without the binary
tail a float picks up on the way (353.12899999999996 kW is written 353.129)."""


def money_written(data: Any) -> Any:
    """``data`` with every figure's and input's money value (its unit names a currency) a decimal string, and every
    other float written to `FLOAT_DIGITS` significant digits."""
    if isinstance(data, list):
        return [money_written(item) for item in data]
    if isinstance(data, float):
        return float(f"{data:.{FLOAT_DIGITS}g}") if math.isfinite(data) else data
    if not isinstance(data, dict):
        return data
    value = data.get("value")
    written = {key: money_written(item) for key, item in data.items()}
    money = money_unit(written["unit"]) if isinstance(written.get("unit"), str) and "value" in written else None
    if money is not None and isinstance(value, int | float) and not isinstance(value, bool):
        written["value"] = decimal_string(value, money[0], decimals=money[1])
    return written


def _thousandth(value: float | None) -> float | None:
    """Power in kW to the watt, energy and carbon to a tenth of their unit: a figure, not a float's tail."""
    return None if value is None else round_half_away(value, 3)


def _tenth(value: float | None) -> float | None:
    return None if value is None else round_half_away(value, 1)


def by_currency(amounts: Any) -> dict[str, str | None]:
    """Amounts keyed by their currency, each written as that currency's money (`decimal_string`)."""
    return {currency: decimal_string(amount, currency) for currency, amount in dict(amounts).items()}


def converted_data(total: MoneyTotal) -> dict[str, Any]:
    rates = total.rates_used
    dates = [r.on for r in rates if r.on is not None and not r.overridden]
    return {
        "by_currency": by_currency(total.by_currency),
        "currency": total.currency,
        "converted": decimal_string(total.converted, total.currency),
        "rates": [
            {
                "currency": r.currency,
                "rate_per_eur": float(r.per_eur),
                "date": r.on,
                "source": r.source,
                "overridden": r.overridden,
                "overridden_by": r.overridden_by,
                "overridden_at": r.overridden_at,
            }
            for r in rates
        ],
        "rates_date": min(dates) if dates else None,
        "missing_rates": list(total.missing),
    }


def money_data(costs: CostSummary) -> dict[str, Any]:
    return {
        "reporting_currency": costs.currency,
        "includes": list(costs.included),
        "tco_per_month": converted_data(costs.total),
        "energy_cost_per_month": converted_data(costs.energy),
        "cost_per_accelerator_hour": decimal_string(costs.per_accelerator_hour, costs.currency),
        "cost_per_million_tokens": decimal_string(costs.per_million_tokens, costs.currency),
        "sites": [
            {
                "site": site.site.name,
                "currency": site.currency,
                "lines": [
                    {
                        "kind": line.kind,
                        "label": line.label,
                        "amount_per_month": decimal_string(line.amount, line.currency),
                        "currency": line.currency,
                        "origin": line.origin,
                    }
                    for line in site.lines
                ],
                "tco_per_month": converted_data(site.total),
                "accelerators": site.accelerators,
                "reporting_currency": costs.currency,
                "cost_per_accelerator_hour": decimal_string(site.per_accelerator_hour, costs.currency),
                "figures": [figure.as_dict() for figure in site.figures],
            }
            for site in costs.sites
        ],
        "workloads": [
            {
                "workload": item.verdict.workload.name,
                "currency": item.currency,
                "period": item.period,
                "gpu_hours": _tenth(item.gpu_hours),
                "own_cost": decimal_string(item.own, item.currency),
                "cost_per_million_tokens": decimal_string(item.per_million_tokens, item.currency),
                "rent_cost": decimal_string(item.rent, item.currency),
                "rent_per_gpu_hour": decimal_string(item.rent_per_gpu_hour, item.currency),
                "rent_origin": item.rent_origin,
                "cheaper": item.comparison.cheaper if item.comparison else None,
                "note": item.note,
                "figures": [figure.as_dict() for figure in item.figures],
            }
            for item in costs.workloads
        ],
        "figures": [figure.as_dict() for figure in costs.figures],
    }


def summary_data(summary: CapacitySummary, costs: CostSummary) -> dict[str, Any]:
    total = summary.total
    return {
        "sites": [footprint_data(site) for site in summary.sites],
        "total": {
            "it_power_kw": _thousandth(total.it_power_kw),
            "facility_power_kw": _thousandth(total.facility_power_kw),
            "energy_kwh_per_month": _tenth(total.energy_kwh_per_month),
            "tco2_per_month": _thousandth(total.tco2_per_month),
            "cost_per_month_by_currency": by_currency(total.costs),
            "currencies": sorted(summary.currencies),
            "unpriced_sites": list(total.unpriced_sites),
            "cost_per_month_converted": converted_data(costs.energy),
            "accelerators": summary.accelerators,
            "accelerator_memory_gb": summary.memory_gb,
            "bf16_pflops": _thousandth(summary.bf16_tflops / 1000),
            "figures": [figure.as_dict() for figure in summary.figures],
        },
        "money": money_data(costs),
        "workloads": [verdict_data(v) for v in summary.verdicts],
        "assumptions": {
            "hours_per_month": 730,
            "load": LOAD_BASIS,
            "cost": "energy in each site's currency; totals per currency, never added across currencies, and converted "
            "into the reporting currency at the rates given; `money` adds the total cost of ownership",
        },
        "assumptions_table": [{"what": a.what, "value": a.value, "source": a.source} for a in ASSUMPTIONS],
        "sources": SOURCES,
    }


class CapacitySummaryView(OrganizationScopedAPIMixin, APIView):
    """The organization's monthly power, energy, cost and carbon per site and in total, and each workload's
    verdict (fits or not, where, with what, and the bottleneck). Every figure comes as ``{name, label, value,
    unit, formula, inputs, source}``; money is totalled per currency, never across currencies."""

    @extend_schema(responses=CapacitySummarySerializer)
    def get(self, request: Request) -> Response:
        summary = analysis_of(organization=self.organization)
        return Response(money_written(summary_data(summary, costs_for(organization=self.organization))))


class CapacityEstimateView(OrganizationScopedAPIMixin, APIView):
    """Estimate one workload (a stored one, or described in the request) against the inventory, optionally
    with a hypothetical change (GPU type and count at a site, PUE, electricity price, precision). Nothing is
    stored, so viewers may ask too. Every figure comes with its unit, formula and source."""

    write_role = Role.VIEWER

    @extend_schema(request=EstimateSerializer, responses=EstimateResponseSerializer)
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
            kv_cache_precision=change.get("kv_cache_precision"),
        )
        summary = analyse(organization=self.organization, what_if=what_if, workloads=[workload])
        body = summary_data(summary, costs_of(organization=self.organization, summary=summary))
        body["estimate"] = body.pop("workloads")[0]
        body["serving_memory"] = sizing_data(summary.verdicts[0], what_if, data["serving_batch"])
        return Response(money_written(body))
