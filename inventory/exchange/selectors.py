"""The rates an organization converts with: its overrides, else the latest reference rate of each currency."""

from __future__ import annotations

from accounts.models import Organization

from ..money import Rate, RateTable
from .models import ExchangeRate, ExchangeRateOverride


def rate_table_for(*, organization: Organization) -> RateTable:
    """The latest ECB reference rate of every currency, replaced by the organization's overrides. Two queries."""
    rates: dict[str, Rate] = {}
    for row in ExchangeRate.objects.order_by("currency", "-date").distinct("currency") if _distinct_on() else _latest():
        rates[row.currency] = Rate(row.currency, row.rate_per_eur, row.date, row.source)
    overrides = ExchangeRateOverride.objects.filter(organization=organization).select_related("set_by")
    for item in overrides:
        reference = rates.get(item.currency)
        rates[item.currency] = Rate(
            item.currency,
            item.rate_per_eur,
            item.set_at.date() if item.set_at else None,
            f"set by the organization{': ' + item.note if item.note else ''}"
            + (f" (reference rate {reference.per_eur.normalize():f} of {reference.on:%Y-%m-%d})" if reference else ""),
            overridden_by=(item.set_by.get_username() if item.set_by else "an owner"),
            overridden_at=item.set_at,
        )
    return RateTable(rates)


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _latest() -> list[ExchangeRate]:
    """The latest row per currency where DISTINCT ON is not available (SQLite): one query, newest first."""
    seen: dict[str, ExchangeRate] = {}
    for row in ExchangeRate.objects.order_by("currency", "-date"):
        seen.setdefault(row.currency, row)
    return list(seen.values())


def rate_rows_for(*, organization: Organization) -> list[dict]:
    """The rate table as rows for pages and the API: currency, rate, date, source, overridden, by, at."""
    table = rate_table_for(organization=organization)
    return [
        {
            "currency": rate.currency,
            "rate_per_eur": rate.per_eur,
            "date": rate.on,
            "source": rate.source,
            "overridden": rate.overridden,
            "overridden_by": rate.overridden_by,
            "overridden_at": rate.overridden_at,
            "described": rate.described,
        }
        for rate in sorted(table.rates.values(), key=lambda r: r.currency)
    ]
