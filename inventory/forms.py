"""Forms of the inventory pages.

Every form is bound to one organization (`organization=` keyword): it has no organization field, new rows are
created in that organization, and every related-row choice is limited to it (sites of the organization; accelerator
types and model profiles of the shared catalog plus the organization's private entries). Another organization's
row submitted by id is then an ordinary "select a valid choice" error.

The forms hold no labels of their own (a field's label and unit are its model field's ``verbose_name``, which the
admin and the messages use too) and no rules of their own: the model's field validators, ``clean()`` and
per-organization unique constraints (`inventory.validators`, `RowRulesMixin`) run through ``full_clean``, with
the messages the API and the import give too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet

from accounts.admin_scoping import OrganizationValidationMixin
from accounts.models import Organization

from . import selectors
from .hardware.selectors import server_models_for
from .models import (
    AcceleratorType,
    CloudCapacity,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerModel,
    Site,
    StorageSystem,
    Workload,
)
from .models.workloads import SERVING_FIELDS, TRAINING_FIELDS

# The choices a form of the organization may offer, per related model.
CHOICES_FOR: dict[type[Model], Callable[..., QuerySet[Any]]] = {
    Site: selectors.sites_for,
    AcceleratorType: selectors.accelerator_types_for,
    ModelProfile: selectors.model_profiles_for,
    ServerModel: server_models_for,
}


class OrganizationModelForm(OrganizationValidationMixin, forms.ModelForm):
    """Base of the inventory forms: bound to one organization, choices limited to it; the model validates."""

    fieldsets: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        if self.instance.pk is None:
            self.instance.organization = organization
        elif self.instance.organization_id != organization.pk:  # views look objects up in the organization
            raise ValueError("The instance belongs to another organization.")
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model in CHOICES_FOR:
                field.queryset = CHOICES_FOR[field.queryset.model](organization=organization)

    def _update_errors(self, errors: ValidationError) -> None:
        # A field the form has refused already (not a number, not a choice) is not also reported by the model's
        # row rules, which saw it empty.
        if hasattr(errors, "error_dict"):
            kept = {
                name: messages
                for name, messages in errors.error_dict.items()
                if name == NON_FIELD_ERRORS or name not in self._errors
            }
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields by fieldset (one untitled group when the form declares none)."""
        if not self.fieldsets:
            return [("", list(self))]
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


class SiteForm(OrganizationModelForm):
    fieldsets = (
        ("Site", ("name", "country", "region", "cooling")),
        ("Power and energy", ("power_capacity_kw", "pue", "renewable_share_pct", "grid_intensity_override")),
        ("Electricity price", ("electricity_price_per_kwh", "currency")),
        (
            "Monthly costs besides energy (in the site's currency)",
            ("colocation_per_month", "maintenance_per_month", "staff_per_month"),
        ),
    )

    class Meta:
        model = Site
        fields = [
            "name",
            "country",
            "region",
            "cooling",
            "power_capacity_kw",
            "pue",
            "renewable_share_pct",
            "grid_intensity_override",
            "electricity_price_per_kwh",
            "currency",
            "colocation_per_month",
            "maintenance_per_month",
            "staff_per_month",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pue"].widget.attrs.update(min=1, step="0.01")
        self.fields["renewable_share_pct"].widget.attrs.update(min=0, max=100)


class ServerForm(OrganizationModelForm):
    fieldsets = (
        ("Server", ("hostname", "site", "status", "serial", "vendor", "model", "server_model")),
        ("Compute", ("accelerator_type", "accelerator_count", "cpu_cores", "ram_gb")),
        (
            "Power and cost",
            ("power_w", "power_measured", "purchase_date", "purchase_cost", "purchase_currency", "depreciation_years"),
        ),
        ("Software", ("os", "gpu_driver_version", "cuda_version")),
    )

    class Meta:
        model = Server
        fields = [
            "hostname",
            "site",
            "status",
            "serial",
            "vendor",
            "model",
            "server_model",
            "accelerator_type",
            "accelerator_count",
            "cpu_cores",
            "ram_gb",
            "power_w",
            "power_measured",
            "purchase_date",
            "purchase_cost",
            "purchase_currency",
            "depreciation_years",
            "os",
            "gpu_driver_version",
            "cuda_version",
        ]
        widgets = {"purchase_date": forms.DateInput(attrs={"type": "date"})}


class StorageSystemForm(OrganizationModelForm):
    class Meta:
        model = StorageSystem
        fields = ["name", "site", "kind", "usable_tb", "read_throughput_gbps"]


class NetworkFabricForm(OrganizationModelForm):
    class Meta:
        model = NetworkFabric
        fields = ["name", "site", "kind", "link_speed_gbps", "topology", "oversubscription_ratio"]


class CloudCapacityForm(OrganizationModelForm):
    class Meta:
        model = CloudCapacity
        fields = [
            "provider",
            "region",
            "instance_type",
            "accelerator_type",
            "accelerators_per_instance",
            "instances",
            "hourly_price",
            "currency",
        ]


class WorkloadForm(OrganizationModelForm):
    fieldsets = (
        ("Workload", ("name", "kind", "model_profile", "precision")),
        ("Inference (serving)", SERVING_FIELDS),
        ("Training and fine-tuning", TRAINING_FIELDS),
    )

    class Meta:
        model = Workload
        fields = [
            "name",
            "kind",
            "model_profile",
            "precision",
            "requests_per_second",
            "prompt_tokens",
            "output_tokens",
            "ttft_target_ms",
            "tpot_target_ms",
            "training_tokens",
            "deadline_days",
            "assumed_mfu",
            "dataset_size_tb",
            "kv_cache_precision",
            "activation_recompute",
            "goodput",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goodput"].required = False  # empty: the documented default (DEFAULT_TRAINING_GOODPUT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("goodput") is None and "goodput" not in self.errors:
            cleaned["goodput"] = Workload._meta.get_field("goodput").default
        return cleaned
