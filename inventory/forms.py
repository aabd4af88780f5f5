"""Forms of the inventory pages.

Every form is bound to one organization (`organization=` keyword): it has no organization field, new rows are
created in that organization, and every related-row choice is limited to it (sites of the organization; accelerator
types and model profiles of the shared catalog plus the organization's private entries). Another organization's
row submitted by id is then an ordinary "select a valid choice" error. Natural keys that the database keeps unique
per organization are checked here, so a duplicate is a field error rather than an IntegrityError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.db.models import Model, QuerySet

from accounts.models import Organization

from . import selectors
from .models import (
    AcceleratorType,
    CloudCapacity,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
    WorkloadKind,
)

# The choices a form of the organization may offer, per related model.
CHOICES_FOR: dict[type[Model], Callable[..., QuerySet[Any]]] = {
    Site: selectors.sites_for,
    AcceleratorType: selectors.accelerator_types_for,
    ModelProfile: selectors.model_profiles_for,
}


class OrganizationModelForm(forms.ModelForm):
    """Base of the inventory forms: bound to one organization, choices limited to it, natural keys checked.

    `unique_in_organization`: tuples of fields unique within the organization; a duplicate is reported on the
    last field of the tuple.
    """

    unique_in_organization: ClassVar[tuple[tuple[str, ...], ...]] = ()
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        model = self._meta.model
        for fields in self.unique_in_organization:
            if any(cleaned.get(name) in (None, "") for name in fields):
                continue
            duplicates = model._default_manager.filter(
                organization=self.organization, **{name: cleaned[name] for name in fields}
            )
            if self.instance.pk is not None:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                last = fields[-1]
                within = " at this site" if "site" in fields else f" in {self.organization}"
                self.add_error(
                    last,
                    f"A {model._meta.verbose_name} with this {self.fields[last].label.lower()} exists already{within}.",
                )
        return cleaned

    def grouped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields by fieldset (one untitled group when the form declares none)."""
        if not self.fieldsets:
            return [("", list(self))]
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


def _code(value: str, length: int, what: str) -> str:
    value = (value or "").strip().upper()
    if not re.fullmatch(rf"[A-Z]{{{length}}}", value):
        raise forms.ValidationError(f"Enter the {length}-letter {what}.")
    return value


