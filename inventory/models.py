"""What an organization has (supply) and what it wants to run (demand).

Catalog types are kept apart from installed instances, as NetBox keeps DeviceType apart from Device:
`AcceleratorType`, `ModelProfile` and `GridRegion` are reference data with a source for every row, shared by all
organizations (``organization`` empty) or private to one. Sites, servers, storage, fabrics, cloud capacity and
workloads belong to one organization.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import Organization, OrganizationOwned


class Precision(models.TextChoices):
    FP32 = "fp32", "FP32"
    BF16 = "bf16", "BF16"
    FP16 = "fp16", "FP16"
    FP8 = "fp8", "FP8"
    INT8 = "int8", "INT8"
    INT4 = "int4", "INT4"


class CatalogEntry(models.Model):
    """Shared reference data when `organization` is empty; an organization's private entry otherwise."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the shared catalog; set for an organization's private entry.",
    )
    source = models.TextField(help_text="Where the figures come from (datasheet, paper, survey).")

    class Meta:
        abstract = True

    @property
    def is_shared(self) -> bool:
        return self.organization_id is None


class AcceleratorType(CatalogEntry):
    vendor = models.CharField(max_length=40)
    model = models.CharField(max_length=80)
    form_factor = models.CharField(max_length=40, blank=True)
    memory_gb = models.FloatField(help_text="Accelerator memory, GB.")
    mem_bandwidth_gbps = models.FloatField(help_text="Memory bandwidth, GB/s.")
    bf16_tflops = models.FloatField(help_text="Dense BF16 TFLOPS (half the sparsity figure).")
    fp8_tflops = models.FloatField(null=True, blank=True, help_text="Dense FP8 TFLOPS, where supported.")
    tdp_w = models.PositiveIntegerField(null=True, blank=True, help_text="Thermal design power, W.")
    interconnect = models.CharField(max_length=60, blank=True)
    interconnect_gbps = models.FloatField(null=True, blank=True, help_text="Interconnect bandwidth, GB/s.")
    release_year = models.PositiveSmallIntegerField()
    nvidia_smi_names = models.JSONField(default=list, blank=True, help_text="Names `nvidia-smi` prints for it.")

    class Meta:
        ordering = ["vendor", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "model"], condition=Q(organization__isnull=True), name="acceleratortype_shared_unique"
            ),
            models.UniqueConstraint(fields=["organization", "vendor", "model"], name="acceleratortype_private_unique"),
            models.CheckConstraint(
                condition=Q(memory_gb__gt=0) & Q(mem_bandwidth_gbps__gt=0) & Q(bf16_tflops__gt=0),
                name="acceleratortype_positive_specs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.model}"


class ModelProfile(CatalogEntry):
    """An LLM's configuration: what its memory and compute demand is derived from."""

    name = models.CharField(max_length=80)
    params = models.BigIntegerField(help_text="Total parameters.")
    active_params = models.BigIntegerField(null=True, blank=True, help_text="Active per token (mixture of experts).")
    layers = models.PositiveIntegerField()
    hidden_size = models.PositiveIntegerField()
    attention_heads = models.PositiveIntegerField()
    kv_heads = models.PositiveIntegerField(help_text="Key/value heads (fewer than attention heads under GQA/MQA).")
    head_dim = models.PositiveIntegerField()
    ffn_size = models.PositiveIntegerField(null=True, blank=True)
    vocab_size = models.PositiveIntegerField(null=True, blank=True)
    context_length = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(organization__isnull=True), name="modelprofile_shared_unique"
            ),
            models.UniqueConstraint(fields=["organization", "name"], name="modelprofile_private_unique"),
            models.CheckConstraint(condition=Q(params__gt=0), name="modelprofile_params_positive"),
            models.CheckConstraint(
                condition=Q(kv_heads__lte=F("attention_heads")), name="modelprofile_kv_heads_lte_heads"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridRegion(models.Model):
    """Grid carbon intensity of a country (shared reference data)."""

    country_code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=80)
    g_co2_per_kwh = models.FloatField()
    year = models.PositiveSmallIntegerField()
    source = models.TextField()

    class Meta:
        ordering = ["country_code"]
        constraints = [models.CheckConstraint(condition=Q(g_co2_per_kwh__gte=0), name="gridregion_intensity_positive")]

    def __str__(self) -> str:
        return f"{self.name} ({self.g_co2_per_kwh:g} gCO2/kWh)"


