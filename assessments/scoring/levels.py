"""Maturity level of a score, risk of an answer (steps 5-6 of the method), and the display helpers: level label,
whole percentage, and the one rounding rule for scores (the engine itself never rounds)."""

from __future__ import annotations

import math
from decimal import Decimal

from inventory.rounding import round_half_away

from .base import (
    HIGH_WEIGHT_THRESHOLD,
    LEVEL_WIDTH,
    LOW_SCORE_THRESHOLD,
    RISK_SCORE_THRESHOLD,
    MaturityLevel,
    Risk,
    _in_0_100,
    _parse_risk,
)


def level_for_score(score: float) -> MaturityLevel:
    """Maturity level of a score in [0, 100]: ``min(5, floor(score / 20) + 1)``.

    A score exactly on a boundary belongs to the upper level (20 -> 2, 40 -> 3, ...); 100 is level 5.
    ValueError if the score is not a finite number within 0-100.
    """
    exact = _in_0_100(score, "score")
    return MaturityLevel(min(5, math.floor(exact / LEVEL_WIDTH) + 1))


def question_risk(score: float | None, weight: float, override: Risk | str | None = None) -> Risk:
    """Risk of one answer from its score ``s`` and the question's weight ``w`` inside its sub-area.

    ::

        s is None (N/A or unanswered)  -> none
        s >= 50                        -> none        (never a risk, override or not)
        s <  50 and override given     -> override    (the file's ``risk:`` wins, even if lower)
        s <  25 and w >= 1.5           -> high
        s <  25                        -> medium
        s <  50 and w >= 1.5           -> medium
        otherwise                      -> none
    """
    if score is None or score >= LOW_SCORE_THRESHOLD:
        return Risk.NONE
    if override is not None:
        return _parse_risk(override, "risk override")
    heavy = weight >= HIGH_WEIGHT_THRESHOLD
    if score < RISK_SCORE_THRESHOLD:
        return Risk.HIGH if heavy else Risk.MEDIUM
    return Risk.MEDIUM if heavy else Risk.NONE


def level_label(level: int | None, none: str = "—") -> str:
    """“4 Managed” for a maturity level 1-5; ``none`` when there is no level."""
    return none if level is None else f"{level} {MaturityLevel(level).label}"


def percent(share: float | None) -> int | None:
    """A share 0-1 as a whole percentage, half away from zero on its decimal spelling like ``round_score``
    (``0.256 -> 26``, ``5/8 = 0.625 -> 63``, ``0.145 -> 15``; Python's ``round(100 * share)`` gave 62 and 14:
    half to even, on a binary product). ``None`` stays ``None``."""
    if share is None:
        return None
    return int(round_half_away(Decimal(repr(float(share))) * 100, 0))


def round_score(score: float | None) -> float | None:
    """Round a score to one decimal for display, half away from zero on its decimal spelling.

    ``54.375 -> 54.4``, ``62.25 -> 62.3`` (Python's ``round`` would give 62.2), ``None -> None``.
    The engine itself never rounds.
    """
    if score is None:
        return None
    return round_half_away(float(score), 1)
