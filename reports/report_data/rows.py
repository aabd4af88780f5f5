"""Rows of an assessment's data exports (`reports.exports`): its scores, read from the one typed result, and its
answers."""

from __future__ import annotations

from typing import Any

from assessments import scoring, selectors
from assessments.models import Assessment

SCORE_COLUMNS = (
    "scope",
    "area",
    "subarea",
    "ref",
    "name",
    "score",
    "level",
    "level_name",
    "target_level",
    "gap",
    "weight",
    "risk",
    "self_score",
    "evidence_score",
    "contradiction",
    "status",
    "source",
    "answered_share",
    "evidence_share",
)
"""Columns of the scores export: one row per area, sub-area and question, in framework order."""

ANSWER_COLUMNS = (
    "question_id",
    "area",
    "subarea",
    "question",
    "type",
    "value",
    "answer",
    "not_applicable",
    "na_reason",
    "note",
    "inventory_note",
    "evidence_url",
    "source",
    "answered_by",
    "updated",
)
"""Columns of the answers export: one row per question of the framework, answered or not."""


def _share(value: float | None) -> float | None:
    """A share 0-1 with three decimals, as the export gives it."""
    return None if value is None else round(value, 3)


def score_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The stored scores of an assessment as flat rows: each area, then its sub-areas each followed by its
    questions, in framework order (none before it is scored)."""
    result = selectors.result_for(assessment=assessment)
    if result is None:
        return []
    rows = []
    for area in result.areas:
        rows.append(
            {
                **_row("area", area.area_id, "", area.area_id, area.name, area.score, area.level, area.weight),
                "target_level": area.target_level,
                "gap": area.gap,
                "self_score": area.shown_self_score,
                "evidence_score": area.shown_evidence_score,
                "contradiction": area.contradiction,
                "answered_share": _share(area.confidence.answered_share),
                "evidence_share": _share(area.confidence.evidence_share),
            }
        )
        for sub in area.subareas:
            rows.append(
                _row(
                    "subarea", area.area_id, sub.subarea_id, sub.subarea_id, sub.name, sub.score, sub.level, sub.weight
                )
            )
            for q in sub.questions:
                row = _row("question", area.area_id, sub.subarea_id, q.question_id, q.text, q.score, None, q.weight)
                rows.append({**row, "risk": q.risk, "status": q.status, "source": q.source or ""})
    return rows


def _row(
    scope: str, area: str, subarea: str, ref: str, name: str, score: float | None, level: int | None, weight: float
) -> dict[str, Any]:
    return {
        "scope": scope,
        "area": area,
        "subarea": subarea,
        "ref": ref,
        "name": name,
        "score": scoring.round_score(score),
        "level": level,
        "level_name": scoring.MaturityLevel(level).label if level else "",
        "target_level": None,
        "gap": None,
        "weight": weight,
        "risk": "",
        "self_score": None,
        "evidence_score": None,
        "contradiction": None,
        "status": "",
        "source": "",
        "answered_share": None,
        "evidence_share": None,
    }


def answer_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """Every question of the assessment's framework with its answer, note, evidence link, source and author."""
    framework = selectors.framework_of(assessment.framework)
    answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
    rows = []
    for area in framework.areas:
        for subarea in area.subareas:
            for question in subarea.questions:
                answer = answers.get(question.id)
                shown_answer = ""
                if answer is not None and not answer.not_applicable:
                    shown_answer = selectors.answer_shown(
                        question=question, value=answer.value, currency=assessment.organization.reporting_currency
                    )
                rows.append(
                    {
                        "question_id": question.id,
                        "area": area.id,
                        "subarea": subarea.id,
                        "question": question.text,
                        "type": question.type,
                        "value": None if answer is None else answer.value,
                        "answer": shown_answer,
                        "not_applicable": bool(answer and answer.not_applicable),
                        "na_reason": answer.na_reason if answer else "",
                        "note": answer.note if answer else "",
                        "inventory_note": answer.inventory_note if answer else "",
                        "evidence_url": answer.evidence_url if answer else "",
                        "source": answer.source if answer else "",
                        "answered_by": answer.answered_by.get_username() if answer and answer.answered_by else "",
                        "updated": answer.updated.isoformat() if answer else "",
                    }
                )
    return rows
