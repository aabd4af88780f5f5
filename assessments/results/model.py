"""The typed result's parts, and how each is shown: rounded by one rule, a missing fact in one word."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from inventory.facts import shown as fact_shown

from .. import scoring
from ..roadmap import target_score
from . import engine, rows

NOT_RECORDED = "not recorded"
"""How a fact without a value reads, on every page, in the PDF and in the exports."""
NOT_SCORED = "not scored"
RISKY = ("high", "medium")


def shown_score(score: float | None) -> float | None:
    """A score as people read it: one decimal, half away from zero (`scoring.round_score`)."""
    return scoring.round_score(score)


def score_text(score: float | None, none: str = NOT_SCORED) -> str:
    """A score spelled out with one decimal (``"54.4"``), ``none`` when there is no score."""
    rounded = shown_score(score)
    return none if rounded is None else f"{rounded:.1f}"


# --- the parts of a result -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactRecord:
    """An inventory fact as it was when the assessment was scored (``label`` says what it is, in words)."""

    name: str
    label: str
    value: float | str | None
    unit: str
    explanation: str

    @property
    def value_text(self) -> str:
        """The value rounded by its unit, with its unit ("84.8 %", "InfiniBand")."""
        return NOT_RECORDED if self.value is None else fact_shown(self.value, self.unit)

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "unit": self.unit, "explanation": self.explanation}


@dataclass(frozen=True)
class EvidenceFact:
    """A fact behind an area's evidence score: the question it answered, the value it gave that question
    (``answer_value``, what scoring used) and the fact as recorded (``value``, its unit and explanation)."""

    question_id: str
    question: str
    fact: str
    label: str
    answer_value: float | str | None
    value: float | str | None
    unit: str
    explanation: str

    @property
    def value_text(self) -> str:
        """The value rounded by its unit, with its unit ("84.8 %", "InfiniBand")."""
        return NOT_RECORDED if self.value is None else fact_shown(self.value, self.unit)

    def as_json(self) -> dict[str, Any]:
        return {"question": self.question_id, "fact": self.fact, "value": self.answer_value}


@dataclass(frozen=True)
class ResultQuestion:
    """One question's score (``None`` unless answered and applicable), its risk and what to do about it."""

    question_id: str
    text: str
    area_id: str
    subarea_id: str
    position: int
    score: float | None
    weight: float
    risk: str
    """``"high"``, ``"medium"`` or ``"none"``."""
    status: str
    """``"scored"``, ``"not_applicable"`` or ``"unanswered"``."""
    source: str | None
    """Where the answer came from: ``"self"``, ``"inventory"``, ``None`` when unanswered."""
    recommendation_id: str | None
    recommendation: str
    action: str
    effort: str

    @property
    def shown_score(self) -> float | None:
        return shown_score(self.score)

    @property
    def is_risk(self) -> bool:
        return self.risk in RISKY


@dataclass(frozen=True)
class ResultSubarea:
    """One sub-area's questionnaire score (weighted mean of its scored questions) and its questions."""

    subarea_id: str
    name: str
    area_id: str
    position: int
    score: float | None
    level: int | None
    weight: float
    scored: int
    questions: tuple[ResultQuestion, ...]

    @property
    def shown_score(self) -> float | None:
        return shown_score(self.score)


@dataclass(frozen=True)
class RiskRow:
    """A high or medium risk answer and what to do about it: the result page, the dashboard and the PDF."""

    assessment_id: int | None
    risk: str
    area_id: str
    area: str
    question_id: str
    question: str
    position: int
    score: float | None
    recommendation: str
    action: str
    effort: str

    @property
    def shown_score(self) -> float | None:
        return shown_score(self.score)

    @property
    def score_text(self) -> str:
        return score_text(self.score)

    @property
    def url(self) -> str:
        """The question on its area page."""
        if self.assessment_id is None:
            return ""
        return f"{reverse('assessments:area', args=[self.assessment_id, self.area_id])}#q-{self.question_id}"


def _risk_order(row: RiskRow) -> tuple[int, int]:
    return (RISKY.index(row.risk), row.position)


