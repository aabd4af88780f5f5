"""Reads of the inventory, always scoped to one organization, loading related rows up front (no N+1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone

from accounts.models import Organization
from config import jobs
from config.errors import ErrorItem
from config.jobs import JobStatus

from . import capacity
from .catalog import WORLD_AVERAGE_G_PER_KWH
from .hardware.selectors import server_model_draw_w
from .models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ImportJob,
    ImportStatus,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerGpu,
    ServerStatus,
    ServerTelemetryDay,
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


def import_job_status(*, job: ImportJob) -> JobStatus:
    """Where an import stands (``config.jobs``): validating or importing (waiting for a worker until one starts
    it), then valid and waiting for confirmation or imported (succeeded), or invalid or failed."""
    rows = f"{job.processed_rows} of about {job.total_rows} rows."
    progress = jobs.percent(job.processed_rows, job.total_rows)
    waiting_for_worker = bool(job.task_id) and job.started is None
    if job.status in (ImportStatus.VALIDATING, ImportStatus.RUNNING):
        doing = "Validating" if job.status == ImportStatus.VALIDATING else "Importing"
        if waiting_for_worker:
            return JobStatus("import", jobs.QUEUED, f"{doing}: waiting for a worker…", progress=0)
        return JobStatus("import", jobs.RUNNING, f"{doing}: {rows}", progress=progress or 0)
    if job.status == ImportStatus.READY:
        message = f"Valid: {job.created_count} new and {job.updated_count} updated rows, waiting for confirmation."
        return JobStatus("import", jobs.SUCCEEDED, message, progress=100)
    if job.status == ImportStatus.DONE:
        message = f"Imported {job.total_rows} rows: {job.created_count} new, {job.updated_count} updated."
        return JobStatus("import", jobs.SUCCEEDED, message, progress=100)
    count = max(job.error_count, len(job.errors or []))
    if job.status == ImportStatus.INVALID:
        message = f"The file has {count} problem{'s' if count != 1 else ''}; nothing was written."
        return JobStatus("import", jobs.FAILED, message, error=ErrorItem(message, "invalid_file"))
    first = ErrorItem.from_dict(job.errors[0]) if job.errors else None
    error = ErrorItem(first.message if first else "The import failed.", first.code if first else "failed")
    return JobStatus(
        "import", jobs.FAILED, "The import failed; nothing was written.", error=error, retryable=bool(job.payload)
    )


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
    rated_power_kw: float  # the rated rungs only (recorded, server model, system power, TDP x 1.82)
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


# --------------------------------------------------------------------------------------------------
# The server power rule: one ladder, in the database
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PowerRung:
    """One rung of the server power ladder: the server rows it applies to (``condition``), the whole-server watts
    it gives them (``watts``), its key (the ``power_source`` label) and words for people."""

    key: str
    label: str
    basis: str
    condition: Q
    watts: Any


POWER_NONE = "none"
"""``power_source`` of a server no rung applies to (no recorded power, no accelerator with a TDP): 0 W."""


MEASURED_WINDOW_DAYS = 7
"""Days of measured telemetry (`ServerTelemetryDay`) the ladder's measured rungs read, today included."""

NON_ACCELERATOR_SHARE = capacity.DEFAULT_SERVER_OVERHEAD_FACTOR - 1.0
"""The non-accelerator share of a server's power, per watt of accelerator TDP: 0.821 (the NVIDIA DGX H100
datasheet's 10.2 kW system for 8 x 700 W GPUs leaves 4.6 kW for CPUs, memory, network and fans). Added to the
measured accelerator power (DCGM), which covers the GPUs only: CPUs and fans do not idle with the GPUs, so the
share is taken at its rated value, not scaled by the measured load."""

MEASURED_RUNGS = ("measured_server", "measured_accelerators")
"""The rungs read from measured telemetry (the others are rated: recorded, server model, system power, TDP)."""

ESTIMATED_RUNGS = ("system", "tdp")
"""The rungs estimated from the accelerator type alone (`capacity.rated_server_watts`): a pool whose servers all
take them has no recorded power, and the pure model computes the same watts from the type itself."""


def measured_window(*, today: date | None = None) -> tuple[date, date]:
    """The UTC days the measured rungs read: the last `MEASURED_WINDOW_DAYS` up to today, both included."""
    end = today or timezone.now().date()
    return end - timedelta(days=MEASURED_WINDOW_DAYS - 1), end


