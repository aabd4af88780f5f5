"""`?ordering=` of every API list: the view's documented fields only, a model's case-folded key sorted whatever its
case, and ties broken by id.

DRF's ``OrderingFilter`` drops a field it does not know without a word (``?ordering=bogus`` answers the default
order, so a typo looks like it worked) and orders by exactly what it is given, so rows that tie on that field
(``?ordering=status``) have no defined order between them: a database may answer them in another order for each
page of ``?limit=&offset=``, and a walk through the pages repeats some rows and misses others. Here:

- an unknown field is a 400 on ``ordering`` that names it and lists the fields the list takes (``id`` is always
  one of them);
- a model's ``folded_key`` (a server's hostname, unique whatever its case: its unique index is on
  ``(organization, LOWER(hostname))``) is sorted on ``LOWER(...)``. That reads the index in order, so the first
  page of a 100,000-server list is an index range scan instead of a sort of the whole fleet (117 ms -> under 5 ms
  on PostgreSQL, docs/performance.md), and it sorts the way people read names: ``alpha``, ``Bravo``, ``charlie``.
  The models sort the same way by default (``Meta.ordering``), so the web lists, the admin and the API agree;
- the order ends with ``id`` (``pk``) unless it already holds a key unique in the list (the id, or a folded key:
  every list is one organization's), so every row has one place, page after page;
- the OpenAPI document lists the fields, ascending and descending, as the parameter's values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import OrderBy, QuerySet
from django.db.models.functions import Lower
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

ALWAYS = ("id",)
"""Fields every list can be ordered by, besides the view's own."""

_ID = {"id", "pk"}


def with_tie_break(ordering: Any, unique: Iterable[str] = ()) -> list[str] | None:
    """``ordering`` ending with ``pk`` (ascending) unless it holds the id or another of the ``unique`` fields."""
    if not ordering:
        return None
    terms = [ordering] if isinstance(ordering, str) else list(ordering)
    total = _ID | set(unique)
    if any(isinstance(term, str) and term.lstrip("-") in total for term in terms):
        return terms
    return [*terms, "pk"]


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


class StrictOrderingFilter(OrderingFilter):
    ordering_description = (
        "Order by these fields, comma-separated; `-` in front for descending. Rows that tie are ordered by id."
    )

    def allowed(self, queryset: Any, view: Any, request: Any = None) -> list[str]:
        names = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        return [*names, *(name for name in ALWAYS if name not in names)]

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> list[str] | None:
        unique = getattr(queryset.model, "folded_key", ())
        params = request.query_params.get(self.ordering_param)
        if params is None or not params.strip():
            return with_tie_break(self.get_default_ordering(view), unique)
        terms = [term.strip() for term in params.split(",") if term.strip()]
        allowed = self.allowed(queryset, view, request)
        unknown = [term for term in terms if term.removeprefix("-") not in allowed]
        if unknown:
            shown = ", ".join(f"'{term}'" for term in unknown)
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Cannot order by {shown}: order by {', '.join(allowed)} (a '-' in front for descending), "
                        "comma-separated."
                    ]
                },
                code="invalid_ordering",
            )
        return with_tie_break(terms, unique)

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if ordering:
            return queryset.order_by(*folded_ordering(queryset.model, ordering))
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        queryset = getattr(view, "queryset", None)
        try:
            allowed = self.allowed(queryset, view) if queryset is not None else []
        except Exception:  # noqa: BLE001 - a view whose fields cannot be listed without a request: no enum
            allowed = []
        items: dict[str, Any] = {"type": "string"}
        if allowed:
            items["enum"] = [value for name in allowed for value in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": self.ordering_description,
                "schema": {"type": "array", "items": items},
                "style": "form",
                "explode": False,
            }
        ]
