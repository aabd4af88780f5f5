"""Shared ground of the scoring engine: the answer, question and source types, the constants of the method,
the ``Risk`` and ``MaturityLevel`` enums, and the exact (:class:`fractions.Fraction`) arithmetic helpers."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Literal, TypeAlias, TypeGuard, get_args

QuestionType = Literal["maturity", "yes_no", "choice", "numeric"]
"""The four question types of the framework format."""

Source = Literal["self", "inventory"]
"""Where an answer came from: the respondent ("self") or a fact computed from the inventory."""

AnswerStatus = Literal["scored", "not_applicable", "unanswered"]
"""What happened to a question: it has a score, it was answered N/A, or it has no answer."""

AnswerValue: TypeAlias = int | bool | str | float
"""int level (maturity), bool (yes_no), option id (choice), number (numeric)."""

MATURITY_STEP = 25
"""Score per maturity level: level ``L`` (0..4) scores ``25 * L``."""

LEVEL_WIDTH = 20
"""Width of a maturity band on the 0-100 scale: five bands of 20 points."""

RISK_SCORE_THRESHOLD = 25.0
"""A score below this is a *failing* answer (medium risk, high if the question weighs >= 1.5)."""

LOW_SCORE_THRESHOLD = 50.0
"""A score below this is a *low* answer: it may carry risk, shows its recommendation, and lets the
framework's ``risk`` override apply. A score at or above it is never a risk."""

HIGH_WEIGHT_THRESHOLD = 1.5
"""A question weighing this much or more inside its sub-area is *heavy*: its risk is one step higher."""

EVIDENCE_WEIGHT = 0.5
"""Share of an inventory fact in a blended score. A choice: self-assessment and evidence count equally,
because the inventory is often incomplete and self-assessment captures practice the inventory cannot."""

CONTRADICTION_THRESHOLD = 30.0
"""Self and evidence scores *strictly* more than this many points apart are flagged as contradicting."""

_QUESTION_TYPES: frozenset[str] = frozenset(get_args(QuestionType))
_SOURCES: frozenset[str] = frozenset(get_args(Source))
_ZERO = Fraction(0)
_HUNDRED = Fraction(100)


class Risk(StrEnum):
    """Risk attached to one answer; equal to its string value (``Risk.HIGH == "high"``)."""

    HIGH = "high"
    MEDIUM = "medium"
    NONE = "none"

    @property
    def severity(self) -> int:
        """2 for high, 1 for medium, 0 for none (for sorting and comparing)."""
        return {Risk.HIGH: 2, Risk.MEDIUM: 1, Risk.NONE: 0}[self]


class MaturityLevel(IntEnum):
    """The five maturity levels of an area or the index: band ``[20 * (L - 1), 20 * L)``, 100 in level 5."""

    INITIAL = 1
    DEVELOPING = 2
    DEFINED = 3
    MANAGED = 4
    OPTIMIZED = 5

    @property
    def label(self) -> str:
        """Display name: "Initial", "Developing", "Defined", "Managed", "Optimized"."""
        return self.name.title()

    @property
    def lower(self) -> float:
        """Lowest score of the band (inclusive): ``20 * (level - 1)``."""
        return float(LEVEL_WIDTH * (self.value - 1))

    @property
    def upper(self) -> float:
        """Upper end of the band: ``20 * level`` (exclusive, except 100 which belongs to level 5)."""
        return float(LEVEL_WIDTH * self.value)


# --------------------------------------------------------------------------------------------------
# Exact arithmetic helpers
# --------------------------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[int | float]:
    """True for int and float, but not bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact(value: float | int | Fraction, what: str) -> Fraction:
    """Exact rational of a finite number, a float taken at its shortest decimal spelling.

    ``_exact(1.2) == Fraction(6, 5)``. Raises ValueError (mentioning ``what``) for NaN, infinities, bools
    and non-numbers.
    """
    if isinstance(value, Fraction):
        return value
    if not _is_number(value):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if not math.isfinite(value):
        raise ValueError(f"{what}: expected a finite number, got {value!r}")
    return _float_fraction(float(value))


@functools.lru_cache(maxsize=4096)
def _float_fraction(value: float) -> Fraction:
    """``Fraction(repr(value))``, remembered: parsing the decimal spelling is the slow part of exact arithmetic,
    and the same few weights, option scores and targets come back in every scoring run (a Fraction is immutable,
    so sharing one is safe)."""
    return Fraction(repr(value))


def _weighted_mean(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction | None:
    """``sum(w * s) / sum(w)`` over ``(s, w)`` pairs, exactly; ``None`` when there are no pairs."""
    numerator = _ZERO
    denominator = _ZERO
    for score, weight in pairs:
        numerator += weight * score
        denominator += weight
    if denominator == 0:
        return None
    return numerator / denominator


def _to_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _positive_weight(value: float, what: str) -> None:
    weight = _exact(value, what)
    if weight <= 0:
        raise ValueError(f"{what}: weight must be > 0, got {value!r}")


def _in_0_100(value: float, what: str) -> Fraction:
    exact = _exact(value, what)
    if not _ZERO <= exact <= _HUNDRED:
        raise ValueError(f"{what}: must be within 0-100, got {value!r}")
    return exact


def _parse_risk(value: object, where: str) -> Risk:
    try:
        return Risk(str(value))
    except ValueError:
        raise ValueError(f"{where}: unknown risk {value!r} (expected high, medium or none)") from None


def _check_target_level(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValueError(f"{where}: target level must be an int 1-5, got {value!r}")
    return value
