"""The inventory overview: totals of the active fleet, aggregated in the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    FloatField,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce

from accounts.models import Organization

from ..models import (
    Server,
    ServerStatus,
    Site,
    Workload,
)
from .power import server_draw_w, server_rated_expression


@dataclass(frozen=True)
class AcceleratorTotal:
    accelerator: str
    count: int
    memory_gb: float  # the accelerators' whole memory (a unified memory counts whole)
    bf16_pflops: float
    memory_for_models_gb: float = 0.0  # less what the host keeps of a unified memory (``host_reserved_gb``)


@dataclass(frozen=True)
class SitePower:
    site: str
    servers: int
    accelerators: int
    rated_power_kw: float  # the rated rungs only (recorded, server model, system power, TDP x 1.821)
    power_capacity_kw: float | None
    power_kw: float = 0.0  # the power ladder: measured where telemetry gives it, else rated


@dataclass(frozen=True)
class InventoryOverview:
    """Totals of the organization's active fleet (planned and retired servers are counted by status only)."""

    accelerators_by_type: list[AcceleratorTotal] = field(default_factory=list)
    servers_by_status: dict[str, int] = field(default_factory=dict)
    power_by_site: list[SitePower] = field(default_factory=list)
    total_accelerators: int = 0
    total_memory_gb: float = 0.0
    total_memory_for_models_gb: float = 0.0
    total_bf16_pflops: float = 0.0
    workloads: int = 0


def inventory_overview(*, organization: Organization) -> InventoryOverview:
    """Aggregates in the database: four queries whatever the fleet size.

    Power per site: each active server's draw as :func:`server_draw_w` defines it (``power_kw``: measured where
    telemetry gives it) and its rated draw (``rated_power_kw``: `server_rated_expression`), in the same query.
    """
    active = Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE)
    by_type = (
        active.filter(accelerator_count__gt=0)
        .values("accelerator_type__vendor", "accelerator_type__model")
        .annotate(
            count=Sum("accelerator_count"),
            memory_gb=Sum(F("accelerator_count") * F("accelerator_type__memory_gb"), output_field=FloatField()),
            reserved_gb=Sum(
                F("accelerator_count") * Coalesce(F("accelerator_type__host_reserved_gb"), 0.0),
                output_field=FloatField(),
            ),
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
            memory_for_models_gb=(row["memory_gb"] or 0.0) - (row["reserved_gb"] or 0.0),
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
            rated_w=Coalesce(
                Sum(
                    server_rated_expression("servers__"),
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
            rated_power_kw=site.rated_w / 1000,
            power_capacity_kw=site.power_capacity_kw,
            power_kw=site.power_w / 1000,
        )
        for site in sites
    ]
    return InventoryOverview(
        accelerators_by_type=accelerators,
        servers_by_status={status: statuses.get(status, 0) for status in ServerStatus.values},
        power_by_site=power,
        total_accelerators=sum(a.count for a in accelerators),
        total_memory_gb=sum(a.memory_gb for a in accelerators),
        total_memory_for_models_gb=sum(a.memory_for_models_gb for a in accelerators),
        total_bf16_pflops=sum(a.bf16_pflops for a in accelerators),
        workloads=Workload.objects.filter(organization=organization).count(),
    )
