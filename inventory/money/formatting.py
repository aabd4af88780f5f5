"""Money as people read it: the currency's symbol (€, $, £, ¥) before the amount or its ISO code after it, whole
units for large amounts and for currencies without minor units, cents for small amounts, thousands grouped.

    format_money(1432.424, "EUR")  -> "€1,432"
    format_money(0.4213, "USD")    -> "$0.42"
    format_money(98.32, "USD")     -> "$98.32"
    format_money(125000, "SEK")    -> "125,000 SEK"
    format_money(1500.6, "JPY")    -> "¥1,501"

Exports keep plain numbers and a currency column; this is for pages and the PDF.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from ..rounding import round_half_away

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
"""Currencies shown with a symbol; every other by its ISO 4217 code (CHF, SEK, CAD...): "$" alone would be
ambiguous between USD, CAD and AUD, so only USD gets it."""

ZERO_DECIMAL = frozenset({"JPY", "KRW", "ISK", "CLP", "VND", "XAF", "XOF"})
"""ISO 4217 currencies with no minor unit (exponent 0)."""

CENTS_BELOW = 100
"""Amounts below this many units keep two decimals ($98.32, €0.42); larger ones are rounded to whole units."""


def symbol_for(currency: str) -> str | None:
    return SYMBOLS.get(currency.upper())


def decimals_for(amount: float, currency: str) -> int:
    """0 for currencies without minor units and for amounts of 100 or more once rounded to the cent; else 2.

    The rounded amount decides: 99.996 is shown "$100" like 100 itself, not "$100.00" (the rule is on the
    amount people read, and 99.996 reads as 100.00).
    """
    if currency.upper() in ZERO_DECIMAL or not math.isfinite(float(amount)):
        return 0
    return 0 if round_half_away(abs(float(amount)), 2) >= CENTS_BELOW else 2


def format_money(amount: float | Decimal | None, currency: str, *, decimals: int | None = None) -> str:
    """``amount`` in ``currency`` as people read it (see the module docstring); "–" for None."""
    if amount is None or currency is None:
        return "–"
    number = float(amount)
    if not math.isfinite(number):
        return "–"
    currency = (currency or "").upper()
    places = decimals_for(number, currency) if decimals is None else decimals
    text = f"{round_half_away(abs(number), places):,.{places}f}"  # half away from zero, as money is rounded
    if text.strip("0.,") == "":  # rounds to zero: no "-0"
        number = 0.0
    sign = "-" if number < 0 else ""
    symbol = symbol_for(currency)
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {currency}".strip()


def minor_unit(currency: str) -> int:
    """The decimals of ``currency``'s minor unit (ISO 4217 exponent): 0 for the yen and its like, else 2."""
    return 0 if (currency or "").upper() in ZERO_DECIMAL else 2


def decimal_string(amount: float | Decimal | None, currency: str, *, decimals: int | None = None) -> str | None:
    """``amount`` as the API writes money: a decimal string rounded half away from zero to ``currency``'s minor unit
    (``decimals`` for a unit price kept finer, e.g. per kWh); None for None or a non-finite amount.

        decimal_string(9056.05077, "EUR")         -> "9056.05"
        decimal_string(1.0121994443541291, "USD") -> "1.01"
        decimal_string(1500.6, "JPY")             -> "1501"
    """
    if amount is None or not math.isfinite(float(amount)):
        return None
    places = minor_unit(currency) if decimals is None else decimals
    exact = amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))
    text = f"{Decimal(repr(round_half_away(exact, places))):.{places}f}"
    return text.removeprefix("-") if Decimal(text) == 0 else text


PRICE_DECIMALS = {"kWh": 4}
"""Unit prices kept finer than the minor unit: an electricity price per kWh is quoted to 4 decimals (as stored)."""

_CODE = re.compile(r"[A-Z]{3}")


def money_unit(unit: str) -> tuple[str, int] | None:
    """The currency and decimals of a figure's unit when it is money, else None (an exchange rate too).

    money_unit("EUR/month") -> ("EUR", 2)     money_unit("USD/kWh") -> ("USD", 4)
    money_unit("JPY") -> ("JPY", 0)           money_unit("USD/EUR") -> None     money_unit("kW") -> None
    """
    code, _, per = (unit or "").partition("/")
    if not _CODE.fullmatch(code) or _CODE.fullmatch(per):
        return None
    return code, PRICE_DECIMALS.get(per, minor_unit(code))