@dataclass(frozen=True)
class ResultArea:
    """One area: its grounded score (the self-assessment blended with the inventory's evidence), the two scores
    it blends, the questionnaire's own score (``answers_score``), level, target, gap, risks and confidence."""

    assessment_id: int | None
    area_id: str
    name: str
    description: str
    position: int
    weight: float
    score: float | None
    level: int | None
    target_level: int | None
    gap: int | None
    """Levels below the target, of the grounded level."""
    answers_score: float | None
    self_score: float | None
    evidence_score: float | None
    contradiction: bool
    high_risks: int
    medium_risks: int
    confidence: scoring.Confidence
    evidence: tuple[EvidenceFact, ...]
    subareas: tuple[ResultSubarea, ...]

    @property
    def questions(self) -> tuple[ResultQuestion, ...]:
        return tuple(question for sub in self.subareas for question in sub.questions)

    @property
    def risks(self) -> tuple[RiskRow, ...]:
        """High risks first, then medium, each in framework order."""
        rows = [_risk_row(self, question) for question in self.questions if question.is_risk]
        return tuple(sorted(rows, key=_risk_order))

    @property
    def shown_score(self) -> float | None:
        return shown_score(self.score)

    @property
    def shown_self_score(self) -> float | None:
        return shown_score(self.self_score)

    @property
    def shown_evidence_score(self) -> float | None:
        return shown_score(self.evidence_score)

    @property
    def score_text(self) -> str:
        return score_text(self.score)

    @property
    def self_score_text(self) -> str:
        return score_text(self.self_score)

    @property
    def evidence_score_text(self) -> str:
        return score_text(self.evidence_score)

    @property
    def level_name(self) -> str:
        return scoring.level_label(self.level)

    @property
    def target_name(self) -> str:
        return scoring.level_label(self.target_level)

    @property
    def target_score(self) -> float | None:
        """The lowest score of the target level, ``20 * (L - 1)``."""
        return None if self.target_level is None else target_score(self.target_level)

    @property
    def meets_target(self) -> bool:
        """At or above its target level (no gap); an area not scored, or without a target, does not."""
        return self.gap == 0

    @property
    def fully_answered(self) -> bool:
        """Every question of the area answered (an N/A answer counts: someone looked and decided; docs/scoring.md,
        Confidence). Its score then rests on the whole area; otherwise on the answered part only."""
        return self.confidence.total > 0 and self.confidence.answered == self.confidence.total

    @property
    def meets_target_on_evidence(self) -> bool:
        """Scored, at or above its target (`meets_target`) and backed by inventory evidence, however much of the
        area is answered."""
        return self.score is not None and self.meets_target and self.evidence_score is not None and bool(self.evidence)

    @property
    def is_strength(self) -> bool:
        """What a reader may take as "this area is in good shape", the one rule every list of strengths applies:
        `meets_target_on_evidence` and `fully_answered`. An area scoring 100 from 1 of its 8 questions is not one:
        the 7 unanswered could each be a gap (docs/scoring.md, Confidence)."""
        return self.meets_target_on_evidence and self.fully_answered

    @property
    def basis_text(self) -> str:
        """How many of its questions the score rests on, when not all of them: "from 1 of 8 questions"; "" when the
        area is fully answered (or asks nothing)."""
        if self.fully_answered or not self.confidence.total:
            return ""
        return f"from {self.confidence.answered} of {self.confidence.total} questions"

    @property
    def answered_pct(self) -> int | None:
        return scoring.percent(self.confidence.answered_share)

    @property
    def evidence_pct(self) -> int | None:
        return scoring.percent(self.confidence.evidence_share)

    @property
    def confidence_pct(self) -> int | None:
        """The area's confidence: answered share lowered by expired evidence (docs/scoring.md, Confidence)."""
        return scoring.percent(self.confidence.share)

    @property
    def expired_evidence_text(self) -> str:
        expired = self.confidence.expired_evidence
        if not expired:
            return ""
        return f"{expired} of {self.confidence.evidence_items} pieces of evidence expired"

    @property
    def url(self) -> str:
        """The area's questions."""
        return (
            "" if self.assessment_id is None else reverse("assessments:area", args=[self.assessment_id, self.area_id])
        )


def _risk_row(area: ResultArea, question: ResultQuestion) -> RiskRow:
    return RiskRow(
        assessment_id=area.assessment_id,
        risk=question.risk,
        area_id=area.area_id,
        area=area.name,
        question_id=question.question_id,
        question=question.text,
        position=question.position,
        score=question.score,
        recommendation=question.recommendation,
        action=question.action,
        effort=question.effort,
    )


