"""Telemetry rows for tests: a day's summary, a Prometheus configuration and a BMC endpoint of one server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inventory.models import BmcEndpoint, PrometheusConfig, Server, ServerTelemetryDay, TelemetrySource

TOKEN = "prom-token-never-shown"
BMC_USER, BMC_PASSWORD = "bmc-admin", "bmc-password-never-shown"


def telemetry_rows(organization: Any, server: Server, *, with_prometheus: bool = True) -> dict[str, Any]:
    moment = datetime(2026, 11, 30, 12, tzinfo=UTC)
    day = ServerTelemetryDay.objects.create(
        organization=organization,
        server=server,
        day=moment.date(),
        source=TelemetrySource.DCGM_SCRAPE,
        window_start=moment,
        window_end=moment,
        sample_count=1,
        accelerator_power_p50_w=4200,
        accelerator_power_p95_w=4200,
        accelerator_power_max_w=4200,
        utilization_mean_pct=63,
        utilization_p95_pct=63,
    )
    prometheus = None
    if with_prometheus:
        prometheus = PrometheusConfig(organization=organization, url=f"http://prometheus.{organization.slug}:9090")
        prometheus.set_token(TOKEN)
        prometheus.save()
    bmc = BmcEndpoint(organization=organization, server=server, address=f"bmc.{server.hostname}", verify_tls=False)
    bmc.set_credentials(username=BMC_USER, password=BMC_PASSWORD)
    bmc.save()
    return {"telemetry_day": day, "prometheus": prometheus, "bmc": bmc}
