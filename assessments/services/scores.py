"""Scoring a submitted assessment and storing its result (`results.StoredResult`), in a fixed number of queries."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.integrations.webhooks import webhook_emit
from accounts.models import WebhookEvent
from accounts.services import organization_data_changed
from inventory.analysis import analyse
from inventory.facts import compute_facts, inventory_snapshot

from .. import scoring
from ..models import Assessment, AssessmentResult, AssessmentStatus, Score
from ..results import FactRecord, result_from_scoring
from ..selectors import scoring_answers_of
from .answers import facts_by_question
from .assessments import assessment_event_data
from .frameworks import framework_for_scoring


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _fact_records(facts: dict[str, Any]) -> list[FactRecord]:
    """The inventory's facts as the result records them: value, unit, explanation and what the fact is."""
    return [
        FactRecord(
            name=name,
            label=fact.label,
            value=fact.value,
            unit=fact.unit,
            explanation=fact.explanation,
        )
        for name, fact in facts.items()
    ]


@transaction.atomic
def assessment_score(*, assessment_id: int) -> AssessmentResult:
    """Score an assessment and store the result (per question, sub-area, area, overall).

    Idempotent: one result per assessment; scoring the same answers again returns the stored result untouched,
    scoring changed answers replaces it. The rows are written in bulk (a fixed number of statements whatever the
    framework's size), which sends no signals: the organization's data version is raised once, here.
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("framework", "organization")
        .get(pk=assessment_id)
    )
    answers = scoring_answers_of(assessment=assessment)
    digest = _digest(
        {
            k: [a.value, a.not_applicable, a.source, a.evidence_items, a.expired_evidence]
            for k, a in sorted(answers.items())
        }
    )
    existing = AssessmentResult.objects.filter(assessment=assessment).first()
    if existing is not None and existing.answers_digest == digest:
        if _mark_scored(assessment):
            organization_data_changed(organization_id=assessment.organization_id)
            _announce(assessment, existing)
        return existing
    # Money thresholds in the reporting currency, the one the answers and facts are in.
    framework = framework_for_scoring(framework=assessment.framework, organization=assessment.organization)
    result = scoring.score_assessment(framework, answers, assessment.target_levels)
    summary = analyse(organization=assessment.organization, scope=assessment.analysis_scope)
    # As of the day it was submitted: a result never cites a measurement taken after it (UTC days, as stored).
    submitted_on = assessment.submitted_at.astimezone(UTC).date() if assessment.submitted_at else None
    facts = compute_facts(organization=assessment.organization, summary=summary, measured_until=submitted_on)
    bound = facts_by_question(framework, facts)
    evidence = scoring.score_evidence(framework, answers, {qid: value for qid, (value, _) in bound.items()})
    stored = result_from_scoring(
        framework=framework,
        result=result,
        evidence=evidence,
        facts=_fact_records(facts),
        bound=bound,
        assessment_id=assessment.pk,
    )
    fields = {**stored.result_fields(), "answers_digest": digest, "inventory": inventory_snapshot(summary)}
    if existing is None:
        row = AssessmentResult(assessment=assessment, organization_id=assessment.organization_id, **fields)
        AssessmentResult.objects.bulk_create([row])  # no post_save signal: the data version is raised once below
    else:
        row = existing
        for name, value in {**fields, "computed_at": timezone.now()}.items():
            setattr(row, name, value)
        AssessmentResult.objects.filter(pk=row.pk).update(**fields, computed_at=row.computed_at)
        Score.objects.filter(result=row).delete()
    Score.objects.bulk_create(Score(result=row, **values) for values in stored.score_rows())
    _mark_scored(assessment)
    organization_data_changed(organization_id=assessment.organization_id)
    _announce(assessment, row)
    return row


def _announce(assessment: Assessment, row: AssessmentResult) -> None:
    """``assessment.scored``, sent once this transaction commits: the index and level, rounded as shown."""
    webhook_emit(
        organization_id=assessment.organization_id,
        event=WebhookEvent.ASSESSMENT_SCORED,
        data={
            "assessment": assessment_event_data(assessment),
            "result": {
                "readiness_index": scoring.round_score(row.readiness_index),  # as pages show it: 62.25 -> 62.3
                "level": row.level,
                "answers_index": scoring.round_score(row.answers_index),
                "contradictions": row.contradictions,
                "framework_version": row.framework_version,
            },
        },
    )


def _mark_scored(assessment: Assessment) -> bool:
    """Set the status to scored (one UPDATE, no signal); whether it changed."""
    if assessment.status == AssessmentStatus.SCORED:
        return False
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORED, scoring_error="")
    assessment.status, assessment.scoring_error = AssessmentStatus.SCORED, ""
    return True
