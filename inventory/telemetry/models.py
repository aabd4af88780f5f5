"""Measured telemetry: daily summaries per server, and where they come from (Prometheus, BMCs over Redfish).

Imported by `inventory.models` (the models belong to the inventory app). Raw samples are never stored: each
`ServerTelemetryDay` summarizes one server's day from one source (see docs/telemetry.md for every figure's
definition), and keeps a compact mergeable digest so that later readings of the same day fold into it.
Credentials are stored encrypted (`config.encryption`); the models offer them through `set_*`/`get_*` only.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import OrganizationOwned
from config import encryption


class TelemetrySource(models.TextChoices):
    DCGM_SCRAPE = "dcgm_scrape", "dcgm-exporter scrape (upload)"
    PROMETHEUS = "prometheus", "Prometheus (dcgm-exporter series)"
    REDFISH = "redfish", "Redfish (server BMC)"


class ServerTelemetryDay(OrganizationOwned):
    """One server's measurements over one UTC day from one source. Power is in W, percentages 0-100, memory in GB
    of 1024 MiB (as GPU datasheets count them). Accelerator figures are summed (power, memory) or averaged
    (utilization, tensor activity) over the server's physical GPUs at each instant; p50/p95/max are over the day's
    instants."""

    server = models.ForeignKey("inventory.Server", on_delete=models.CASCADE, related_name="telemetry_days")
    day = models.DateField(help_text="UTC day.")
    source = models.CharField(max_length=16, choices=TelemetrySource.choices)
    window_start = models.DateTimeField(help_text="The first instant summarized.")
    window_end = models.DateTimeField(help_text="The last instant summarized.")
    sample_count = models.PositiveIntegerField(help_text="Instants summarized (scrapes, query steps, BMC readings).")
    gpu_count = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Physical GPUs seen (most at once).")
    gpu_models = models.JSONField(default=list, blank=True, help_text="GPU model names reported (modelName).")
    mig_profiles = models.JSONField(
        default=dict, blank=True, help_text="MIG instances by profile, e.g. {'1g.10gb': 7} (most at once)."
    )
    accelerator_power_p50_w = models.FloatField("accelerator power, median (W)", null=True, blank=True)
    accelerator_power_p95_w = models.FloatField("accelerator power, 95th percentile (W)", null=True, blank=True)
    accelerator_power_max_w = models.FloatField("accelerator power, maximum (W)", null=True, blank=True)
    server_power_p50_w = models.FloatField("server power, median (W)", null=True, blank=True)
    server_power_p95_w = models.FloatField("server power, 95th percentile (W)", null=True, blank=True)
    server_power_max_w = models.FloatField("server power, maximum (W)", null=True, blank=True)
    utilization_mean_pct = models.FloatField("utilization, mean (%)", null=True, blank=True)
    utilization_p95_pct = models.FloatField("utilization, 95th percentile (%)", null=True, blank=True)
    tensor_active_mean_pct = models.FloatField("tensor cores active, mean (%)", null=True, blank=True)
    memory_used_mean_gb = models.FloatField("memory used, mean (GB)", null=True, blank=True)
    memory_used_max_gb = models.FloatField("memory used, maximum (GB)", null=True, blank=True)
    memory_total_gb = models.FloatField(
        "memory total (GB)", null=True, blank=True, help_text="Used + free frame buffer, GB."
    )
    power_reading_path = models.CharField(
        max_length=300, blank=True, help_text="Redfish: the resource the server power was read from."
    )
    digest = models.JSONField(
        default=dict, blank=True, help_text="Mergeable histograms of the instants (no raw samples), for folding."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["server", "day", "source"]
        verbose_name = "server telemetry day"
        constraints = [
            models.UniqueConstraint(fields=["server", "day", "source"], name="telemetry_day_unique_per_source"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="telemetry_window"),
            models.CheckConstraint(condition=Q(sample_count__gt=0), name="telemetry_has_samples"),
        ]
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.server} {self.day} ({self.get_source_display()})"

    @property
    def mig_unmeasured_gpus(self) -> int:
        """GPUs in MIG mode whose utilization this day could not measure (no GR_ENGINE_ACTIVE): not counted in
        ``utilization_mean_pct``, never as 0 % (`summaries.mig_unmeasured`)."""
        from .summaries import mig_unmeasured

        return len(mig_unmeasured(self.digest))


class ServerTelemetryGpuDay(models.Model):
    """One physical GPU's mean utilization over a server's day from one source (its `ServerTelemetryDay`), so that
    idle accelerators are counted per GPU, not per server: a server whose GPUs average 60 % may hold idle ones.
    Written with its day (`services.store_day_summaries`); the organization is its day's."""

    telemetry_day = models.ForeignKey(ServerTelemetryDay, on_delete=models.CASCADE, related_name="gpus")
    gpu = models.CharField(max_length=100, help_text="The GPU as the exporter names it (its UUID, else its index).")
    utilization_mean_pct = models.FloatField(
        "utilization, mean (%)", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sample_count = models.PositiveIntegerField(help_text="Instants with this GPU's utilization.")

    class Meta:
        ordering = ["telemetry_day", "gpu"]
        verbose_name = "GPU telemetry day"
        constraints = [
            models.UniqueConstraint(fields=["telemetry_day", "gpu"], name="telemetry_gpu_day_unique"),
            models.CheckConstraint(
                condition=Q(utilization_mean_pct__gte=0, utilization_mean_pct__lte=100), name="telemetry_gpu_util_pct"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.telemetry_day} GPU {self.gpu}"


class PullStatus(models.TextChoices):
    NEVER = "never", "Never run"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    FAILED = "failed", "Failed"


class PrometheusConfig(OrganizationOwned):
    """Where an organization's Prometheus (scraping dcgm-exporter) is, and how the last pull went."""

    url = models.CharField(max_length=500, help_text="Base URL, e.g. https://prometheus.example.net:9090")
    bearer_token_encrypted = models.TextField(blank=True, editable=False)
    enabled = models.BooleanField(default=True, help_text="Pulled by the scheduled task.")
    verify_tls = models.BooleanField(default=True, help_text="Check the HTTPS certificate.")
    window_days = models.PositiveSmallIntegerField(
        "window (days)", default=7, help_text="Days pulled, up to today (1-30)."
    )
    step_seconds = models.PositiveIntegerField(
        "step (s)", default=300, help_text="Resolution of the query, s (15-3600)."
    )
    status = models.CharField(max_length=16, choices=PullStatus.choices, default=PullStatus.NEVER)
    hosts_done = models.PositiveIntegerField(default=0)
    hosts_total = models.PositiveIntegerField(default=0)
    # The pull job (config.jobs): when it was queued and started (the reaper's deadline counts from these), the id of
    # the message that runs it, how often the reaper queued it again.
    queued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "Prometheus configuration"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="prometheus_one_per_organization"),
            models.CheckConstraint(
                condition=Q(window_days__gte=1) & Q(window_days__lte=30), name="prometheus_window_days"
            ),
            models.CheckConstraint(
                condition=Q(step_seconds__gte=15) & Q(step_seconds__lte=3600), name="prometheus_step_seconds"
            ),
        ]

    def __str__(self) -> str:
        return f"Prometheus at {self.url}"

    @property
    def has_token(self) -> bool:
        return bool(self.bearer_token_encrypted)

    def set_token(self, token: str) -> None:
        self.bearer_token_encrypted = encryption.encrypt(token.strip())

    def get_token(self) -> str:
        return encryption.decrypt(self.bearer_token_encrypted)

    @property
    def progress_pct(self) -> int:
        return round(100 * self.hosts_done / self.hosts_total) if self.hosts_total else 0


