"""The typed result as it is stored: the `AssessmentResult` row's fields and the `Score` rows, what the scoring
service writes and what `build.result_from_rows` reads back (the two share these names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import scoring
from ..models import ScoreScope

if TYPE_CHECKING:
    from .model import StoredResult

RESULT_FIELDS = (
    "framework_slug",
    "framework_version",
    "readiness_index",
    "level",
    "answers_index",
    "contradictions",
    "facts",
    "answered",
    "total",
    "high_risks",
    "medium_risks",
    "computed_at",
)
"""The `AssessmentResult` fields a typed result is built from."""
SCORE_FIELDS = ("scope", "ref", "area_ref", "position", "score", "level", "target_level", "weight", "risk", "details")
"""The `Score` fields a typed result is built from."""


def model_fields(result: Any) -> dict[str, Any]:
    """The fields of an `AssessmentResult` instance, as `result_from_rows` takes them."""
    return {name: getattr(result, name) for name in RESULT_FIELDS}


def result_fields(result: StoredResult) -> dict[str, Any]:
    """The `AssessmentResult` row's fields (what the scoring service writes)."""
    return {
        "framework_slug": result.framework_slug,
        "framework_version": result.framework_version,
        "readiness_index": result.readiness_index,
        "level": result.level,
        "answers_index": result.answers_index,
        "contradictions": result.contradictions,
        "facts": {fact.name: fact.as_json() for fact in result.facts},
        "answered": result.answered,
        "total": result.total,
        "high_risks": result.high_risks,
        "medium_risks": result.medium_risks,
    }


def score_rows(result: StoredResult) -> list[dict[str, Any]]:
    """The `Score` rows' fields, one per area, sub-area and question in framework order (``position``)."""
    rows: list[dict[str, Any]] = []
    for area in result.areas:
        rows.append(
            _row(
                ScoreScope.AREA,
                area.area_id,
                area.area_id,
                area.position,
                area.score,
                area.level,
                area.weight,
                target_level=area.target_level,
                details={
                    "gap": area.gap,
                    "answers_score": area.answers_score,
                    "self_score": area.self_score,
                    "evidence_score": area.evidence_score,
                    "contradiction": area.contradiction,
                    "evidence": [fact.as_json() for fact in area.evidence],
                    "high_risks": area.high_risks,
                    "medium_risks": area.medium_risks,
                    "confidence": _confidence_json(area.confidence),
                },
            )
        )
        for sub in area.subareas:
            rows.append(
                _row(
                    ScoreScope.SUBAREA,
                    sub.subarea_id,
                    area.area_id,
                    sub.position,
                    sub.score,
                    sub.level,
                    sub.weight,
                    details={"scored": sub.scored},
                )
            )
            for q in sub.questions:
                rows.append(
                    _row(
                        ScoreScope.QUESTION,
                        q.question_id,
                        area.area_id,
                        q.position,
                        q.score,
                        None,
                        q.weight,
                        risk=q.risk,
                        details={
                            "status": q.status,
                            "source": q.source,
                            "subarea": q.subarea_id,
                            "recommendation": q.recommendation_id,
                        },
                    )
                )
    return rows


def _row(
    scope: str,
    ref: str,
    area_ref: str,
    position: int,
    score: float | None,
    level: int | None,
    weight: float,
    *,
    target_level: int | None = None,
    risk: str = "",
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "scope": scope,
        "ref": ref,
        "area_ref": area_ref,
        "position": position,
        "score": score,
        "level": level,
        "target_level": target_level,
        "weight": weight,
        "risk": risk,
        "details": details,
    }


CONFIDENCE_FIELDS = (
    "total",
    "answered",
    "not_applicable",
    "from_inventory",
    "answered_share",
    "evidence_share",
    "evidence_items",
    "expired_evidence",
)


def _confidence_json(confidence: scoring.Confidence) -> dict[str, Any]:
    return {name: getattr(confidence, name) for name in CONFIDENCE_FIELDS}
