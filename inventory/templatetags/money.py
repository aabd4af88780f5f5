"""``{% load money %}``: ``{{ amount|money:currency }}`` formats an amount by its currency (symbol or code, 0 or 2
decimals, thousands grouped; `inventory.money.format_money`), everywhere money is shown on a page or in the PDF.
Exports keep plain numbers and a currency column."""

from __future__ import annotations

from typing import Any

from django import template

from ..money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: Any, currency: str) -> str:
    if amount in (None, ""):
        return "–"
    try:
        return format_money(float(amount), str(currency or ""))
    except (TypeError, ValueError):
        return "–"
