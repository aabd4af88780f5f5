"""The engine's own `scoring.Result` read back from a stored result, for the roadmap engine and the what-if."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import scoring

if TYPE_CHECKING:
    from .model import StoredResult


def as_scoring_result(result: StoredResult) -> scoring.Result:
    """The questionnaire's `scoring.Result` as scoring computed it (equal to `scoring.score_assessment` of the
    same answers): what the roadmap engine plans from, read from the stored rows instead of scoring again."""
    areas = []
    for area in result.areas:
        level = None if area.answers_score is None else scoring.level_for_score(area.answers_score)
        target = area.target_level if area.target_level is not None else 0
        subareas = tuple(
            scoring.SubAreaResult(
                subarea_id=sub.subarea_id,
                area_id=area.area_id,
                weight=sub.weight,
                score=sub.score,
                questions=tuple(
                    scoring.QuestionResult(
                        question_id=q.question_id,
                        subarea_id=q.subarea_id,
                        area_id=q.area_id,
                        status=q.status,  # type: ignore[arg-type]
                        score=q.score,
                        weight=q.weight,
                        risk=scoring.Risk(q.risk),
                        source=q.source,  # type: ignore[arg-type]
                        recommendation_id=q.recommendation_id,
                    )
                    for q in sub.questions
                ),
            )
            for sub in area.subareas
        )
        areas.append(
            scoring.AreaResult(
                area_id=area.area_id,
                weight=area.weight,
                score=area.answers_score,
                level=level,
                target_level=target,
                gap=None if level is None else max(0, target - level),
                high_risks=area.high_risks,
                medium_risks=area.medium_risks,
                confidence=area.confidence,
                subareas=subareas,
            )
        )
    questions = [q for area in areas for q in area.questions]
    index = result.answers_index
    overall = scoring.OverallResult(
        index=index,
        level=None if index is None else scoring.level_for_score(index),
        high_risks=result.high_risks,
        medium_risks=result.medium_risks,
        confidence=scoring.Confidence.from_questions(questions),
    )
    return scoring.Result(result.framework_slug, result.framework_version, tuple(areas), overall)
