"""An ``Answer`` and its normalization to a score in [0, 100] (step 1 of the method in ``assessments.scoring``)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .base import _HUNDRED, _SOURCES, _ZERO, MATURITY_STEP, AnswerValue, Source, _exact, _is_number, _to_float
from .framework import Question


@dataclass(frozen=True)
class Answer:
    """One answer. ``value``: int level 0-4 (maturity), bool (yes_no), option id (choice), number (numeric).

    With ``not_applicable=True`` the value is ignored (and may be ``None``). ``source`` says whether the
    respondent gave it ("self") or an inventory fact did ("inventory"). A question with no ``Answer`` is
    unanswered; an ``Answer`` with ``value=None`` that is not N/A is invalid. ``evidence_items``: the files and
    links backing it, ``expired_evidence`` how many of them have expired (they lower the confidence, step 7).
    """

    question_id: str
    value: AnswerValue | None = None
    not_applicable: bool = False
    source: Source = "self"
    evidence_items: int = 0
    expired_evidence: int = 0

    def __post_init__(self) -> None:
        if self.source not in _SOURCES:
            raise ValueError(f"question {self.question_id}: unknown answer source {self.source!r}")
        if not 0 <= self.expired_evidence <= self.evidence_items:
            raise ValueError(f"question {self.question_id}: expired evidence must be within 0 and the evidence items")


def _normalize_exact(question: Question, answer: Answer) -> Fraction | None:
    """Exact score in [0, 100] of an answer to ``question``, ``None`` if N/A. ValueError if invalid."""
    where = f"question {question.id}"
    if answer.not_applicable:
        if not question.allow_na:
            raise ValueError(f"{where}: 'not applicable' is not allowed")
        return None
    value = answer.value
    if question.type == "maturity":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
            raise ValueError(f"{where}: maturity level must be an int 0-4, got {value!r}")
        return Fraction(MATURITY_STEP * value)
    if question.type == "yes_no":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: a yes/no answer must be a bool, got {value!r}")
        yes = _exact(question.yes_score, where)
        return yes if value else _HUNDRED - yes
    if question.type == "choice":
        option = question.option(value) if isinstance(value, str) else None
        if option is None:
            known = ", ".join(option.id for option in question.options)
            raise ValueError(f"{where}: unknown option id {value!r} (expected one of {known})")
        return _exact(option.score, where)
    # numeric
    if not _is_number(value):
        raise ValueError(f"{where}: a numeric answer must be a number, got {value!r}")
    if question.numeric is None:  # excluded by Question.__post_init__; kept for type narrowing
        raise ValueError(f"{where}: a numeric question needs a 'numeric' block")
    v = _exact(value, where)
    full = _exact(question.numeric.full_score_at, where)
    zero = _exact(question.numeric.zero_score_at, where)
    return min(_HUNDRED, max(_ZERO, _HUNDRED * (v - zero) / (full - zero)))


def normalize(question: Question, answer: Answer) -> float | None:
    """Score in [0, 100] of ``answer`` to ``question``, or ``None`` if the answer is N/A.

    maturity ``25 * level``; yes_no ``yes_score`` / ``100 - yes_score``; choice the option's score;
    numeric ``clamp(100 * (v - zero_score_at) / (full_score_at - zero_score_at), 0, 100)``.

    Raises ValueError naming the question id for: a maturity level that is not an int 0-4, a yes/no value
    that is not a bool, an unknown option id, a numeric value that is not a finite number (bools, strings,
    ``None``, NaN and infinities included), and N/A on a question with ``allow_na: false``.
    """
    return _to_float(_normalize_exact(question, answer))
