"""The typed result of a scoring run: per question, sub-area and area, the overall index, and confidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .base import LOW_SCORE_THRESHOLD, AnswerStatus, MaturityLevel, Risk, Source


@dataclass(frozen=True)
class QuestionResult:
    """Outcome for one question. ``score`` is ``None`` unless ``status == "scored"``."""

    question_id: str
    subarea_id: str
    area_id: str
    status: AnswerStatus
    score: float | None
    weight: float
    risk: Risk
    source: Source | None
    recommendation_id: str | None = None
    evidence_items: int = 0
    expired_evidence: int = 0

    @property
    def low(self) -> bool:
        """True when the answer scores below ``LOW_SCORE_THRESHOLD`` (50): show its recommendation."""
        return self.score is not None and self.score < LOW_SCORE_THRESHOLD


EXPIRED_EVIDENCE_PENALTY = 0.5


def confidence_share(answered_share: float | None, evidence_items: int, expired_evidence: int) -> float | None:
    """The confidence of a scope, 0-1: how much of it is answered, lowered by its expired evidence::

        confidence = answered_share * (1 - EXPIRED_EVIDENCE_PENALTY * expired / items)     (items > 0)
        confidence = answered_share                                                        (no evidence)

    ``EXPIRED_EVIDENCE_PENALTY`` is 0.5: when every file and link behind an area's answers has expired, the area is
    trusted half as much as a fully answered one with current (or no) evidence; the penalty grows linearly with
    the expired share. ``None`` when nothing is asked. ValueError for counts that do not fit together.
    """
    if not 0 <= expired_evidence <= evidence_items:
        raise ValueError(f"expired evidence {expired_evidence} must be within 0 and the {evidence_items} items")
    if answered_share is None:
        return None
    if evidence_items == 0:
        return answered_share
    return answered_share * (1 - EXPIRED_EVIDENCE_PENALTY * expired_evidence / evidence_items)


@dataclass(frozen=True)
class Confidence:
    """How much of a scope (an area, or the whole framework) is answered, and from what.

    ``answered_share = answered / total`` where answered counts scored and N/A answers;
    ``evidence_share = from_inventory / answered``. ``None`` when the denominator is 0.
    ``evidence_items`` / ``expired_evidence``: files and links behind the answered questions, and how many of them
    have expired; ``share`` is the confidence itself (:func:`confidence_share`): the answered share, lowered by
    expired evidence.
    """

    total: int
    answered: int
    not_applicable: int
    from_inventory: int
    answered_share: float | None
    evidence_share: float | None
    evidence_items: int = 0
    expired_evidence: int = 0

    @property
    def share(self) -> float | None:
        return confidence_share(self.answered_share, self.evidence_items, self.expired_evidence)

    @classmethod
    def from_questions(cls, questions: Iterable[QuestionResult]) -> Confidence:
        """Count the questions' statuses and sources."""
        items = list(questions)
        answered = [q for q in items if q.status != "unanswered"]
        inventory = sum(1 for q in answered if q.source == "inventory")
        return cls(
            total=len(items),
            answered=len(answered),
            not_applicable=sum(1 for q in answered if q.status == "not_applicable"),
            from_inventory=inventory,
            answered_share=len(answered) / len(items) if items else None,
            evidence_share=inventory / len(answered) if answered else None,
            evidence_items=sum(q.evidence_items for q in answered),
            expired_evidence=sum(q.expired_evidence for q in answered),
        )


@dataclass(frozen=True)
class SubAreaResult:
    """Score of one sub-area: weighted mean of its scored questions (``None`` if none is scored)."""

    subarea_id: str
    area_id: str
    weight: float
    score: float | None
    questions: tuple[QuestionResult, ...]

    @property
    def scored(self) -> int:
        """Number of questions with a score."""
        return sum(1 for q in self.questions if q.status == "scored")


@dataclass(frozen=True)
class AreaResult:
    """Score, level, target, gap, risk counts and confidence of one area."""

    area_id: str
    weight: float
    score: float | None
    level: MaturityLevel | None
    target_level: int
    gap: int | None
    high_risks: int
    medium_risks: int
    confidence: Confidence
    subareas: tuple[SubAreaResult, ...]

    @property
    def questions(self) -> tuple[QuestionResult, ...]:
        """All question results of the area, in file order."""
        return tuple(q for sub in self.subareas for q in sub.questions)


@dataclass(frozen=True)
class OverallResult:
    """Readiness index (weighted mean of area scores), its level, and framework-wide counts."""

    index: float | None
    level: MaturityLevel | None
    high_risks: int
    medium_risks: int
    confidence: Confidence

    @property
    def answered(self) -> int:
        """Questions answered (scored or N/A)."""
        return self.confidence.answered

    @property
    def total(self) -> int:
        """Questions in the framework."""
        return self.confidence.total


@dataclass(frozen=True)
class Result:
    """Everything :func:`score_assessment` computes; full-precision floats (see :func:`round_score`)."""

    framework_id: str
    framework_version: str
    areas: tuple[AreaResult, ...]
    overall: OverallResult

    @cached_property
    def subareas(self) -> tuple[SubAreaResult, ...]:
        """All sub-area results, in file order."""
        return tuple(sub for area in self.areas for sub in area.subareas)

    @cached_property
    def questions(self) -> tuple[QuestionResult, ...]:
        """All question results, in file order."""
        return tuple(q for sub in self.subareas for q in sub.questions)

    @cached_property
    def _by_id(self) -> tuple[dict[str, AreaResult], dict[str, SubAreaResult], dict[str, QuestionResult]]:
        """Areas, sub-areas and questions by id, built on first lookup (a result is immutable)."""
        return (
            {area.area_id: area for area in self.areas},
            {sub.subarea_id: sub for sub in self.subareas},
            {question.question_id: question for question in self.questions},
        )

    def area(self, area_id: str) -> AreaResult:
        """The result of this area; KeyError if unknown."""
        return self._by_id[0][area_id]

    def subarea(self, subarea_id: str) -> SubAreaResult:
        """The result of this sub-area; KeyError if unknown."""
        return self._by_id[1][subarea_id]

    def question(self, question_id: str) -> QuestionResult:
        """The result of this question; KeyError if unknown."""
        return self._by_id[2][question_id]

    def __getstate__(self) -> dict[str, object]:
        """The fields only: the lookups built from them are not pickled (they are rebuilt on first use)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
