"""A week of measured telemetry for some demo servers (`seed_demo`), from a documented deterministic model.

Nothing here is a measurement: the demo shows the pages with measured beside rated figures. The model, per server
and UTC day of the last `selectors.MEASURED_WINDOW_DAYS` days (today included):

- each server has a base load (`DEMO_LOADS`, mean GPU utilization %), with a weekday swing: +5 points Monday to
  Friday, -15 on Saturday and Sunday, and -2 to +2 points by weekday (bounded to 0-100); an idle server (under 5 %)
  stays as it is. Any 7 consecutive days hold every weekday once, so the window's figures (highest daily p95, means)
  are the same whatever the day the seed runs;
- utilization p95 = mean + 20 points (at most 100); tensor activity = 45 % of the utilization (a mix of dense
  training and memory-bound serving);
- GPU power at utilization u: idle power (12 % of TDP) + (TDP - idle) x u / 100, summed over the GPUs; p50 at the
  mean, p95 at the p95 utilization, max at p95 + 3 % of TDP per GPU (capped at TDP);
- whole-server power (Redfish, for the servers marked so): the GPUs' power plus the host's, taken as half the
  non-accelerator share of the power ladder (0.821 x TDP per GPU: CPUs, memory, fans and NICs rarely run flat out);
- memory used = utilization x 0.9 of each GPU's memory; 288 instants a day (5-minute steps);
- each GPU (``gpu 0`` … ``gpu 7``) at the server's mean utilization of the day (so idle accelerators are the idle
  servers' GPUs).

Rows are upserted by (server, day, source): the seed can run again.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from ..models import Server, ServerTelemetryDay, TelemetrySource
from ..selectors import MEASURED_WINDOW_DAYS, NON_ACCELERATOR_SHARE
from .services import gpu_days_store

IDLE_FRACTION = 0.12
STEPS_PER_DAY = 288
HOST_SHARE_MEASURED = 0.5

DEMO_LOADS: dict[str, tuple[float, bool]] = {
    # hostname: (base mean GPU utilization %, whole-server power read over Redfish)
    "fra-h100-01": (82.0, True),
    "fra-h100-02": (78.0, True),
    "fra-h100-03": (74.0, True),
    "fra-h100-04": (45.0, True),
    "fra-h100-05": (2.0, True),
    "fra-h100-06": (60.0, False),
    "fra-h100-07": (35.0, False),
    "fra-h100-08": (1.5, False),
    "iad-l40s-01": (40.0, False),
    "iad-l40s-02": (25.0, False),
    "iad-l40s-03": (3.0, False),
    "iad-l40s-04": (55.0, False),
}
"""Servers of the demo with measured telemetry: 5 with Redfish and DCGM, 7 with DCGM only."""


def _utilization(base: float, weekday: int) -> float:
    if base < 5:
        return base
    swing = 5.0 if weekday < 5 else -15.0
    wobble = ((weekday * 3 + int(base)) % 5) - 2  # -2..+2 points, by weekday: every 7-day window has the same set
    return max(0.0, min(100.0, base + swing + wobble))


def _gpu_power(tdp: float, utilization: float) -> float:
    idle = IDLE_FRACTION * tdp
    return idle + (tdp - idle) * utilization / 100


def demo_day(server: Server, base: float, day: Any) -> dict[str, Any]:
    """The model's figures of one server and day (see the module docstring)."""
    gpus = server.accelerator_count
    tdp = float(server.accelerator_type.tdp_w or 0)
    memory = float(server.accelerator_type.memory_gb or 0)
    mean = _utilization(base, day.weekday())
    p95 = min(100.0, mean + 20.0) if base >= 5 else base + 2.0
    power = {
        "p50": gpus * _gpu_power(tdp, mean),
        "p95": gpus * _gpu_power(tdp, p95),
        "max": gpus * min(tdp, _gpu_power(tdp, p95) + 0.03 * tdp),
    }
    return {
        "gpu_count": gpus,
        "gpu_models": [f"NVIDIA {server.accelerator_type.model}"],
        "utilization_mean_pct": round(mean, 1),
        "utilization_p95_pct": round(p95, 1),
        "tensor_active_mean_pct": round(0.45 * mean, 1),
        "accelerator_power_p50_w": round(power["p50"]),
        "accelerator_power_p95_w": round(power["p95"]),
        "accelerator_power_max_w": round(power["max"]),
        "memory_used_mean_gb": round(gpus * memory * 0.9 * mean / 100, 1),
        "memory_used_max_gb": round(gpus * memory * 0.9 * p95 / 100, 1),
        "memory_total_gb": gpus * memory,
        "host_w": gpus * tdp * NON_ACCELERATOR_SHARE * HOST_SHARE_MEASURED,
        "power": power,
    }


def seed_telemetry(result: Any) -> None:
    """Upsert the demo's week of daily summaries (`DEMO_LOADS`), DCGM through Prometheus and Redfish."""
    organization = result.organization
    servers = {
        s.hostname: s
        for s in Server.objects.filter(organization=organization, hostname__in=DEMO_LOADS).select_related(
            "accelerator_type"
        )
    }
    now = timezone.now()
    today = now.date()
    rows = 0
    for index in range(MEASURED_WINDOW_DAYS):
        day = today - timedelta(days=MEASURED_WINDOW_DAYS - 1 - index)
        start = datetime.combine(day, time(0, 0), tzinfo=UTC)
        end = min(start + timedelta(hours=23, minutes=55), max(now, start))
        steps = max(1, min(STEPS_PER_DAY, int((end - start).total_seconds() // 300) + 1))
        for hostname, (base, redfish) in DEMO_LOADS.items():
            server = servers.get(hostname)
            if server is None or server.accelerator_type is None:
                continue
            figures = demo_day(server, base, day)
            host_w, power = figures.pop("host_w"), figures.pop("power")
            window = {"window_start": start, "window_end": end, "sample_count": steps}
            measured, _ = ServerTelemetryDay.objects.update_or_create(
                organization=organization,
                server=server,
                day=day,
                source=TelemetrySource.PROMETHEUS,
                defaults={**window, **figures},
            )
            each_gpu = (figures["utilization_mean_pct"], steps)
            gpu_days_store(
                [(measured, {f"gpu {number}": each_gpu for number in range(server.accelerator_count)})],
                replacing=[measured],
            )
            rows += 1
            if redfish:
                ServerTelemetryDay.objects.update_or_create(
                    organization=organization,
                    server=server,
                    day=day,
                    source=TelemetrySource.REDFISH,
                    defaults={
                        **window,
                        "server_power_p50_w": round(power["p50"] + host_w),
                        "server_power_p95_w": round(power["p95"] + host_w),
                        "server_power_max_w": round(power["max"] + host_w),
                        "power_reading_path": "/redfish/v1/Chassis/1/Power#/PowerControl/0 (demo model)",
                    },
                )
                rows += 1
    result.notes.append(
        f"Demo telemetry: {rows} daily summaries of {len(servers)} servers over the last {MEASURED_WINDOW_DAYS} days "
        "(a documented model, inventory/telemetry/demo.py)."
    )