class Cooling(models.TextChoices):
    AIR = "air", "Air"
    LIQUID = "liquid", "Direct liquid"
    REAR_DOOR = "rear_door", "Rear-door heat exchanger"


class Site(OrganizationOwned):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code; picks the grid carbon intensity.")
    region = models.CharField(max_length=80, blank=True, help_text="Region or cloud region, e.g. eu-central-1.")
    pue = models.FloatField(default=1.58, help_text="Power usage effectiveness (industry average 1.58, Uptime 2023).")
    grid_intensity_override = models.FloatField(
        null=True, blank=True, help_text="gCO2/kWh from your utility contract; overrides the country average."
    )
    electricity_price_per_kwh = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    renewable_share_pct = models.FloatField(default=0, help_text="Share of renewable electricity, %.")
    power_capacity_kw = models.FloatField(null=True, blank=True, help_text="Power available to IT equipment, kW.")
    cooling = models.CharField(max_length=16, choices=Cooling.choices, default=Cooling.AIR)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_unique_name_per_organization"),
            models.CheckConstraint(condition=Q(pue__gte=1), name="site_pue_at_least_1"),
            models.CheckConstraint(
                condition=Q(renewable_share_pct__gte=0) & Q(renewable_share_pct__lte=100), name="site_renewable_pct"
            ),
            models.CheckConstraint(
                condition=Q(power_capacity_kw__isnull=True) | Q(power_capacity_kw__gt=0), name="site_power_positive"
            ),
            models.CheckConstraint(
                condition=Q(electricity_price_per_kwh__isnull=True) | Q(electricity_price_per_kwh__gte=0),
                name="site_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(grid_intensity_override__isnull=True) | Q(grid_intensity_override__gte=0),
                name="site_grid_intensity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServerStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class Server(OrganizationOwned):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="servers")
    hostname = models.CharField(max_length=253)
    serial = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=16, choices=ServerStatus.choices, default=ServerStatus.ACTIVE)
    vendor = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=80, blank=True)
    cpu_cores = models.PositiveIntegerField(null=True, blank=True)
    ram_gb = models.PositiveIntegerField(null=True, blank=True)
    accelerator_type = models.ForeignKey(
        AcceleratorType, on_delete=models.PROTECT, null=True, blank=True, related_name="servers"
    )
    accelerator_count = models.PositiveSmallIntegerField(default=0)
    power_w = models.PositiveIntegerField(null=True, blank=True, help_text="Whole-server power draw, W.")
    power_measured = models.BooleanField(default=False, help_text="Measured draw (true) or rated/nameplate (false).")
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    gpu_driver_version = models.CharField(max_length=40, blank=True)
    cuda_version = models.CharField(max_length=20, blank=True)
    os = models.CharField("OS", max_length=80, blank=True)

    class Meta:
        ordering = ["hostname"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hostname"], name="server_unique_hostname_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(accelerator_count=0) | Q(accelerator_type__isnull=False),
                name="server_accelerators_have_a_type",
            ),
            models.CheckConstraint(condition=Q(status__in=ServerStatus.values), name="server_status_valid"),
            models.CheckConstraint(
                condition=Q(purchase_cost__isnull=True) | Q(purchase_cost__gte=0), name="server_cost_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["organization", "site"])]

    def __str__(self) -> str:
        return self.hostname


class StorageKind(models.TextChoices):
    PARALLEL_FS = "parallel_fs", "Parallel file system"
    NVME = "nvme", "NVMe"
    OBJECT = "object", "Object store"
    NAS = "nas", "NAS"


class StorageSystem(OrganizationOwned):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="storage_systems")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=StorageKind.choices)
    usable_tb = models.FloatField(help_text="Usable capacity, TB.")
    read_throughput_gbps = models.FloatField(null=True, blank=True, help_text="Aggregate read throughput, GB/s.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "site", "name"], name="storage_unique_name_per_site"),
            models.CheckConstraint(condition=Q(usable_tb__gt=0), name="storage_capacity_positive"),
            models.CheckConstraint(
                condition=Q(read_throughput_gbps__isnull=True) | Q(read_throughput_gbps__gte=0),
                name="storage_throughput_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FabricKind(models.TextChoices):
    INFINIBAND = "infiniband", "InfiniBand"
    ROCE = "roce", "RoCE"
    ETHERNET = "ethernet", "Ethernet"


class NetworkFabric(OrganizationOwned):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="network_fabrics")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=FabricKind.choices)
    link_speed_gbps = models.FloatField(help_text="Per-port link speed, Gb/s.")
    topology = models.CharField(max_length=60, blank=True, help_text="e.g. fat tree, rail-optimized, dragonfly.")
    oversubscription_ratio = models.FloatField(default=1.0, help_text="1.0 is non-blocking.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "site", "name"], name="fabric_unique_name_per_site"),
            models.CheckConstraint(condition=Q(link_speed_gbps__gt=0), name="fabric_speed_positive"),
            models.CheckConstraint(condition=Q(oversubscription_ratio__gte=1), name="fabric_oversubscription_gte_1"),
        ]

    def __str__(self) -> str:
        return self.name


