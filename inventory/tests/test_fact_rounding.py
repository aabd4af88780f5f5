"""A fact's value is rounded once, half away from zero on its decimal spelling, by its unit (docs/scoring.md,
"Wording"): what the questionnaire pre-fills and scoring then uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.facts import rounded, shown
from inventory.rounding import round_half_away


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.405, "ratio", 1.41),  # round(1.405, 2) gave 1.4: the binary value is 1.40499...
        (62.25, "%", 62.3),  # round gave 62.2 (half to even)
        (2.5, "count", 3),  # round gave 2
        (-2.5, "count", -3),
        (381.5, "gCO2/kWh", 382),
        (202.125, "EUR/month", 202.13),
        (88.372, "%", 88.4),  # the demo's accelerators older than three years: unchanged
        (1.406, "ratio", 1.41),  # the demo's average PUE: unchanged
        (12345.6, "kW", 12350.0),  # four significant digits
        (0.00012345, "", 0.0001235),
        (0, "", 0.0),
    ],
)
def test_a_fact_rounds_half_away_from_zero(value: float, unit: str, expected: float) -> None:
    assert rounded(value, unit) == expected
    assert type(rounded(value, unit)) is type(expected)


def test_the_shown_value_is_the_rounded_one() -> None:
    assert shown(1.405, "ratio") == "1.41"
    assert shown(62.25, "%") == "62.3 %"


@given(st.integers(min_value=0, max_value=10**6))
def test_one_decimal_percentages_round_by_the_one_rule(tenths_and_half: int) -> None:
    value = tenths_and_half / 100  # that scores round the same way: assessments/tests/test_display_rounding.py
    assert rounded(value, "%") == round_half_away(value, 1)
