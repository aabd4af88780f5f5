"""Model fields every app shares, and the one rule on their storage range (`OwnLimitsFirst`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, models


class UpperCaseCodeField(models.CharField):
    """An ISO code (country, currency): stored in capitals without surrounding spaces, whoever typed it. Only
    ASCII is put in capitals: ``"aß".upper()`` is ``"ASS"``, which the field's validator must see as typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._validators:  # a code's validator refuses a wrong length itself, naming the code ("EURO" is not 3
            # letters: "Enter the three-letter ISO currency code, e.g. EUR."), where the length's would say only
            # "at most 3 characters"; the column keeps its max_length.
            self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def formfield(self, **kwargs: Any) -> Any:
        if self._validators:  # the form says it as the model does (above)
            kwargs.setdefault("max_length", None)
        return super().formfield(**kwargs)

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


class WordedDecimalField(models.DecimalField):
    """A decimal column whose size limits read as the field's range, not as digits: "Enter a value between 0 and
    9,999,999,999.99." (its range validator's words, `inventory.validators.up_to`, when the range is the column's;
    else "Enter a value of at most ...", the column's largest) where Django would say "Ensure that there are no
    more than 12 digits in total."; "Enter at most 2 decimal places." for the decimals. The same words on the
    model (the API, imports, the admin) and in its forms. Migrations see a plain DecimalField."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ranged = next((v for v in self._validators if getattr(v, "code", "") == "out_of_range"), None)
        largest = Decimal(10) ** (self.max_digits - self.decimal_places) - Decimal(1).scaleb(-self.decimal_places)
        at_most = getattr(ranged, "at_most", None)
        if ranged is not None and at_most is not None and Decimal(str(at_most)) <= largest:
            too_large = str(ranged.message)  # the range is the column's, or within it
        else:
            too_large = f"Enter a value of at most {largest:,}."
        self.worded_messages = {
            "max_digits": too_large,
            "max_whole_digits": too_large,
            "max_decimal_places": f"Enter at most {self.decimal_places} decimal places.",
        }
        self.error_messages.update(self.worded_messages)

    def run_validators(self, value: Any) -> None:
        """Each problem once, too large a value as ``out_of_range`` (the code the range gives it): a value past the
        column is past the range too, and both say the range."""
        try:
            super().run_validators(value)
        except ValidationError as error:
            unique: dict[str, ValidationError] = {}
            for item in map(self.worded, error.error_list):
                unique.setdefault(" ".join(ValidationError([item]).messages), item)
            raise ValidationError(list(unique.values())) from None

    def worded(self, error: ValidationError) -> ValidationError:
        """One validator's problem in the field's words: too many digits as its range (code ``out_of_range``), too
        many decimals said plainly; any other as it is. The model's `run_validators` and the import's column
        checks (`inventory.importing.cells`) both say it so."""
        code = getattr(error, "code", None)
        if code not in self.worded_messages:
            return error
        kept = code == "max_decimal_places"
        return ValidationError(self.worded_messages[code], code=code if kept else "out_of_range")

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(
            **{**kwargs, "error_messages": {**self.worded_messages, **kwargs.get("error_messages", {})}}
        )

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