@dataclass(frozen=True)
class StoredResult:
    """The stored result of one assessment: the grounded readiness index, its level, the questionnaire's own index
    (``answers_index``), the counts, the facts used, and every area with its sub-areas and questions."""

    assessment_id: int | None
    framework_slug: str
    framework_version: str
    readiness_index: float | None
    level: int | None
    answers_index: float | None
    answered: int
    total: int
    high_risks: int
    medium_risks: int
    contradictions: int
    facts: tuple[FactRecord, ...]
    areas: tuple[ResultArea, ...]
    computed_at: datetime.datetime | None = None

    # --- reading --------------------------------------------------------------------------------------------------

    @property
    def subareas(self) -> tuple[ResultSubarea, ...]:
        return tuple(sub for area in self.areas for sub in area.subareas)

    @property
    def questions(self) -> tuple[ResultQuestion, ...]:
        return tuple(question for area in self.areas for question in area.questions)

    def area(self, area_id: str) -> ResultArea:
        """The area ``area_id``; KeyError if the result has none."""
        for area in self.areas:
            if area.area_id == area_id:
                return area
        raise KeyError(area_id)

    @property
    def risks(self) -> tuple[RiskRow, ...]:
        """Every high risk, then every medium one, each in framework order."""
        rows = [row for area in self.areas for row in area.risks]
        return tuple(sorted(rows, key=_risk_order))

    @property
    def contradicted(self) -> tuple[ResultArea, ...]:
        """Areas whose self-assessment and evidence differ by more than the threshold (30 points)."""
        return tuple(area for area in self.areas if area.contradiction)

    @property
    def shown_index(self) -> float | None:
        return shown_score(self.readiness_index)

    @property
    def shown_answers_index(self) -> float | None:
        return shown_score(self.answers_index)

    @property
    def self_index(self) -> float | None:
        """The readiness index without the inventory's evidence: the areas' self-assessed scores (the respondents'
        answers only, the results table's "Self-assessed" column), weighted by the areas' weights, over the areas
        that have one: ``sum(W * S_self) / sum(W)``. Not ``answers_index``, which also counts the answers pre-filled
        from the inventory."""
        scored = [(area.self_score, area.weight) for area in self.areas if area.self_score is not None]
        total = sum(weight for _, weight in scored)
        return sum(score * weight for score, weight in scored) / total if total else None

    @property
    def shown_self_index(self) -> float | None:
        return shown_score(self.self_index)

    @property
    def self_index_text(self) -> str:
        return score_text(self.self_index)

    @property
    def index_text(self) -> str:
        return score_text(self.readiness_index)

    @property
    def answers_index_text(self) -> str:
        return score_text(self.answers_index)

    @property
    def level_name(self) -> str:
        return scoring.level_label(self.level)

    @property
    def answered_pct(self) -> int | None:
        """Share of the questions answered (an N/A answer counts), as a whole percentage."""
        return scoring.percent(self.answered / self.total) if self.total else None

    @property
    def evidence_pct(self) -> int | None:
        """Share of the answers given by the inventory, as a whole percentage."""
        return scoring.percent(self.confidence.evidence_share)

    @functools.cached_property
    def confidence(self) -> scoring.Confidence:
        """The whole framework's confidence: its areas' counts summed, so that its expired evidence lowers it as an
        area's does (docs/scoring.md, Confidence: "an area or the whole framework"). Summed once per result (the
        result is frozen; a cached property writes to the instance's ``__dict__``, which a dataclass without
        ``slots`` has): ``confidence_pct``, ``evidence_pct`` and ``expired_evidence_text`` all read it."""
        areas = [area.confidence for area in self.areas]
        total = sum(c.total for c in areas)
        answered = sum(c.answered for c in areas)
        from_inventory = sum(c.from_inventory for c in areas)
        return scoring.Confidence(
            total=total,
            answered=answered,
            not_applicable=sum(c.not_applicable for c in areas),
            from_inventory=from_inventory,
            answered_share=answered / total if total else None,
            evidence_share=from_inventory / answered if answered else None,
            evidence_items=sum(c.evidence_items for c in areas),
            expired_evidence=sum(c.expired_evidence for c in areas),
        )

    @property
    def confidence_pct(self) -> int | None:
        """The whole framework's confidence: the answered share lowered by its expired evidence."""
        return scoring.percent(self.confidence.share)

    @property
    def expired_evidence_text(self) -> str:
        """ "1 of 2 pieces of evidence expired" over the whole framework; "" when none has."""
        confidence = self.confidence
        if not confidence.expired_evidence:
            return ""
        return f"{confidence.expired_evidence} of {confidence.evidence_items} pieces of evidence expired"

    # --- writing and the engine's result ---------------------------------------------------------------------------

    def result_fields(self) -> dict[str, Any]:
        """The `AssessmentResult` row's fields (what the scoring service writes)."""
        return rows.result_fields(self)

    def score_rows(self) -> list[dict[str, Any]]:
        """The `Score` rows' fields, one per area, sub-area and question in framework order (``position``)."""
        return rows.score_rows(self)

    def as_scoring_result(self) -> scoring.Result:
        """The questionnaire's `scoring.Result` as scoring computed it (equal to `scoring.score_assessment` of the
        same answers): what the roadmap engine plans from, read from the stored rows instead of scoring again."""
        return engine.as_scoring_result(self)
