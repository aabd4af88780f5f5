"""The money math (`inventory.money`, pure Python): conversion through the euro at dated rates, never a sum across
currencies, formatting by currency, and the total cost of ownership with worked examples and properties."""

from __future__ import annotations

import ast
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory import money
from inventory.money import (
    MissingRate,
    Rate,
    RateTable,
    build_vs_rent,
    convert,
    cost_per_accelerator_hour,
    cost_per_million_tokens,
    format_money,
    monthly_depreciation,
    total_in,
)

ECB_2026_10_30 = RateTable(
    {
        "USD": Rate("USD", Decimal("1.1172"), date(2026, 10, 30), "ECB euro foreign exchange reference rates"),
        "GBP": Rate("GBP", Decimal("0.8338"), date(2026, 10, 30), "ECB euro foreign exchange reference rates"),
        "JPY": Rate("JPY", Decimal("175.68"), date(2026, 10, 30), "ECB euro foreign exchange reference rates"),
    }
)


def test_the_package_imports_no_django():
    for path in Path(money.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.startswith("django")], path


# --- conversion -------------------------------------------------------------------------------------------------


def test_worked_example_dollars_to_euros_at_the_ecb_rate():
    # ECB 30 October 2026: 1 EUR = 1.1172 USD, so 9,355 USD = 9,355 / 1.1172 EUR = 8,373.61 EUR.
    conversion = convert(9355, "USD", "EUR", ECB_2026_10_30)
    assert conversion.converted == pytest.approx(8373.61, abs=0.01)
    assert conversion.rate == pytest.approx(1 / 1.1172)
    assert "1 EUR = 1.1172 USD" in conversion.described
    assert "2026-10-30" in conversion.described


def test_worked_example_cross_rate_through_the_euro():
    # 1 GBP in USD = 1.1172 / 0.8338 = 1.33989 (ECB: cross rates are derived from the euro rates).
    assert convert(1, "GBP", "USD", ECB_2026_10_30).converted == pytest.approx(1.1172 / 0.8338)


def test_a_total_over_two_currencies_is_per_currency_and_converted_never_added():
    total = total_in([("EUR", 30558.0), ("USD", 9355.0), ("EUR", 1000.0)], "EUR", ECB_2026_10_30)
    assert total.by_currency == {"EUR": 31558.0, "USD": 9355.0}
    assert total.converted == pytest.approx(31558 + 9355 / 1.1172)
    assert total.converted != pytest.approx(31558 + 9355)  # not the sum of the amounts as they are
    assert [r.currency for r in total.rates_used] == ["USD"]
    assert total.mixed


def test_a_currency_that_sums_to_nothing_is_left_out_of_a_total():
    # a site priced in Swiss francs with no server: "0.00 CHF and €51,127" said nothing, and needed a CHF rate
    total = total_in([("EUR", 51127.0), ("CHF", 0.0), ("USD", 9056.0)], "EUR", ECB_2026_10_30)
    assert total.by_currency == {"EUR": 51127.0, "USD": 9056.0}
    assert total.amounts_text == "€51,127 and $9,056"
    nothing = total_in([("CHF", 0.0)], "EUR", ECB_2026_10_30)
    assert nothing.by_currency == {"CHF": 0.0}  # all zero: kept, in its own currency


def test_a_missing_rate_gives_no_converted_total():
    total = total_in({"EUR": 100.0, "CHF": 50.0}, "EUR", ECB_2026_10_30)
    assert total.converted is None
    assert total.missing == ("CHF",)
    assert total.by_currency == {"CHF": 50.0, "EUR": 100.0}
    with pytest.raises(MissingRate):
        convert(1, "CHF", "EUR", ECB_2026_10_30)


def test_an_override_says_who_set_it_and_when():
    rate = Rate("USD", Decimal("1.10"), date(2026, 12, 1), "budget", "olivia", datetime(2026, 12, 1, 9, 30))
    assert rate.overridden
    assert "set by olivia on 2026-12-01" in rate.described


def test_a_rate_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        Rate("USD", Decimal(0), None, "x")


amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(amounts, st.sampled_from(["EUR", "USD", "GBP", "JPY"]), st.sampled_from(["EUR", "USD", "GBP", "JPY"]))
def test_converting_there_and_back_gives_the_amount(amount, a, b):
    there = convert(amount, a, b, ECB_2026_10_30).converted
    assert convert(there, b, a, ECB_2026_10_30).converted == pytest.approx(amount, rel=1e-9, abs=1e-9)


@given(st.lists(st.tuples(st.sampled_from(["EUR", "USD", "GBP"]), amounts), max_size=12))
def test_the_converted_total_is_the_sum_of_the_conversions(items):
    total = total_in(items, "USD", ECB_2026_10_30)
    expected = sum(convert(amount, code, "USD", ECB_2026_10_30).converted for code, amount in items)
    assert total.converted == pytest.approx(expected, rel=1e-9, abs=1e-6)
    sums: dict[str, float] = {}
    for code, amount in items:
        sums[code] = sums.get(code, 0.0) + amount
    # every currency with an amount, those summing to nothing left out unless all do
    assert set(total.by_currency) == ({code for code, v in sums.items() if v} or set(sums))


