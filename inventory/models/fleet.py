"""What an organization has: sites (power, PUE, carbon, money lines), servers, storage, network fabrics and cloud
capacity."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from config.fields import WordedDecimalField
from config.validators import validate_name

from ..validators import (
    ACCELERATORS_PER_INSTANCE,
    ACCELERATORS_PER_SERVER,
    DEPRECIATION_YEARS,
    GRID_INTENSITY,
    HOURLY_PRICE,
    INSTANCES,
    LINK_SPEED_GBPS,
    MONEY,
    OVERSUBSCRIPTION,
    PERCENTAGE,
    PRICE_PER_KWH,
    PUE,
    SERVER_CPU_CORES,
    SERVER_POWER_W,
    SERVER_RAM_GB,
    SITE_POWER_KW,
    STORAGE_TB,
    THROUGHPUT_GBPS,
    server_rules,
    validate_country_code,
    validate_currency_code,
    validate_hostname,
)
from .base import InventoryRow, UpperCaseCodeField
from .catalog import AcceleratorType


class Cooling(models.TextChoices):
    AIR = "air", "Air"
    LIQUID = "liquid", "Direct liquid"
    REAR_DOOR = "rear_door", "Rear-door heat exchanger"


class Site(InventoryRow):
    name = models.CharField(validators=[validate_name], max_length=100)
    netbox_id = models.PositiveIntegerField(
        "NetBox ID", null=True, blank=True, editable=False, help_text="NetBox site id (sync)."
    )
    country = UpperCaseCodeField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code; picks the grid carbon intensity.",
    )
    region = models.CharField(
        validators=[validate_name], max_length=80, blank=True, help_text="Region or cloud region, e.g. eu-central-1."
    )
    pue = models.FloatField(
        "PUE",
        default=1.58,
        validators=[PUE],
        help_text="Power usage effectiveness (industry average 1.58, Uptime 2023).",
    )
    grid_intensity_override = models.FloatField(
        "grid intensity override (gCO2e/kWh)",
        null=True,
        blank=True,
        validators=[GRID_INTENSITY],
        help_text="gCO2e/kWh (CO2-equivalent) from your utility contract; overrides the country average.",
    )
    electricity_price_per_kwh = WordedDecimalField(
        "electricity price per kWh", max_digits=8, decimal_places=4, null=True, blank=True, validators=[PRICE_PER_KWH]
    )
    currency = UpperCaseCodeField(max_length=3, default="USD", validators=[validate_currency_code])
    renewable_share_pct = models.FloatField(
        "renewable share (%)", default=0, validators=[PERCENTAGE], help_text="Share of renewable electricity, %."
    )
    power_capacity_kw = models.FloatField(
        "power capacity (kW)",
        null=True,
        blank=True,
        validators=[SITE_POWER_KW],
        help_text="Power available to IT equipment, kW.",
    )
    cooling = models.CharField(max_length=16, choices=Cooling.choices, default=Cooling.AIR)
    # Monthly running costs besides energy, in the site's currency (total cost of ownership, docs/money.md).
    colocation_per_month = WordedDecimalField(
        "colocation or space per month",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MONEY],
        help_text="Rent, colocation or space cost per month, in the site's currency.",
    )
    maintenance_per_month = WordedDecimalField(
        "maintenance per month",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MONEY],
        help_text="Hardware maintenance and support contracts per month, in the site's currency.",
    )
    staff_per_month = WordedDecimalField(
        "staff per month",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MONEY],
        help_text="Operations staff cost per month attributed to the site, in the site's currency.",
    )

    natural_key = ("name",)

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
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"site_{name}_not_negative",
                )
                for name in ("colocation_per_month", "maintenance_per_month", "staff_per_month")
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServerStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class Server(InventoryRow):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="servers")
    hostname = models.CharField(validators=[validate_hostname], max_length=253)
    serial = models.CharField(validators=[validate_name], max_length=80, blank=True)
    status = models.CharField(max_length=16, choices=ServerStatus.choices, default=ServerStatus.ACTIVE)
    vendor = models.CharField(validators=[validate_name], max_length=60, blank=True)
    model = models.CharField(validators=[validate_name], max_length=80, blank=True)
    cpu_cores = models.PositiveIntegerField("CPU cores", null=True, blank=True, validators=[SERVER_CPU_CORES])
    ram_gb = models.PositiveIntegerField("RAM (GB)", null=True, blank=True, validators=[SERVER_RAM_GB])
    accelerator_type = models.ForeignKey(
        AcceleratorType, on_delete=models.PROTECT, null=True, blank=True, related_name="servers"
    )
    accelerator_count = models.PositiveSmallIntegerField(
        "accelerator count", default=0, validators=[ACCELERATORS_PER_SERVER]
    )
    power_w = models.PositiveIntegerField(
        "power (W)", null=True, blank=True, validators=[SERVER_POWER_W], help_text="Whole-server power draw, W."
    )
    power_measured = models.BooleanField(
        "power measured",
        default=False,
        help_text=(
            "Tick if the power figure was measured (a meter, the BMC); leave unticked for a rated or nameplate figure."
        ),
    )
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost = WordedDecimalField(
        "purchase cost",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MONEY],
        help_text="What the server cost, in its purchase currency (empty: the site's currency).",
    )
    purchase_currency = UpperCaseCodeField(
        "purchase currency",
        max_length=3,
        blank=True,
        validators=[validate_currency_code],
        help_text="ISO code of the purchase cost's currency; empty means the site's currency.",
    )
    depreciation_years = models.FloatField(
        "depreciation period (years)",
        null=True,
        blank=True,
        validators=[DEPRECIATION_YEARS],
        help_text="Depreciation period in years; empty: 5 years (US MACRS computers; hyperscalers 5-6 years).",
    )
    gpu_driver_version = models.CharField("GPU driver version", validators=[validate_name], max_length=40, blank=True)
    cuda_version = models.CharField("CUDA version", validators=[validate_name], max_length=20, blank=True)
    os = models.CharField("OS", max_length=80, blank=True, validators=[validate_name])
    # Discovery and NetBox (inventory.hardware): the server's model in the server model catalog, its NetBox id.
    server_model = models.ForeignKey(
        "inventory.ServerModel", on_delete=models.PROTECT, null=True, blank=True, related_name="servers"
    )
    netbox_id = models.PositiveIntegerField(
        "NetBox ID", null=True, blank=True, editable=False, help_text="NetBox device id (sync)."
    )

    # Not indexed on its own: the unique (organization, hostname) and the (organization, status) and
    # (organization, site) indexes all lead with it, and a fleet-sized table pays for every index on each write.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    natural_key = ("hostname",)
    folded_key = ("hostname",)  # matched whatever its case (the import, discovery)
    row_rules = staticmethod(server_rules)

    class Meta:
        # Whatever its case, as the unique index below stores it: a page of the list reads that index in order
        # instead of sorting the fleet (config.ordering).
        ordering = [Lower("hostname").asc()]
        constraints = [
            # DNS names are case-insensitive: FRA-H100-01 and fra-h100-01 are one server (kept as written).
            models.UniqueConstraint(
                "organization",
                Lower("hostname"),
                name="server_unique_hostname_per_organization",
                violation_error_code="unique",
                violation_error_message="A server with this hostname exists already in this organization.",
            ),
            models.CheckConstraint(
                condition=Q(accelerator_count=0) | Q(accelerator_type__isnull=False),
                name="server_accelerators_have_a_type",
            ),
            models.CheckConstraint(condition=Q(status__in=ServerStatus.values), name="server_status_valid"),
            models.CheckConstraint(
                condition=Q(purchase_cost__isnull=True) | Q(purchase_cost__gte=0), name="server_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(depreciation_years__isnull=True) | Q(depreciation_years__gt=0),
                name="server_depreciation_positive",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["organization", "site"])]

    def __str__(self) -> str:
        return self.hostname

    @property
    def accelerators_text(self) -> str:
        """The accelerators in words, as "8 × H100 SXM"; empty without accelerators (no type or a count of 0). The
        server list and the discovery and NetBox plans say it alike."""
        if self.accelerator_count and self.accelerator_type_id:
            return f"{self.accelerator_count} × {self.accelerator_type}"
        return ""


class StorageKind(models.TextChoices):
    PARALLEL_FS = "parallel_fs", "Parallel file system"
    NVME = "nvme", "NVMe"
    OBJECT = "object", "Object store"
    NAS = "nas", "NAS"


class StorageSystem(InventoryRow):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="storage_systems")
    name = models.CharField(validators=[validate_name], max_length=100)
    kind = models.CharField(max_length=16, choices=StorageKind.choices)
    usable_tb = models.FloatField("usable capacity (TB)", validators=[STORAGE_TB], help_text="Usable capacity, TB.")
    read_throughput_gbps = models.FloatField(
        "read throughput (GB/s)",
        null=True,
        blank=True,
        validators=[THROUGHPUT_GBPS],
        help_text="Aggregate read throughput, GB/s.",
    )

    natural_key = ("site", "name")

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


class NetworkFabric(InventoryRow):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="network_fabrics")
    name = models.CharField(validators=[validate_name], max_length=100)
    kind = models.CharField(max_length=16, choices=FabricKind.choices)
    link_speed_gbps = models.FloatField(
        "link speed (Gb/s)", validators=[LINK_SPEED_GBPS], help_text="Per-port link speed, Gb/s."
    )
    topology = models.CharField(
        validators=[validate_name], max_length=60, blank=True, help_text="e.g. fat tree, rail-optimized, dragonfly."
    )
    oversubscription_ratio = models.FloatField(
        "oversubscription ratio", default=1.0, validators=[OVERSUBSCRIPTION], help_text="1.0 is non-blocking."
    )

    natural_key = ("site", "name")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "site", "name"], name="fabric_unique_name_per_site"),
            models.CheckConstraint(condition=Q(link_speed_gbps__gt=0), name="fabric_speed_positive"),
            models.CheckConstraint(condition=Q(oversubscription_ratio__gte=1), name="fabric_oversubscription_gte_1"),
        ]

    def __str__(self) -> str:
        return self.name


class CloudCapacity(InventoryRow):
    provider = models.CharField(validators=[validate_name], max_length=40)
    region = models.CharField(validators=[validate_name], max_length=60)
    instance_type = models.CharField(validators=[validate_name], max_length=60)
    accelerator_type = models.ForeignKey(AcceleratorType, on_delete=models.PROTECT, related_name="cloud_capacity")
    accelerators_per_instance = models.PositiveSmallIntegerField(
        "accelerators per instance", validators=[ACCELERATORS_PER_INSTANCE]
    )
    instances = models.PositiveIntegerField(validators=[INSTANCES])
    hourly_price = WordedDecimalField(
        "hourly price per instance",
        max_digits=10,
        decimal_places=4,
        validators=[HOURLY_PRICE],
        help_text="Price per instance-hour.",
    )
    currency = UpperCaseCodeField(max_length=3, default="USD", validators=[validate_currency_code])

    natural_key = ("provider", "region", "instance_type")

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
