"""Inventory facts read from measured telemetry (daily summaries per server): coverage, utilization, idle
accelerators, tensor-core activity and measured against rated power (`inventory.facts` lists them with the others)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from .. import selectors
from ..models import Server, ServerTelemetryDay, ServerTelemetryGpuDay, TelemetrySource

if TYPE_CHECKING:
    from ..analysis import CapacitySummary
    from ..facts import FactValue

CONTINUOUS_SHARE_PCT = 50.0
"""Most of the fleet: from this share of the active accelerators measured, measurement is "continuous"."""

MEASUREMENT_LABELS = {
    "rated": "Estimated from rated values only",
    "sampled": "Measured for part of the fleet",
    "continuous": "Measured continuously for most of the fleet",
}
"""The `telemetry_measurement` fact's values (the options of framework question EN-COST-05), as people read them."""

IDLE_UTILIZATION_PCT = 5.0
"""An accelerator is idle over the window when its mean utilization is under this (the issue's definition)."""


def measured_facts(
    active: QuerySet[Server],
    summary: CapacitySummary,
    value: Callable[..., FactValue],
    *,
    accelerators: int,
    until: date | None = None,
) -> dict[str, FactValue]:
    """Facts from measured telemetry (`ServerTelemetryDay`) over the measured window (`selectors.measured_window`):
    of the ``accelerators`` of the active servers (the caller counts them with its other aggregate of the accelerator
    servers), those measured: one query over the servers measured in the window, each with its
    window means as subqueries. Utilization and tensor activity are per server (the mean over its GPUs at each
    instant), weighted here by its accelerators. No
    measurement in the window: only ``measured_accelerators_pct`` (0 %), so that a claim of measurement meets it.
    ``until``: the window's last day (default today)."""
    start, end = selectors.measured_window(today=until)
    days = ServerTelemetryDay.objects.filter(server=OuterRef("pk"), day__gte=start, day__lte=end).order_by()

    def window_mean(field_name: str) -> Subquery:
        rows = days.filter(**{f"{field_name}__isnull": False}).values("server").annotate(m=Avg(field_name))
        return Subquery(rows.values("m")[:1], output_field=FloatField())

    # An accelerator is measured when its GPUs are (dcgm-exporter, uploaded or through Prometheus: their power,
    # utilization, memory); a BMC (Redfish) reads the whole server's power, not its GPUs. The servers measured only
    # by their BMC are counted apart, so that the words say what the share leaves out.
    accelerators_measured = days.exclude(source=TelemetrySource.REDFISH)
    measured_any = days.filter(
        Q(utilization_mean_pct__isnull=False)
        | Q(server_power_p95_w__isnull=False)
        | Q(accelerator_power_p95_w__isnull=False)
    )
    accelerator_servers = active.filter(accelerator_count__gt=0)
    facts: dict[str, FactValue] = {}
    total = accelerators  # of the active servers (``active``), counted by the caller's aggregate of them
    if not total:
        return facts
    # The window means are subqueries per server: only the measured servers (a semi join over the window's
    # summaries) run them, so that an unmeasured fleet costs one scan (50,000 servers: 216 ms -> a few ms).
    servers = accelerator_servers.filter(Exists(measured_any)).annotate(
        gpus_measured=Exists(accelerators_measured),
        util=window_mean("utilization_mean_pct"),
        util95=window_mean("utilization_p95_pct"),
        tensor=window_mean("tensor_active_mean_pct"),
    )
    n = F("accelerator_count")
    row = servers.aggregate(
        seen=Coalesce(Sum(n, filter=Q(gpus_measured=True)), 0),
        seen_servers=Count("pk", filter=Q(gpus_measured=True)),
        bmc_only=Coalesce(Sum(n, filter=Q(gpus_measured=False)), 0),
        bmc_only_servers=Count("pk", filter=Q(gpus_measured=False)),
        with_util=Coalesce(Sum(n, filter=Q(util__isnull=False)), 0),
        util_sum=Sum(F("util") * n, output_field=FloatField()),
        util95_sum=Sum(F("util95") * n, output_field=FloatField()),
        with_util95=Coalesce(Sum(n, filter=Q(util95__isnull=False)), 0),
        idle=Coalesce(Sum(n, filter=Q(util__lt=IDLE_UTILIZATION_PCT)), 0),
        tensor_sum=Sum(F("tensor") * n, output_field=FloatField()),
        with_tensor=Coalesce(Sum(n, filter=Q(tensor__isnull=False)), 0),
        servers=Count("pk"),
    )
    window = f"{start:%d %b} to {end:%d %b %Y}"
    bmc_only = (
        f"; not counted: {row['bmc_only']} accelerators in {_servers(row['bmc_only_servers'])} measured only by "
        "their BMC (Redfish reads the whole server's power, not its GPUs)"
        if row["bmc_only"]
        else ""
    )
    if row["seen"]:
        words = (
            f"{row['seen']} of {total} active accelerators in {_servers(row['seen_servers'])} measured from {window} "
            f"by dcgm-exporter (their power, utilization or memory; an upload or Prometheus){bmc_only}"
        )
    elif row["bmc_only"]:
        words = f"no accelerator measured from {window} by dcgm-exporter for the {total} active accelerators{bmc_only}"
    else:
        words = f"no measured telemetry from {window} for the {total} active accelerators"
    share = 100 * row["seen"] / total
    facts["measured_accelerators_pct"] = value(
        "measured_accelerators_pct",
        share,
        words,
        window_start=start.isoformat(),
        window_end=end.isoformat(),
        bmc_only_accelerators=row["bmc_only"],
    )
    # Power and utilization: the accelerators dcgm-exporter measures say how much is measured; servers whose BMC
    # alone is read have their power measured, not their utilization: "sampled" at most, never "rated".
    level = (
        "continuous" if share >= CONTINUOUS_SHARE_PCT else ("sampled" if row["seen"] or row["bmc_only"] else "rated")
    )
    facts["telemetry_measurement"] = value(
        "telemetry_measurement",
        level,
        f"{share:.0f}% of the active accelerators measured by dcgm-exporter from {window}"
        + (f", {row['bmc_only']} more in servers whose power alone is read (Redfish)" if row["bmc_only"] else "")
        + f" ({MEASUREMENT_LABELS[level].lower()})",
        measured_accelerators_pct=round(share, 1),
    )
    if row["with_util"]:
        facts["measured_utilization_mean_pct"] = value(
            "measured_utilization_mean_pct",
            row["util_sum"] / row["with_util"],
            f"mean GPU utilization of {row['with_util']} measured accelerators, {window} (DCGM)",
        )
    per_gpu = _idle_gpus(active, start, end)
    if per_gpu["gpus"]:
        facts["idle_accelerators_pct"] = value(
            "idle_accelerators_pct",
            100 * per_gpu["idle"] / per_gpu["gpus"],
            f"{per_gpu['idle']} of {per_gpu['gpus']} measured accelerators averaged under "
            f"{IDLE_UTILIZATION_PCT:g}% utilization, {window} (each GPU's own mean)",
        )
    elif row["with_util"]:  # summaries stored before GPUs were kept one by one: each server's mean over its GPUs
        facts["idle_accelerators_pct"] = value(
            "idle_accelerators_pct",
            100 * row["idle"] / row["with_util"],
            f"{row['idle']} of {row['with_util']} measured accelerators averaged under {IDLE_UTILIZATION_PCT:g}% "
            f"utilization, {window} (their server's mean)",
        )
    if row["with_util95"]:
        facts["measured_utilization_p95_pct"] = value(
            "measured_utilization_p95_pct",
            row["util95_sum"] / row["with_util95"],
            f"daily 95th percentile of GPU utilization of {row['with_util95']} measured accelerators, averaged "
            f"over {window} (DCGM)",
        )
    if row["with_tensor"]:
        facts["tensor_active_mean_pct"] = value(
            "tensor_active_mean_pct",
            row["tensor_sum"] / row["with_tensor"],
            f"mean tensor-core activity of {row['with_tensor']} measured accelerators, {window} (DCGM)",
        )
    if summary.measured_rated_kw:
        facts["measured_vs_rated_power_pct"] = value(
            "measured_vs_rated_power_pct",
            100 * summary.measured_it_power_kw / summary.measured_rated_kw,
            f"{summary.measured_servers} measured servers draw {summary.measured_it_power_kw:,.1f} kW (7-day p95) "
            f"against {summary.measured_rated_kw:,.1f} kW rated",
            measured_kw=round(summary.measured_it_power_kw, 1),
            rated_kw=round(summary.measured_rated_kw, 1),
        )
    return facts


def _servers(count: int) -> str:
    return "1 server" if count == 1 else f"{count} servers"


def _idle_gpus(active: QuerySet[Server], start: date, end: date) -> dict[str, int]:
    """The measured GPUs of the active servers over the window and how many of them averaged under
    `IDLE_UTILIZATION_PCT` (each GPU's mean of its daily means), in one query: GPUs grouped in a subquery."""
    means = (
        ServerTelemetryGpuDay.objects.filter(
            telemetry_day__server__in=active, telemetry_day__day__gte=start, telemetry_day__day__lte=end
        )
        .values("telemetry_day__server_id", "gpu")
        .annotate(mean=Avg("utilization_mean_pct"))
        .order_by()
    )
    counts = means.aggregate(gpus=Count("gpu"), idle=Count("gpu", filter=Q(mean__lt=IDLE_UTILIZATION_PCT)))
    return {"gpus": counts["gpus"] or 0, "idle": counts["idle"] or 0}
