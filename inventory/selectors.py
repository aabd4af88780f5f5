"""Reads of the inventory, always scoped to one organization, loading related rows up front (no N+1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce

from accounts.models import Organization

from . import capacity
from .catalog import WORLD_AVERAGE_G_PER_KWH
from .models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ImportJob,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerStatus,
    Site,
    StorageSystem,
    Workload,
)


def accelerator_types_for(*, organization: Organization) -> QuerySet[AcceleratorType]:
    """The shared catalog plus the organization's private entries."""
    return AcceleratorType.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def model_profiles_for(*, organization: Organization) -> QuerySet[ModelProfile]:
    return ModelProfile.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def grid_regions() -> QuerySet[GridRegion]:
    return GridRegion.objects.all()


def grid_intensities(*, sites: list[Site]) -> dict[int, float]:
    """gCO2/kWh per site id: the site's utility figure when given, else its country's, else the IEA world average.
    One query for all the sites."""
    by_country = dict(
        GridRegion.objects.filter(country_code__in={s.country for s in sites}).values_list(
            "country_code", "g_co2_per_kwh"
        )
    )
    return {
        s.pk: s.grid_intensity_override
        if s.grid_intensity_override is not None
        else by_country.get(s.country, WORLD_AVERAGE_G_PER_KWH)
        for s in sites
    }


def sites_for(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization)


def servers_for(*, organization: Organization) -> QuerySet[Server]:
    return Server.objects.filter(organization=organization).select_related("site", "accelerator_type")


def storage_systems_for(*, organization: Organization) -> QuerySet[StorageSystem]:
    return StorageSystem.objects.filter(organization=organization).select_related("site")


def network_fabrics_for(*, organization: Organization) -> QuerySet[NetworkFabric]:
    return NetworkFabric.objects.filter(organization=organization).select_related("site")


def cloud_capacity_for(*, organization: Organization) -> QuerySet[CloudCapacity]:
    return CloudCapacity.objects.filter(organization=organization).select_related("accelerator_type")


def workloads_for(*, organization: Organization) -> QuerySet[Workload]:
    return Workload.objects.filter(organization=organization).select_related("model_profile")


def import_jobs_for(*, organization: Organization) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organization=organization).select_related("created_by")


@dataclass(frozen=True)
class AcceleratorTotal:
    accelerator: str
    count: int
    memory_gb: float
    bf16_pflops: float


@dataclass(frozen=True)
class SitePower:
    site: str
    servers: int
    accelerators: int
    rated_power_kw: float
    power_capacity_kw: float | None


@dataclass(frozen=True)
class InventoryOverview:
    """Totals of the organization's active fleet (planned and retired servers are counted by status only)."""

    accelerators_by_type: list[AcceleratorTotal] = field(default_factory=list)
    servers_by_status: dict[str, int] = field(default_factory=dict)
    power_by_site: list[SitePower] = field(default_factory=list)
    total_accelerators: int = 0
    total_memory_gb: float = 0.0
    total_bf16_pflops: float = 0.0
    workloads: int = 0


def server_draw_w(prefix: str = "") -> Coalesce:
    """A server's power draw in W, in the database: its `power_w` (measured or nameplate), else its accelerators'
    TDP x the server overhead factor (`inventory.capacity.DEFAULT_SERVER_OVERHEAD_FACTOR`, from the DGX H100
    datasheet), else 0. The same rule as `inventory.analysis`, so the overview, the facts and the capacity model
    agree. ``prefix`` reaches servers through a relation (``"servers__"`` from a site)."""
    return Coalesce(
        Cast(F(f"{prefix}power_w"), FloatField()),
        F(f"{prefix}accelerator_count")
        * F(f"{prefix}accelerator_type__tdp_w")
        * Value(capacity.DEFAULT_SERVER_OVERHEAD_FACTOR, output_field=FloatField()),
        Value(0.0),
        output_field=FloatField(),
    )


def inventory_overview(*, organization: Organization) -> InventoryOverview:
    """Aggregates in the database: four queries whatever the fleet size.

    Rated power per site: each active server's draw as :func:`server_draw_w` defines it.
    """
    active = Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE)
    by_type = (
        active.filter(accelerator_count__gt=0)
        .values("accelerator_type__vendor", "accelerator_type__model")
        .annotate(
            count=Sum("accelerator_count"),
            memory_gb=Sum(F("accelerator_count") * F("accelerator_type__memory_gb"), output_field=FloatField()),
            bf16_tflops=Sum(F("accelerator_count") * F("accelerator_type__bf16_tflops"), output_field=FloatField()),
        )
        .order_by("-count", "accelerator_type__model")
    )
    accelerators = [
        AcceleratorTotal(
            accelerator=f"{row['accelerator_type__vendor']} {row['accelerator_type__model']}",
            count=row["count"],
            memory_gb=row["memory_gb"] or 0.0,
            bf16_pflops=(row["bf16_tflops"] or 0.0) / 1000,
        )
        for row in by_type
    ]
    statuses = dict(
        Server.objects.filter(organization=organization).values_list("status").annotate(n=Count("id")).order_by()
    )
    sites = (
        Site.objects.filter(organization=organization)
        .annotate(
            n_servers=Count("servers", filter=Q(servers__status=ServerStatus.ACTIVE)),
            n_accelerators=Coalesce(
                Sum("servers__accelerator_count", filter=Q(servers__status=ServerStatus.ACTIVE)), 0
            ),
            power_w=Coalesce(
                Sum(
                    server_draw_w("servers__"),
                    filter=Q(servers__status=ServerStatus.ACTIVE),
                    output_field=FloatField(),
                ),
                0.0,
            ),
        )
        .order_by("name")
    )
    power = [
        SitePower(
            site=site.name,
            servers=site.n_servers,
            accelerators=site.n_accelerators,
            rated_power_kw=site.power_w / 1000,
            power_capacity_kw=site.power_capacity_kw,
        )
        for site in sites
    ]
    return InventoryOverview(
        accelerators_by_type=accelerators,
        servers_by_status={status: statuses.get(status, 0) for status in ServerStatus.values},
        power_by_site=power,
        total_accelerators=sum(a.count for a in accelerators),
        total_memory_gb=sum(a.memory_gb for a in accelerators),
        total_bf16_pflops=sum(a.bf16_pflops for a in accelerators),
        workloads=Workload.objects.filter(organization=organization).count(),
    )
