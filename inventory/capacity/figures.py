"""Figures that carry their own calculation: value and unit, formula, inputs (each with unit and origin), source.

A `Figure` is what every page, the API and the PDF show of a number the model computes, so that a reader can
reproduce it: ``value`` in ``unit``; ``formula`` in words; ``inputs``, each an `Input` with its own value, unit and
**origin** (which record, reference row, assumption or other figure it comes from); and ``source``, the
publication or definition the formula follows. `Figure.missing` names any part that is absent; a test walks every
figure of the demo with it.

Pure Python: the analysis (`inventory.analysis`) fills origins from the records it read (e.g. "Site Frankfurt
DC: PUE 1.35 (recorded)"), the pure model (`explain`) builds the figures of a fit from the inputs it used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money.formatting import format_money
from ..rounding import round_half_away

Value = float | int | bool

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _significant(number: float, digits: int) -> float:
    """``number`` rounded half away from zero to ``digits`` significant digits."""
    if number == 0 or not math.isfinite(number):
        return number
    return round_half_away(number, digits - 1 - Decimal(repr(float(number))).adjusted())


COUNTED = frozenset(
    {"GPUs", "accelerators", "servers", "replicas", "requests", "tokens", "parameters", "heads", "layers", "days"}
)
"""Units that are things counted: one of them is written in the singular ("1 replica", not "1 replicas")."""


def format_value(value: Value | None, unit: str = "") -> str:
    """A number as people read it, with its unit: yes/no for booleans, thousands grouped, three significant
    digits below 1,000 (one decimal from 100), powers of ten from 10 million (1.42 x 10¹⁴); rounded half away from
    zero (`round_half_away`). A fraction reads as a percentage ("0.9 fraction" is "90 %"); one thing counted in the
    singular ("1 replica")."""
    if value is None:
        return "not determined"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "fraction" and isinstance(value, int | float) and math.isfinite(value):
        return format_value(float(value) * 100, "%")
    if unit in COUNTED and value == 1:
        unit = unit[:-1]
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        number = float(value)
        size = abs(number)
        if not math.isfinite(number):
            text = str(number)
        elif size >= 1e7:
            mantissa, exponent = f"{_significant(number, 3):.2e}".split("e")
            text = f"{float(mantissa):.3g} x 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
        elif size >= 1000:
            text = f"{round_half_away(number, 0):,.0f}"
        elif size >= 100:
            text = f"{round_half_away(number, 1):,.1f}".removesuffix(".0")
        elif size == 0:
            text = "0"
        else:
            text = f"{_significant(number, 3):.3g}"
    return f"{text} {unit}" if unit and unit != "yes/no" else text


def format_capacity_kw(kw: float) -> str:
    """A site's power capacity in kW as it was recorded: at most two decimals, rounded half away from zero
    (`round_half_away`), thousands grouped, no trailing zeros: 400 -> "400", 95.5 -> "95.5", 95.50 -> "95.5",
    1234567.25 -> "1,234,567.25". The capacity table and its "capacity - draw" formula both write it so."""
    return f"{round_half_away(float(kw), 2):,.2f}".rstrip("0").rstrip(".")


def over_capacity(headroom_kw: float) -> bool:
    """Whether a site's power headroom (IT capacity - IT power, kW) says it is over its capacity: below zero at the
    one decimal it is read at (-0.04 is not over: it reads 0.0)."""
    return round_half_away(float(headroom_kw), 1) < 0


def _one_decimal(kw: float) -> str:
    return f"{round_half_away(kw, 1):,.1f}"


def format_headroom_kw(headroom_kw: float, spell: Callable[[float], str] = _one_decimal) -> str:
    """A site's power headroom (IT capacity - IT power, kW) as people read it, never as a negative headroom
    (docs/capacity.md, "Site power check"): the amount left, "261.7"; a site already over its capacity
    (`over_capacity`) in words, "2.2 over". ``spell`` writes the amount, rounded half away from zero to one decimal
    and never negative (the default: one decimal, thousands grouped); a chart spells it with its unit
    ("2.2 kW over")."""
    amount = spell(abs(round_half_away(float(headroom_kw), 1)))  # abs: -0.04 reads "0.0", not "-0.0"
    return f"{amount} over" if over_capacity(headroom_kw) else amount


def format_column(values: list[Any]) -> list[Any]:
    """A table column's numbers as people read them, with the same decimals down the column (the most any of its
    numbers needs, at most 2: "106.0" above "10.2", "7,680" not "7680.0"), thousands grouped, powers of ten from
    10 million as `format_value` writes them, rounded half away from zero (`round_half_away`); anything else (text,
    None, yes/no) is left as it is."""
    is_number = [isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values]
    decimals = 0
    for value, number in zip(values, is_number, strict=True):
        if number and abs(value) < 1e7 and isinstance(value, float):
            text = f"{round_half_away(value, 2):.2f}".rstrip("0")
            decimals = max(decimals, len(text.split(".")[1]))
    shown: list[Any] = []
    for value, number in zip(values, is_number, strict=True):
        if not number:
            shown.append(value)
        elif abs(value) >= 1e7:
            shown.append(format_value(value))
        else:
            shown.append(f"{round_half_away(value, decimals):,.{decimals}f}")
    return shown


_RATE_UNIT = re.compile(r"^[A-Z]{3}/[A-Z]{3}$")
RATE_DECIMALS = 4
"""An exchange rate ("USD/EUR") is shown with the four decimals the ECB publishes and conversions use."""
_MONEY_UNIT = re.compile(r"^(?P<currency>[A-Z]{3})(?P<per>/(month|h|Mtoken|GPU-h|run))?$")


def is_money_unit(unit: str) -> bool:
    """Whether ``unit`` is an amount of a currency ("EUR", "USD/month", "EUR/Mtoken", "EUR/run": a training run's
    energy cost)."""
    return _MONEY_UNIT.match(unit or "") is not None


def format_amount(value: Value | None, unit: str) -> str:
    """A value in a money unit ("EUR/month", "USD", "EUR/Mtoken", "EUR/h") formatted by its currency
    ("€185,319/month", "$0.42/Mtoken"); an exchange rate ("USD/EUR") with four decimals ("1.1172 USD/EUR"); any
    other unit as `format_value` does (prices per kWh keep their
    significant digits)."""
    if _RATE_UNIT.match(unit or "") and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.{RATE_DECIMALS}f} {unit}"  # the precision a conversion uses: "1.1172 USD/EUR"
    match = _MONEY_UNIT.match(unit or "")
    if match is None or value is None or isinstance(value, bool):
        return format_value(value, unit)
    return format_money(float(value), match["currency"]) + (match["per"] or "")


@dataclass(frozen=True, slots=True)
class Input:
    """One value a figure is computed from: its name in words, value, unit and origin (the record, reference
    row, assumption or figure it comes from)."""

    name: str
    value: Value
    unit: str
    origin: str

    @property
    def shown(self) -> str:
        return format_amount(self.value, self.unit)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "origin": self.origin}


@dataclass(frozen=True, slots=True)
class Figure:
    """A computed number with everything needed to reproduce it (see the module docstring)."""

    name: str  # a stable identifier, for the API ("weights_gb_per_gpu")
    label: str  # words, for people ("Weights per GPU")
    value: Value
    unit: str
    formula: str
    inputs: tuple[Input, ...]
    source: str
    note: str = ""  # what the figure includes or leaves out, in words ("energy only")
    extra: dict[str, Any] = field(default_factory=dict, compare=False)  # e.g. {"currency": "EUR"}

    @property
    def shown(self) -> str:
        return format_amount(self.value, self.unit)

    def missing(self) -> tuple[str, ...]:
        """The parts this figure lacks, in words (empty when it is reproducible)."""
        gaps = []
        if self.value is None or (isinstance(self.value, float) and not math.isfinite(self.value)):
            gaps.append("value")
        if not self.unit:
            gaps.append("unit")
        if not self.formula:
            gaps.append("formula")
        if not self.source:
            gaps.append("source")
        if not self.inputs:
            gaps.append("inputs")
        for item in self.inputs:
            if item.value is None or not item.unit or not item.origin or not item.name:
                gaps.append(f"input {item.name or '?'}: value, unit and origin")
        return tuple(gaps)

    def as_input(self, name: str | None = None, origin: str | None = None) -> Input:
        """This figure as the input of another: its origin is this figure ("figure Weights per GPU")."""
        label = self.label
        if len(label) > 1 and not label[1].isupper():  # "IT power" and "PUE" keep their capitals
            label = label[:1].lower() + label[1:]
        return Input(name or label, self.value, self.unit, origin or self.origin)

    @property
    def origin(self) -> str:
        return f"figure: {self.label}"

    def as_dict(self) -> dict[str, Any]:
        """The API's structured figure: ``{name, label, value, unit, formula, inputs, source}`` (+ note)."""
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "unit": self.unit,
            "formula": self.formula,
            "inputs": [item.as_dict() for item in self.inputs],
            "source": self.source,
            "note": self.note,
        }


def known_inputs(*items: Input | None) -> tuple[Input, ...]:
    """The inputs that exist (a `None` item, or one whose value is `None`, is left out)."""
    return tuple(item for item in items if item is not None and item.value is not None)


def figure_if_known(
    name: str,
    label: str,
    value: Value | None,
    unit: str,
    formula: str,
    items: tuple[Input, ...],
    source: str,
    note: str = "",
    **extra: Any,
) -> Figure | None:
    """A figure, or `None` when its value could not be determined (nothing to show)."""
    if value is None:
        return None
    return Figure(name, label, value, unit, formula, items, source, note, extra)


def present_figures(*figures: Figure | None) -> tuple[Figure, ...]:
    return tuple(item for item in figures if item is not None)
