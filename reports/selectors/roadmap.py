"""The roadmap: the items of an assessment's current plan for the timeline (`roadmap_entries`), and the first few
for the organization overview (`top_roadmap_items`: the next open ones)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from assessments.models import CLOSED_ROADMAP_STATUSES, Assessment, RoadmapItem, RoadmapKind, RoadmapStatus

from ..charts import RoadmapEntry
from .names import FrameworkNames, framework_names

TOP_ITEMS = 5
"""Roadmap items shown on the organization overview."""


_STATUS_LABELS = dict(RoadmapStatus.choices)
_NO_AREA = {RoadmapKind.CAPACITY.value: "Capacity", RoadmapKind.VERIFY.value: "Verify the facts"}


def _item_area(names: FrameworkNames, area_ref: str, kind: str) -> str:
    return names.area(area_ref) if area_ref else _NO_AREA.get(kind, "")


def roadmap_entries(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[RoadmapEntry]:
    """The items of the assessment's current plan in rank order, as the timeline takes them (one query)."""
    names = names or framework_names(framework=assessment.framework)
    rows = (
        RoadmapItem.objects.filter(assessment_id=assessment.pk, organization_id=assessment.organization_id)
        .filter(in_plan=True)
        .order_by("rank")
        .values_list("rank", "title", "area_ref", "kind", "phase", "status", "effort")
    )
    return [
        RoadmapEntry(rank, title, _item_area(names, area_ref, kind), phase, _STATUS_LABELS.get(status, status), effort)
        for rank, title, area_ref, kind, phase, status, effort in rows
    ]


@dataclass(frozen=True)
class TopItem:
    rank: int
    title: str
    area: str
    phase: str
    status: str
    effort: str
    url: str


def top_roadmap_items(
    *, assessment: Assessment, names: FrameworkNames | None = None, limit: int = TOP_ITEMS
) -> list[TopItem]:
    """The first ``limit`` open items of the assessment's plan (done and dismissed ones are left out, as in the
    PDF's top actions), each linking to its card on the roadmap page."""
    names = names or framework_names(framework=assessment.framework)
    phases = dict(RoadmapItem._meta.get_field("phase").choices)
    url = reverse("assessments:roadmap", args=[assessment.pk])
    rows = (
        RoadmapItem.objects.filter(assessment_id=assessment.pk, organization_id=assessment.organization_id)
        .filter(in_plan=True)
        .exclude(status__in=CLOSED_ROADMAP_STATUSES)
        .order_by("rank")
        .values_list("rank", "item_id", "title", "area_ref", "kind", "phase", "status", "effort")[:limit]
    )
    return [
        TopItem(
            rank,
            title,
            _item_area(names, area_ref, kind),
            phases.get(phase, phase),
            _STATUS_LABELS.get(status, status),
            effort,
            f"{url}#item-{item_id}",
        )
        for rank, item_id, title, area_ref, kind, phase, status, effort in rows
    ]
