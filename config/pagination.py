from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination


class StableCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000

    def decode_cursor(self, request: Any) -> Any:
        """A cursor that is not one of ours is a bad request (400 on `cursor`), not a missing page (DRF's 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError(
                {"cursor": ["Invalid cursor: start with an empty `cursor` and follow the pages' `next` links."]}
            ) from error


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """`?limit=&offset=` pages: 50 rows by default, at most 1000.

    For large walks, `?cursor=` (empty to start) switches to cursor pages ordered by id: each page costs the same
    however deep the walk goes, and rows added meanwhile are neither skipped nor repeated.
    """

    default_limit = 50
    max_limit = 1000

    def _cursor(self, request: Any) -> StableCursorPagination | None:
        return StableCursorPagination() if "cursor" in request.query_params else None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.cursor_paginator = self._cursor(request)
        if self.cursor_paginator is not None:
            return self.cursor_paginator.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Any:
        if self.cursor_paginator is not None:
            return self.cursor_paginator.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        cursor = {
            "name": "cursor",
            "required": False,
            "in": "query",
            "description": "Walk with cursor pages instead (empty to start; then follow `next`).",
            "schema": {"type": "string"},
        }
        return [*super().get_schema_operation_parameters(view), cursor]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Both kinds of page: `count` is there on `?limit=&offset=` pages only (a cursor page does not count)."""
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = [name for name in paginated.get("required", []) if name != "count"]
        paginated["properties"]["count"] = {
            **paginated["properties"]["count"],
            "description": "Rows in all; absent on cursor pages.",
        }
        return paginated


WHOLE_LIST = {"pagination_class": None, "filter_backends": []}
"""Keyword arguments of a viewset ``@action`` that answers one object's rows as a plain list (its history, its
comments): the list's pages and filters are not its, and the schema must not say they are."""
