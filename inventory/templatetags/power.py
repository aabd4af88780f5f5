"""``{% load power %}``: ``{{ kw|headroom }}`` states a site's power headroom as the capacity tables show it, in kW
with one decimal ("261.7"), and a site already over its capacity in words ("2.2 over"), never as a negative
headroom (docs/capacity.md, "Site power check"); ``{{ kw|capacity_kw }}`` states a recorded capacity as recorded
("400", "95.5"), so that capacity - draw reads right beside the headroom. Both are worded by the pure
``inventory.capacity`` (`format_headroom_kw`, `format_capacity_kw`), as the charts and the capacity page's formula
are; a missing value reads "–"."""

from __future__ import annotations

from typing import Any

from django import template

from ..capacity import format_capacity_kw, format_headroom_kw

register = template.Library()


@register.filter(name="headroom")
def headroom(value: Any) -> str:
    if value in (None, ""):
        return "–"
    return format_headroom_kw(float(value))


@register.filter(name="capacity_kw")
def capacity_kw(value: Any) -> str:
    if value in (None, ""):
        return "–"
    return format_capacity_kw(float(value))
