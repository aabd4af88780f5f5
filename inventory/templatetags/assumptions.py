"""The capacity model's assumptions as pages state them: ``{% load assumptions %}{% load_basis %}``."""

from __future__ import annotations

from django import template

from ..analysis import LOAD_BASIS

register = template.Library()


@register.simple_tag
def load_basis() -> str:
    """`inventory.analysis.LOAD_BASIS`: the load every power, energy, cost and carbon figure assumes."""
    return LOAD_BASIS