class SiteForm(OrganizationModelForm):
    unique_in_organization = (("name",),)
    fieldsets = (
        ("Site", ("name", "country", "region", "cooling")),
        ("Power and energy", ("power_capacity_kw", "pue", "renewable_share_pct", "grid_intensity_override")),
        ("Electricity price", ("electricity_price_per_kwh", "currency")),
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
        ]
        labels = {
            "power_capacity_kw": "Power capacity (kW)",
            "pue": "PUE",
            "renewable_share_pct": "Renewable share (%)",
            "grid_intensity_override": "Grid intensity override (gCO2/kWh)",
            "electricity_price_per_kwh": "Electricity price per kWh",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pue"].min_value = 1
        self.fields["pue"].widget.attrs.update(min=1, step="0.01")
        self.fields["renewable_share_pct"].widget.attrs.update(min=0, max=100)

    def clean_country(self) -> str:
        return _code(self.cleaned_data["country"], 2, "ISO country code, e.g. DE")

    def clean_currency(self) -> str:
        return _code(self.cleaned_data["currency"], 3, "ISO currency code, e.g. EUR")

    def clean_pue(self) -> float:
        pue = self.cleaned_data["pue"]
        if pue is not None and pue < 1:
            raise forms.ValidationError("PUE is at least 1.0 (all power reaches the IT equipment).")
        return pue

    def clean_renewable_share_pct(self) -> float:
        share = self.cleaned_data["renewable_share_pct"]
        if share is not None and not 0 <= share <= 100:
            raise forms.ValidationError("Enter a percentage between 0 and 100.")
        return share

    def clean_power_capacity_kw(self) -> float | None:
        capacity = self.cleaned_data["power_capacity_kw"]
        if capacity is not None and capacity <= 0:
            raise forms.ValidationError("Enter a capacity above 0 kW, or leave it empty.")
        return capacity


class ServerForm(OrganizationModelForm):
    unique_in_organization = (("hostname",),)
    fieldsets = (
        ("Server", ("hostname", "site", "status", "serial", "vendor", "model")),
        ("Compute", ("accelerator_type", "accelerator_count", "cpu_cores", "ram_gb")),
        ("Power and cost", ("power_w", "power_measured", "purchase_date", "purchase_cost")),
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
            "accelerator_type",
            "accelerator_count",
            "cpu_cores",
            "ram_gb",
            "power_w",
            "power_measured",
            "purchase_date",
            "purchase_cost",
            "os",
            "gpu_driver_version",
            "cuda_version",
        ]
        labels = {
            "cpu_cores": "CPU cores",
            "ram_gb": "RAM (GB)",
            "power_w": "Power (W)",
            "gpu_driver_version": "GPU driver version",
            "cuda_version": "CUDA version",
        }
        widgets = {"purchase_date": forms.DateInput(attrs={"type": "date"})}

    def clean_hostname(self) -> str:
        return self.cleaned_data["hostname"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("accelerator_count") and not cleaned.get("accelerator_type"):
            self.add_error("accelerator_type", "Choose the type of the accelerators (or set their count to 0).")
        return cleaned


class StorageSystemForm(OrganizationModelForm):
    unique_in_organization = (("site", "name"),)

    class Meta:
        model = StorageSystem
        fields = ["name", "site", "kind", "usable_tb", "read_throughput_gbps"]
        labels = {"usable_tb": "Usable capacity (TB)", "read_throughput_gbps": "Read throughput (GB/s)"}

    def clean_usable_tb(self) -> float:
        usable = self.cleaned_data["usable_tb"]
        if usable is not None and usable <= 0:
            raise forms.ValidationError("Enter a capacity above 0 TB.")
        return usable


class NetworkFabricForm(OrganizationModelForm):
    unique_in_organization = (("site", "name"),)

    class Meta:
        model = NetworkFabric
        fields = ["name", "site", "kind", "link_speed_gbps", "topology", "oversubscription_ratio"]
        labels = {"link_speed_gbps": "Link speed (Gb/s)", "oversubscription_ratio": "Oversubscription ratio"}

    def clean_link_speed_gbps(self) -> float:
        speed = self.cleaned_data["link_speed_gbps"]
        if speed is not None and speed <= 0:
            raise forms.ValidationError("Enter a speed above 0 Gb/s.")
        return speed

    def clean_oversubscription_ratio(self) -> float:
        ratio = self.cleaned_data["oversubscription_ratio"]
        if ratio is not None and ratio < 1:
            raise forms.ValidationError("The ratio is at least 1.0 (non-blocking).")
        return ratio


class CloudCapacityForm(OrganizationModelForm):
    unique_in_organization = (("provider", "region", "instance_type"),)

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

    def clean_currency(self) -> str:
        return _code(self.cleaned_data["currency"], 3, "ISO currency code, e.g. USD")

    def clean_accelerators_per_instance(self) -> int:
        return _positive(self.cleaned_data["accelerators_per_instance"])

    def clean_instances(self) -> int:
        return _positive(self.cleaned_data["instances"])


def _positive(value: int | None) -> int | None:
    if value is not None and value <= 0:
        raise forms.ValidationError("Enter at least 1.")
    return value


class WorkloadForm(OrganizationModelForm):
    unique_in_organization = (("name",),)
    fieldsets = (
        ("Workload", ("name", "kind", "model_profile", "precision")),
        (
            "Inference (serving)",
            ("requests_per_second", "prompt_tokens", "output_tokens", "ttft_target_ms", "tpot_target_ms"),
        ),
        ("Training and fine-tuning", ("training_tokens", "deadline_days", "assumed_mfu", "dataset_size_tb")),
    )
    INFERENCE_REQUIRED = ("requests_per_second", "prompt_tokens", "output_tokens")
    TRAINING_REQUIRED = ("training_tokens",)

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
        ]
        labels = {
            "model_profile": "Model",
            "deadline_days": "Deadline (days)",
            "assumed_mfu": "Assumed MFU",
            "dataset_size_tb": "Dataset size (TB)",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        needed = self.INFERENCE_REQUIRED if kind == WorkloadKind.INFERENCE else self.TRAINING_REQUIRED
        if kind:
            for name in needed:
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Required for {WorkloadKind(kind).label.lower()} workloads.")
        for name in ("requests_per_second", "training_tokens", "deadline_days"):
            value = cleaned.get(name)
            if value is not None and value <= 0:
                self.add_error(name, "Enter a value above 0.")
        mfu = cleaned.get("assumed_mfu")
        if mfu is not None and not 0 < mfu <= 1:
            self.add_error("assumed_mfu", "Enter a fraction above 0 and at most 1, e.g. 0.4.")
        dataset = cleaned.get("dataset_size_tb")
        if dataset is not None and dataset < 0:
            self.add_error("dataset_size_tb", "Enter 0 or more.")
        return cleaned
