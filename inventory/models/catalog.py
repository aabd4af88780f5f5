"""Catalog types, apart from installed instances (as NetBox keeps DeviceType apart from Device): accelerator types,
model profiles and grid regions, shared by all organizations or private to one, each with its source."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from accounts.models import Organization
from config.fields import OwnLimitsFirst
from config.validators import NOTES, validate_finite_json, validate_name

from ..validators import (
    ACCELERATOR_BANDWIDTH,
    ACCELERATOR_MEMORY_GB,
    ACCELERATOR_OPS,
    ACCELERATOR_TDP_W,
    CONTEXT_TOKENS,
    GRID_INTENSITY,
    HOST_RESERVED_GB,
    MODEL_DIMENSION,
    PARAMETERS,
    RELEASE_YEAR,
    SYSTEM_POWER_W,
    THROUGHPUT_GBPS,
    accelerator_type_rules,
    model_profile_rules,
)
from .base import RowRulesMixin


class CatalogEntry(RowRulesMixin, models.Model):
    """Shared reference data when `organization` is empty; an organization's private entry otherwise."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the shared catalog; set for an organization's private entry.",
    )
    source = models.TextField(validators=NOTES, help_text="Where the figures come from (datasheet, paper, survey).")
    # Every change kept: who, when, before and after (django-simple-history; docs/collaboration.md).
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    @property
    def is_shared(self) -> bool:
        return self.organization_id is None


