"""The inventory's building blocks: precision choices, ISO code fields, the row rules every row runs, and the base of
every organization-owned inventory row."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.db.models import UniqueConstraint
from django.utils.text import get_text_list

from accounts.models import OrganizationOwned
from config.errors import ErrorItem
from config.fields import (
    OwnLimitsFirst,
    UpperCaseCodeField,  # noqa: F401 - re-exported: the inventory's models use it
)
from config.history import InheritedHistoricalRecords

from ..validators import (
    no_rules,
    raise_for,
)


class Precision(models.TextChoices):
    FP32 = "fp32", "FP32"
    BF16 = "bf16", "BF16"
    FP16 = "fp16", "FP16"
    FP8 = "fp8", "FP8"
    INT8 = "int8", "INT8"
    INT4 = "int4", "INT4"


class RowRulesMixin(OwnLimitsFirst):
    """Field rules of a row that need more than one field, and duplicates of its natural key.

    ``clean()`` runs `row_rules` (a function of `inventory.validators`) on the row's values; the importer calls
    the same function on a row's cells. A duplicate of a unique constraint naming the organization is an error on
    the natural key's last field ("A server with this hostname exists already in this organization."), in forms,
    the API and the admin alike. Check constraints are not evaluated in Python (a query each): the field
    validators and row rules say the same, and the database refuses what slips through.
    """

    natural_key: ClassVar[tuple[str, ...]] = ()
    #: Fields of the natural key compared whatever their case (a unique constraint on their ``Lower``): stored as
    #: written, matched in lower case (ASCII: their validators allow nothing else), and sorted in lower case by the
    #: API's ``?ordering=`` (``config.ordering``) as by the model's ``Meta.ordering``.
    folded_key: ClassVar[tuple[str, ...]] = ()
    row_rules: ClassVar[Callable[[Mapping[str, Any]], list[ErrorItem]]] = staticmethod(no_rules)
    _meta: Any

    def rule_values(self) -> dict[str, Any]:
        """The row as the rules read it: field name -> value (a related row by its id)."""
        return {f.name: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        raise_for(self.row_rules(self.rule_values()))

    def unique_error_message(self, model_class: Any, unique_check: tuple[str, ...]) -> ValidationError:
        if "organization" not in unique_check:
            return super().unique_error_message(model_class, unique_check)  # type: ignore[misc]
        return ValidationError(duplicate_message(model_class, unique_check), code="unique")

    def validate_constraints(self, exclude: Any = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        using = router.db_for_write(type(self), instance=self)
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            for constraint in constraints:
                if not isinstance(constraint, UniqueConstraint):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    on_key = getattr(error, "code", None) == "unique" and self.natural_key
                    errors.setdefault(self.natural_key[-1] if on_key else NON_FIELD_ERRORS, []).append(error)
        if errors:
            raise ValidationError(errors)


def duplicate_message(model: Any, fields: tuple[str, ...]) -> str:
    """ "A storage system with this name exists already at this site." for a duplicate natural key."""
    names = [name for name in fields if name not in ("organization", "site")]
    labels = get_text_list([str(model._meta.get_field(name).verbose_name) for name in names], "and")
    what = str(model._meta.verbose_name)
    article = "An" if what[:1] in "aeiou" else "A"
    where = "at this site" if "site" in fields else "in this organization"
    return f"{article} {what} with this {labels} exists already {where}."


class InventoryRow(RowRulesMixin, OrganizationOwned):
    """Base of the organization-owned inventory rows (field rules: `RowRulesMixin`); every change is kept
    (`history`, django-simple-history; docs/collaboration.md)."""

    # Every change kept: who, when, before and after. CloudCapacity's `instance_type` is not tracked: the name is
    # the historical model's own attribute (simple_history's `instance_type`, the tracked model). A history is
    # read by the row's id: its copies of the row's relations are not indexed.
    history = InheritedHistoricalRecords(inherit=True, excluded_fields=["instance_type"], unindexed_relations=True)

    class Meta:
        abstract = True
