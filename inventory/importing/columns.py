"""A column of a CSV chunk converted at once: the same values and the same rules as `cells.fast_cell` cell by cell,
at the cost of a few passes in C over the column.

`column_cells` gives, for a column of a kind, a function of the column's cells in one chunk (a list of strings)
that returns their values when every cell is the common valid case, and raises (anything) otherwise; the importer
then converts that column cell by cell (`fast_cell`, else `convert_cell`, which words the problem). Two ways:

- a column of few distinct cells (a status, a vendor, a site, a count) is converted once per distinct cell with
  `fast_cell` (the text of a cell is all its value depends on);
- any other column is read with one builtin mapped over it (``int``, ``float``, ``Decimal``,
  ``date.fromisoformat``, a dictionary of choices) and checked with its field's validators as a whole: a limit
  is a comparison with the column's ``min`` or ``max``, a name's characters one regular-expression search of the
  column (`config.validators.refuses_any`); a validator with no column form runs on each value.

Either way the validators are the model field's own (`cells.field_checks`): the rules stay on the model.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core import validators as django_validators
from django.db import models

from config.validators import refuses_any

from ..validators import Bounds
from .cells import BOOLEAN_WORDS, NotFast, choice_lookup, fast_cell, fast_reading
from .specs import Column, KindSpec

ColumnReader = Callable[[list[str]], list[Any]]
FEW = 4
"""A column with at most one distinct cell in `FEW` is converted once per distinct cell."""


def _text(values: list[str]) -> list[Any]:
    if any(value[:1] in ("'", "#") for value in values):  # maybe a formula guard from CSV export, or a
        raise NotFast  # spreadsheet's error (`cells.SPREADSHEET_ERRORS`): cell by cell
    return [value.strip(" ") for value in values]


def _lookup(mapping: dict[str, Any]) -> ColumnReader:
    return lambda values: [mapping[value.strip().lower()] for value in values]


def _decimals(values: list[str]) -> list[Any]:
    numbers = list(map(Decimal, map(str.strip, values)))
    if not all(map(Decimal.is_finite, numbers)):
        raise NotFast
    return numbers


def _floats(values: list[str]) -> list[Any]:
    numbers = list(map(float, values))
    if not all(map(math.isfinite, numbers)):
        raise NotFast
    return numbers


def _dates(values: list[str]) -> list[Any]:
    return list(map(datetime.date.fromisoformat, map(str.strip, values)))


def _integers(values: list[str]) -> list[Any]:
    return list(map(int, values))


_READERS: dict[str, ColumnReader] = {
    "date": _dates,
    "decimal": _decimals,
    "float": _floats,
    "integer": _integers,
    "text": _text,
}


def _reader(model_field: models.Field) -> ColumnReader | None:
    """`cells._fast_reader` for a whole column (``None``: the field has no fast reading)."""
    reading = fast_reading(model_field)
    if reading == "choice":
        return _lookup(choice_lookup(model_field))
    if reading == "boolean":
        return _lookup(BOOLEAN_WORDS)
    return _READERS.get(reading) if reading is not None else None


def _check(validator: Callable[[Any], None]) -> Callable[[list[Any]], None]:
    """A validator applied to a column: raises when a value breaks it (the cell's own check then words it)."""
    limit = getattr(validator, "limit_value", None)
    if limit is not None and not callable(limit):
        if isinstance(validator, django_validators.MinValueValidator):
            return lambda values: _fail(min(values) < limit)
        if isinstance(validator, django_validators.MaxValueValidator):
            return lambda values: _fail(max(values) > limit)
        if isinstance(validator, django_validators.MaxLengthValidator):
            return lambda values: _fail(max(map(len, values)) > limit)
    if isinstance(validator, Bounds):
        bounds = validator

        def within(values: list[Any]) -> None:
            low, high = min(values), max(values)
            _fail(
                (bounds.above is not None and not low > bounds.above)
                or (bounds.at_least is not None and low < bounds.at_least)
                or (bounds.at_most is not None and high > bounds.at_most)
            )

        return within

    def each(values: list[Any]) -> None:
        refused = refuses_any(validator, values)
        if refused is None:
            for value in values:
                validator(value)
        else:
            _fail(refused)

    return each


def _fail(broken: bool) -> None:
    if broken:
        raise NotFast


def column_cells(spec: KindSpec, column: Column) -> ColumnReader | None:
    """The values of a column's CSV cells in one chunk, or an exception when one is not the common valid case;
    ``None`` when the column has no fast form (its cells are converted one by one, the generic way)."""
    cell = fast_cell(spec, column)
    if cell is None:
        return None
    if column.relation is not None:
        read: ColumnReader | None = _text
        checks: list[Callable[[list[Any]], None]] = []
    else:
        model_field = spec.model_field(column.name)
        read = _reader(model_field)
        if read is None:
            return None
        checks = [_check(validator) for validator in model_field.validators]

    def convert(values: list[str]) -> list[Any]:
        if not values:
            return []
        distinct = set(values)
        if len(distinct) * FEW <= len(values):
            known = {value: cell(value) for value in distinct}
            return list(map(known.__getitem__, values))
        if not all(map(str.strip, values)):  # an empty cell: its column's empty value, cell by cell
            raise NotFast
        results = read(values)
        for check in checks:
            check(results)
        return results

    return convert
