"""Serializer bases shared by the apps' APIs."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core import validators as django_validators
from django.db import models
from rest_framework import serializers
from rest_framework import validators as drf_validators

from config.fields import storage_limit

# The limits of a column, which forms check on the form field too; the model's other rules run in full_clean.
FIELD_LIMITS = (
    django_validators.MinValueValidator,
    django_validators.MaxValueValidator,
    django_validators.MaxLengthValidator,
    django_validators.MinLengthValidator,
    django_validators.DecimalValidator,
    drf_validators.UniqueValidator,
)

_COLUMN_LIMITS = (django_validators.MinValueValidator, django_validators.MaxValueValidator)


class KnownFieldsOnly:
    """A body naming a field the serializer does not have is refused at that field (``unknown_field``), as the
    import refuses an unknown column: otherwise a typo (``power_capacity`` for ``power_capacity_kw``) is dropped
    without a word and the request answers 200 with nothing changed. Read-only fields are known: a row read from
    the API may be sent back whole. In a list body each item's unknown fields carry its ``index``.
    ``ignored_fields`` are known and dropped (the organization, which comes from the request, never the body)."""

    fields: Any
    ignored_fields: tuple[str, ...] = ()

    def _known_fields_subject(self) -> str:
        model = getattr(getattr(self, "Meta", None), "model", None)
        return f"the fields of {model._meta.verbose_name_plural}" if model is not None else "the fields"

    def refuse_unknown_fields(self, data: Any) -> None:
        if isinstance(data, Mapping):
            unknown = [name for name in data if name not in self.fields and name not in self.ignored_fields]
            if unknown:
                writable = ", ".join(name for name, field in self.fields.items() if not field.read_only)
                message = f"unknown field; {self._known_fields_subject()} are {writable}."
                raise serializers.ValidationError({name: [message] for name in unknown}, code="unknown_field")

    def to_internal_value(self, data: Any) -> Any:
        self.refuse_unknown_fields(data)
        return super().to_internal_value(data)  # type: ignore[misc]


class NumberField(serializers.FloatField):
    """A number that is a number: JSON ``true`` is refused (DRF's `FloatField` takes it as 1.0, so a PUE of ``true``
    was stored as 1.0), as the integer and decimal fields and the import refuse it."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class ColumnDecimalField(serializers.DecimalField):
    """A decimal column's number, read as given and written as the column holds it.

    Its digits are the model's to check (`config.fields.WordedDecimalField`: in words, with every other problem of
    the body at once), so nothing is checked or rounded on the way in; on the way out the value has the column's
    decimal places, so a row reads the same in the answer to its create as when it is read back ("0.1000", not
    "0.1" and then "0.1000")."""

    def validate_precision(self, value: Decimal) -> Decimal:
        return value

    def quantize(self, value: Decimal) -> Decimal:
        return value  # the input, as given: the model refuses digits the column cannot hold

    def to_representation(self, value: Any) -> Any:
        if value is not None and self.decimal_places is not None:
            value = value if isinstance(value, Decimal) else Decimal(str(value).strip())
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places))
        return super().to_representation(value)


class ValidatedModelSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """Validates through the model, as NetBox's ``ValidatedModelSerializer`` does.

    After DRF's own checks (types, choices, related rows), ``validate`` builds the instance the request would save
    (a copy of the stored one for an update) and calls its ``full_clean()``: the model's field validators,
    ``clean()`` (rules across fields) and unique constraints give the API exactly the messages the app's forms and
    the import give. Django's ``ValidationError`` becomes field errors (DRF does it in ``run_validation``; in a list
    body each item's errors carry its ``index``), rendered in the one error shape (``config.api_errors``). Values the
    model normalizes (``" de "`` -> ``"DE"``) are saved normalized.

    Subclasses whose model has fields that the request does not carry (the organization) set them in
    :meth:`prepare_instance`.
    """

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.FloatField: NumberField}

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # As in a form: the field checks the column's limits; the model's own rules run once, in full_clean, so
        # a value too long for the column is refused for that alone, and a rule's message is the model's.
        validators = [v for v in kwargs.pop("validators", []) if isinstance(v, FIELD_LIMITS)]
        # The column's storage range is no limit to quote: the model's own bound, narrower, says it in full_clean
        # ("between 0 and 1,024", not "less than or equal to 9223372036854775807"; `config.fields.OwnLimitsFirst`).
        own_bound = any(not isinstance(v, _COLUMN_LIMITS) for v in model_field.validators)
        if "max_value" in kwargs and (own_bound or storage_limit(model_field, kwargs["max_value"])):
            del kwargs["max_value"]
        if "min_value" in kwargs and storage_limit(model_field, kwargs["min_value"]):
            del kwargs["min_value"]
        # DRF words a length limit its own way ("no more than N characters"); forms and the import say Django's.
        # A field that words its length itself (an ISO code: `config.fields.UpperCaseCodeField`) has none.
        if "max_length" in kwargs and issubclass(field_class, serializers.CharField):
            max_length = kwargs.pop("max_length")
            if any(isinstance(v, django_validators.MaxLengthValidator) for v in model_field.validators):
                validators.append(django_validators.MaxLengthValidator(max_length))
        # A decimal column's digits are checked by the model (`config.fields.WordedDecimalField`: they read as its
        # range, code out_of_range), in full_clean with the other fields, so every problem of the body is said at
        # once with the code forms and the import give; DRF reads the number only, and writes it with the column's
        # decimal places (`ColumnDecimalField`).
        if getattr(model_field, "worded_messages", None) and issubclass(field_class, serializers.DecimalField):
            field_class = ColumnDecimalField
        if validators:
            kwargs["validators"] = validators
        return field_class, kwargs

    def prepare_instance(self, instance: models.Model) -> None:
        """Set what the request does not say (e.g. the organization) before the instance is validated."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name: f for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, name, value)
        self.prepare_instance(instance)
        instance.full_clean()
        for name in attrs:  # what the model normalized
            field = concrete.get(name)
            if field is not None and not field.is_relation:
                attrs[name] = getattr(instance, field.attname)
        return attrs