class AcceleratorType(CatalogEntry):
    vendor = models.CharField(validators=[validate_name], max_length=40)
    model = models.CharField(validators=[validate_name], max_length=80)
    form_factor = models.CharField("form factor", validators=[validate_name], max_length=40, blank=True)
    memory_gb = models.FloatField(
        "memory (GB)", validators=[ACCELERATOR_MEMORY_GB], help_text="Accelerator memory, GB."
    )
    mem_bandwidth_gbps = models.FloatField(
        "memory bandwidth (GB/s)", validators=[ACCELERATOR_BANDWIDTH], help_text="Memory bandwidth, GB/s."
    )
    bf16_tflops = models.FloatField(
        "BF16 (TFLOPS)",
        null=True,
        blank=True,
        validators=[ACCELERATOR_OPS],
        help_text="Dense BF16 TFLOPS (half the sparsity figure); empty where not supported.",
    )
    fp8_tflops = models.FloatField(
        "FP8 (TFLOPS)",
        null=True,
        blank=True,
        validators=[ACCELERATOR_OPS],
        help_text="Dense FP8 TFLOPS, where supported.",
    )
    fp16_tflops = models.FloatField(
        "FP16 (TFLOPS)",
        null=True,
        blank=True,
        validators=[ACCELERATOR_OPS],
        help_text="Dense FP16 TFLOPS, where published.",
    )
    int8_tops = models.FloatField(
        "INT8 (TOPS)",
        null=True,
        blank=True,
        validators=[ACCELERATOR_OPS],
        help_text="Dense INT8 TOPS, where published.",
    )
    tdp_w = models.PositiveIntegerField(
        "TDP (W)", null=True, blank=True, validators=[ACCELERATOR_TDP_W], help_text="Thermal design power, W."
    )
    # Integrated systems (docs/capacity.md, "Integrated systems"): a DGX Spark's GB10 is CPU and GPU in one
    # package with the system's memory. Both empty for a GPU in a server with memory of its own.
    system_power_w = models.PositiveIntegerField(
        "system power (W)",
        null=True,
        blank=True,
        validators=[SYSTEM_POWER_W],
        help_text="Integrated systems only (CPU and accelerator in one package, e.g. NVIDIA GB10): the whole "
        "system's power per accelerator, W. A server without recorded power is then estimated at accelerators x "
        "this, instead of accelerators x TDP x 1.821.",
    )
    host_reserved_gb = models.FloatField(
        "memory kept for the host (GB)",
        null=True,
        blank=True,
        validators=[HOST_RESERVED_GB],
        help_text="Unified memory only (shared with the CPU and the operating system): the part of the memory the "
        "host keeps, GB. The capacity model counts the rest for models.",
    )
    system_source = models.TextField(
        "source of the system figures",
        blank=True,
        validators=NOTES,
        help_text="Where the system power and the memory kept for the host come from.",
    )
    interconnect = models.CharField(validators=[validate_name], max_length=60, blank=True)
    interconnect_gbps = models.FloatField(
        "interconnect bandwidth (GB/s)",
        null=True,
        blank=True,
        validators=[THROUGHPUT_GBPS],
        help_text="Interconnect bandwidth, GB/s.",
    )
    release_year = models.PositiveSmallIntegerField(validators=[RELEASE_YEAR])
    nvidia_smi_names = models.JSONField(
        "names nvidia-smi prints",
        validators=[validate_finite_json],
        default=list,
        blank=True,
        help_text="Names `nvidia-smi` prints for it.",
    )

    natural_key = ("vendor", "model")
    row_rules = staticmethod(accelerator_type_rules)

    class Meta:
        ordering = ["vendor", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "model"],
                condition=Q(organization__isnull=True),
                name="acceleratortype_shared_unique",
                violation_error_message="A shared accelerator type with this vendor and model exists already.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(fields=["organization", "vendor", "model"], name="acceleratortype_private_unique"),
            models.CheckConstraint(
                condition=Q(memory_gb__gt=0) & Q(mem_bandwidth_gbps__gt=0),
                name="acceleratortype_positive_specs",
            ),
            models.CheckConstraint(
                condition=(Q(bf16_tflops__isnull=True) | Q(bf16_tflops__gt=0))
                & (Q(fp8_tflops__isnull=True) | Q(fp8_tflops__gt=0))
                & (Q(fp16_tflops__isnull=True) | Q(fp16_tflops__gt=0))
                & (Q(int8_tops__isnull=True) | Q(int8_tops__gt=0)),
                name="acceleratortype_positive_rates",
            ),
            models.CheckConstraint(
                condition=Q(host_reserved_gb__isnull=True)
                | (Q(host_reserved_gb__gte=0) & Q(host_reserved_gb__lt=F("memory_gb"))),
                name="acceleratortype_host_reserved_below_memory",
            ),
            models.CheckConstraint(
                condition=Q(system_power_w__isnull=True)
                | (Q(system_power_w__gt=0) & (Q(tdp_w__isnull=True) | Q(system_power_w__gte=F("tdp_w")))),
                name="acceleratortype_system_power_covers_tdp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.model}"


class ModelProfile(CatalogEntry):
    """An LLM's configuration: what its memory and compute demand is derived from."""

    name = models.CharField(validators=[validate_name], max_length=80)
    params = models.BigIntegerField("parameters", validators=[PARAMETERS], help_text="Total parameters.")
    active_params = models.BigIntegerField(
        "active parameters",
        null=True,
        blank=True,
        validators=[PARAMETERS],
        help_text="Active per token (mixture of experts).",
    )
    layers = models.PositiveIntegerField(validators=[MODEL_DIMENSION])
    hidden_size = models.PositiveIntegerField("hidden size", validators=[MODEL_DIMENSION])
    attention_heads = models.PositiveIntegerField("attention heads", validators=[MODEL_DIMENSION])
    kv_heads = models.PositiveIntegerField(
        "KV heads",
        validators=[MODEL_DIMENSION],
        help_text="Key/value heads (fewer than attention heads under GQA/MQA).",
    )
    head_dim = models.PositiveIntegerField("head dimension", validators=[MODEL_DIMENSION])
    ffn_size = models.PositiveIntegerField("FFN size", null=True, blank=True, validators=[MODEL_DIMENSION])
    vocab_size = models.PositiveIntegerField("vocabulary size", null=True, blank=True, validators=[MODEL_DIMENSION])
    context_length = models.PositiveIntegerField("context length (tokens)", validators=[CONTEXT_TOKENS])

    natural_key = ("name",)
    row_rules = staticmethod(model_profile_rules)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organization__isnull=True),
                name="modelprofile_shared_unique",
                violation_error_message="A shared model profile with this name exists already.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(fields=["organization", "name"], name="modelprofile_private_unique"),
            models.CheckConstraint(condition=Q(params__gt=0), name="modelprofile_params_positive"),
            models.CheckConstraint(
                condition=Q(kv_heads__lte=F("attention_heads")), name="modelprofile_kv_heads_lte_heads"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridRegion(OwnLimitsFirst, models.Model):
    """Grid carbon intensity of a country (shared reference data)."""

    country_code = models.CharField("country code", max_length=2, unique=True)
    name = models.CharField(max_length=80)
    g_co2_per_kwh = models.FloatField("grid intensity (gCO2e/kWh)", validators=[GRID_INTENSITY])
    year = models.PositiveSmallIntegerField(validators=[RELEASE_YEAR])
    source = models.TextField(validators=NOTES)

    class Meta:
        ordering = ["country_code"]
        constraints = [models.CheckConstraint(condition=Q(g_co2_per_kwh__gte=0), name="gridregion_intensity_positive")]

    def __str__(self) -> str:
        return f"{self.name} ({self.g_co2_per_kwh:g} gCO2e/kWh)"
