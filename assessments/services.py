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

from . import roadmap, scoring
from .framework_files import framework_fields, read_framework
from .models import (
    Answer,
    AnswerSource,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    Framework,
    RoadmapItem,
    RoadmapStatus,
    Score,
    ScoreScope,
)
from .selectors import answer_shown, scoring_answers_of


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


@transaction.atomic
def assessment_score(*, assessment_id: int) -> AssessmentResult:
    """Score an assessment and store the result (per question, sub-area, area, overall).

    Idempotent: one result per assessment; scoring the same answers again returns the stored result untouched,
    scoring changed answers replaces it.
    """
    assessment = Assessment.objects.select_for_update().select_related("framework").get(pk=assessment_id)
    answers = scoring_answers_of(assessment=assessment)
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


# --------------------------------------------------------------------------------------------------
# Roadmap: built after scoring from the gaps, the capacity shortfalls and the contradictions; tracked by people.
# --------------------------------------------------------------------------------------------------

CAPACITY_AREA = "hardware"
"""Area of capacity-shortfall items (procuring or renting accelerators is a hardware decision)."""


def _gap_why(question: scoring.Question, answer: Answer | None, item: roadmap.RoadmapItem) -> str:
    source = "from the inventory" if answer is not None and answer.source == AnswerSource.INVENTORY else "self-reported"
    answered = answer_shown(question=question, value=None if answer is None else answer.value)
    return (
        f"“{question.text}” was answered {answered} ({source}); it scores {item.current_score:.0f} against the "
        f"target {item.target_score:.0f} of area {item.area_id} (risk {item.risk.value})."
    )


def _verify_items(stored: AssessmentResult, area_names: Mapping[str, str]) -> list[roadmap.ExternalItem]:
    """One "verify the facts first" item per area whose self-assessment and evidence disagree by > 30 points."""
    items = []
    for row in stored.scores.all():
        details = row.details or {}
        if row.scope != ScoreScope.AREA or not details.get("contradiction"):
            continue
        own, evidence = details["self_score"], details["evidence_score"]
        items.append(
            roadmap.ExternalItem(
                id=f"VERIFY-{row.ref}",
                title=f"Verify the facts of {area_names.get(row.ref, row.ref)} before acting on them",
                action=(
                    "The answers and the inventory disagree. Check the inventory records and the answers with their "
                    "owners, correct whichever is wrong, then re-assess."
                ),
                effort="S",
                area_id=row.ref,
                gap_points=abs(own - evidence),
                risk=scoring.Risk.MEDIUM,
                blocks_area=True,
                kind="verify",
            )
        )
    return items


def _capacity_items(organization: Organization) -> tuple[list[roadmap.ExternalItem], dict[str, dict[str, Any]]]:
    """One item per workload the fleet cannot run, with the accelerators, power, energy cost and carbon to add.

    Extra accelerators = GPUs needed - GPUs available in the pool that comes closest; their power is
    ``extra x TDP x server overhead``; energy, cost and tCO2 per month follow `inventory.capacity` at the pool's
    site (PUE, price, grid intensity). Energy cost only: the inventory holds no purchase prices.
    """
    from inventory import capacity
    from inventory.analysis import analyse

    summary = analyse(organization=organization)
    sites = {footprint.site.pk: footprint for footprint in summary.sites}
    items: list[roadmap.ExternalItem] = []
    details: dict[str, dict[str, Any]] = {}
    for verdict in summary.verdicts:
        if verdict.fits:
            continue
        workload = verdict.workload
        item_id = f"CAP-{workload.pk}"
        fit, pool = verdict.fit, verdict.pool
        needed = None if fit is None else fit.gpus_needed
        figures: dict[str, Any] = {"workload": workload.name, "reasons": list(verdict.reasons)}
        if fit is not None and pool is not None and needed is not None and needed > fit.gpus_available:
            extra = needed - fit.gpus_available
            accelerator = pool.pool.accelerator
            site = sites.get(pool.site.pk) if pool.site is not None else None
            figures.update(accelerator=accelerator.name, add_accelerators=extra, needed=needed)
            figures["where"] = pool.label
            if accelerator.tdp_w:
                watts = accelerator.tdp_w * pool.pool.server_overhead_factor
                figures["add_it_kw"] = extra * watts / 1000
                if site is not None:
                    kwh = capacity.energy_kwh(extra, watts, capacity.HOURS_PER_MONTH, site.pue)
                    figures.update(add_kwh_month=kwh, pue=site.pue, g_per_kwh=site.g_per_kwh)
                    figures["add_tco2_month"] = capacity.emissions_kg(kwh, site.g_per_kwh) / 1000
                    if site.price_per_kwh is not None:
                        figures["add_cost_month"] = capacity.energy_cost(kwh, site.price_per_kwh)
                        figures["currency"] = site.currency
            title = f"Add {extra} {accelerator.name} at {pool.label} to serve {workload.name}"
            gap_points = min(100.0, 100.0 * extra / needed)
        else:
            title = f"Find capacity for {workload.name}"
            gap_points = 100.0
        figures["sources"] = [
            "inventory/capacity.py: GPUs needed (docs/capacity.md)",
            "power = accelerators x TDP x server overhead 1.82 (DGX H100 datasheet)",
            "energy = kW x PUE x 730 h; tCO2 = kWh x grid g/kWh / 1e6",
        ]
        details[item_id] = figures
        items.append(
            roadmap.ExternalItem(
                id=item_id,
                title=title,
                action=(
                    "Decide between procuring or renting the accelerators, or shrinking the workload (quantization, "
                    "a smaller model, a lower request rate); record the decision with an owner and a date."
                ),
                effort="L",
                area_id=CAPACITY_AREA,
                gap_points=gap_points,
                risk=scoring.Risk.HIGH,
                kind="capacity",
            )
        )
    return items, details


