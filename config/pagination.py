from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination
from rest_framework.settings import api_settings

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def whole_number(request: Any, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    """The query parameter ``name`` as a whole number of at least ``minimum`` (capped at ``maximum``); absent or
    empty: ``default``. Anything else is a 400 on that parameter, not DRF's silent fallback to the default, which
    answers ``?limit=abc`` or ``?offset=-5`` with a page the client did not ask for."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        cap = f" (a page holds at most {maximum} rows)" if maximum is not None else ""
        raise ValidationError({name: [f"Enter a whole number of at least {minimum}{cap}."]}, code="invalid")
    return min(value, maximum) if maximum is not None else value


class StableCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = DEFAULT_LIMIT
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT

    def get_page_size(self, request: Any) -> int:
        return whole_number(
            request, self.page_size_query_param, default=self.page_size, minimum=1, maximum=self.max_page_size
        )

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        """The list's order (``?ordering=`` or its default), ties broken by id (`config.ordering`). A cursor holds
        the first field's value, read from the row itself, so that field cannot be a related row's: asked for, it
        is a 400; a list whose default it is walks its cursor pages by id."""
        ordering = super().get_ordering(request, queryset, view)
        if "__" not in ordering[0]:
            return ordering
        if not request.query_params.get(api_settings.ORDERING_PARAM, "").strip():
            return ("pk",)  # the list's default is a related row's field (a BMC's server): cursor pages go by id
        raise ValidationError(
            {
                api_settings.ORDERING_PARAM: [
                    f"Cursor pages cannot be ordered by '{ordering[0]}', a related row's field: leave out "
                    "`cursor` to page with `limit` and `offset`, or order by a field of the row itself."
                ]
            },
            code="invalid_ordering",
        )

    def decode_cursor(self, request: Any) -> Any:
        """A cursor that is not one of ours is a bad request (400 on `cursor`), not a missing page (DRF's 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "Invalid cursor: start with an empty `cursor` and follow the pages' `next` links."
                    ]
                }
            ) from error


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """`?limit=&offset=` pages: 50 rows by default, at most 1000.

    For large walks, `?cursor=` (empty to start) switches to cursor pages in the list's order (its default or
    `?ordering=`, ties broken by id): each page costs the same however deep the walk goes, and, when the first
    field is unique (`id`, a server's `hostname`), rows added meanwhile are neither skipped nor repeated. A `limit`
    or `offset` that is not a whole number in range is a 400 on it.
    """

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Any) -> int:
        return whole_number(
            request, self.limit_query_param, default=self.default_limit, minimum=1, maximum=self.max_limit
        )

    def get_offset(self, request: Any) -> int:
        return whole_number(request, self.offset_query_param, default=0, minimum=0)

    @property
    def query_params(self) -> tuple[str, ...]:
        """The query parameters of its pages (`config.filtering` lets a list take them)."""
        return (self.limit_query_param, self.offset_query_param, StableCursorPagination.cursor_query_param)

    def _cursor(self, request: Any) -> StableCursorPagination | None:
        cursor = StableCursorPagination.cursor_query_param
        return StableCursorPagination() if cursor in request.query_params else None

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
            "name": StableCursorPagination.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "Walk with cursor pages instead (empty to start; then follow `next`).",
            "schema": {"type": "string"},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Rows per page: {self.default_limit} unless given, at most {self.max_limit} (more is capped)."
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.offset_query_param:
                parameter["description"] = "How many rows to skip, from 0."
                parameter["schema"] = {"type": "integer", "minimum": 0}
        return [*parameters, cursor]

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
