"""A fact's value is rounded once, half away from zero on its decimal spelling, by its unit (docs/scoring.md,
"Wording"): what the questionnaire pre-fills and scoring then uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.facts import FACTS, rounded, shown, unit_now
from inventory.rounding import round_half_away


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.405, "ratio", 1.41),  # round(1.405, 2) gave 1.4: the binary value is 1.40499...
        (62.25, "%", 62.3),  # round gave 62.2 (half to even)
        (2.5, "count", 3),  # round gave 2
        (-2.5, "count", -3),
        (381.5, "gCO2e/kWh", 382),
        (381.5, "gCO2/kWh", 382),  # a result stored before the unit said CO2e rounds as it did
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


def test_the_grid_intensity_reads_co2_equivalent_whichever_way_its_unit_was_stored() -> None:
    # The grid figures are CO2-equivalent (Ember via Our World in Data and codecarbon): one unit, gCO2e/kWh.
    assert FACTS["grid_carbon_intensity_g_per_kwh"].unit == "gCO2e/kWh"
    assert shown(381.4, "gCO2e/kWh") == "381 gCO2e/kWh"
    assert shown(381.4, "gCO2/kWh") == "381 gCO2e/kWh"  # framework files 1.0-1.4 and older results say gCO2/kWh
    assert unit_now("gCO2/kWh") == "gCO2e/kWh"
    assert unit_now("kW") == "kW"


@given(st.integers(min_value=0, max_value=10**6))
def test_one_decimal_percentages_round_by_the_one_rule(tenths_and_half: int) -> None:
    value = tenths_and_half / 100  # that scores round the same way: assessments/tests/test_display_rounding.py
    assert rounded(value, "%") == round_half_away(value, 1)