def _window_p95(prefix: str, field_name: str, window: tuple[date, date]) -> Subquery:
    """The highest daily p95 of ``field_name`` of the server (``OuterRef(prefix + "pk")``) over the window, any
    source (the daily summaries of `inventory.telemetry`): null without a summary carrying it."""
    start, end = window
    days = ServerTelemetryDay.objects.filter(
        server=OuterRef(f"{prefix}pk"), day__gte=start, day__lte=end, **{f"{field_name}__isnull": False}
    )
    return Subquery(
        days.order_by().values("server").annotate(top=Max(field_name)).values("top")[:1], output_field=FloatField()
    )


def server_power_ladder(prefix: str = "", *, window: tuple[date, date] | None = None) -> tuple[PowerRung, ...]:
    """The power rule as an ordered ladder: a server's whole-server watts come from the first rung whose condition
    it meets, else 0 W (`POWER_NONE`). ``prefix`` reaches servers through a relation (``"servers__"`` from a site);
    ``window`` is the measured rungs' days (default `measured_window`).

    1. ``measured_server``: whole-server power measured by the BMC (Redfish): the highest daily p95 of
       `ServerTelemetryDay.server_power_p95_w` over the window.
    2. ``measured_accelerators``: the accelerators' power measured by DCGM (the highest daily p95 of
       ``accelerator_power_p95_w`` over the window) plus the rest of the server at its rated power
       (`capacity.non_accelerator_watts`: accelerators x TDP x `NON_ACCELERATOR_SHARE`, or for an integrated
       system accelerators x (system power - TDP)); needs the accelerator type's TDP.
    3. ``recorded``: the server's ``power_w`` (measured or nameplate, `Server.power_measured` says which).
    4. ``server_model``: the server model's usable maximum draw (`hardware.selectors.server_model_draw_w`, from
       NetBox's device type: the largest power port's maximum draw x the ports carrying the load).
    5. ``system``: accelerators x the accelerator type's ``system_power_w``, for an integrated system whose TDP
       covers its package (NVIDIA GB10: a DGX Spark's 240 W power supply, where TDP x 1.821 would give 255 W).
    6. ``tdp``: accelerators x the accelerator type's TDP x `capacity.DEFAULT_SERVER_OVERHEAD_FACTOR` (1.821: the
       NVIDIA DGX H100 datasheet's 10.2 kW for 8 x 700 W GPUs), for the CPUs, memory, network and fans around them.

    Rungs 5 and 6 are `capacity.rated_server_watts` in SQL, rung 2's share `capacity.non_accelerator_watts`: the
    pure functions and this ladder give the same watts (a test compares them). Every figure built on server power
    (site footprints, pools, facts, the overview) reads this function, and `power_source` says which rung each
    server took. The measured rungs are correlated subqueries on the daily summaries' (server, day, source) index:
    still one query for a whole fleet.
    """
    factor = capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
    window = window or measured_window()
    days = (window[1] - window[0]).days + 1
    server_p95 = _window_p95(prefix, "server_power_p95_w", window)
    accelerator_p95 = _window_p95(prefix, "accelerator_power_p95_w", window)
    count = Cast(F(f"{prefix}accelerator_count"), FloatField())
    tdp_w = ExpressionWrapper(
        count * Cast(F(f"{prefix}accelerator_type__tdp_w"), FloatField()), output_field=FloatField()
    )
    system_w = ExpressionWrapper(
        count * Cast(F(f"{prefix}accelerator_type__system_power_w"), FloatField()), output_field=FloatField()
    )
    integrated = Q(**{f"{prefix}accelerator_type__system_power_w__gt": 0})
    rest_w = Case(  # capacity.non_accelerator_watts: the rest of the server beside the accelerators, rated
        When(integrated, then=ExpressionWrapper(system_w - tdp_w, output_field=FloatField())),
        default=ExpressionWrapper(
            tdp_w * Value(NON_ACCELERATOR_SHARE, output_field=FloatField()), output_field=FloatField()
        ),
        output_field=FloatField(),
    )
    return (
        PowerRung(
            "measured_server",
            f"measured (Redfish), {days}-day p95",
            f"whole-server power read from the BMC over Redfish: the highest daily p95 of the {days} days "
            f"{window[0].isoformat()} to {window[1].isoformat()}",
            _not_null(server_p95),
            server_p95,
        ),
        PowerRung(
            "measured_accelerators",
            f"measured accelerators (DCGM), {days}-day p95 + non-accelerator share",
            f"accelerator power measured by DCGM (the highest daily p95 of the {days} days {window[0].isoformat()} "
            f"to {window[1].isoformat()}) + accelerators x TDP x {NON_ACCELERATOR_SHARE:.3f} for the rest of the "
            "server (NVIDIA DGX H100 datasheet: 10.2 kW for 8 x 700 W GPUs), or for an integrated system "
            "accelerators x (its system power - TDP)",
            _not_null(accelerator_p95)
            & Q(**{f"{prefix}accelerator_count__gt": 0, f"{prefix}accelerator_type__tdp_w__gt": 0}),
            ExpressionWrapper(accelerator_p95 + rest_w, output_field=FloatField()),
        ),
        PowerRung(
            "recorded",
            "recorded server power",
            "the server's recorded power draw (measured or nameplate)",
            Q(**{f"{prefix}power_w__gt": 0}),
            Cast(F(f"{prefix}power_w"), FloatField()),
        ),
        PowerRung(
            "server_model",
            "server model's maximum draw",
            "the server model's usable maximum draw (NetBox device type: the largest power port's maximum draw x "
            "the ports carrying the load)",
            Q(**{f"{prefix}server_model__max_draw_w__gt": 0}),
            Cast(server_model_draw_w(prefix), FloatField()),
        ),
        PowerRung(
            "system",
            "integrated system's rated power",
            "accelerators x the accelerator type's system power, for an integrated system whose TDP covers the "
            "whole package (NVIDIA GB10: a DGX Spark's 240 W power supply, NVIDIA DGX Spark product page)",
            Q(**{f"{prefix}accelerator_count__gt": 0}) & integrated,
            system_w,
        ),
        PowerRung(
            "tdp",
            f"TDP x {factor:.2f}",
            f"accelerators x TDP x server overhead {factor:.3f} "
            "(NVIDIA DGX H100 datasheet: 10.2 kW for 8 x 700 W GPUs)",
            Q(**{f"{prefix}accelerator_count__gt": 0, f"{prefix}accelerator_type__tdp_w__gt": 0}),
            ExpressionWrapper(tdp_w * Value(factor, output_field=FloatField()), output_field=FloatField()),
        ),
    )


