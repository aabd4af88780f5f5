"""A figure's number is written rounded half away from zero, as money, scores and the charts' tables are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.capacity.figures import format_column, format_value
from inventory.rounding import round_half_away


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (150.25, "150.3 kW"),  # Python's formatting gave 150.2 (half to even), the chart's table 150.3
        (1234.5, "1,235 kW"),  # gave 1,234
        (-150.25, "-150.3 kW"),
        (0.125, "0.125 kW"),
        (2.675, "2.68 kW"),  # the binary value is 2.67499...: gave 2.67
        (1.425e14, "1.43 x 10¹⁴ kW"),  # gave 1.42
        (99.95, "100 kW"),
    ],
)
def test_format_value_rounds_half_away_from_zero(value: float, shown: str) -> None:
    assert format_value(value, "kW") == shown


def test_format_column_rounds_half_away_from_zero() -> None:
    assert format_column([0.125, 10.2]) == ["0.13", "10.20"]  # gave 0.12


@given(st.integers(min_value=1000, max_value=9_989))
def test_a_figure_of_power_rounds_by_the_one_rule(tenths: int) -> None:
    # The charts' tables, money, facts and scores round with the same function (inventory.rounding); that they
    # agree with a figure is reports/tests/test_chart_rounding.py's.
    value = tenths / 10 + 0.05  # a value of 100-999 kW (one decimal shown), on a half of the last shown place
    assert format_value(value, "kW") == f"{round_half_away(value, 1):,.1f} kW".replace(".0 kW", " kW")