class BmcEndpoint(OrganizationOwned):
    """A server's baseboard management controller, read over Redfish for the whole server's power draw."""

    server = models.OneToOneField("inventory.Server", on_delete=models.CASCADE, related_name="bmc")
    address = models.CharField(
        max_length=300, help_text="Host name or address of the BMC, or its URL (https:// is assumed)."
    )
    username_encrypted = models.TextField(blank=True, editable=False)
    password_encrypted = models.TextField(blank=True, editable=False)
    verify_tls = models.BooleanField(
        default=True, help_text="Check the BMC's HTTPS certificate (turn off for self-signed ones)."
    )
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=PullStatus.choices, default=PullStatus.NEVER)
    last_read = models.DateTimeField(null=True, blank=True)
    last_power_w = models.FloatField("last power reading (W)", null=True, blank=True)
    last_power_path = models.CharField(max_length=300, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["server__hostname"]
        verbose_name = "BMC endpoint"

    def __str__(self) -> str:
        return f"BMC of {self.server} ({self.address})"

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)

    def set_credentials(self, *, username: str | None = None, password: str | None = None) -> None:
        """Set what is given (None keeps the stored value; "" clears it)."""
        if username is not None:
            self.username_encrypted = encryption.encrypt(username)
        if password is not None:
            self.password_encrypted = encryption.encrypt(password)

    def get_username(self) -> str:
        return encryption.decrypt(self.username_encrypted)

    def get_password(self) -> str:
        return encryption.decrypt(self.password_encrypted)
