"""Charts round their numbers as pages do: once, half away from zero on the decimal spelling (docs/dashboards.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import round_score
from inventory.money.formatting import format_money
from reports.charts.common import _num
from reports.charts.energy import _headroom_kw, _headroom_pct


def test_half_away_from_zero_not_to_even() -> None:
    assert _num(0.125, 2) == 0.13  # money to 0.01: format_money(0.125, "USD") is "$0.13"; round() gave 0.12
    assert _num(1.005, 2) == 1.01  # round() gave 1.0 (the binary value is 1.00499...)
    assert _num(2.5, 0) == 3  # energy to whole kWh; round() gave 2
    assert _num(0.35, 1) == 0.4  # power to 0.1 kW; round() gave 0.3
    assert _num(-2.5, 0) == -3
    assert _num(None, 1) is None
    assert isinstance(_num(2.4, 0), int)


def test_power_headroom_rounds_half_away_from_zero() -> None:
    assert _headroom_pct(99.75, 100.0) == 0.3
    assert _headroom_kw(99.75, 100.0) == 0.3
    assert _headroom_pct(100.25, 100.0) == -0.3


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["5", "50", "4", "6"]))
def test_a_charts_money_matches_the_pages(cents_tenths: int, last: str) -> None:
    amount = float(f"{cents_tenths // 10}.{cents_tenths % 10:01d}{last}")  # a decimal with three places
    shown = format_money(amount, "USD", decimals=2).lstrip("$").replace(",", "")
    assert _num(amount, 2) == float(shown)


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_a_charts_one_decimal_matches_round_score(value: float) -> None:
    assert _num(value, 1) == round_score(value)


def test_a_measure_that_is_not_finite_is_left_as_it_is() -> None:
    assert _num(float("inf"), 1) == float("inf")
    assert _num(float("-inf"), 0) == float("-inf")


@given(st.integers(min_value=1000, max_value=9_989))
def test_a_figure_of_power_shows_what_the_chart_shows(tenths: int) -> None:
    from inventory.capacity import format_value

    value = tenths / 10 + 0.05  # a value of 100-999 kW (one decimal shown), on a half of the last shown place
    assert format_value(value, "kW") == f"{_num(value, 1):,.1f} kW".replace(".0 kW", " kW")


@given(st.integers(min_value=0, max_value=10**6))
def test_a_facts_one_decimal_percentage_is_the_score_rounding(tenths_and_half: int) -> None:
    from inventory.facts import rounded

    value = tenths_and_half / 100
    assert rounded(value, "%") == round_score(value)
