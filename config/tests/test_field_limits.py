"""Every number people or files enter has a realistic range on its model field; every name refuses characters that
change how it shows; every free text has a length limit. Iterates the models, so a new field is checked too."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import ApiToken, Organization
from assessments.models import Answer, Assessment
from config.validators import TEXT_MAX_LENGTH, validate_finite, validate_finite_json, validate_name, validate_text
from inventory.models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerModel,
    Site,
    StorageSystem,
    Workload,
)
from inventory.validators import Bounds

# The models people and files write (forms, API, import, admin).
ENTERED = [Site, Server, StorageSystem, NetworkFabric, CloudCapacity, Workload, AcceleratorType, ModelProfile]
ENTERED += [ServerModel, GridRegion]
NUMBERS = (models.FloatField, models.IntegerField, models.DecimalField)
NAMES = {
    Organization: ["name"],
    ApiToken: ["name"],
    Assessment: ["title"],
    Site: ["name"],
    StorageSystem: ["name"],
    NetworkFabric: ["name"],
    Workload: ["name"],
    AcceleratorType: ["vendor", "model"],
    ModelProfile: ["name"],
    ServerModel: ["vendor", "model"],
}


def _numeric_fields():
    for model in ENTERED:
        for field in model._meta.concrete_fields:
            if isinstance(field, NUMBERS) and field.editable and not field.primary_key and not field.is_relation:
                if field.name in ("netbox_id",):  # another system's id, not a quantity
                    continue
                yield pytest.param(field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize("field", list(_numeric_fields()))
def test_every_entered_number_has_a_realistic_range(field):
    bounds = [v for v in field.validators if isinstance(v, Bounds)]
    assert bounds, f"{field} has no Bounds validator"
    assert any(b.at_most is not None for b in bounds), f"{field} has no upper bound"
    if isinstance(field, models.FloatField):
        for bad in (math.inf, -math.inf, math.nan, 1e308):
            with pytest.raises(ValidationError):
                field.run_validators(bad)


def _bounded_integer_fields():
    for param in _numeric_fields():
        (field,) = param.values
        if isinstance(field, models.IntegerField):
            yield param


@pytest.mark.parametrize("field", list(_bounded_integer_fields()))
@pytest.mark.parametrize("value", [10**20, 2**63, -(10**20)])
def test_a_number_beyond_the_column_is_told_the_fields_own_limit(field, value):
    """Not the column's storage range ("less than or equal to 9223372036854775807"): the field's own bound, alone,
    as forms, the API and the admin say it (``full_clean``). A positive field's "0 or more" is its own too."""
    instance = field.model()
    setattr(instance, field.attname, value)
    with pytest.raises(ValidationError) as raised:
        instance.clean_fields(exclude=[f.name for f in field.model._meta.fields if f is not field])
    messages = raised.value.message_dict[field.name]
    assert len(messages) == 1, messages
    assert "9223372036854775807" not in messages[0]
    assert "2147483647" not in messages[0]
    assert "32767" not in messages[0]


@pytest.mark.parametrize(("model", "name"), [(m, n) for m, names in NAMES.items() for n in names])
def test_names_refuse_control_and_direction_characters(model, name):
    field = model._meta.get_field(name)
    assert validate_name in field.validators
    for bad in ("rtl\u202egpj.exe", "a\u2066b", "tab\tname", "nul\x00", "zero\u200bwidth", "line\nbreak"):
        with pytest.raises(ValidationError):
            field.run_validators(bad)
    field.run_validators("Frankfurt am Main (DE-1) – Zürich ☃ 東京")


def test_free_text_keeps_line_breaks_and_has_a_limit():
    note = Answer._meta.get_field("note")
    note.run_validators("line one\nline two\ttabbed")
    with pytest.raises(ValidationError, match="Keep this under 5000 characters"):
        note.run_validators("x" * (TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError):
        validate_text("ok\u202eevil")
    for model, name in [(Assessment, "scope"), (Answer, "note"), (AcceleratorType, "source")]:
        assert validate_text in model._meta.get_field(name).validators


def test_json_holds_finite_numbers_only():
    validate_finite_json({"a": [1, 2.5, {"b": None}]})
    for bad in (math.nan, [1, math.inf], {"x": {"y": [-math.inf]}}):
        with pytest.raises(ValidationError):
            validate_finite_json(bad)
    with pytest.raises(ValidationError):
        validate_finite(math.nan)
    for model, name in [(Assessment, "target_levels"), (AcceleratorType, "nvidia_smi_names")]:
        assert validate_finite_json in model._meta.get_field(name).validators


def test_hostnames_are_rfc_1123_names_with_underscores():
    """What real inventories hold (FQDNs, underscores, all-digit labels) passes; spaces, slashes, control
    characters, empty labels and hyphens at a label's ends do not, with one message naming the rule."""
    field = Server._meta.get_field("hostname")
    for good in ("gpu-01", "FRA-H100-01", "node_07.cluster.local", "ip-10-0-1-23.ec2.internal", "10.0.0.5", "a" * 63):
        field.run_validators(good)
    for bad in (
        "bad host/name!",
        "a b",
        "a/b",
        "nul\x00",
        "rtl\u202egpj",
        "-x",
        "x-",
        "a..b",
        "a.",
        "é.local",
        "a" * 64,
    ):
        with pytest.raises(ValidationError, match="Enter a hostname or FQDN"):
            field.run_validators(bad)
