"""Writes of the assessments app: frameworks, assessments, answers, submission and scoring."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from inventory.facts import compute_facts, shown

from . import scoring
from .framework_files import framework_fields, read_framework
from .models import (
    Answer,
    AnswerSource,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    Framework,
    Score,
    ScoreScope,
)


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def framework_parse(framework: Framework) -> scoring.Framework:
    return scoring.Framework.from_dict(framework.definition)


@transaction.atomic
def framework_load(*, text: str | bytes, organization: Organization | None = None) -> tuple[Framework, bool]:
    """Validate and store a framework version; returns it and whether it was new.

    Loading the same version with the same content again changes nothing. A version is never changed once
    loaded (assessments taken on it must keep their meaning): different content needs a new version number.
    Raises `framework_files.FrameworkFileError` listing every problem of a bad file.
    """
    fields = framework_fields(read_framework(text))
    existing = Framework.objects.filter(
        organization=organization, slug=fields["slug"], version=fields["version"]
    ).first()
    if existing is not None:
        if existing.digest != fields["digest"]:
            raise ValidationError(
                f"Version {existing.version} of {existing.slug} is already loaded with different content; "
                "give the changed file a new version number."
            )
        return existing, False
    return Framework.objects.create(organization=organization, **fields), True


def default_target_levels(framework: Framework) -> dict[str, int]:
    return {area.id: area.default_target_level for area in framework_parse(framework).areas}


def _fact_answer(question: scoring.Question, fact: Any) -> Any:
    """The answer value an inventory fact gives a question, or None when it cannot answer it."""
    if question.type == "numeric" and isinstance(fact.value, int | float):
        return fact.value
    if question.type == "choice" and question.option(str(fact.value)) is not None:
        return str(fact.value)
    return None


def answers_prefill_from_inventory(*, assessment: Assessment) -> int:
    """Answer the questions bound to inventory facts from the current inventory (source "inventory").

    Only questions not answered yet by a person are filled; returns how many answers were written.
    """
    facts = compute_facts(organization=assessment.organization)
    answered_by_people = set(assessment.answers.filter(source=AnswerSource.SELF).values_list("question_id", flat=True))
    bound = _facts_by_question(framework_parse(assessment.framework), facts)
    written = 0
    for question_id, (value, fact_name) in bound.items():
        if question_id in answered_by_people:
            continue
        fact = facts[fact_name]
        Answer.objects.update_or_create(
            assessment=assessment,
            question_id=question_id,
            defaults={
                "value": value,
                "not_applicable": False,
                "source": AnswerSource.INVENTORY,
                "answered_by": None,
                "note": f"From the inventory: {fact.explanation} ({shown(fact.value)} {fact.unit}).",
            },
        )
        written += 1
    return written


@transaction.atomic
def assessment_create(
    *,
    organization: Organization,
    framework: Framework,
    title: str,
    user: AbstractBaseUser | None,
    scope: str = "",
    target_levels: Mapping[str, int] | None = None,
    previous: Assessment | None = None,
) -> Assessment:
    """Start an assessment. With `previous` (re-assess) its answers are the starting point; questions bound to
    inventory facts are pre-filled from the inventory either way."""
    targets = default_target_levels(framework)
    targets.update(target_levels or {})
    assessment = Assessment.objects.create(
        organization=organization,
        framework=framework,
        title=title.strip(),
        scope=scope,
        target_levels=validate_target_levels(framework=framework, targets=targets),
        previous=previous,
        created_by=user,
    )
    if previous is not None:
        known = {q.id for q in framework_parse(framework).questions()}
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                question_id=a.question_id,
                value=a.value,
                not_applicable=a.not_applicable,
                na_reason=a.na_reason,
                note=a.note,
                evidence_url=a.evidence_url,
                source=a.source,
                answered_by=a.answered_by,
            )
            for a in previous.answers.all()
            if a.question_id in known
        )
    answers_prefill_from_inventory(assessment=assessment)
    return assessment


def validate_target_levels(*, framework: Framework, targets: Mapping[str, Any]) -> dict[str, int]:
    areas = {area.id for area in framework_parse(framework).areas}
    problems = []
    for area_id, level in targets.items():
        if area_id not in areas:
            problems.append(f"target_levels.{area_id}: unknown area")
        elif not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            problems.append(f"target_levels.{area_id}: a maturity level from 1 to 5")
    if problems:
        raise ValidationError(problems)
    return {area_id: int(level) for area_id, level in targets.items()}


@dataclass(frozen=True)
class AnswerInput:
    question_id: str
    value: Any = None
    not_applicable: bool = False
    na_reason: str = ""
    note: str = ""
    evidence_url: str = ""


def _check_answer(question: scoring.Question | None, item: AnswerInput) -> None:
    if question is None:
        raise ValidationError(f"unknown question {item.question_id!r}")
    if item.not_applicable:
        if not question.allow_na:
            raise ValidationError(f"question {question.id} does not allow 'not applicable'")
        if not item.na_reason.strip():
            raise ValidationError(f"question {question.id}: say why it does not apply")
        return
    if item.value is None:
        raise ValidationError(f"question {question.id}: an answer needs a value (or 'not applicable')")
    try:
        scoring.normalize(question, scoring.Answer(question.id, item.value))
    except ValueError as error:
        raise ValidationError(str(error)) from error
    spec = question.numeric
    if spec is not None and spec.min is not None and item.value < spec.min:
        raise ValidationError(f"question {question.id}: at least {spec.min:g} {spec.unit}".rstrip())
    if spec is not None and spec.max is not None and item.value > spec.max:
        raise ValidationError(f"question {question.id}: at most {spec.max:g} {spec.unit}".rstrip())


@transaction.atomic
def answers_save(*, assessment: Assessment, items: Iterable[AnswerInput], user: AbstractBaseUser) -> list[Answer]:
    """Save answers (insert or replace per question: the last write wins), all or none.

    Raises ValidationError with one message per bad item, prefixed by its position.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_frozen:
        raise ValidationError("This assessment has been submitted; its answers are frozen. Re-assess to change them.")
    framework = framework_parse(assessment.framework)
    questions = {q.id: q for q in framework.questions()}
    items = list(items)
    problems = []
    for position, item in enumerate(items):
        try:
            _check_answer(questions.get(item.question_id), item)
        except ValidationError as error:
            problems.append(f"[{position}] {' '.join(error.messages)}")
    if problems:
        raise ValidationError(problems)
    saved = []
    for item in items:
        answer, _ = Answer.objects.update_or_create(
            assessment=assessment,
            question_id=item.question_id,
            defaults={
                "value": None if item.not_applicable else item.value,
                "not_applicable": item.not_applicable,
                "na_reason": item.na_reason.strip() if item.not_applicable else "",
                "note": item.note,
                "evidence_url": item.evidence_url,
                "source": AnswerSource.SELF,
                "answered_by": user,
            },
        )
        saved.append(answer)
    return saved


