"""The one rounding rule (inventory.rounding): half away from zero on the number's decimal spelling."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from inventory.rounding import round_half_away


@pytest.mark.parametrize(
    ("number", "decimals", "rounded"),
    [
        (29.25, 1, 29.3),  # round() gives 29.2: half to even
        (-29.25, 1, -29.3),  # away from zero
        (0.125, 2, 0.13),
        (2.5, 0, 3.0),
        (1.405, 2, 1.41),  # the binary value is 1.40499...: its decimal spelling decides
        (2.675, 2, 2.68),
        (21352.5, 0, 21353.0),
        (1234.0, -2, 1200.0),  # to hundreds
        (Decimal("0.145") * 100, 0, 15.0),  # exact already: 100 x 0.145 in binary is 14.4999...
    ],
)
def test_half_away_from_zero_on_the_decimal_spelling(number, decimals, rounded):
    assert round_half_away(number, decimals) == rounded


def test_infinities_and_nan_are_left_as_they_are():
    assert round_half_away(math.inf, 1) == math.inf
    assert round_half_away(-math.inf, 0) == -math.inf
    assert math.isnan(round_half_away(math.nan, 2))
