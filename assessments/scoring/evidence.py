"""Evidence: the self-assessment checked against inventory facts (step 8 of the method): ``blend``,
``contradiction`` and ``score_evidence``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from .answers import Answer
from .base import (
    CONTRADICTION_THRESHOLD,
    EVIDENCE_WEIGHT,
    AnswerValue,
    MaturityLevel,
    _exact,
    _in_0_100,
    _to_float,
    _weighted_mean,
)
from .framework import Framework
from .levels import level_for_score
from .questionnaire import score_assessment


def blend(self_score: float, evidence_score: float, evidence_weight: float = EVIDENCE_WEIGHT) -> float:
    """Blend a self-assessed score with an evidence (inventory) score::

        blend = (1 - evidence_weight) * self_score + evidence_weight * evidence_score

    Both scores must be within 0-100 and ``evidence_weight`` within 0-1 (ValueError otherwise); the
    result therefore lies between the two scores. Exact arithmetic: ``blend(s, s, k) == s``.
    """
    own = _in_0_100(self_score, "self_score")
    evidence = _in_0_100(evidence_score, "evidence_score")
    k = _exact(evidence_weight, "evidence_weight")
    if not 0 <= k <= 1:
        raise ValueError(f"evidence_weight: must be within 0-1, got {evidence_weight!r}")
    return float((1 - k) * own + k * evidence)


def contradiction(
    self_score: float,
    evidence_score: float,
    threshold: float = CONTRADICTION_THRESHOLD,
) -> bool:
    """True when the self-assessed and evidence scores are *strictly* more than ``threshold`` apart.

    ``|self_score - evidence_score| > threshold``, computed exactly (80.1 vs 50.1 is exactly 30 apart: not
    a contradiction). Scores must be within 0-100 and the threshold >= 0 (ValueError otherwise).
    """
    own = _in_0_100(self_score, "self_score")
    evidence = _in_0_100(evidence_score, "evidence_score")
    limit = _exact(threshold, "threshold")
    if limit < 0:
        raise ValueError(f"threshold: must be >= 0, got {threshold!r}")
    return abs(own - evidence) > limit


@dataclass(frozen=True)
class AreaEvidence:
    """One area seen twice: as the respondents assessed it, and as the inventory facts score it.

    ``self_score``: the area score from self-reported answers only (source "self").
    ``evidence_score``: the area score of its fact-bound questions answered by the facts themselves.
    ``score``: ``blend(self, evidence)`` when both exist, else whichever exists (``None`` if neither).
    ``contradiction``: both exist and differ by more than the threshold (30 points).
    """

    area_id: str
    weight: float
    self_score: float | None
    evidence_score: float | None
    score: float | None
    level: MaturityLevel | None
    contradiction: bool
    evidence_questions: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceResult:
    """Per-area evidence and the grounded readiness index: the weighted mean of the areas' ``score``."""

    areas: tuple[AreaEvidence, ...]
    index: float | None
    level: MaturityLevel | None

    def area(self, area_id: str) -> AreaEvidence:
        for area in self.areas:
            if area.area_id == area_id:
                return area
        raise KeyError(area_id)


def score_evidence(
    framework: Framework,
    answers: Mapping[str, Answer],
    facts: Mapping[str, AnswerValue],
    *,
    evidence_weight: float = EVIDENCE_WEIGHT,
    threshold: float = CONTRADICTION_THRESHOLD,
) -> EvidenceResult:
    """Blend each area's self-assessment with the evidence of the inventory.

    ``facts`` maps a question id to the value an inventory fact gives it (a number, or an option id). Per area:
    ``S_self`` = :func:`score_assessment` over the answers whose source is "self"; ``S_evidence`` = the same over
    the facts as answers; ``S = (1 - k) * S_self + k * S_evidence`` (k = ``evidence_weight``, 0.5) when both
    exist, else the one that exists. The grounded index is ``sum(W_area * S) / sum(W_area)`` over areas with a
    score. Raises ValueError (naming the question) for a fact value its question cannot take.
    """
    self_answers = {key: answer for key, answer in answers.items() if answer.source == "self"}
    fact_answers = {key: Answer(key, value, source="inventory") for key, value in facts.items()}
    self_result = score_assessment(framework, self_answers)
    evidence_result = score_assessment(framework, fact_answers)
    areas: list[AreaEvidence] = []
    pairs: list[tuple[Fraction, Fraction]] = []
    for area in framework.areas:
        own = self_result.area(area.id).score
        evidence = evidence_result.area(area.id).score
        if own is not None and evidence is not None:
            score: float | None = blend(own, evidence, evidence_weight)
            flagged = contradiction(own, evidence, threshold)
        else:
            score, flagged = (own if evidence is None else evidence), False
        if score is not None:
            pairs.append((_exact(score, area.id), _exact(area.weight, area.id)))
        areas.append(
            AreaEvidence(
                area_id=area.id,
                weight=area.weight,
                self_score=own,
                evidence_score=evidence,
                score=score,
                level=None if score is None else level_for_score(score),
                contradiction=flagged,
                evidence_questions=tuple(q.id for q in area.questions() if q.id in facts),
            )
        )
    index = _to_float(_weighted_mean(pairs))
    return EvidenceResult(tuple(areas), index, None if index is None else level_for_score(index))
