"""The change history in the API: one shape for every tracked object (`config.history`), JSON or CSV.

`GET …/history/` answers ``[{when, who, action, reason, subject, summary, changes: [{field, label, before,
after}]}]``, newest first; ``?export=csv`` answers the same as a CSV file (one row per field changed).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .history import HistoryEntry, history_csv, history_entries
from .pagination import WHOLE_LIST
from .serializers import KnownFieldsOnly


class FieldChangeSerializer(KnownFieldsOnly, serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class HistoryEntrySerializer(KnownFieldsOnly, serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = serializers.CharField()
    subject = serializers.CharField(help_text="What the entry is about, in lists of several objects (a question).")
    summary = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


EXPORT_PARAMETER = OpenApiParameter("export", str, enum=["csv"], description="`csv`: the history as a CSV file.")
HISTORY_RESPONSES = {
    (200, "application/json"): HistoryEntrySerializer(many=True),
    (200, "text/csv"): OpenApiTypes.STR,  # with ?export=csv
}
"""The answers of a history endpoint: the entries as JSON, or as CSV with ``?export=csv``."""


def history_response(request: Request, entries: Sequence[HistoryEntry], *, subject: str, filename: str) -> object:
    """The entries as JSON, or as a CSV attachment with ``?export=csv``."""
    if request.query_params.get("export") == "csv":
        response = HttpResponse(history_csv(entries, subject=subject), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return Response(HistoryEntrySerializer(entries, many=True).data)


class HistoryActionMixin:
    """``GET …/{id}/history/`` on a viewset of a tracked model: the object's changes (``?export=csv``: CSV)."""

    @extend_schema(parameters=[EXPORT_PARAMETER], responses=HISTORY_RESPONSES)
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def history(self, request: Request, pk: str | None = None) -> object:
        obj = self.get_object()  # type: ignore[attr-defined]
        entries = history_entries(type(obj), pk=obj.pk)
        name = type(obj)._meta.model_name
        return history_response(request, entries, subject=str(obj), filename=f"{name}-{obj.pk}-history")
