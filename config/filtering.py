"""The filters of every API list (django-filter's backend). A parameter a list does not take is refused by
`config.parameters` (every endpoint); the list's filters are among those it takes."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend


class KnownParametersFilterBackend(DjangoFilterBackend):
    """django-filter's backend; a list's filters are among the parameters `KnownParametersOnly` lets through."""

    def parameter_names(self, request: Any, queryset: Any, view: Any) -> list[str]:
        filterset = self.get_filterset(request, queryset, view)
        return list(filterset.filters) if filterset is not None else []
