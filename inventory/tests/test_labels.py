"""People read labels, not column names: every inventory field says what it is and its unit, once, on the model,
so the admin, the app's forms, the API's errors and the import's messages say the same ("Power (W)")."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field

from inventory.forms import ServerForm, SiteForm, WorkloadForm

UNIT_SUFFIXES = ("_w", "_kw", "_gb", "_tb", "_gbps", "_pct", "_ms", "_days", "_kg", "_mib", "_seconds", "_tflops")
INVENTORY_MODELS = list(apps.get_app_config("inventory").get_models())


@pytest.mark.parametrize("model", INVENTORY_MODELS, ids=lambda m: m.__name__)
def test_every_field_with_a_unit_names_it(model):
    for field in model._meta.concrete_fields:
        if field.name.endswith(UNIT_SUFFIXES):
            assert "(" in str(field.verbose_name), f"{model.__name__}.{field.name}: {field.verbose_name!r} has no unit"


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_columns_are_words(model):
    model_admin = admin.site._registry[model]
    for name in model_admin.list_display:
        label = str(label_for_field(name, model, model_admin))
        assert not re.search(r"[a-z]_[a-z]", label), f"{model.__name__} column {name!r} reads {label!r}"


def test_forms_take_their_labels_from_the_model():
    assert ServerForm.base_fields["cpu_cores"].label == "CPU cores"
    assert ServerForm.base_fields["ram_gb"].label == "RAM (GB)"
    assert ServerForm.base_fields["power_w"].label == "Power (W)"
    assert SiteForm.base_fields["power_capacity_kw"].label == "Power capacity (kW)"
    assert WorkloadForm.base_fields["model_profile"].label == "Model"
    assert WorkloadForm.base_fields["ttft_target_ms"].label == "Time to first token target (ms)"
