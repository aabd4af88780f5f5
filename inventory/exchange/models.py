"""Exchange rates: the ECB euro reference rates as dated, sourced reference data (shared by every organization),
and an organization's own rate for a currency, which overrides the reference rate and says who set it and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import OrganizationOwned
from config.fields import UpperCaseCodeField

from ..validators import validate_currency_code


class ExchangeRate(models.Model):
    """Units of ``currency`` one euro bought on ``date`` (e.g. 1 EUR = 1.1172 USD), from ``source``."""

    currency = UpperCaseCodeField(max_length=3, validators=[validate_currency_code])
    date = models.DateField()
    rate_per_eur = models.DecimalField("units per euro", max_digits=18, decimal_places=6)
    source = models.TextField()

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="exchangerate_unique_currency_date"),
            models.CheckConstraint(condition=Q(rate_per_eur__gt=0), name="exchangerate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.rate_per_eur.normalize():f} {self.currency} on {self.date:%Y-%m-%d}"


class ExchangeRateOverride(OrganizationOwned):
    """An organization's own rate for a currency (e.g. its treasury's or budget rate): used instead of the
    reference rate in every conversion of that organization, and shown as overridden, by whom and when."""

    currency = UpperCaseCodeField(max_length=3, validators=[validate_currency_code])
    rate_per_eur = models.DecimalField(
        "units per euro", max_digits=18, decimal_places=6, help_text="Units of the currency one euro buys."
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why, e.g. the budget rate of 2026.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "currency"], name="rateoverride_unique_per_organization"),
            models.CheckConstraint(condition=Q(rate_per_eur__gt=0), name="rateoverride_positive"),
        ]

    def __str__(self) -> str:
        return f"1 EUR = {self.rate_per_eur.normalize():f} {self.currency} (overridden)"
