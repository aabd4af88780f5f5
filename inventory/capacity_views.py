"""The capacity page: each workload's verdict, each site's power, energy, cost and carbon, and a what-if form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.views.generic import TemplateView

from accounts.scoping import OrganizationViewMixin

from . import selectors
from .analysis import (
    ASSUMPTIONS,
    CapacitySummary,
    SiteFootprint,
    WhatIf,
    analyse,
    analysis_of,
    costs_for,
    costs_of,
    serving_sizing,
)
from .capacity import format_capacity_kw
from .models import Precision


class WhatIfForm(forms.Form):
    """Hypothetical changes, applied to the analysis only (nothing is stored)."""

    accelerator_type = forms.ModelChoiceField(queryset=None, required=False, label="Add accelerators of type")
    accelerator_count = forms.IntegerField(min_value=0, max_value=100_000, required=False, label="How many")
    site = forms.ModelChoiceField(queryset=None, required=False, label="At site")
    pue = forms.FloatField(min_value=1.0, max_value=5.0, required=False, label="PUE of every site")
    price_per_kwh = forms.FloatField(min_value=0, max_value=10, required=False, label="Electricity price per kWh")
    precision = forms.ChoiceField(choices=[("", "as recorded"), *Precision.choices], required=False)
    kv_cache_precision = forms.ChoiceField(
        choices=[("", "as recorded"), *Precision.choices], required=False, label="KV cache precision"
    )
    serving_batch = forms.IntegerField(
        min_value=1, max_value=4096, required=False, label="Concurrent sequences", help_text="For the largest context."
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accelerator_type"].queryset = selectors.accelerator_types_for(organization=organization)
        self.fields["site"].queryset = selectors.sites_for(organization=organization)
        currency = organization.reporting_currency or "EUR"
        price = self.fields["price_per_kwh"]
        price.label = f"Electricity price per kWh ({currency})"
        price.help_text = f"In {currency}; each site's cost converts it into the site's currency."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("accelerator_count") and not data.get("accelerator_type"):
            self.add_error("accelerator_type", "Choose the type of the accelerators to add.")
        return data

    def what_if(self) -> WhatIf:
        data = self.cleaned_data
        return WhatIf(
            accelerator_type=data.get("accelerator_type"),
            accelerator_count=data.get("accelerator_count") or 0,
            site=data.get("site"),
            pue=data.get("pue"),
            price_per_kwh=data.get("price_per_kwh"),
            precision=data.get("precision") or None,
            kv_cache_precision=data.get("kv_cache_precision") or None,
        )

    def batch(self) -> int:
        return (self.cleaned_data.get("serving_batch") or 1) if self.is_bound and self.is_valid() else 1


@dataclass(frozen=True)
class SiteRow:
    """A site of the capacity table: its footprint (what-if applied) and its power headroom stated as capacity
    minus the recorded draw minus what the what-if adds."""

    footprint: SiteFootprint
    recorded_kw: float
    added_kw: float

    @property
    def headroom_kw(self) -> float | None:
        capacity_kw = self.footprint.power_capacity_kw
        return None if capacity_kw is None else capacity_kw - self.recorded_kw - self.added_kw

    @property
    def headroom_formula(self) -> str:
        if self.footprint.power_capacity_kw is None:
            return "no power capacity recorded"
        capacity = format_capacity_kw(self.footprint.power_capacity_kw)
        text = f"{capacity} kW capacity - {self.recorded_kw:,.1f} kW current draw"
        if self.added_kw:
            text += f" - {self.added_kw:,.1f} kW the what-if adds"
        return text


def site_rows(summary: CapacitySummary, recorded: CapacitySummary) -> list[SiteRow]:
    """Each site of ``summary`` with its recorded draw (from ``recorded``) and what the what-if adds to it."""
    before = {f.site.pk: f.it_power_kw for f in recorded.sites}
    rows = []
    for footprint in summary.sites:
        recorded_kw = before.get(footprint.site.pk, footprint.it_power_kw)
        added = footprint.it_power_kw - recorded_kw
        rows.append(SiteRow(footprint, recorded_kw, added if abs(added) >= 0.05 else 0.0))
    return rows


class CapacityView(OrganizationViewMixin, TemplateView):
    """The recorded inventory's analysis comes from the cache (`analysis_of`, keyed by the organization's data
    version); a what-if is analysed on each request, beside the cached recorded one."""

    template_name = "inventory/capacity.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = WhatIfForm(self.request.GET or None, organization=self.organization)
        what_if = form.what_if() if form.is_bound and form.is_valid() else None
        if what_if == WhatIf():  # e.g. only the number of concurrent sequences was set
            what_if = None
        recorded = analysis_of(organization=self.organization)
        summary = analyse(organization=self.organization, what_if=what_if) if what_if else recorded
        costs = (
            costs_of(organization=self.organization, summary=summary)
            if what_if
            else costs_for(organization=self.organization)
        )
        context.update(
            form=form,
            what_if=what_if,
            baseline=recorded if what_if else None,
            summary=summary,
            measured_window=selectors.measured_window(),
            costs=costs,
            verdicts=[
                (v, v.figures, serving_sizing(v, what_if=what_if, batch=form.batch()), costs.workload(v))
                for v in summary.verdicts
            ],
            site_rows=site_rows(summary, recorded),
            assumptions=ASSUMPTIONS,
        )
        return context
