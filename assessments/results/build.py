"""Building a typed result in one pass: from the engine's output when scoring (`result_from_scoring`), from the
stored rows when reading (`result_from_rows`); names come from the framework version it was scored on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from inventory.facts import FACTS, fact_label, unit_now

from .. import scoring
from ..models import ScoreScope
from .model import EvidenceFact, FactRecord, ResultArea, ResultQuestion, ResultSubarea, StoredResult


def _confidence(data: Mapping[str, Any] | None) -> scoring.Confidence:
    data = data or {}
    return scoring.Confidence(
        total=int(data.get("total") or 0),
        answered=int(data.get("answered") or 0),
        not_applicable=int(data.get("not_applicable") or 0),
        from_inventory=int(data.get("from_inventory") or 0),
        answered_share=data.get("answered_share"),
        evidence_share=data.get("evidence_share"),
        evidence_items=int(data.get("evidence_items") or 0),
        expired_evidence=int(data.get("expired_evidence") or 0),
    )


@dataclass(frozen=True)
class _Names:
    """What a result shows from its framework version: names, descriptions, question texts, recommendations."""

    areas: Mapping[str, scoring.Area]
    subareas: Mapping[str, scoring.SubArea]
    questions: Mapping[str, scoring.Question]

    @classmethod
    def of(cls, framework: scoring.Framework) -> _Names:
        return cls(
            areas={area.id: area for area in framework.areas},
            subareas={sub.id: sub for area in framework.areas for sub in area.subareas},
            questions={question.id: question for question in framework.questions()},
        )

    def area(self, area_id: str) -> tuple[str, str]:
        area = self.areas.get(area_id)
        return (area.name or area_id, area.description) if area else (area_id, "")

    def subarea(self, subarea_id: str) -> str:
        sub = self.subareas.get(subarea_id)
        return (sub.name or subarea_id) if sub else subarea_id

    def question(self, question_id: str) -> str:
        question = self.questions.get(question_id)
        return (question.text or question_id) if question else question_id

    def recommendation(self, question_id: str) -> tuple[str, str, str]:
        question = self.questions.get(question_id)
        recommendation = question.recommendation if question else None
        if recommendation is None:
            return ("", "", "")
        return (recommendation.title or "", recommendation.action or "", recommendation.effort or "")


def _fact_records(facts: Mapping[str, Mapping[str, Any]]) -> tuple[FactRecord, ...]:
    records = [
        FactRecord(
            name=name,
            # the fact's label today (stored results once recorded its meaning); an unknown fact its stored label
            label=fact_label(name) if name in FACTS else (fact.get("label") or name),
            value=fact.get("value"),
            unit=unit_now(fact.get("unit") or ""),  # a result stored with "gCO2/kWh" reads gCO2e/kWh, as facts now do
            explanation=fact.get("explanation") or "",
        )
        for name, fact in facts.items()
    ]
    return tuple(sorted(records, key=lambda fact: fact.name))


def _evidence(
    items: Iterable[Mapping[str, Any]], facts: Mapping[str, FactRecord], names: _Names
) -> tuple[EvidenceFact, ...]:
    rows = []
    for item in items:
        question_id, name = item.get("question", ""), item.get("fact", "")
        fact = facts.get(name)
        answer_value = item.get("value")
        rows.append(
            EvidenceFact(
                question_id=question_id,
                question=names.question(question_id),
                fact=name,
                label=fact.label if fact else name,
                answer_value=answer_value,
                value=fact.value if fact is not None and fact.value is not None else answer_value,
                unit=fact.unit if fact else "",
                explanation=fact.explanation if fact else "",
            )
        )
    return tuple(rows)


def _question(row: Mapping[str, Any], names: _Names) -> ResultQuestion:
    details = row["details"] or {}
    title, action, effort = names.recommendation(row["ref"])
    return ResultQuestion(
        question_id=row["ref"],
        text=names.question(row["ref"]),
        area_id=row["area_ref"],
        subarea_id=details.get("subarea") or "",
        position=row["position"],
        score=row["score"],
        weight=row["weight"],
        risk=row["risk"] or "none",
        status=details.get("status") or "unanswered",
        source=details.get("source"),
        recommendation_id=details.get("recommendation"),
        recommendation=title,
        action=action,
        effort=effort,
    )


def result_from_rows(
    *,
    fields: Mapping[str, Any],
    scores: Iterable[Mapping[str, Any]],
    framework: scoring.Framework,
    assessment_id: int | None = None,
) -> StoredResult:
    """The typed result of stored rows: the `AssessmentResult`'s ``fields`` (`model_fields` of an instance, or
    ``.values(*RESULT_FIELDS)``) and its ``scores`` as dicts of `SCORE_FIELDS`, in any order."""
    names = _Names.of(framework)
    facts = _fact_records(fields.get("facts") or {})
    by_name = {fact.name: fact for fact in facts}
    ordered = sorted(scores, key=lambda row: row["position"])
    questions: dict[str, list[ResultQuestion]] = defaultdict(list)
    subarea_rows: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    area_rows = []
    for row in ordered:
        if row["scope"] == ScoreScope.QUESTION:
            question = _question(row, names)
            questions[question.subarea_id].append(question)
        elif row["scope"] == ScoreScope.SUBAREA:
            subarea_rows[row["area_ref"]].append(row)
        else:
            area_rows.append(row)
    areas = []
    for row in area_rows:
        details = row["details"] or {}
        name, description = names.area(row["ref"])
        subareas = tuple(
            ResultSubarea(
                subarea_id=sub["ref"],
                name=names.subarea(sub["ref"]),
                area_id=row["ref"],
                position=sub["position"],
                score=sub["score"],
                level=sub["level"],
                weight=sub["weight"],
                scored=int((sub["details"] or {}).get("scored") or 0),
                questions=tuple(questions.get(sub["ref"], ())),
            )
            for sub in subarea_rows.get(row["ref"], ())
        )
        areas.append(
            ResultArea(
                assessment_id=assessment_id,
                area_id=row["ref"],
                name=name,
                description=description,
                position=row["position"],
                weight=row["weight"],
                score=row["score"],
                level=row["level"],
                target_level=row["target_level"],
                gap=details.get("gap"),
                answers_score=details.get("answers_score"),
                self_score=details.get("self_score"),
                evidence_score=details.get("evidence_score"),
                contradiction=bool(details.get("contradiction")),
                high_risks=int(details.get("high_risks") or 0),
                medium_risks=int(details.get("medium_risks") or 0),
                confidence=_confidence(details.get("confidence")),
                evidence=_evidence(details.get("evidence") or (), by_name, names),
                subareas=subareas,
            )
        )
    return StoredResult(
        assessment_id=assessment_id,
        framework_slug=fields["framework_slug"],
        framework_version=fields["framework_version"],
        readiness_index=fields["readiness_index"],
        level=fields["level"],
        answers_index=fields["answers_index"],
        answered=fields["answered"],
        total=fields["total"],
        high_risks=fields["high_risks"],
        medium_risks=fields["medium_risks"],
        contradictions=fields["contradictions"],
        facts=facts,
        areas=tuple(areas),
        computed_at=fields.get("computed_at"),
    )


def result_from_scoring(
    *,
    framework: scoring.Framework,
    result: scoring.Result,
    evidence: scoring.EvidenceResult,
    facts: Iterable[FactRecord],
    bound: Mapping[str, tuple[Any, str]],
    assessment_id: int | None = None,
) -> StoredResult:
    """The typed result of one scoring run, as it is to be stored: area rows carry the grounded score (the
    self-assessment blended with the evidence, `scoring.score_evidence`), sub-area and question rows the
    questionnaire's own scores (`scoring.score_assessment`). ``bound`` maps a question id to the value its fact
    gave it and the fact's name; ``facts`` are the inventory's facts as they are now."""
    names = _Names.of(framework)
    records = tuple(sorted(facts, key=lambda fact: fact.name))
    by_name = {fact.name: fact for fact in records}
    position = 0
    areas = []
    for area in result.areas:
        grounded = evidence.area(area.area_id)
        area_position, position = position, position + 1
        subareas = []
        for sub in area.subareas:
            sub_position, position = position, position + 1
            questions = []
            for q in sub.questions:
                title, action, effort = names.recommendation(q.question_id)
                questions.append(
                    ResultQuestion(
                        question_id=q.question_id,
                        text=names.question(q.question_id),
                        area_id=area.area_id,
                        subarea_id=q.subarea_id,
                        position=position,
                        score=q.score,
                        weight=q.weight,
                        risk=str(q.risk),
                        status=q.status,
                        source=q.source,
                        recommendation_id=q.recommendation_id,
                        recommendation=title,
                        action=action,
                        effort=effort,
                    )
                )
                position += 1
            subareas.append(
                ResultSubarea(
                    subarea_id=sub.subarea_id,
                    name=names.subarea(sub.subarea_id),
                    area_id=area.area_id,
                    position=sub_position,
                    score=sub.score,
                    level=None if sub.score is None else int(scoring.level_for_score(sub.score)),
                    weight=sub.weight,
                    scored=sub.scored,
                    questions=tuple(questions),
                )
            )
        name, description = names.area(area.area_id)
        evidence_items = [
            {"question": qid, "fact": bound[qid][1], "value": bound[qid][0]} for qid in grounded.evidence_questions
        ]
        areas.append(
            ResultArea(
                assessment_id=assessment_id,
                area_id=area.area_id,
                name=name,
                description=description,
                position=area_position,
                weight=area.weight,
                score=grounded.score,
                level=None if grounded.level is None else int(grounded.level),
                target_level=area.target_level,
                gap=None if grounded.level is None else max(0, area.target_level - grounded.level),
                answers_score=area.score,
                self_score=grounded.self_score,
                evidence_score=grounded.evidence_score,
                contradiction=grounded.contradiction,
                high_risks=area.high_risks,
                medium_risks=area.medium_risks,
                confidence=area.confidence,
                evidence=_evidence(evidence_items, by_name, names),
                subareas=tuple(subareas),
            )
        )
    return StoredResult(
        assessment_id=assessment_id,
        framework_slug=result.framework_id,
        framework_version=result.framework_version,
        readiness_index=evidence.index,
        level=None if evidence.level is None else int(evidence.level),
        answers_index=result.overall.index,
        answered=result.overall.answered,
        total=result.overall.total,
        high_risks=result.overall.high_risks,
        medium_risks=result.overall.medium_risks,
        contradictions=sum(1 for area in evidence.areas if area.contradiction),
        facts=records,
        areas=tuple(areas),
    )
