"""The filters of every API list (django-filter's backend), refusing a query parameter the list does not take.

DRF and django-filter drop a parameter they do not know: ``GET /api/v1/inventory/servers/?hostname=fra-h100-01``
answered every server, as if the filter had matched, and a script that acts on the first result acts on the wrong
row. A list (the ``list`` action; a row's own URL and its actions read their own parameters) now answers 400 on
that parameter, naming the ones it takes: its filters, the pages' (`config.pagination`), ``ordering``
(`config.ordering`) and DRF's ``format``.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


class KnownParametersFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        if getattr(view, "action", None) == "list":
            self.refuse_unknown(request, queryset, view)
        return super().filter_queryset(request, queryset, view)

    def taken(self, request: Any, queryset: Any, view: Any) -> list[str]:
        filterset = self.get_filterset(request, queryset, view)
        names = list(filterset.filters) if filterset is not None else []
        names += getattr(getattr(view, "paginator", None), "query_params", ())
        if any(getattr(backend, "ordering_param", None) for backend in getattr(view, "filter_backends", ())):
            names.append(api_settings.ORDERING_PARAM)
        return [*names, api_settings.URL_FORMAT_OVERRIDE]

    def refuse_unknown(self, request: Any, queryset: Any, view: Any) -> None:
        taken = self.taken(request, queryset, view)
        unknown = [name for name in request.query_params if name not in taken]
        if unknown:
            message = f"Unknown parameter; this list takes {', '.join(taken)}."
            raise ValidationError({name: [message] for name in unknown}, code="unknown_parameter")
