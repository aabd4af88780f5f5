"""Numbers in Django's admin as the application's pages write them, not as the float is stored.

The admin writes a `FloatField` with ``str()`` (a readiness index of ``73.40619302012674``). A number the application
computes (a score, a priority, a measured percentage) is shown in the admin through `shown_numbers`, by the app's own
rule passed in (`assessments.results.model.score_text`: "73.4"; `inventory.facts.rounded`: by unit), in the field's
place, with the field's label, help text and sort order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.utils.html import format_html

EMPTY = "—"
"""An empty value, as the admin's other computed columns write it."""

Display = Callable[[models.Model], Any]


def shown_numbers(model: type[models.Model], text: Callable[[Any], Any], *names: str) -> dict[str, Display]:
    """For each model field of ``names``, a list column or read-only field showing its value written by ``text``
    (``EMPTY`` when it has none). Put them where the fields were (`in_place`) and exclude the fields from the admin's
    form (`exclude = tuple(shown)`), or the form shows the stored float as well."""
    return {name: _shown(model._meta.get_field(name), text) for name in names}


JSON_DECIMALS = 3
"""Decimals a float inside a stored JSON value keeps in the admin (88.372, not 88.37209302325581)."""


def json_shown(value: Any) -> str:
    """A stored JSON value (a result's facts, a score's or a roadmap item's details) as the admin shows it:
    indented, every float rounded to `JSON_DECIMALS` (the stored value is untouched)."""

    def rounded(item: Any) -> Any:
        if isinstance(item, float):
            return round(item, JSON_DECIMALS) if math.isfinite(item) else item
        if isinstance(item, dict):
            return {key: rounded(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [rounded(inner) for inner in item]
        return item

    return format_html('<pre class="mb-0">{}</pre>', json.dumps(rounded(value), indent=2, ensure_ascii=False))


def in_place(names: Iterable[Any], shown: dict[str, Display]) -> list[Any]:
    """``names`` (of ``list_display``, ``fields``, read-only fields) with each field of ``shown`` replaced by its
    display."""
    return [shown.get(name, name) if isinstance(name, str) else name for name in names]


def _shown(field: Any, text: Callable[[Any], Any]) -> Display:
    name = field.name

    def shown(obj: models.Model) -> Any:
        value = getattr(obj, name)
        return EMPTY if value is None else text(value)

    shown.__name__ = name  # the admin's CSS class of the column, and the field's help text beside it
    return admin.display(description=field.verbose_name, ordering=name)(shown)
