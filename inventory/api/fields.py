"""A related row chosen by id or by name: ``"site": 3`` or ``"site": "Frankfurt DC"``.

The names are those the import and discovery resolve (`inventory.services.catalog_names`): a site by its name, an
accelerator type by its model ("H100 SXM"), vendor and model ("NVIDIA H100 SXM") or what nvidia-smi prints, a model
profile by its name; case and repeated spaces do not count, except between two names that differ only by them ("T1"
and "t1": each is found as written); an organization's private catalog entry wins over a shared one of the same
name; a name two entries share is refused as ambiguous (give the id), never guessed.
The choices are the organization's (`OrganizationRelatedField`), so another organization's row is unknown by name as
by id. A request (a bulk list too) reads the names of each related model once: constant queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.base import OrganizationRelatedField

from ..services.catalog_names import AMBIGUOUS, accelerator_type_names, name_index


def _own_name(entry: Any) -> list[str]:
    return [entry.name]


class NameOrIdRelatedField(OrganizationRelatedField):
    """An `OrganizationRelatedField` that also takes the row's name (a string that is not a number)."""

    # The base class's schema override (an integer) is dropped so that `NameOrIdFieldExtension` below maps it.
    _spectacular_annotation: dict[str, Any] = {}

    default_error_messages = {
        "unknown_name": "No {what} is named “{name}” here.",
        "ambiguous_name": "Several {plural} are named “{name}”: give the id of the one you mean.",
    }

    def __init__(self, selector: Any, *, names_of: Callable[[Any], Iterable[str]] = _own_name, **kwargs: Any) -> None:
        self.names_of = names_of
        super().__init__(selector, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not data.strip().isdigit():
            return self._by_name(data)
        return super().to_internal_value(data)

    def _by_name(self, name: str) -> Any:
        index, rows = self._names()
        meta = self.get_queryset().model._meta
        pk = index.resolve(name)
        if pk == AMBIGUOUS:
            self.fail("ambiguous_name", plural=meta.verbose_name_plural, name=name.strip())
        if pk is None or pk not in rows:
            self.fail("unknown_name", what=meta.verbose_name, name=name.strip())
        return rows[pk]

    def _names(self) -> tuple[Any, dict[int, Any]]:
        """The organization's choices by name and by id, read once per request (shared by a bulk list's items)."""
        cache = self.context.setdefault("_related_by_name", {})
        key = (self.selector, self.names_of)
        if key not in cache:
            rows = {row.pk: row for row in self.get_queryset()}
            cache[key] = (name_index(rows.values(), self.names_of), rows)
        return cache[key]


def site_field(selector: Any, **kwargs: Any) -> NameOrIdRelatedField:
    return NameOrIdRelatedField(selector, help_text="The site: its id, or its name.", **kwargs)


def accelerator_type_field(selector: Any, **kwargs: Any) -> NameOrIdRelatedField:
    return NameOrIdRelatedField(
        selector,
        names_of=accelerator_type_names,
        help_text='The accelerator type: its id, or a name ("H100 SXM", "NVIDIA H100 SXM", or what nvidia-smi prints).',
        **kwargs,
    )


def model_profile_field(selector: Any, **kwargs: Any) -> NameOrIdRelatedField:
    return NameOrIdRelatedField(selector, help_text="The model profile: its id, or its name.", **kwargs)


class NameOrIdFieldExtension(OpenApiSerializerFieldExtension):
    """In the OpenAPI schema: a request takes an integer id or a string name; a response gives the id."""

    target_class = NameOrIdRelatedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        if direction == "response":
            return build_basic_type(OpenApiTypes.INT)
        return {"oneOf": [build_basic_type(OpenApiTypes.INT), build_basic_type(OpenApiTypes.STR)]}


MONEY_SCHEMA = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$", "example": "9056.05"}


@extend_schema_field(MONEY_SCHEMA)
class MoneyField(serializers.CharField):
    """An amount of money in a response: a decimal string rounded to its currency's minor unit
    (`inventory.money.decimal_string`), the currency named beside it (its row's ``currency`` or the key it is
    listed under). Documented as ``type: string, format: decimal``, never a float."""


def money_by_currency(**kwargs: Any) -> serializers.DictField:
    """Amounts keyed by their ISO 4217 currency, each a `MoneyField`."""
    return serializers.DictField(child=MoneyField(), **kwargs)
