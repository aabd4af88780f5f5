"""The API's ``?ordering=``: DRF's filter, with the fields a model compares whatever their case sorted that way.

A model's ``folded_key`` (a server's hostname) is unique whatever its case: its unique index is on
``(organization, LOWER(hostname))``. Sorting on ``LOWER(hostname)`` reads that index in order, so the first page of
a 100,000-server list is an index range scan instead of a sort of the whole fleet (117 ms -> under 5 ms on
PostgreSQL, docs/performance.md), and it sorts the way people read names: ``alpha``, ``Bravo``, ``charlie``. The
models sort the same way by default (``Meta.ordering``), so the web lists, the admin and the API agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OrderBy, QuerySet
from django.db.models.functions import Lower
from rest_framework import filters


def folded_ordering(model: type, terms: Iterable[str]) -> list[str | OrderBy]:
    """``terms`` (``"hostname"``, ``"-status"``) as ``order_by`` arguments, the model's folded fields in lower case."""
    folded = set(getattr(model, "folded_key", ()))
    ordering: list[str | OrderBy] = []
    for term in terms:
        name = term.removeprefix("-")
        if name not in folded:
            ordering.append(term)
        elif term.startswith("-"):
            ordering.append(Lower(name).desc())
        else:
            ordering.append(Lower(name).asc())
    return ordering


class OrderingFilter(filters.OrderingFilter):
    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if ordering:
            return queryset.order_by(*folded_ordering(queryset.model, ordering))
        return queryset
