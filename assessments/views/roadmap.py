"""The roadmap pages: the phased plan with why each item is there, its tracking, the what-if, and a CSV export.

The page's timeline chart is drawn by the reports app, which depends on this one (never the other way round):
`reports.apps.ReportsConfig.ready` hands its chart builder in with `provide_roadmap_chart`. Without it the page
shows the plan without the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from accounts.integrations.selectors import issue_trackers_of
from accounts.selectors import users_of_organization
from config.errors import DomainError
from inventory.exporting import csv_chunks

from .. import scoring, selectors, services
from ..forms import RoadmapTrackForm
from ..models import Assessment, AssessmentStatus, RoadmapItem, RoadmapPhase
from ..results import score_text
from .base import AssessmentMixin

_roadmap_chart: Callable[[Assessment], Any] | None = None


def provide_roadmap_chart(build: Callable[[Assessment], Any] | None) -> None:
    """Let the app that draws charts draw the roadmap page's timeline: ``build(assessment)`` returns a chart as
    ``templates/reports/_chart.html`` shows it (``None``: no chart)."""
    global _roadmap_chart
    _roadmap_chart = build


@dataclass(frozen=True)
class PhaseGroup:
    phase: str
    label: str
    items: list[RoadmapItem]

    @property
    def units(self) -> int:
        return sum(item.effort_cost for item in self.items)


@dataclass(frozen=True)
class ProjectedArea:
    area_id: str
    name: str
    current: float | None
    projected: float | None

    @property
    def change(self) -> float | None:
        """The change between the scores as shown (one decimal each), so that the columns add up."""
        if self.current is None or self.projected is None:
            return None
        return round(scoring.round_score(self.projected) - scoring.round_score(self.current), 1)

    @property
    def current_text(self) -> str:
        """As every page rounds a score (`results.score_text`)."""
        return score_text(self.current, none="—")

    @property
    def projected_text(self) -> str:
        return score_text(self.projected, none="—")


class RoadmapView(AssessmentMixin, TemplateView):
    """The phased plan; `?done=<item id>` (repeated) shows the projected scores if those items were done."""

    template_name = "assessments/roadmap.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        framework = self.get_framework()
        items = list(selectors.roadmap_of(assessment=assessment))
        names = {area.id: area.name for area in framework.areas}
        members = list(users_of_organization(organization=self.organization))
        by_id = {item.item_id: item for item in items}
        for item in items:
            item.area_name = names.get(item.area_ref, "")
            # Its prerequisites by rank and title, as people read the plan (their ids are the API's).
            item.prerequisites = [by_id[item_id] for item_id in item.depends_on if item_id in by_id]
            item.track_form = self._form(item, members) if context["can_write"] else None
        context.update(
            scored=assessment.status == AssessmentStatus.SCORED,
            phases=[
                PhaseGroup(phase.value, phase.label, [i for i in items if i.in_plan and i.phase == phase.value])
                for phase in RoadmapPhase
            ],
            dropped=[item for item in items if not item.in_plan],
            item_count=sum(1 for item in items if item.in_plan),
            done_before=list(selectors.roadmap_done_before(assessment=assessment)),
            trackers=list(issue_trackers_of(organization=self.organization).filter(active=True))
            if context["can_write"]
            else [],
            csv_url=reverse("assessments:roadmap_csv", args=[assessment.pk]),
            api_url=reverse("api:assessments:assessment-roadmap", args=[assessment.pk]),
        )
        known = {item.item_id for item in items}
        done = [item_id for item_id in self.request.GET.getlist("done") if item_id in known]
        context["what_if_done"] = set(done)
        if context["scored"] and context["item_count"] and _roadmap_chart is not None:
            assessment.organization = self.organization  # its data version keys the cached chart
            context["gantt"] = _roadmap_chart(assessment)
            context["load_charts"] = True
        projections = selectors.roadmap_projections(assessment=assessment, done_ids=done) if done else None
        if projections is not None and context["scored"]:
            current, projected = projections["now"], projections["projected"]
            context["projection"] = {
                "index": projected.index,
                "current_index": current.index,
                "self_index": projections["self_projected"].index,
                "self_current_index": projections["self_now"].index,
                "areas": [
                    ProjectedArea(area.id, area.name, current.areas[area.id], projected.areas[area.id])
                    for area in framework.areas
                ],
            }
        return context

    @staticmethod
    def _form(item: RoadmapItem, members: Any) -> RoadmapTrackForm:
        return RoadmapTrackForm(
            members=members,
            prefix=f"item-{item.pk}",
            initial={
                "status": item.status,
                "status_reason": item.status_reason,
                "owner": item.owner_id,
                "due_date": item.due_date,
            },
        )


class RoadmapItemTrackView(AssessmentMixin, View):
    """Save one item's tracking (assessors and owners); a refused change names the field."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        item = get_object_or_404(selectors.roadmap_of(assessment=assessment), item_id=kwargs["item_id"])
        form = RoadmapTrackForm(
            request.POST, members=list(users_of_organization(organization=self.organization)), prefix=f"item-{item.pk}"
        )
        back = f"{reverse('assessments:roadmap', args=[assessment.pk])}#item-{item.item_id}"
        if not form.is_valid():
            messages.error(request, f"{item.title}: {_form_errors(form)}")
            return HttpResponseRedirect(back)
        try:
            services.roadmap_item_update(item=item, changes=form.changes(), user=request.user)
        except DomainError as error:
            messages.error(request, f"{item.title}: {_domain_errors(form, error)}")
            return HttpResponseRedirect(back)
        messages.success(request, f"“{item.title}” is now {item.get_status_display().lower()}.")
        return HttpResponseRedirect(back)


class RoadmapItemPushView(AssessmentMixin, View):
    """Open an issue for one item in one of the organization's trackers (assessors and owners)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        item = get_object_or_404(selectors.roadmap_of(assessment=assessment), item_id=kwargs["item_id"])
        back = f"{reverse('assessments:roadmap', args=[assessment.pk])}#item-{item.item_id}"
        try:
            services.roadmap_item_push(item=item, tracker_id=request.POST.get("tracker") or None, user=request.user)
        except DomainError as error:
            messages.error(request, f"{item.title}: {'; '.join(error.messages)}")
            return HttpResponseRedirect(back)
        messages.success(request, f"“{item.title}” is now issue {item.tracker_key}.")
        return HttpResponseRedirect(back)


def _label(form: RoadmapTrackForm, name: str | None) -> str | None:
    """A field as the page labels it (a service's ``owner_id`` is the form's owner); None for no field of it."""
    name = {"owner_id": "owner"}.get(name or "", name)
    return str(form[name].label) if name in form.fields else None


def _form_errors(form: RoadmapTrackForm) -> str:
    return "; ".join(f"{_label(form, name) or 'This item'}: {' '.join(errors)}" for name, errors in form.errors.items())


def _domain_errors(form: RoadmapTrackForm, error: DomainError) -> str:
    return "; ".join(
        f"{label}: {item.message}" if (label := _label(form, item.field)) else item.message for item in error.errors
    )


class RoadmapCsvView(AssessmentMixin, View):
    """The roadmap as CSV (formula-like cells neutralized), one row per item in execution order."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        rows = selectors.roadmap_rows(assessment=assessment)
        response = StreamingHttpResponse(
            csv_chunks(selectors.ROADMAP_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
        name = slugify(assessment.title) or f"assessment-{assessment.pk}"
        response["Content-Disposition"] = f'attachment; filename="roadmap-{name}.csv"'
        return response
