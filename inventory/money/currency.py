"""Currencies and their conversion at dated reference rates.

A `Rate` is the number of units of a currency one euro buys on a date (the ECB euro foreign-exchange reference
rates are quoted this way: "1 EUR = 1.1172 USD"), with its source, or an organization's override (who set it and
when). Converting an amount from currency A to currency B goes through the euro:

    amount_B = amount_A / rate_A x rate_B            (rate_EUR = 1)

so the cross rate B per A is rate_B / rate_A (ECB: "cross rates can be derived from the euro rates"). Amounts in
different currencies are never added: `total_in` converts each currency's amount into one currency, states every
rate and its date, and gives no converted total when a rate is missing (the amounts stay per currency).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .formatting import format_money

EUR = "EUR"


class MissingRate(ValueError):
    """No rate is known for a currency: amounts in it cannot be converted."""

    def __init__(self, currency: str) -> None:
        super().__init__(f"No exchange rate for {currency}.")
        self.currency = currency


@dataclass(frozen=True, slots=True)
class Rate:
    """Units of ``currency`` per euro on ``on``, from ``source``; an override names who set it and when."""

    currency: str
    per_eur: Decimal
    on: date | None
    source: str
    overridden_by: str = ""
    overridden_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.per_eur <= 0:
            raise ValueError(f"A rate must be positive: {self.currency} {self.per_eur}.")

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_by) or self.overridden_at is not None

    @property
    def described(self) -> str:
        """ "1 EUR = 1.1172 USD (ECB reference rate of 2026-10-30)" or "... (set by ann on 2026-12-01)"."""
        text = f"1 EUR = {self.per_eur.normalize():f} {self.currency}"
        if self.overridden:
            when = f" on {self.overridden_at:%Y-%m-%d}" if self.overridden_at else ""
            return f"{text} (set by {self.overridden_by or 'an owner'}{when}, overriding the reference rate)"
        return f"{text} ({self.source.split(',')[0]} of {self.on:%Y-%m-%d})" if self.on else f"{text} ({self.source})"


EURO = Rate(EUR, Decimal(1), None, "the euro itself")


@dataclass(frozen=True)
class RateTable:
    """The rates one organization uses: the latest reference rate of each currency, or its own override."""

    rates: Mapping[str, Rate] = field(default_factory=dict)

    def get(self, currency: str) -> Rate:
        currency = currency.upper()
        if currency == EUR:
            return self.rates.get(EUR, EURO)
        try:
            return self.rates[currency]
        except KeyError:
            raise MissingRate(currency) from None

    def has(self, currency: str) -> bool:
        return currency.upper() == EUR or currency.upper() in self.rates


@dataclass(frozen=True, slots=True)
class Conversion:
    """``amount`` in ``currency`` is ``converted`` in ``to`` at ``rate`` (units of ``to`` per unit of
    ``currency``), from the euro rates ``used`` (each dated and sourced)."""

    amount: float
    currency: str
    converted: float
    to: str
    rate: float
    used: tuple[Rate, ...]

    @property
    def described(self) -> str:
        if self.currency == self.to:
            return f"in {self.to}, no conversion"
        rates = "; ".join(r.described for r in self.used if r.currency != EUR)
        return f"1 {self.currency} = {_significant(self.rate)} {self.to} ({rates})"


def cross_rate(from_currency: str, to_currency: str, table: RateTable) -> tuple[float, tuple[Rate, ...]]:
    """Units of ``to_currency`` per unit of ``from_currency``: rate_to / rate_from, through the euro."""
    source, target = table.get(from_currency), table.get(to_currency)
    if source.currency == target.currency:
        return 1.0, (source,)
    return float(target.per_eur / source.per_eur), (source, target)


def convert(amount: float, from_currency: str, to_currency: str, table: RateTable) -> Conversion:
    """``amount`` of ``from_currency`` in ``to_currency``; `MissingRate` when either rate is unknown."""
    from_currency, to_currency = from_currency.upper(), to_currency.upper()
    if from_currency == to_currency:
        return Conversion(amount, from_currency, amount, to_currency, 1.0, ())
    rate, used = cross_rate(from_currency, to_currency, table)
    return Conversion(amount, from_currency, amount * rate, to_currency, rate, used)


@dataclass(frozen=True)
class MoneyTotal:
    """Amounts per currency (never added together), and their total in ``currency`` when every rate is known:
    ``converted`` is the sum of the ``conversions``; None with ``missing`` naming the currencies without a rate."""

    by_currency: dict[str, float]
    currency: str
    converted: float | None
    conversions: tuple[Conversion, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def single_currency(self) -> str | None:
        return next(iter(self.by_currency)) if len(self.by_currency) == 1 else None

    @property
    def mixed(self) -> bool:
        return len(self.by_currency) > 1

    @property
    def amounts_text(self) -> str:
        """Each currency's amount, formatted ("€221,500 and $35,556"): never their sum."""
        return " and ".join(format_money(amount, currency) for currency, amount in self.by_currency.items())

    @property
    def rates_text(self) -> str:
        """The rates the converted total used, each with its source and date, in words."""
        return "; ".join(rate.described for rate in self.rates_used)

    @property
    def rates_used(self) -> tuple[Rate, ...]:
        seen: dict[str, Rate] = {}
        for conversion in self.conversions:
            for rate in conversion.used:
                if rate.currency != EUR:
                    seen.setdefault(rate.currency, rate)
        return tuple(seen[key] for key in sorted(seen))


def total_in(amounts: Mapping[str, float] | list[tuple[str, float]], to_currency: str, table: RateTable) -> MoneyTotal:
    """Amounts (a mapping or (currency, amount) pairs, several of a currency allowed) summed per currency, and
    each currency's sum converted to ``to_currency``; their converted total, or None when a rate is missing."""
    items = amounts.items() if isinstance(amounts, Mapping) else amounts
    per: dict[str, float] = {}
    for currency, amount in items:
        per[currency.upper()] = per.get(currency.upper(), 0.0) + float(amount)
    # A currency whose amounts sum to nothing (a site priced in CHF with no server) is left out: "0.00 CHF and
    # €51,127" says nothing more than "€51,127", and would ask for a rate it does not need. All zero: kept as is.
    per = dict(sorted((c, a) for c, a in per.items() if a != 0) or sorted(per.items()))
    to_currency = to_currency.upper()
    conversions, missing = [], []
    for currency, amount in per.items():
        try:
            conversions.append(convert(amount, currency, to_currency, table))
        except MissingRate as error:
            missing.append(error.currency)
    if missing:
        return MoneyTotal(per, to_currency, None, tuple(conversions), tuple(sorted(set(missing))))
    return MoneyTotal(per, to_currency, sum(c.converted for c in conversions), tuple(conversions))


def _significant(rate: float, digits: int = 5) -> str:
    """A derived rate as people read it: five significant digits, never an exponent (0.89510, 1.1172, 161.23)."""
    if rate <= 0:
        return f"{rate:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(rate)))
    return f"{rate:,.{decimals}f}"