@transaction.atomic
def answer_clear(*, assessment: Assessment, question_id: str) -> None:
    if assessment.is_frozen:
        raise ValidationError("This assessment has been submitted; its answers are frozen.")
    Answer.objects.filter(assessment=assessment, question_id=question_id).delete()


def assessment_submit(*, assessment: Assessment, user: AbstractBaseUser) -> str:
    """Freeze the answers and queue scoring; returns the Celery task id."""
    from .tasks import score_assessment_task

    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.DRAFT:
            raise ValidationError("This assessment has already been submitted.")
        if not locked.answers.exists():
            raise ValidationError("Answer at least one question before submitting.")
        locked.status = AssessmentStatus.SCORING
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
    result = score_assessment_task.delay(assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(scoring_task_id=result.id)
    assessment.refresh_from_db()
    return result.id


def _answers_for_scoring(assessment: Assessment) -> dict[str, scoring.Answer]:
    return {
        a.question_id: scoring.Answer(a.question_id, a.value, a.not_applicable, a.source)
        for a in assessment.answers.all()
    }


@transaction.atomic
def assessment_score(*, assessment_id: int) -> AssessmentResult:
    """Score an assessment and store the result (per question, sub-area, area, overall).

    Idempotent: one result per assessment; scoring the same answers again returns the stored result untouched,
    scoring changed answers replaces it.
    """
    assessment = Assessment.objects.select_for_update().select_related("framework").get(pk=assessment_id)
    answers = _answers_for_scoring(assessment)
    digest = _digest({k: [a.value, a.not_applicable, a.source] for k, a in sorted(answers.items())})
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and existing.answers_digest == digest:
        _mark_scored(assessment)
        return existing
    framework = framework_parse(assessment.framework)
    result = scoring.score_assessment(framework, answers, assessment.target_levels)
    facts = compute_facts(organization=assessment.organization)
    bound = _facts_by_question(framework, facts)
    evidence = scoring.score_evidence(framework, answers, {qid: value for qid, (value, _) in bound.items()})
    if existing is not None:
        existing.delete()
    stored = AssessmentResult.objects.create(
        assessment=assessment,
        organization=assessment.organization,
        framework_slug=result.framework_id,
        framework_version=result.framework_version,
        readiness_index=evidence.index,
        level=evidence.level,
        answers_index=result.overall.index,
        contradictions=sum(1 for area in evidence.areas if area.contradiction),
        facts={
            name: {"value": fact.value, "unit": fact.unit, "explanation": fact.explanation}
            for name, fact in facts.items()
        },
        answered=result.overall.answered,
        total=result.overall.total,
        high_risks=result.overall.high_risks,
        medium_risks=result.overall.medium_risks,
        answers_digest=digest,
    )
    Score.objects.bulk_create(_score_rows(stored, result, evidence, bound))
    _mark_scored(assessment)
    return stored


def _facts_by_question(framework: scoring.Framework, facts: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """question id -> (the value its bound fact gives it, the fact's name), for the facts the inventory has."""
    bound = {}
    for question in framework.questions():
        fact = facts.get(question.inventory_fact or "")
        value = None if fact is None else _fact_answer(question, fact)
        if value is not None:
            bound[question.id] = (value, fact.name)
    return bound


def _mark_scored(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.SCORED:
        assessment.status = AssessmentStatus.SCORED
        assessment.scoring_error = ""
        assessment.save(update_fields=["status", "scoring_error"])


def _confidence(confidence: scoring.Confidence) -> dict[str, Any]:
    return {
        "total": confidence.total,
        "answered": confidence.answered,
        "not_applicable": confidence.not_applicable,
        "from_inventory": confidence.from_inventory,
        "answered_share": confidence.answered_share,
        "evidence_share": confidence.evidence_share,
    }


def _score_rows(
    stored: AssessmentResult,
    result: scoring.Result,
    evidence: scoring.EvidenceResult,
    bound: Mapping[str, tuple[Any, str]],
) -> list[Score]:
    """Area rows carry the grounded score (self-assessment blended with evidence); sub-area and question rows
    the questionnaire's own scores."""
    rows: list[Score] = []
    for area in result.areas:
        grounded = evidence.area(area.area_id)
        rows.append(
            Score(
                result=stored,
                scope=ScoreScope.AREA,
                ref=area.area_id,
                area_ref=area.area_id,
                position=len(rows),
                score=grounded.score,
                level=grounded.level,
                target_level=area.target_level,
                weight=area.weight,
                risk="",
                details={
                    "gap": None if grounded.level is None else max(0, area.target_level - grounded.level),
                    "answers_score": area.score,
                    "self_score": grounded.self_score,
                    "evidence_score": grounded.evidence_score,
                    "contradiction": grounded.contradiction,
                    "evidence": [
                        {"question": qid, "fact": bound[qid][1], "value": bound[qid][0]}
                        for qid in grounded.evidence_questions
                    ],
                    "high_risks": area.high_risks,
                    "medium_risks": area.medium_risks,
                    "confidence": _confidence(area.confidence),
                },
            )
        )
        for sub in area.subareas:
            rows.append(
                Score(
                    result=stored,
                    scope=ScoreScope.SUBAREA,
                    ref=sub.subarea_id,
                    area_ref=area.area_id,
                    position=len(rows),
                    score=sub.score,
                    level=None if sub.score is None else scoring.level_for_score(sub.score),
                    weight=sub.weight,
                    risk="",
                    details={"scored": sub.scored},
                )
            )
            for q in sub.questions:
                rows.append(
                    Score(
                        result=stored,
                        scope=ScoreScope.QUESTION,
                        ref=q.question_id,
                        area_ref=area.area_id,
                        position=len(rows),
                        score=q.score,
                        weight=q.weight,
                        risk=str(q.risk),
                        details={
                            "status": q.status,
                            "source": q.source,
                            "subarea": q.subarea_id,
                            "recommendation": q.recommendation_id,
                        },
                    )
                )
    return rows


def assessment_mark_failed(*, assessment_id: int, error: str) -> None:
    Assessment.objects.filter(pk=assessment_id).update(status=AssessmentStatus.FAILED, scoring_error=error[:2000])


def assessment_reassess(*, previous: Assessment, user: AbstractBaseUser) -> Assessment:
    """Start a new assessment on the same framework, pre-filled from `previous`, to compare progress."""
    return assessment_create(
        organization=previous.organization,
        framework=previous.framework,
        title=f"{previous.title} (re-assessment {timezone.now():%Y-%m-%d})",
        user=user,
        scope=previous.scope,
        target_levels=previous.target_levels,
        previous=previous,
    )
