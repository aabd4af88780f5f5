"""Shares shown as whole percentages round half away from zero, as scores do (docs/scoring.md, "Arithmetic")."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import percent


def test_percent_rounds_half_away_from_zero_on_the_decimal_spelling() -> None:
    assert percent(5 / 8) == 63  # 5 of 8 answered; round(62.5) gave 62
    assert percent(0.145) == 15  # 100 * 0.145 is 14.499999999999998 in binary; round gave 14
    assert percent(0.125) == 13
    assert percent(0.256) == 26
    assert percent(0.0) == 0
    assert percent(1.0) == 100
    assert percent(None) is None


@given(st.integers(min_value=1, max_value=400), st.data())
def test_percent_of_a_count_is_the_hand_rounded_share(total: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=total))
    exact = Fraction(100 * part, total)
    by_hand = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    assert percent(part / total) == by_hand


def test_questionnaire_progress_rounds_like_the_shares() -> None:
    from assessments.selectors import AreaProgress, Progress

    area = AreaProgress("energy", "Energy", answered=1, total=8)
    assert area.pct == 13  # 12.5 %: round() gave 12
    assert Progress([area, AreaProgress("talent", "Talent", answered=0, total=0)]).pct == 13
    assert AreaProgress("x", "X", answered=0, total=0).pct == 0
