"""What discovery and NetBox record about servers beyond their accelerator type and count. Imported by
`inventory.models` (the models belong to the inventory app).

- `ServerModel`: a catalog of server models (vendor, model, part number, height, power ports with their maximum draw,
  interfaces), shared or private like `AcceleratorType`; loaded from NetBox devicetype-library YAML or synced from a
  NetBox's device types. `max_draw_w` is the model's *usable* maximum draw by the rule of
  `inventory.discovery.devicetypes.usable_maximum_draw` (redundant supplies are not added), kept as a column so
  that the power ladder can read it in SQL (`inventory.hardware.selectors.server_model_draw_w`).
- `ServerGpu` (one row per physical GPU of a server, as a tool or NetBox recorded it) and `MigInstance` (its MIG
  devices): every GPU with its model, memory, power limit, serial, UUID, MIG mode. A server's `accelerator_type` and
  `accelerator_count` stay what the capacity analysis reads: for a server with mixed GPU models they are its largest
  group, and these rows hold all of them.
- `DiscoveryRun`: a tool's output pasted or uploaded in the app, waiting for confirmation (the preview), then
  applied; `NetboxConfig`: an organization's NetBox and its last sync (progress, what changed or would change).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from accounts.models import OrganizationOwned
from config import encryption
from config.fields import OwnLimitsFirst
from config.validators import validate_finite_json, validate_name

from ..discovery.devicetypes import model_label, usable_maximum_draw
from ..validators import ACCELERATORS_PER_SERVER, INTEGER, SMALLINT, WEIGHT_KG, Bounds


def validate_power_ports(value: object) -> None:
    """A list of {name, type, maximum_draw, allocated_draw}, draws whole watts or empty."""
    message = "Enter a list of power ports: {name, type, maximum_draw, allocated_draw} with draws in whole W."
    if not isinstance(value, list):
        raise ValidationError(message, code="invalid")
    for port in value:
        if not isinstance(port, dict) or not str(port.get("name") or "").strip():
            raise ValidationError(message, code="invalid")
        for key in ("maximum_draw", "allocated_draw"):
            draw = port.get(key)
            if draw is not None and (
                isinstance(draw, bool) or not isinstance(draw, int) or not 0 <= draw <= 2147483647
            ):
                raise ValidationError(message, code="invalid")


U_HEIGHT = Bounds("Enter a height from 0 to 100 U.", at_least=0, at_most=100, code="out_of_range")
REDUNDANT = Bounds("Enter from 0 to 64 redundant power ports.", at_least=0, at_most=64, code="out_of_range")


class ServerModel(OwnLimitsFirst, models.Model):
    """A server model (NetBox's device type): shared when `organization` is empty, else an organization's own."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the shared catalog; set for an organization's private entry.",
    )
    vendor = models.CharField(validators=[validate_name], max_length=60)
    model = models.CharField(validators=[validate_name], max_length=80)
    slug = models.SlugField(max_length=100, blank=True)
    part_number = models.CharField(validators=[validate_name], max_length=80, blank=True)
    u_height = models.FloatField("height (U)", default=1, validators=[U_HEIGHT], help_text="Rack units.")
    is_full_depth = models.BooleanField(default=True)
    airflow = models.CharField(validators=[validate_name], max_length=30, blank=True)
    weight_kg = models.FloatField("weight (kg)", null=True, blank=True, validators=[WEIGHT_KG])
    power_ports = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_finite_json, validate_power_ports],
        help_text="[{name, type, maximum_draw, allocated_draw}] in W, as NetBox records them.",
    )
    interfaces = models.JSONField(
        validators=[validate_finite_json], default=list, blank=True, help_text="[{name, type, mgmt_only}]."
    )
    gpu_bays = models.PositiveSmallIntegerField(
        "GPU bays", default=0, validators=[ACCELERATORS_PER_SERVER], help_text="Module bays named GPU."
    )
    redundant_power_ports = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[REDUNDANT, SMALLINT],
        help_text="Power ports that are spares; empty: half of them (N+N).",
    )
    max_draw_w = models.PositiveIntegerField(
        "maximum draw (W)",
        null=True,
        blank=True,
        editable=False,
        validators=[INTEGER],
        help_text="Usable maximum draw, W: the largest port's maximum draw x the ports carrying the load.",
    )
    draw_rule = models.CharField(max_length=200, blank=True, editable=False, help_text="How max_draw_w was reached.")
    netbox_id = models.PositiveIntegerField(
        "NetBox ID", null=True, blank=True, validators=[INTEGER], help_text="NetBox device type id."
    )
    notes = models.JSONField(default=list, blank=True, help_text="What the source says that needs a look.")
    source = models.TextField(help_text="Where it comes from (devicetype-library file, NetBox URL).")

    natural_key = ("vendor", "model")

    class Meta:
        ordering = ["vendor", "model"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "model"],
                condition=Q(organization__isnull=True),
                name="servermodel_shared_unique",
                violation_error_message="A shared server model with this vendor and model exists already.",
                violation_error_code="unique",
            ),
            models.UniqueConstraint(fields=["organization", "vendor", "model"], name="servermodel_private_unique"),
            models.CheckConstraint(condition=Q(u_height__gte=0), name="servermodel_u_height_not_negative"),
        ]

    def __str__(self) -> str:
        return model_label(self.vendor, self.model)

    def save(self, *args: object, **kwargs: object) -> None:
        self.compute_draw()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_shared(self) -> bool:
        return self.organization_id is None

    def compute_draw(self) -> None:
        """`max_draw_w` and `draw_rule` from the power ports (the rule of `usable_maximum_draw`)."""
        draw = usable_maximum_draw(self.power_ports or [], self.redundant_power_ports)
        self.max_draw_w, self.draw_rule = draw.watts, draw.rule[:200]


