"""`AnyOf`: ``column IN (many values)`` with one query parameter, whatever the number of values.

Django's ``__in`` writes one placeholder per value; a thousand of them per query cost more to build and to parse
than the query itself (an import looks up a chunk's thousand natural keys at a time). ``AnyOf`` sends the values
as one parameter: an array on PostgreSQL (``column = ANY(%s)``), a JSON list on SQLite (``column IN (SELECT value
FROM json_each(%s))``). Used as an expression: ``queryset.filter(AnyOf(F("hostname"), names))``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup


class AnyOf(Lookup):
    """True where the column's value is one of ``values`` (strings or numbers)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, values: Iterable[Any]) -> None:
        super().__init__(lhs, list(values))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.rhs)]  # noqa: S608