def _not_null(expression: Any) -> Q:
    """``expression IS NOT NULL`` as a condition of a ``When``."""
    return Q(IsNull(expression, False))


def rung_keys() -> tuple[str, ...]:
    """The ladder's keys in its order, then `POWER_NONE`."""
    return (*(rung.key for rung in server_power_ladder()), POWER_NONE)


def power_rung(key: str) -> PowerRung | None:
    """The rung whose key is ``key`` (None for `POWER_NONE`)."""
    return next((rung for rung in server_power_ladder() if rung.key == key), None)


def server_power_expression(
    prefix: str = "", *, window: tuple[date, date] | None = None, measured: bool = True
) -> tuple[Case, Case]:
    """(whole-server watts, power source) of a server row, as SQL expressions: the ladder of
    `server_power_ladder` as two ``CASE`` expressions with the same branches, defined here only. ``measured=False``
    leaves the measured rungs out: the same figures for a server without measured power in the window
    (`has_measured_power`), whose measured rungs never apply, without their subqueries."""
    ladder = [rung for rung in server_power_ladder(prefix, window=window) if measured or rung.key not in MEASURED_RUNGS]
    watts = Case(
        *(When(rung.condition, then=rung.watts) for rung in ladder),
        default=Value(0.0),
        output_field=FloatField(),
    )
    source = Case(
        *(When(rung.condition, then=Value(rung.key)) for rung in ladder),
        default=Value(POWER_NONE),
        output_field=CharField(),
    )
    return watts, source


def has_measured_power(prefix: str = "", *, window: tuple[date, date] | None = None) -> Exists:
    """Whether the server (``OuterRef(prefix + "pk")``) has a daily summary in the window with a whole-server or
    an accelerator power p95: the only servers a measured rung of the ladder can apply to. As a filter, PostgreSQL
    runs it as one semi (or anti) join over the window's summaries, not as a lookup per server."""
    start, end = window or measured_window()
    return Exists(
        ServerTelemetryDay.objects.filter(server=OuterRef(f"{prefix}pk"), day__gte=start, day__lte=end).filter(
            Q(server_power_p95_w__isnull=False) | Q(accelerator_power_p95_w__isnull=False)
        )
    )


