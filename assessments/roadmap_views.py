"""The roadmap pages: the phased plan with why each item is there, its tracking, the what-if, and a CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from accounts.selectors import users_of_organization
from inventory.exporting import csv_chunks
from reports.dashboards import roadmap_chart

from . import selectors, services
from .forms import RoadmapTrackForm
from .models import AssessmentStatus, RoadmapItem, RoadmapPhase
from .views import AssessmentMixin


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
        if self.current is None or self.projected is None:
            return None
        return self.projected - self.current


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
        for item in items:
            item.area_name = names.get(item.area_ref, "")
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
            csv_url=reverse("assessments:roadmap_csv", args=[assessment.pk]),
            api_url=reverse("api:assessments:assessment-roadmap", args=[assessment.pk]),
        )
        known = {item.item_id for item in items}
        done = [item_id for item_id in self.request.GET.getlist("done") if item_id in known]
        context["what_if_done"] = set(done)
        if context["scored"] and context["item_count"]:
            assessment.organization = self.organization  # its data version keys the cached chart
            context["gantt"] = roadmap_chart(assessment=assessment)
            context["load_charts"] = True
        if done and context["scored"]:
            current, projected = selectors.roadmap_projection(assessment=assessment, done_ids=done)
            context["projection"] = {
                "index": projected.index,
                "current_index": current.index,
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
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
            messages.error(request, f"{item.title}: {problems}")
            return HttpResponseRedirect(back)
        messages.success(request, f"“{item.title}” is now {item.get_status_display().lower()}.")
        return HttpResponseRedirect(back)


def _form_errors(form: RoadmapTrackForm) -> str:
    return "; ".join(
        f"{form.fields[name].label or name if name in form.fields else name}: {' '.join(errors)}"
        for name, errors in form.errors.items()
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
