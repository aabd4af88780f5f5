"""Model fields every app shares, and the one rule on their storage range (`OwnLimitsFirst`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models


class UpperCaseCodeField(models.CharField):
    """An ISO code (country, currency): stored in capitals without surrounding spaces, whoever typed it. Only
    ASCII is put in capitals: ``"aß".upper()`` is ``"ASS"``, which the field's validator must see as typed."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        value = value.strip()
        return value.upper() if value.isascii() else value

    def deconstruct(self) -> Any:
        # Normalizing is no business of the database: migrations see a plain CharField (no table rebuild).
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def storage_limit(model_field: models.Field, limit: Any) -> bool:
    """Whether ``limit`` is the storage range of an integer column on this database (PostgreSQL's ``smallint``: up
    to 32767; SQLite's: 64 bits), which Django adds to an integer field's validators and DRF makes its field's
    ``max_value``. A positive field's 0 is not: it is what the field means, on every database."""
    if not isinstance(model_field, models.IntegerField) or limit is None or callable(limit):
        return False
    internal_type = model_field.get_internal_type()
    if limit == 0 and internal_type.startswith("Positive"):
        return False
    return limit in connection.ops.integer_field_range(internal_type)


# Django's own Min/MaxValueValidator codes: a column's range (and a positive field's 0), never a field's own bound.
_COLUMN_CODES = ("min_value", "max_value")


class OwnLimitsFirst:
    """A number beyond a field's own bound is refused with that bound's message alone.

    Django adds the column's storage range to every integer field's validators and ``clean_fields`` reports every
    broken one, so 10**20 accelerators were told "Ensure this value is less than or equal to 9223372036854775807"
    besides "Enter a value between 0 and 1,024.". A column's limits (Django's min/max value checks: the storage
    range, PostgreSQL's ``smallint`` said on every database, a positive field's 0) are said only when they are the
    field's only broken rule. Forms, the API (``full_clean``) and the admin share this; the
    import orders the same checks (`inventory.importing.cells.field_checks`).
    """

    _meta: Any

    def clean_fields(self, exclude: Any = None) -> None:
        try:
            super().clean_fields(exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors: dict[str, list[ValidationError]] = {}
            for name, items in error.error_dict.items():
                own = [item for item in items if item.code not in _COLUMN_CODES]
                errors[name] = own or items
            raise ValidationError(errors) from None