def server_rated_expression(prefix: str = "") -> Case:
    """A server's *rated* whole-server watts: the ladder without its measured rungs (what the figure would be with
    no telemetry), to set measured power beside."""
    return server_power_expression(prefix, measured=False)[0]


def server_draw_w(prefix: str = "") -> Case:
    """A server's power draw in W, in the database: the watts of `server_power_expression`."""
    return server_power_expression(prefix)[0]


@dataclass(frozen=True)
class FleetGroup:
    """Active servers of one site with the same accelerator type (``None``: no accelerators) and power source,
    counted and summed in the database; ``rated_watts`` is what their rated rungs give (= ``watts`` unless the
    power source is measured)."""

    site_id: int
    accelerator_type_id: int | None
    power_source: str
    servers: int
    accelerators: int
    watts: float
    rated_watts: float = 0.0


SECONDARY_GPUS = "secondary_gpus"
"""``power_source`` of a fleet group counting the GPUs of mixed-GPU servers that are not of the server's type (no
servers and no watts of its own: the server's power is counted once, with its main type)."""

FLEET_GROUP_BY = ("site_id", "pool_type", "power_source")
"""What the fleet is grouped by. A server's accelerators are counted by its accelerator type (``accelerator_type``
and ``accelerator_count``, which discovery sets to its largest group of GPU records); the GPU records of another
type on a mixed-GPU server are counted in groups of their own (`SECONDARY_GPUS`)."""


def fleet_groups(
    *, organization: Organization, site_ids: Iterable[int] | None = None, window: tuple[date, date] | None = None
) -> list[FleetGroup]:
    """The organization's active servers grouped by `FLEET_GROUP_BY` (one query, as many rows as sites x types x
    power sources whatever the fleet size). A server's accelerators form a pool only when it has some; its power
    follows `server_power_expression`, its rated power `server_rated_expression`.

    The servers with measured power in the window and those without are grouped apart (``UNION ALL``): the measured
    rungs' subqueries then run for the measured servers only, and the others, found by an anti join, take the
    rated ladder, which gives them the same figures (50,000 unmeasured servers on PostgreSQL: 140-200 ms -> ~40
    ms)."""
    window = window or measured_window()
    servers = Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE)
    if site_ids is not None:
        servers = servers.filter(site_id__in=list(site_ids))
    measured = has_measured_power(window=window)

    def grouped(found: QuerySet[Server], *, with_measured: bool) -> QuerySet[Server]:
        watts, source = server_power_expression(window=window, measured=with_measured)
        rated = server_rated_expression() if with_measured else watts  # without measured rungs, the same CASE
        return (
            found.annotate(
                pool_type=Case(
                    When(accelerator_count__gt=0, then=F("accelerator_type_id")),
                    default=Value(None),
                    output_field=IntegerField(),
                ),
                power_source=source,
            )
            .values(*FLEET_GROUP_BY)
            .annotate(
                n_servers=Count("id"),
                n_accelerators=Coalesce(Sum("accelerator_count"), 0),
                total_w=Coalesce(Sum(watts), Value(0.0), output_field=FloatField()),
                rated_w=Coalesce(Sum(rated), Value(0.0), output_field=FloatField()),
            )
            .order_by()
        )

    measured_rows = grouped(servers.filter(measured), with_measured=True)
    rated_rows = grouped(servers.filter(~measured), with_measured=False)
    # Mixed-GPU servers: their GPU records of another type than the server's (its largest group), counted in the
    # same query (UNION ALL) as rows of 0 servers and 0 W (the server's power is in its own row already).
    others = ServerGpu.objects.filter(
        organization=organization,
        server__status=ServerStatus.ACTIVE,
        server__accelerator_count__gt=0,
        accelerator_type__isnull=False,
    ).exclude(accelerator_type_id=F("server__accelerator_type_id"))
    if site_ids is not None:
        others = others.filter(server__site_id__in=list(site_ids))
    others = (
        others.annotate(
            group_site=F("server__site_id"),
            pool_type=F("accelerator_type_id"),
            power_source=Value(SECONDARY_GPUS, output_field=CharField()),
        )
        .values("group_site", "pool_type", "power_source")
        .annotate(
            n_servers=Value(0, output_field=IntegerField()),
            n_accelerators=Count("id"),
            total_w=Value(0.0, output_field=FloatField()),
            rated_w=Value(0.0, output_field=FloatField()),
        )
        .order_by()
    )
    rows = measured_rows.union(rated_rows, others, all=True)
    merged: dict[tuple[int, int | None, str], list[float]] = {}  # a key both branches give (a measured server that
    for row in rows:  # took a rated rung) is one group
        key = (row["site_id"], row["pool_type"], row["power_source"])
        sums = merged.setdefault(key, [0, 0, 0.0, 0.0])
        for index, name in enumerate(("n_servers", "n_accelerators", "total_w", "rated_w")):
            sums[index] += row[name]
    return [
        FleetGroup(site, pool, source, int(servers), int(accelerators), float(watts), float(rated))
        for (site, pool, source), (servers, accelerators, watts, rated) in merged.items()
    ]


