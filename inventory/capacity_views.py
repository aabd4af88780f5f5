"""The capacity page: each workload's verdict, each site's power, energy, cost and carbon, and a what-if form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.views.generic import TemplateView

from accounts.scoping import OrganizationViewMixin

from . import selectors
from .analysis import WhatIf, analyse, verdict_figures
from .models import Precision


class WhatIfForm(forms.Form):
    """Hypothetical changes, applied to the analysis only (nothing is stored)."""

    accelerator_type = forms.ModelChoiceField(queryset=None, required=False, label="Add accelerators of type")
    accelerator_count = forms.IntegerField(min_value=0, max_value=100_000, required=False, label="How many")
    site = forms.ModelChoiceField(queryset=None, required=False, label="At site")
    pue = forms.FloatField(min_value=1.0, max_value=5.0, required=False, label="PUE of every site")
    price_per_kwh = forms.FloatField(min_value=0, max_value=10, required=False, label="Electricity price per kWh")
    precision = forms.ChoiceField(choices=[("", "as recorded"), *Precision.choices], required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accelerator_type"].queryset = selectors.accelerator_types_for(organization=organization)
        self.fields["site"].queryset = selectors.sites_for(organization=organization)

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
        )


class CapacityView(OrganizationViewMixin, TemplateView):
    template_name = "inventory/capacity.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = WhatIfForm(self.request.GET or None, organization=self.organization)
        what_if = form.what_if() if form.is_bound and form.is_valid() else None
        summary = analyse(organization=self.organization, what_if=what_if)
        context.update(
            form=form,
            what_if=what_if,
            baseline=analyse(organization=self.organization) if what_if else None,
            summary=summary,
            verdicts=[(v, verdict_figures(v)) for v in summary.verdicts],
        )
        return context