def _capacity_why(figures: Mapping[str, Any]) -> str:
    reasons = " ".join(figures.get("reasons", []))
    if "add_accelerators" not in figures:
        return f"Workload {figures['workload']} does not fit the fleet. {reasons}".strip()
    parts = [
        f"Workload {figures['workload']} needs {figures['needed']} {figures['accelerator']}; "
        f"{figures['needed'] - figures['add_accelerators']} are available at {figures['where']}."
    ]
    if "add_it_kw" in figures:
        parts.append(f"Adding them draws +{figures['add_it_kw']:.1f} kW IT")
        if "add_kwh_month" in figures:
            parts.append(
                f", +{figures['add_kwh_month']:,.0f} kWh and +{figures['add_tco2_month']:.2f} tCO2 per month"
                f" (PUE {figures['pue']:g}, {figures['g_per_kwh']:g} g/kWh)"
            )
        if "add_cost_month" in figures:
            parts.append(f", +{figures['add_cost_month']:,.0f} {figures['currency']} energy per month")
        parts.append(".")
    return "".join(parts[:1]) + " " + "".join(parts[1:]) + (f" {reasons}" if reasons else "")


def _verify_why(row: Score) -> str:
    details = row.details
    facts = ", ".join(f"{e['fact']} = {shown(e['value'])}" for e in details.get("evidence", []))
    return (
        f"Self-assessed {details['self_score']:.0f} but the inventory's evidence gives {details['evidence_score']:.0f}"
        f" (more than 30 points apart). Facts: {facts or 'none'}."
    )


