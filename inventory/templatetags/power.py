"""``{% load power %}``: ``{{ kw|headroom }}`` states a site's power headroom as the capacity tables show it, in kW
with one decimal ("261.7"), and a site already over its capacity in words ("2.2 over"), never as a negative
headroom (docs/capacity.md, "Site power check"); ``{{ kw|capacity_kw }}`` states a recorded capacity as recorded
("400", "95.5"), so that capacity - draw reads right beside the headroom."""

from __future__ import annotations

from typing import Any

from django import template

from ..rounding import round_half_away

register = template.Library()


def _kw(value: float, decimals: int) -> str:
    return f"{round_half_away(value, decimals):,.{decimals}f}"


@register.filter(name="headroom")
def headroom(value: Any) -> str:
    if value in (None, ""):
        return "–"
    kw = float(value)
    if round_half_away(kw, 1) < 0:
        return f"{_kw(-kw, 1)} over"
    return _kw(abs(kw), 1)  # -0.04 reads "0.0", not "-0.0"


@register.filter(name="capacity_kw")
def capacity_kw(value: Any) -> str:
    if value in (None, ""):
        return "–"
    return f"{round_half_away(float(value), 2):,.2f}".rstrip("0").rstrip(".")
