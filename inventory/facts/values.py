"""A fact's value (`FactValue`) and how people read it: rounded by its unit (`rounded`), with its unit or its
choice's label (`shown`); pages, the PDF, the API and the questionnaire's pre-filled answers all read it so."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..capacity.figures import format_amount, is_money_unit
from ..rounding import round_half_away
from .definitions import CHOICE_LABELS, fact_label, unit_now


@dataclass(frozen=True)
class FactValue:
    name: str
    value: float | str
    unit: str
    explanation: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return fact_label(self.name)

    @property
    def text(self) -> str:
        """The value as people read it, rounded by its unit, with its unit ("84.8 %", "InfiniBand")."""
        return shown(self.value, self.unit)


DECIMALS_BY_UNIT = {"%": 1, "ratio": 2, "count": 0, "gCO2e/kWh": 0, "GB/s": 1, "Gb/s": 0}
"""How many decimals a fact's value keeps, by its unit (money: 2); other units keep four significant digits."""

UNITLESS = ("ratio", "count", "choice", "")


def rounded(value: float | str, unit: str = "") -> float | str:
    """A fact's value rounded by its unit (`DECIMALS_BY_UNIT`; money per month 2 decimals; else 4 significant
    digits): what the questionnaire pre-fills and people read. Text is returned as it is. A unit once written
    otherwise (`unit_now`: gCO2/kWh) rounds as it is written now."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    unit = unit_now(unit)
    decimals = DECIMALS_BY_UNIT.get(unit, 2 if unit.endswith("/month") else None)
    exact = Decimal(repr(float(value)))  # its decimal spelling: 1.405 is 1.405, not the binary 1.40499...
    if not exact.is_finite():
        return float(value)
    if decimals is None:
        if exact.is_zero():
            return float(value)
        decimals = 3 - exact.adjusted()  # four significant digits
    # Half away from zero, as scores (round_score) and money (format_money) are: a PUE of 1.405 is 1.41 and 62.25 %
    # is 62.3 %, where round() gave 1.4 and 62.2 (half to even, on the binary value).
    rounded_value = round_half_away(exact, decimals)
    return int(rounded_value) if decimals == 0 else rounded_value


def shown(value: float | str, unit: str = "") -> str:
    """A fact's value as people read it: rounded by its unit, with the unit ("84.8 %", "1.39", "InfiniBand");
    money as `format_money` writes it ("€202/month"); without a unit, four significant digits. Choices by their
    label. A unit once written otherwise reads as it is written now (`unit_now`: "381 gCO2e/kWh")."""
    if isinstance(value, str):
        return CHOICE_LABELS.get(value, value)
    unit = unit_now(unit)
    if is_money_unit(unit):  # the money rule: "€202/month", "$0.42/h"
        return format_amount(value, unit)
    value = rounded(value, unit)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.{_decimals(value, unit)}f}"
    if unit == "ratio" and "." in text:  # a PUE of 2.1 reads "2.1", 1.35 "1.35"
        text = text.rstrip("0").rstrip(".")
    return text if unit in UNITLESS else f"{text} {unit}"


def _decimals(value: float, unit: str) -> int:
    decimals = DECIMALS_BY_UNIT.get(unit, 2 if unit.endswith("/month") else None)
    if decimals is not None:
        return decimals
    text = f"{value:.4g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0