class MigMode(models.TextChoices):
    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"
    NONE = "", "Not supported or not reported"


class GpuSource(models.TextChoices):
    NVIDIA_SMI_CSV = "nvidia-smi-csv", "nvidia-smi --query-gpu CSV"
    NVIDIA_SMI_XML = "nvidia-smi-xml", "nvidia-smi -q -x"
    NVIDIA_SMI_Q = "nvidia-smi-q", "nvidia-smi -q"
    NVIDIA_SMI_TABLE = "nvidia-smi-table", "nvidia-smi (table)"
    NVIDIA_SMI_LIST = "nvidia-smi-list", "nvidia-smi -L"
    ROCM_SMI = "rocm-smi-json", "rocm-smi --json"
    AMD_SMI = "amd-smi-json", "amd-smi static --json"
    KUBERNETES = "kubectl-nodes", "Kubernetes node labels"
    SLURM = "slurm-nodes", "Slurm scontrol show nodes"
    NETBOX_MODULE = "netbox-module", "NetBox module"
    NETBOX_ITEM = "netbox-inventory-item", "NetBox inventory item"


class ServerGpu(OrganizationOwned):
    """One physical GPU of a server, as the tool (or NetBox) that recorded it says. Placeholders (masked serials
    and UUIDs, N/A) are stored empty. `power_limit_w` is the GPU's configured power limit: summed over a server,
    its rated accelerator power."""

    server = models.ForeignKey("inventory.Server", on_delete=models.CASCADE, related_name="gpus")
    position = models.PositiveSmallIntegerField(validators=[SMALLINT], help_text="Index on the host (0, 1, ...).")
    accelerator_type = models.ForeignKey("inventory.AcceleratorType", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120, help_text="The model name as the tool printed it.")
    memory_mib = models.PositiveIntegerField(
        "memory (MiB)", null=True, blank=True, validators=[INTEGER], help_text="MiB, as reported."
    )
    power_limit_w = models.PositiveIntegerField(
        "power limit (W)", null=True, blank=True, validators=[INTEGER], help_text="Power limit, W, as reported."
    )
    serial = models.CharField(max_length=80, blank=True)
    uuid = models.CharField("UUID", max_length=80, blank=True)
    mig_mode = models.CharField("MIG mode", max_length=8, choices=MigMode.choices, blank=True)
    driver_version = models.CharField(max_length=40, blank=True)
    cuda_version = models.CharField("CUDA version", max_length=20, blank=True)
    rocm_version = models.CharField("ROCm version", max_length=20, blank=True)
    source = models.CharField(max_length=24, choices=GpuSource.choices)
    netbox_id = models.PositiveIntegerField(
        "NetBox ID", null=True, blank=True, validators=[INTEGER], help_text="NetBox object id."
    )
    recorded = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "server GPU"
        ordering = ["server", "position"]
        constraints = [models.UniqueConstraint(fields=["server", "position"], name="servergpu_one_per_position")]
        indexes = [models.Index(fields=["organization", "uuid"])]

    def __str__(self) -> str:
        return f"{self.server} GPU {self.position}: {self.name}"


