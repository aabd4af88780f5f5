"""The server power rule, one ladder in the database, and the fleet grouped by it (site, pool, power source)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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

from .. import capacity
from ..hardware.selectors import server_model_draw_w
from ..models import (
    AcceleratorType,
    Server,
    ServerGpu,
    ServerStatus,
    ServerTelemetryDay,
)

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
            f"TDP x {capacity.overhead_words(factor)}",
            f"accelerators x TDP x server overhead {capacity.overhead_words(factor)} "
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
