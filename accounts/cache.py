"""Per-organization cache of built pages and analyses, invalidated by the organization's data version.

The cache key holds ``Organization.data_version``, which `accounts.services.organization_data_changed` raises on
any change of the inventory, the assessments' results or the roadmap (`reports.signals` for row saves and deletes,
explicit calls after bulk writes). A change therefore makes every process build afresh on its next view, whatever
the cache backend (per-process memory in the embedded mode, Redis with `CACHE_URL`); superseded entries expire.
Shared catalog edits (accelerator specs) are not tracked: they show after `DASHBOARD_CACHE_SECONDS`.

Here, in the lowest app, so that every app caches the same way: the dashboards (`reports.dashboards`) and the
capacity analysis (`inventory.analysis.analysis_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from .models import Organization

T = TypeVar("T")


def cache_key(organization: Organization, name: str) -> str:
    return f"org:{organization.pk}:v{organization.data_version}:{name}"


def cached(organization: Organization, name: str, build: Callable[[], T]) -> T:
    """``build()``'s value for this organization's current data, from the cache when there."""
    key = cache_key(organization, name)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.DASHBOARD_CACHE_SECONDS)
    return value