# --- formatting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1432.424, "EUR", "€1,432"),
        (98.32, "USD", "$98.32"),
        (0.4213, "USD", "$0.42"),
        (185318.89, "EUR", "€185,319"),
        (125000, "SEK", "125,000 SEK"),
        (1500.6, "JPY", "¥1,501"),
        (12.5, "JPY", "¥13"),
        (-2500, "GBP", "-£2,500"),
        (-0.001, "EUR", "€0.00"),
        (None, "EUR", "–"),
        (Decimal("320000"), "eur", "€320,000"),
        # The amount as rounded decides the decimals: 99.996 reads 100, shown as 100 is ("$100", not "$100.00").
        (99.996, "USD", "$100"),
        (-99.995, "EUR", "-€100"),
        (99.994, "USD", "$99.99"),
    ],
)
def test_money_is_formatted_by_currency(amount, currency, shown):
    assert format_money(amount, currency) == shown


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(["EUR", "USD", "CHF", "JPY"]))
def test_formatting_keeps_the_currency_and_at_most_two_decimals(amount, currency):
    text = format_money(amount, currency)
    assert currency in text or money.symbol_for(currency) in text
    digits = text.replace(currency, "").strip().lstrip("-€$£¥")
    assert len(digits.split(".")[1]) == 2 if "." in digits else True


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_an_amount_shown_as_100_or_more_has_no_cents(amount):
    text = format_money(amount, "USD").lstrip("$").replace(",", "")
    assert "." not in text if float(text) >= 100 else len(text.split(".")[1]) == 2


# --- total cost of ownership ------------------------------------------------------------------------------------


def test_worked_example_depreciation_of_a_dgx_h100():
    # 320,000 EUR over the default 5 years: 320,000 / 60 = 5,333.33 EUR a month.
    assert monthly_depreciation(320_000, 5) == pytest.approx(5333.33, abs=0.01)
    # Bought March 2024: still depreciating in December 2026; bought June 2021: fully depreciated by then.
    assert monthly_depreciation(320_000, 5, purchase_date=date(2024, 3, 1), on=date(2026, 12, 2)) > 0
    assert monthly_depreciation(150_000, 5, purchase_date=date(2021, 6, 15), on=date(2026, 12, 2)) == 0
    assert monthly_depreciation(150_000, 5, purchase_date=date(2021, 6, 15), on=date(2026, 6, 14)) == 2500


def test_worked_example_cost_per_accelerator_hour_and_per_million_tokens():
    # A site costing 153,225 EUR a month with 128 accelerators: 153,225 / (128 x 730) = 1.6398 EUR per GPU-hour.
    assert cost_per_accelerator_hour(153_225, 128) == pytest.approx(1.6398, abs=1e-4)
    # 8 GPUs all month at that rate serving 6,000 output tokens/s:
    # 8 x 730 x 1.6398 = 9,576.6 EUR; 6,000 x 3,600 x 730 / 1e6 = 15,768 Mtokens; 0.6073 EUR per million.
    monthly = 8 * 730 * cost_per_accelerator_hour(153_225, 128)
    assert cost_per_million_tokens(monthly, 6000) == pytest.approx(0.6073, abs=1e-4)


def test_worked_example_build_versus_rent():
    # AWS p5.48xlarge 98.32 USD per instance-hour / 8 GPUs = 12.29 USD per GPU-hour, against 1.64 own.
    result = build_vs_rent(5840, 1.64, 98.32 / 8)
    assert result.rent == pytest.approx(5840 * 12.29)
    assert result.own == pytest.approx(5840 * 1.64)
    assert result.cheaper == "own"
    assert result.rent_over_own == pytest.approx(12.29 / 1.64)


@given(st.floats(min_value=0, max_value=1e7), st.floats(min_value=0.5, max_value=20))
def test_depreciation_over_the_period_sums_to_the_purchase_cost(cost, years):
    assert monthly_depreciation(cost, years) * years * 12 == pytest.approx(cost, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: monthly_depreciation(-1, 5), "negative"),
        (lambda: monthly_depreciation(1, 0), "positive"),
        (lambda: cost_per_accelerator_hour(1, 0), "positive"),
        (lambda: cost_per_million_tokens(1, 0), "positive"),
        (lambda: build_vs_rent(-1, 1, 1), "negative"),
    ],
)
def test_impossible_inputs_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("amount", "currency", "decimals", "written"),
    [
        (9056.05077, "EUR", None, "9056.05"),
        (223793.25582166668, "EUR", None, "223793.26"),
        (1.0121994443541291, "USD", None, "1.01"),
        (0.125, "USD", None, "0.13"),  # half away from zero on the decimal spelling
        (-0.004, "EUR", None, "0.00"),  # no "-0.00"
        (1500.6, "JPY", None, "1501"),  # no minor unit
        (Decimal("0.21345"), "EUR", 4, "0.2135"),  # a price per kWh, at its stored 4 decimals
        (None, "EUR", None, None),
        (float("nan"), "EUR", None, None),
    ],
)
def test_the_api_writes_money_as_a_decimal_string_in_its_currency_s_minor_unit(amount, currency, decimals, written):
    assert money.decimal_string(amount, currency, decimals=decimals) == written


@pytest.mark.parametrize(
    ("unit", "money_of"),
    [
        ("EUR/month", ("EUR", 2)),
        ("USD/kWh", ("USD", 4)),
        ("EUR/GPU-h", ("EUR", 2)),
        ("JPY", ("JPY", 0)),
        ("USD/EUR", None),  # an exchange rate, not an amount
        ("kW", None),
        ("GPU-h", None),
        ("tCO2e", None),
    ],
)
def test_a_figure_is_money_when_its_unit_names_a_currency(unit, money_of):
    assert money.money_unit(unit) == money_of
