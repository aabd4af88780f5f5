"""Inventory → Exchange rates: the rates the organization's money is converted with (ECB reference rates, dated
and sourced), and owners' overrides, shown with who set them and when."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError, add_to_form

from . import services
from .selectors import rate_rows_for


class RateOverrideForm(forms.Form):
    currency = forms.CharField(max_length=3, label="Currency", help_text="ISO code, e.g. USD.")
    rate_per_eur = forms.DecimalField(
        min_value=Decimal("0.000001"),
        max_digits=18,
        decimal_places=6,
        label="Units per euro",
        help_text="1 EUR = this many units.",
    )
    note = forms.CharField(max_length=200, required=False, label="Why", help_text="e.g. our 2026 budget rate.")


class ExchangeRatesView(OrganizationViewMixin, TemplateView):
    template_name = "inventory/exchange_rates.html"
    write_role = Role.OWNER

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RateOverrideForm())
        context["rates"] = rate_rows_for(organization=self.organization)
        context["can_override"] = self.membership.has_role(Role.OWNER)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "clear" in request.POST:
            services.rate_override_clear(organization=self.organization, currency=request.POST["clear"])
            messages.success(request, f"{request.POST['clear'].upper()} is converted at the reference rate again.")
            return redirect("inventory:exchange_rates")
        form = RateOverrideForm(request.POST)
        if form.is_valid():
            try:
                item = services.rate_override_set(
                    organization=self.organization, user=request.user, **form.cleaned_data
                )
            except DomainError as error:
                add_to_form(form, error)
            else:
                messages.success(request, f"Your rate for {item.currency} is used from now on.")
                return redirect("inventory:exchange_rates")
        return self.render_to_response(self.get_context_data(form=form))