class CloudCapacity(OrganizationOwned):
    provider = models.CharField(max_length=40)
    region = models.CharField(max_length=60)
    instance_type = models.CharField(max_length=60)
    accelerator_type = models.ForeignKey(AcceleratorType, on_delete=models.PROTECT, related_name="cloud_capacity")
    accelerators_per_instance = models.PositiveSmallIntegerField()
    instances = models.PositiveIntegerField()
    hourly_price = models.DecimalField(max_digits=10, decimal_places=4, help_text="Price per instance-hour.")
    currency = models.CharField(max_length=3, default="USD")

    class Meta:
        ordering = ["provider", "region", "instance_type"]
        verbose_name_plural = "cloud capacity"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "region", "instance_type"], name="cloud_unique_per_region"
            ),
            models.CheckConstraint(condition=Q(accelerators_per_instance__gt=0), name="cloud_accelerators_positive"),
            models.CheckConstraint(condition=Q(instances__gt=0), name="cloud_instances_positive"),
            models.CheckConstraint(condition=Q(hourly_price__gte=0), name="cloud_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.instances} x {self.provider} {self.instance_type} ({self.region})"


class WorkloadKind(models.TextChoices):
    INFERENCE = "inference", "Inference (serving)"
    TRAINING = "training", "Training"
    FINE_TUNING = "fine_tuning", "Fine-tuning"


class Workload(OrganizationOwned):
    """What the organization wants to run: LLM serving with latency targets, or training with a deadline."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=WorkloadKind.choices)
    model_profile = models.ForeignKey(ModelProfile, on_delete=models.PROTECT, related_name="workloads")
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.BF16)
    # Inference
    requests_per_second = models.FloatField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    ttft_target_ms = models.PositiveIntegerField("time to first token target (ms)", null=True, blank=True)
    tpot_target_ms = models.PositiveIntegerField("time per output token target (ms)", null=True, blank=True)
    # Training and fine-tuning
    training_tokens = models.FloatField(null=True, blank=True, help_text="Tokens to train on.")
    deadline_days = models.FloatField(null=True, blank=True)
    assumed_mfu = models.FloatField(
        null=True, blank=True, help_text="Model FLOPs utilization, 0-1 (Llama 3 405B: 0.38-0.43; PaLM: 0.46)."
    )
    dataset_size_tb = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="workload_unique_name_per_organization"),
            models.CheckConstraint(
                condition=Q(requests_per_second__isnull=True) | Q(requests_per_second__gt=0),
                name="workload_rps_positive",
            ),
            models.CheckConstraint(
                condition=Q(training_tokens__isnull=True) | Q(training_tokens__gt=0), name="workload_tokens_positive"
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__isnull=True) | Q(deadline_days__gt=0), name="workload_deadline_positive"
            ),
            models.CheckConstraint(
                condition=Q(assumed_mfu__isnull=True) | (Q(assumed_mfu__gt=0) & Q(assumed_mfu__lte=1)),
                name="workload_mfu_fraction",
            ),
            models.CheckConstraint(
                condition=Q(dataset_size_tb__isnull=True) | Q(dataset_size_tb__gte=0), name="workload_dataset_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", "Validating"
    INVALID = "invalid", "Invalid: nothing written"
    READY = "ready", "Valid: waiting for confirmation"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed: nothing written"


class ImportJob(OrganizationOwned):
    """A bulk import: the uploaded file, its validation problems, and its progress once confirmed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    kind = models.CharField(max_length=16, help_text="What the rows are: sites, servers, storage, networks, workloads.")
    payload = models.FileField(upload_to="imports/%Y/%m/")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    preview = models.JSONField(default=list, blank=True, help_text="The first rows, as parsed.")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_pct(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