class MigInstance(OrganizationOwned):
    """A MIG device on a GPU: its GPU and compute instance, profile (when the output names it) and memory. Two
    compute instances may share one GPU instance (and its memory): count slices by GPU instance."""

    gpu = models.ForeignKey(ServerGpu, on_delete=models.CASCADE, related_name="mig_instances")
    gpu_instance_id = models.PositiveSmallIntegerField(null=True, blank=True, validators=[SMALLINT])
    compute_instance_id = models.PositiveSmallIntegerField(null=True, blank=True, validators=[SMALLINT])
    profile = models.CharField(max_length=24, blank=True, help_text="e.g. 3g.40gb; empty when not printed.")
    memory_mib = models.PositiveIntegerField("memory (MiB)", null=True, blank=True, validators=[INTEGER])
    multiprocessors = models.PositiveSmallIntegerField(null=True, blank=True, validators=[SMALLINT])
    uuid = models.CharField("UUID", max_length=80, blank=True)

    class Meta:
        verbose_name = "MIG instance"
        ordering = ["gpu", "gpu_instance_id", "compute_instance_id", "pk"]

    def __str__(self) -> str:
        return self.profile or f"GI {self.gpu_instance_id} CI {self.compute_instance_id}"


class RunStatus(models.TextChoices):
    READY = "ready", "Valid: waiting for confirmation"
    INVALID = "invalid", "Invalid: nothing written"
    DONE = "done", "Recorded"
    FAILED = "failed", "Failed: nothing written"


class DiscoveryRun(OrganizationOwned):
    """A tool's output pasted or uploaded in the app: its preview (what would be created or changed, or every
    problem), then, once confirmed, what was written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    site_name = models.CharField(max_length=100)
    hostname = models.CharField(max_length=253, blank=True)
    text = models.TextField(help_text="The output, kept until it is recorded.")
    format = models.CharField(max_length=24, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    plan = models.JSONField(default=dict, blank=True, help_text="The preview: hosts, GPUs, changes, notes.")
    errors = models.JSONField(default=list, blank=True, help_text="[{code, message, row, column, field}].")
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.format or 'output'} ({self.get_status_display()})"


class SyncStatus(models.TextChoices):
    NEVER = "never", "Never run"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    FAILED = "failed", "Failed: nothing written"


class NetboxConfig(OrganizationOwned):
    """An organization's NetBox (URL and API token, stored encrypted) and its last sync: a dry run lists what would
    change, a sync writes it, all or nothing."""

    url = models.CharField(max_length=500, help_text="NetBox's base URL, e.g. https://netbox.example.net")
    token_encrypted = models.TextField(blank=True, editable=False)
    verify_tls = models.BooleanField(default=True, help_text="Check the HTTPS certificate.")
    device_role = models.CharField(
        max_length=100,
        blank=True,
        help_text="Only devices of this role (slug), e.g. gpu-server; empty: devices with GPUs.",
    )
    new_site_country = models.CharField(
        max_length=2, blank=True, help_text="ISO country code of the sites NetBox has and InfraReady lacks (created)."
    )
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    dry_run = models.BooleanField(default=True, help_text="The last run only listed the changes.")
    stage = models.CharField(max_length=100, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "NetBox configuration"
        constraints = [models.UniqueConstraint(fields=["organization"], name="netbox_one_per_organization")]

    def __str__(self) -> str:
        return f"NetBox at {self.url}"

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)

    def set_token(self, token: str) -> None:
        self.token_encrypted = encryption.encrypt(token.strip())

    def get_token(self) -> str:
        return encryption.decrypt(self.token_encrypted)

    @property
    def progress_pct(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0
