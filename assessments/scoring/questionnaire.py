"""Scoring a questionnaire: ``score_assessment`` turns answers into the weighted means of steps 2-7 of the method."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from .answers import Answer, _normalize_exact
from .base import AnswerStatus, Risk, _check_target_level, _exact, _to_float, _weighted_mean
from .framework import Area, Framework, Question
from .levels import level_for_score, question_risk
from .results import AreaResult, Confidence, OverallResult, QuestionResult, Result, SubAreaResult


def score_assessment(
    framework: Framework,
    answers: Mapping[str, Answer],
    target_levels: Mapping[str, int] | None = None,
) -> Result:
    """Score ``answers`` (keyed by question id) against ``framework``.

    ``S_sub = sum(w_q * s_q) / sum(w_q)`` over scored questions; ``S_area = sum(W_sub * S_sub) / sum(W_sub)``
    over sub-areas with a score; ``I = sum(W_area * S_area) / sum(W_area)`` over areas with a score. Levels,
    risk and confidence as in the module docstring. ``target_levels`` (area id -> 1-5) overrides each area's
    ``default_target_level``. Deterministic and independent of the order of ``answers``.

    Raises ValueError (naming the question or area id) for an invalid answer (see :func:`normalize`), an
    answer stored under a key other than its ``question_id``, an answer to a question not in the framework,
    or a target level for an unknown area / outside 1-5.
    """
    known_questions = {question.id for question in framework.questions()}
    for key, answer in answers.items():
        if answer.question_id != key:
            raise ValueError(f"question {key}: answer stored under {key!r} is for {answer.question_id!r}")
        if key not in known_questions:
            raise ValueError(f"question {key}: not in framework {framework.id} {framework.version}")
    targets = dict(target_levels or {})
    known_areas = {area.id for area in framework.areas}
    for area_id, level in targets.items():
        if area_id not in known_areas:
            raise ValueError(f"area {area_id}: target level given for an unknown area")
        _check_target_level(level, f"area {area_id}: target level")

    area_results: list[AreaResult] = []
    area_pairs: list[tuple[Fraction, Fraction]] = []
    for area in framework.areas:
        sub_results: list[SubAreaResult] = []
        sub_pairs: list[tuple[Fraction, Fraction]] = []
        for sub in area.subareas:
            question_results: list[QuestionResult] = []
            question_pairs: list[tuple[Fraction, Fraction]] = []
            for question in sub.questions:
                result, exact = _score_question(question, answers.get(question.id), sub.id, area.id)
                question_results.append(result)
                if exact is not None:
                    question_pairs.append((exact, _exact(question.weight, question.id)))
            sub_score = _weighted_mean(question_pairs)
            if sub_score is not None:
                sub_pairs.append((sub_score, _exact(sub.weight, sub.id)))
            sub_results.append(
                SubAreaResult(
                    subarea_id=sub.id,
                    area_id=area.id,
                    weight=sub.weight,
                    score=_to_float(sub_score),
                    questions=tuple(question_results),
                )
            )
        area_score = _weighted_mean(sub_pairs)
        if area_score is not None:
            area_pairs.append((area_score, _exact(area.weight, area.id)))
        area_results.append(_area_result(area, area_score, tuple(sub_results), targets))

    index = _to_float(_weighted_mean(area_pairs))
    all_questions = [q for area_result in area_results for q in area_result.questions]
    overall = OverallResult(
        index=index,
        level=None if index is None else level_for_score(index),
        high_risks=sum(area_result.high_risks for area_result in area_results),
        medium_risks=sum(area_result.medium_risks for area_result in area_results),
        confidence=Confidence.from_questions(all_questions),
    )
    return Result(
        framework_id=framework.id,
        framework_version=framework.version,
        areas=tuple(area_results),
        overall=overall,
    )


def _score_question(
    question: Question, answer: Answer | None, subarea_id: str, area_id: str
) -> tuple[QuestionResult, Fraction | None]:
    """The result of one question and its exact score (``None`` when N/A or unanswered)."""
    recommendation_id = question.recommendation.id if question.recommendation else None
    if answer is None:
        status: AnswerStatus = "unanswered"
        exact = None
    else:
        exact = _normalize_exact(question, answer)
        status = "not_applicable" if exact is None else "scored"
    score = _to_float(exact)
    result = QuestionResult(
        question_id=question.id,
        subarea_id=subarea_id,
        area_id=area_id,
        status=status,
        score=score,
        weight=question.weight,
        risk=question_risk(score, question.weight, question.risk),
        source=None if answer is None else answer.source,
        recommendation_id=recommendation_id,
        evidence_items=0 if answer is None else answer.evidence_items,
        expired_evidence=0 if answer is None else answer.expired_evidence,
    )
    return result, exact


def _area_result(
    area: Area,
    exact_score: Fraction | None,
    subareas: tuple[SubAreaResult, ...],
    targets: Mapping[str, int],
) -> AreaResult:
    score = _to_float(exact_score)
    level = None if score is None else level_for_score(score)
    target = targets.get(area.id, area.default_target_level)
    questions = [q for sub in subareas for q in sub.questions]
    return AreaResult(
        area_id=area.id,
        weight=area.weight,
        score=score,
        level=level,
        target_level=target,
        gap=None if level is None else max(0, target - level),
        high_risks=sum(1 for q in questions if q.risk == Risk.HIGH),
        medium_risks=sum(1 for q in questions if q.risk == Risk.MEDIUM),
        confidence=Confidence.from_questions(questions),
        subareas=subareas,
    )
