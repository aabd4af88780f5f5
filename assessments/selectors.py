"""Reads of the assessments app, scoped to one organization."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Organization

from . import scoring
from .models import Answer, Assessment, AssessmentResult, Framework


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
