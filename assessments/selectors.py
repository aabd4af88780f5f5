"""Reads of the assessments app, scoped to one organization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Organization
from inventory.facts import shown

from . import roadmap, scoring
from .models import Answer, Assessment, AssessmentResult, Framework, RoadmapItem, RoadmapStatus


def frameworks_for(*, organization: Organization | None) -> QuerySet[Framework]:
    """Shared frameworks and the organization's own."""
    return Framework.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def default_framework() -> Framework | None:
    return Framework.objects.filter(organization=None, slug="genai-infrastructure").order_by("-created").first()


def assessments_for(*, organization: Organization | None) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("framework", "created_by", "submitted_by", "result")
        .order_by("-created")
    )


def answers_of(*, assessment: Assessment) -> QuerySet[Answer]:
    return assessment.answers.select_related("answered_by").order_by("question_id")


def scoring_answers_of(*, assessment: Assessment) -> dict[str, scoring.Answer]:
    """The assessment's answers as the scoring engine takes them."""
    return {
        a.question_id: scoring.Answer(a.question_id, a.value, a.not_applicable, a.source)
        for a in assessment.answers.all()
    }


def result_of(*, assessment: Assessment) -> AssessmentResult | None:
    return AssessmentResult.objects.filter(assessment=assessment).prefetch_related("scores").first()


@dataclass(frozen=True)
class AreaProgress:
    area_id: str
    name: str
    answered: int
    total: int

    @property
    def pct(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass(frozen=True)
class Progress:
    areas: list[AreaProgress]

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def pct(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def progress_of(*, assessment: Assessment, framework: scoring.Framework | None = None) -> Progress:
    """Answered / total per area and overall (an N/A answer counts as answered)."""
    framework = framework or scoring.Framework.from_dict(assessment.framework.definition)
    answered = set(assessment.answers.values_list("question_id", flat=True))
    return Progress(
        [
            AreaProgress(
                area.id,
                area.name,
                sum(1 for q in area.questions() if q.id in answered),
                sum(1 for _ in area.questions()),
            )
            for area in framework.areas
        ]
    )


def roadmap_of(*, assessment: Assessment) -> QuerySet[RoadmapItem]:
    """The roadmap's items in execution order (items a rebuild no longer needs come last)."""
    return assessment.roadmap_items.select_related("owner", "carried_from__assessment").order_by("-in_plan", "rank")


def roadmap_done_before(*, assessment: Assessment) -> QuerySet[RoadmapItem]:
    """Items done in the previous assessment: the context a re-assessment starts from."""
    return RoadmapItem.objects.filter(
        assessment_id=assessment.previous_id, status=RoadmapStatus.DONE, organization=assessment.organization
    ).select_related("owner", "updated_by")


def roadmap_projection(
    *, assessment: Assessment, done_ids: Iterable[str]
) -> tuple[roadmap.Projection, roadmap.Projection]:
    """Questionnaire area scores and index now, and if the items ``done_ids`` were done (`roadmap.project`);
    the assessment is scored once for both."""
    framework = scoring.Framework.from_dict(assessment.framework.definition)
    result = scoring.score_assessment(framework, scoring_answers_of(assessment=assessment), assessment.target_levels)
    return roadmap.project(framework, result, ()), roadmap.project(framework, result, set(done_ids))


ROADMAP_COLUMNS = (
    "rank",
    "phase",
    "item_id",
    "kind",
    "area",
    "question",
    "title",
    "action",
    "why",
    "effort",
    "priority",
    "risk",
    "current_score",
    "target_score",
    "current_area_score",
    "expected_area_score",
    "depends_on",
    "status",
    "status_reason",
    "owner",
    "due_date",
    "in_plan",
)
"""Columns of the roadmap export (CSV, and the data exports of reports)."""


def roadmap_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The roadmap as flat rows, one per item, in execution order (for CSV and spreadsheet exports)."""
    return [
        {
            "rank": item.rank,
            "phase": item.get_phase_display(),
            "item_id": item.item_id,
            "kind": item.get_kind_display(),
            "area": item.area_ref,
            "question": item.question_ref,
            "title": item.title,
            "action": item.action,
            "why": item.why,
            "effort": item.effort,
            "priority": round(item.priority, 2),
            "risk": item.risk,
            "current_score": item.current_score,
            "target_score": item.target_score,
            "current_area_score": None if item.current_area_score is None else round(item.current_area_score, 1),
            "expected_area_score": None if item.expected_area_score is None else round(item.expected_area_score, 1),
            "depends_on": " ".join(item.depends_on),
            "status": item.get_status_display(),
            "status_reason": item.status_reason,
            "owner": item.owner.get_username() if item.owner else "",
            "due_date": item.due_date.isoformat() if item.due_date else "",
            "in_plan": item.in_plan,
        }
        for item in roadmap_of(assessment=assessment)
    ]


def answer_shown(*, question: scoring.Question, value: Any) -> str:
    """An answer value as a person reads it: the level's words, the option's label, yes/no, or the number (the
    roadmap's *why*, reports and exports)."""
    if value is None:
        return "no answer"
    if question.type == "maturity" and question.levels and isinstance(value, int) and 0 <= value < len(question.levels):
        label = question.levels[value]
        return label if label.startswith(str(value)) else f"level {value} ({label})"
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type == "choice":
        labels = {option.id: option.label for option in question.options}
        return labels.get(value, str(value))
    return shown(value)