@transaction.atomic
def roadmap_build(*, assessment_id: int) -> list[RoadmapItem]:
    """Build (or rebuild) the roadmap of a scored assessment and store it; idempotent.

    Computed fields are rewritten; the tracking (status, reason, owner, due date) of items already there is kept.
    Items no longer needed are deleted if nobody tracked them, else kept with ``in_plan=False``. Items of the
    previous assessment that were tracked link to their successor (``carried_from``) and pass on their owner.
    """
    assessment = Assessment.objects.select_for_update().select_related("framework").get(pk=assessment_id)
    stored = AssessmentResult.objects.prefetch_related("scores").get(assessment=assessment)
    framework = framework_parse(assessment.framework)
    answers = {a.question_id: a for a in assessment.answers.all()}
    result = scoring.score_assessment(framework, scoring_answers_of(assessment=assessment), assessment.target_levels)
    verify = _verify_items(stored, {area.id: area.name for area in framework.areas})
    capacity_items, capacity_details = _capacity_items(assessment.organization)
    plan = roadmap.build_roadmap(framework, result, [*verify, *capacity_items])
    area_rows = {row.ref: row for row in stored.scores.all() if row.scope == ScoreScope.AREA}

    existing = {item.item_id: item for item in assessment.roadmap_items.all()}
    previous = {}
    if assessment.previous_id is not None:
        previous = {
            item.item_id: item
            for item in RoadmapItem.objects.filter(assessment_id=assessment.previous_id).exclude(
                status=RoadmapStatus.PROPOSED
            )
        }
    kept: list[RoadmapItem] = []
    for planned in plan.items:
        row = existing.pop(planned.id, None)
        if row is None:
            row = RoadmapItem(assessment=assessment, organization=assessment.organization, item_id=planned.id)
            before = previous.get(planned.id)
            if before is not None:
                row.carried_from = before
                row.owner_id = before.owner_id
        details: dict[str, Any] = {}
        if planned.kind == "gap":
            question = framework.question(planned.question_id)
            why = _gap_why(question, answers.get(planned.question_id), planned)
            details = {"question": question.text, "recommendation_impact": question.recommendation.impact}
        elif planned.kind == "verify":
            area_row = area_rows[planned.area_id]
            why = _verify_why(area_row)
            details = {
                "self_score": area_row.details["self_score"],
                "evidence_score": area_row.details["evidence_score"],
                "evidence": area_row.details.get("evidence", []),
            }
        else:
            details = capacity_details[planned.id]
            why = _capacity_why(details)
        for name in (
            "rank", "title", "action", "effort", "effort_cost", "priority", "current_score", "target_score",
            "gap_points", "current_area_score", "expected_area_score",
        ):  # fmt: skip
            setattr(row, name, getattr(planned, name))
        row.phase = planned.phase.value
        row.kind = planned.kind
        row.area_ref = planned.area_id or ""
        row.question_ref = planned.question_id or ""
        row.why = why
        row.risk = planned.risk.value
        row.depends_on = list(planned.depends_on)
        row.details = details
        row.in_plan = True
        row.save()
        kept.append(row)
    untracked = [row.pk for row in existing.values() if row.status == RoadmapStatus.PROPOSED]
    RoadmapItem.objects.filter(pk__in=untracked).delete()
    RoadmapItem.objects.filter(pk__in=[row.pk for row in existing.values() if row.pk not in untracked]).update(
        in_plan=False, rank=len(kept) + 1
    )
    return kept


ROADMAP_TRACKED_FIELDS = ("status", "status_reason", "owner_id", "due_date")


def roadmap_item_check(*, item: RoadmapItem, changes: Mapping[str, Any]) -> tuple[str, str, int | None]:
    """The status, reason and owner id ``changes`` would give ``item``; ValidationError naming each bad field.

    A dismissal needs a reason; leaving "dismissed" clears it. The owner must be a member of the organization.
    """
    errors: dict[str, str] = {}
    status = changes.get("status") or item.status
    if status not in RoadmapStatus.values:
        errors["status"] = f"Choose one of: {', '.join(RoadmapStatus.values)}."
    reason = (changes.get("status_reason", item.status_reason) or "").strip()
    if status == RoadmapStatus.DISMISSED and not reason:
        errors["status_reason"] = "Say why the item is dismissed."
    elif status != RoadmapStatus.DISMISSED:
        reason = ""
    owner_id = changes.get("owner_id", item.owner_id)
    if owner_id is not None and not item.organization.memberships.filter(user_id=owner_id).exists():
        errors["owner"] = "The owner must be a member of the organization."
    if errors:
        raise ValidationError(errors)
    return status, reason, owner_id


def roadmap_item_update(*, item: RoadmapItem, changes: Mapping[str, Any], user: AbstractBaseUser) -> RoadmapItem:
    """Track an item: change any of ``status``, ``status_reason``, ``owner_id`` and ``due_date`` (others ignored),
    checked by :func:`roadmap_item_check`."""
    changes = {name: value for name, value in changes.items() if name in ROADMAP_TRACKED_FIELDS}
    item.status, item.status_reason, item.owner_id = roadmap_item_check(item=item, changes=changes)
    item.due_date = changes.get("due_date", item.due_date)
    item.updated_by = user
    item.save(update_fields=["status", "status_reason", "owner", "due_date", "updated_by", "updated"])
    return item
