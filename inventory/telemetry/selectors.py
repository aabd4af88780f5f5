"""Reads of measured telemetry, scoped to one organization."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Max, QuerySet
from django.utils import timezone

from accounts.models import Organization
from config import jobs
from config.errors import ErrorItem
from config.jobs import JobStatus

from ..models import Server
from .models import BmcEndpoint, PrometheusConfig, PullStatus, ServerTelemetryDay, TelemetrySource
from .summaries import mig_unmeasured_words

DEFAULT_WINDOW_DAYS = 7
# Where a day has several sources for the same figure, the one with the most instants wins; on a tie this order.
SOURCE_ORDER = [TelemetrySource.PROMETHEUS, TelemetrySource.DCGM_SCRAPE, TelemetrySource.REDFISH]


def telemetry_days_for(*, organization: Organization) -> QuerySet[ServerTelemetryDay]:
    return ServerTelemetryDay.objects.filter(organization=organization).select_related("server")


def prometheus_config_for(*, organization: Organization) -> PrometheusConfig | None:
    return PrometheusConfig.objects.filter(organization=organization).first()


def prometheus_pull_status(*, config: PrometheusConfig | None) -> JobStatus | None:
    """Where the last (or current) pull stands (``config.jobs``); None before the first pull."""
    if config is None or config.status == PullStatus.NEVER:
        return None
    if config.status == PullStatus.QUEUED:
        return JobStatus("prometheus_pull", jobs.QUEUED, "Queued: waiting for a worker…", progress=0)
    if config.status == PullStatus.RUNNING:
        message = f"Pulling: {config.hosts_done} of {config.hosts_total} servers."
        return JobStatus("prometheus_pull", jobs.RUNNING, message, progress=config.progress_pct)
    if config.status == PullStatus.OK:
        return JobStatus("prometheus_pull", jobs.SUCCEEDED, "Pulled.", progress=100)
    error = ErrorItem(config.last_error or "The pull failed.", "pull_failed")
    return JobStatus("prometheus_pull", jobs.FAILED, "The pull failed.", error=error, retryable=True)


def bmc_endpoints_for(*, organization: Organization) -> QuerySet[BmcEndpoint]:
    return BmcEndpoint.objects.filter(organization=organization).select_related("server")


def window(days: int = DEFAULT_WINDOW_DAYS, *, end: date | None = None) -> tuple[date, date]:
    """The last ``days`` UTC days up to ``end`` (today), both included."""
    end = end or timezone.now().date()
    return end - timedelta(days=days - 1), end


def _rank(row: ServerTelemetryDay) -> tuple[int, int]:
    return (row.sample_count, -SOURCE_ORDER.index(TelemetrySource(row.source)))


def _figure(row: ServerTelemetryDay | None, **fields: str) -> dict[str, Any] | None:
    if row is None:
        return None
    values = {name: getattr(row, attribute) for name, attribute in fields.items()}
    return {**values, "source": row.source, "samples": row.sample_count}


def _best(rows: list[ServerTelemetryDay], attribute: str) -> ServerTelemetryDay | None:
    having = [row for row in rows if getattr(row, attribute) is not None]
    return max(having, key=_rank) if having else None


def _not_measured(utilization: ServerTelemetryDay | None, rows: list[ServerTelemetryDay]) -> str | None:
    """What the day's utilization leaves out: its GPUs in MIG mode without graphics-engine activity (the row the
    figure comes from, else any of the day's), in words; None when nothing is left out."""
    count = utilization.mig_unmeasured_gpus if utilization is not None else max(r.mig_unmeasured_gpus for r in rows)
    return mig_unmeasured_words(count) if count else None


def server_telemetry(*, server: Server, start: date, end: date) -> dict[str, Any]:
    """The server's daily summaries from ``start`` to ``end``: per day, each figure from its best source (most
    instants). One query."""
    rows = list(
        ServerTelemetryDay.objects.filter(server=server, day__gte=start, day__lte=end).order_by("day", "source")
    )
    by_day: dict[date, list[ServerTelemetryDay]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    days = []
    for day, day_rows in sorted(by_day.items()):
        accelerator = _best(day_rows, "accelerator_power_max_w")
        server_power = _best(day_rows, "server_power_max_w")
        utilization = _best(day_rows, "utilization_mean_pct")
        tensor = _best(day_rows, "tensor_active_mean_pct")
        memory = _best(day_rows, "memory_used_max_gb")
        gpus = _best(day_rows, "gpu_count")
        days.append(
            {
                "day": day.isoformat(),
                "window_start": min(r.window_start for r in day_rows).isoformat(),
                "window_end": max(r.window_end for r in day_rows).isoformat(),
                "sources": sorted({r.source for r in day_rows}),
                "gpus": gpus.gpu_count if gpus else None,
                "gpu_models": gpus.gpu_models if gpus else [],
                "mig_profiles": gpus.mig_profiles if gpus else {},
                "accelerator_power_w": _figure(
                    accelerator,
                    p50="accelerator_power_p50_w",
                    p95="accelerator_power_p95_w",
                    max="accelerator_power_max_w",
                ),
                "server_power_w": {
                    **_figure(
                        server_power, p50="server_power_p50_w", p95="server_power_p95_w", max="server_power_max_w"
                    ),
                    "read_from": server_power.power_reading_path,
                }
                if server_power
                else None,
                "utilization_pct": _figure(utilization, mean="utilization_mean_pct", p95="utilization_p95_pct"),
                "utilization_not_measured": _not_measured(utilization, day_rows),
                "tensor_active_pct": _figure(tensor, mean="tensor_active_mean_pct"),
                "memory_used_gb": _figure(
                    memory, mean="memory_used_mean_gb", max="memory_used_max_gb", total="memory_total_gb"
                ),
            }
        )
    return {
        "window": {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days + 1},
        "days": days,
    }


def latest_days_for(*, organization: Organization, limit: int = 50) -> list[ServerTelemetryDay]:
    """The most recent summaries of the organization (the telemetry page), newest first."""
    return list(telemetry_days_for(organization=organization).order_by("-day", "server__hostname", "source")[:limit])


def utilization_by_host_day(*, organization: Organization, start: date, end: date) -> list[dict[str, Any]]:
    """Mean and p95 accelerator utilization per active server and UTC day from ``start`` to ``end``, over its
    sources (one query, aggregated in the database): ``{"host", "day", "mean_pct", "p95_pct"}`` by host and day."""
    rows = (
        ServerTelemetryDay.objects.filter(
            organization=organization,
            day__gte=start,
            day__lte=end,
            utilization_mean_pct__isnull=False,
            server__status="active",
        )
        .values("server__hostname", "day")
        .annotate(mean=Avg("utilization_mean_pct"), p95=Max("utilization_p95_pct"))
        .order_by("server__hostname", "day")
    )
    return [
        {"host": row["server__hostname"], "day": row["day"].isoformat(), "mean_pct": row["mean"], "p95_pct": row["p95"]}
        for row in rows
    ]
