"""API list pages serialized from ``values_list()`` rows: the serializer's JSON without its per-row cost.

A DRF list of 1,000 servers builds 1,000 model instances (and their related rows), then walks every field of the
serializer for each one (``get_attribute``, ``SkipField`` checks, an ordered dict per row): 37 times the cheapest
page. `LightListMixin` reads the page as tuples of the columns the serializer shows and turns each tuple into the
same dict with one converter per field, compiled once per serializer class:

- a model field: its DRF field's own ``to_representation`` (decimals as strings with their places, dates in ISO
  8601...), skipped where it would return the value unchanged (a ``str`` for a ``CharField``, an ``int`` for an
  ``IntegerField``...); ``None`` stays ``None``, as DRF leaves it;
- a field with a dotted source (``site.name``): the related column through the join (``site__name``);
- a primary-key related field: the foreign key's id column;
- anything else (a ``__str__`` of a related row, a method field) must be given in ``light_fields`` as the columns
  it needs and a function of them, or the class refuses to compile (`LightListUnsupported`), so no field is ever
  silently left out.

Only limit/offset list pages take this path; cursor pages (which read their position from model instances),
detail views and writes use the serializer. A test per viewset compares both outputs on a varied set of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.request import Request
from rest_framework.response import Response

LightField = tuple[tuple[str, ...], Callable[..., Any]]
"""The ``values_list`` paths a field needs and the function of their values that gives its representation."""

_UNCHANGED: Mapping[type, type] = {
    drf_fields.CharField: str,
    drf_fields.ChoiceField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: bool,
    drf_fields.FloatField: float,
}
"""DRF field classes whose ``to_representation`` returns a value of this exact type unchanged."""


_COLUMN_TYPES: tuple[tuple[type[models.Field], type], ...] = (
    (models.BooleanField, bool),
    (models.AutoField, int),
    (models.IntegerField, int),  # and its positive, small and big kinds
    (models.FloatField, float),
    (models.CharField, str),
    (models.TextField, str),
)
"""Model fields whose column comes back from the database as ``None`` or a value of exactly this type."""


def _column_type(serializer: Any, source: str) -> type | None:
    """The Python type a model field's column always comes back as, or ``None`` when unsure."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None or "." in source:
        return None
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if model_field.choices and not isinstance(model_field, models.CharField):
        return None
    for kind, python_type in _COLUMN_TYPES:
        # a subclass that converts what it reads (``from_db_value``) is not the plain column
        if isinstance(model_field, kind) and getattr(model_field, "from_db_value", None) is None:
            return python_type
    return None


class LightListUnsupported(TypeError):
    """A serializer field the light path cannot read from a row (give it in ``light_fields``)."""


@dataclass(frozen=True)
class LightPlan:
    """The columns to read and one function turning a page of rows into the serializer's dicts."""

    paths: tuple[str, ...]
    keys: tuple[str, ...]
    represent: Callable[[Sequence[Sequence[Any]]], list[dict[str, Any]]]


def compile_plan(serializer: Any, light_fields: Mapping[str, LightField]) -> LightPlan:
    """The plan of a (model) serializer instance; `LightListUnsupported` names a field it cannot read.

    ``represent`` is generated Python: one dict display per row with an expression per key, so a cell costs an
    index and a type check, not a function call. Its names are the serializer's field names (``repr``) and
    column numbers; the converters it calls are the DRF fields' own ``to_representation``.
    """
    paths: list[str] = []

    def column(path: str) -> int:
        if path not in paths:
            paths.append(path)
        return paths.index(path)

    keys: list[str] = []
    expressions: list[str] = []
    names: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        n = len(keys)
        if name in light_fields:
            needed, function = light_fields[name]
            names[f"f{n}"] = function
            expression = f"f{n}({', '.join(f'r[{column(path)}]' for path in needed)})"
        elif isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None and "." not in field.source:
            expression = f"r[{column(field.source)}]"  # the foreign key's id, as DRF gives it
        elif isinstance(field, relations.RelatedField | relations.ManyRelatedField | drf_fields.SerializerMethodField):
            raise LightListUnsupported(f"{type(serializer).__name__}.{name}: give it in light_fields")
        elif hasattr(field, "fields") or field.source == "*":
            raise LightListUnsupported(f"{type(serializer).__name__}.{name}: nested; give it in light_fields")
        else:
            i = column(field.source.replace(".", "__"))
            names[f"c{n}"] = field.to_representation
            unchanged = _UNCHANGED.get(type(field))
            if unchanged is not None and unchanged is _column_type(serializer, field.source):
                expression = f"r[{i}]"  # the column only ever holds None or that type: as DRF gives it
            elif unchanged is not None:
                names[f"t{n}"] = unchanged
                expression = f"(v if (v := r[{i}]) is None or type(v) is t{n} else c{n}(v))"
            else:
                expression = f"(None if (v := r[{i}]) is None else c{n}(v))"
        keys.append(name)
        expressions.append(f"{name!r}: {expression}")
    source = "def represent(rows):\n    return [{" + ", ".join(expressions) + "} for r in rows]\n"
    namespace: dict[str, Any] = dict(names)
    exec(compile(source, f"<light list of {type(serializer).__name__}>", "exec"), namespace)  # noqa: S102
    return LightPlan(tuple(paths), tuple(keys), namespace["represent"])


class LightListMixin:
    """For an API ``ModelViewSet``: limit/offset list pages from ``values_list()`` rows (see the module)."""

    light_fields: ClassVar[Mapping[str, LightField]] = {}
    _light_plans: ClassVar[dict[type, LightPlan]] = {}

    def light_plan(self) -> LightPlan:
        serializer_class = self.get_serializer_class()  # type: ignore[attr-defined]
        plan = LightListMixin._light_plans.get(serializer_class)
        if plan is None:
            plan = compile_plan(self.get_serializer(), self.light_fields)  # type: ignore[attr-defined]
            LightListMixin._light_plans[serializer_class] = plan
        return plan

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if "cursor" in request.query_params:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        plan = self.light_plan()
        selected = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        rows = selected.values_list(*plan.paths)
        paginator = self.paginator  # type: ignore[attr-defined]
        if paginator is not None and hasattr(paginator, "get_count"):
            # Count the selected rows, not the rows joined to the names the page shows (the same number, since
            # those joins add no row): a count of 50,000 servers then reads one index, not three tables.
            paginator.get_count = lambda queryset: selected.count()
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        if page is not None:
            return self.get_paginated_response(plan.represent(page))  # type: ignore[attr-defined]
        return Response(plan.represent(list(rows)))
