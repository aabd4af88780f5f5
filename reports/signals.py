"""Invalidate an organization's cached dashboards when one of its rows is saved or deleted.

Cache invalidation only (no business logic): bulk writes, which send no signals, call
`accounts.services.organization_data_changed` themselves, once per change (the inventory import, scoring, building
a roadmap).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts.services import organization_data_changed
from assessments.models import Assessment, AssessmentResult, RoadmapItem
from inventory.models import (
    CloudCapacity,
    ExchangeRateOverride,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)

WATCHED = (
    Site, Server, StorageSystem, NetworkFabric, CloudCapacity, Workload, ExchangeRateOverride, Assessment,
    AssessmentResult, RoadmapItem,
)  # fmt: skip


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    organization_data_changed(organization_id=getattr(instance, "organization_id", None))


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"reports-cache-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"reports-cache-{model.__name__}-delete")
