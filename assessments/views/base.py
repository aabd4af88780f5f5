"""What every assessment page shares: the assessment of the URL, scoped to the active organization, and its
framework; the progress rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.scoping import OrganizationViewMixin

from .. import scoring, selectors, services
from ..models import Assessment


class AssessmentMixin(OrganizationViewMixin):
    """An assessment of the active organization, from the URL's `pk` (another organization's is a 404)."""

    _assessment: Assessment | None = None
    _framework: scoring.Framework | None = None

    def get_assessment(self) -> Assessment:
        if self._assessment is None:
            self._assessment = get_object_or_404(
                selectors.assessments_for(organization=self.organization), pk=self.kwargs["pk"]
            )
        return self._assessment

    def get_framework(self) -> scoring.Framework:
        if self._framework is None:
            self._framework = services.framework_parse(self.get_assessment().framework)
        return self._framework

    def get_area(self) -> scoring.Area:
        """The area the URL's `area_id` names (a 404 if the framework has none)."""
        area = self.get_framework().area(self.kwargs["area_id"])
        if area is None:
            raise Http404("No such area in this assessment's framework.")
        return area

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        context["assessment"] = assessment
        context["framework"] = self.get_framework()
        context["can_answer"] = context["can_write"] and not assessment.is_frozen
        context["detail_url"] = reverse("assessments:detail", args=[assessment.pk])
        context["review_url"] = reverse("assessments:review", args=[assessment.pk])
        return context

    def area_url(self, area_id: str, question_id: str | None = None) -> str:
        url = reverse("assessments:area", args=[self.get_assessment().pk, area_id])
        return f"{url}#q-{question_id}" if question_id else url


@dataclass(frozen=True)
class ProgressRow:
    area_id: str
    name: str
    answered: int
    total: int
    pct: int
    url: str


def progress_rows(view: AssessmentMixin, progress: selectors.Progress) -> list[ProgressRow]:
    return [
        ProgressRow(a.area_id, a.name, a.answered, a.total, a.pct, view.area_url(a.area_id)) for a in progress.areas
    ]