ACCELERATOR_FIELDS = (
    "id",
    "organization_id",
    "vendor",
    "model",
    "memory_gb",
    "mem_bandwidth_gbps",
    "bf16_tflops",
    "fp8_tflops",
    "fp16_tflops",
    "int8_tops",
    "tdp_w",
    "system_power_w",
    "host_reserved_gb",
    "system_source",
    "release_year",
    "source",
)
"""What the analysis reads of an accelerator type (not its ``nvidia_smi_names`` JSON)."""


def accelerator_rows(*, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Accelerator types by id, as plain rows of `ACCELERATOR_FIELDS` (one query)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {row["id"]: row for row in AcceleratorType.objects.filter(pk__in=wanted).values(*ACCELERATOR_FIELDS)}


def sites_with_grid(*, organization: Organization, site_ids: Iterable[int] | None = None) -> list[Site]:
    """The organization's sites by name, each with its country's reference row (``country_g_per_kwh``,
    ``country_name``, ``country_year``, ``country_source``; None without one), in one query."""
    sites = Site.objects.filter(organization=organization)
    if site_ids is not None:
        sites = sites.filter(pk__in=list(site_ids))
    region = GridRegion.objects.filter(country_code=OuterRef("country"))
    return list(
        sites.annotate(
            country_g_per_kwh=Subquery(region.values("g_co2_per_kwh")[:1]),
            country_name=Subquery(region.values("name")[:1]),
            country_year=Subquery(region.values("year")[:1]),
            country_source=Subquery(region.values("source")[:1]),
        ).order_by("name")
    )


@dataclass(frozen=True)
class GridIntensity:
    """A site's grid carbon intensity, which figure it is (``basis``: override, country or world average) and
    where it comes from, in words."""

    g_per_kwh: float
    basis: str
    origin: str


def grid_intensity_of(site: Site) -> GridIntensity:
    """The site's own figure when recorded (``grid_intensity_override``), else its country's reference row, else
    the IEA world average. ``site`` comes from `sites_with_grid` (else its country row is looked up: a query)."""
    if site.grid_intensity_override is not None:
        return GridIntensity(
            float(site.grid_intensity_override),
            "override",
            f"Site {site.name}: its own grid intensity {site.grid_intensity_override:g} g/kWh (recorded, e.g. "
            "from its electricity contract)",
        )
    if not hasattr(site, "country_g_per_kwh"):
        row = GridRegion.objects.filter(country_code=site.country).values("g_co2_per_kwh", "name", "year", "source")
        found = row.first() or {}
        site.country_g_per_kwh = found.get("g_co2_per_kwh")
        site.country_name, site.country_year = found.get("name"), found.get("year")
        site.country_source = found.get("source")
    if site.country_g_per_kwh is not None:
        return GridIntensity(
            float(site.country_g_per_kwh),
            "country",
            f"grid intensity {site.country} {site.country_g_per_kwh:g} g/kWh (reference grid_carbon_intensity.csv "
            f"row {site.country}, {site.country_name} {site.country_year}: {site.country_source})",
        )
    return GridIntensity(
        WORLD_AVERAGE_G_PER_KWH,
        "world average",
        f"IEA world average {WORLD_AVERAGE_G_PER_KWH:g} g/kWh (no reference row for country {site.country})",
    )


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
