"""What the detail pages of sites and servers show besides their fields: a site's servers and power, a server's
GPUs, MIG instances, power basis and measured days.

The chart of a server's measured days is drawn by the reports app, which depends on this one (never the other way
round): `reports.apps.ReportsConfig.ready` hands its builder in with `provide_server_days_chart`. Without it the
page shows the days' table only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from . import selectors
from .models import Server, Site

_server_days_chart: Callable[[dict[str, Any]], Any] | None = None


def provide_server_days_chart(build: Callable[[dict[str, Any]], Any] | None) -> None:
    """Let the app that draws charts draw a server's measured days: ``build(measured)`` takes
    `server_measured_context`'s result and returns a chart as ``templates/reports/_chart.html`` shows it."""
    global _server_days_chart
    _server_days_chart = build


def site_detail_context(site: Site, organization: Any) -> dict[str, Any]:
    return {
        "servers": selectors.servers_for(organization=organization).filter(site=site),
        "storage_systems": selectors.storage_systems_for(organization=organization).filter(site=site),
        "network_fabrics": selectors.network_fabrics_for(organization=organization).filter(site=site),
    }


def server_measured_context(server: Server) -> dict[str, Any]:
    """The server's power as the capacity model takes it (its rung, and its rated power beside it) and its daily
    measured summaries over the measured window: two queries."""
    from .telemetry.selectors import server_telemetry

    start, end = selectors.measured_window()
    watts, source = selectors.server_power_expression()
    row = (
        Server.objects.filter(organization_id=server.organization_id, pk=server.pk)
        .annotate(w=watts, s=source, rated=selectors.server_rated_expression())
        .values("w", "s", "rated")
        .first()
    ) or {"w": 0.0, "s": selectors.POWER_NONE, "rated": 0.0}
    rung = selectors.power_rung(row["s"])
    telemetry = server_telemetry(server=server, start=start, end=end)
    return {
        "power_in_model": {
            "watts": row["w"],
            "rated": row["rated"],
            "label": rung.label if rung else "no power known",
            "basis": rung.basis if rung else "no recorded power and no accelerator TDP",
            "measured": row["s"] in selectors.MEASURED_RUNGS,
            "pct_of_rated": round(100 * row["w"] / row["rated"]) if row["rated"] and row["w"] else None,
        },
        "telemetry_window": telemetry["window"],
        "telemetry_days": telemetry["days"],
        "telemetry_not_measured": [d for d in telemetry["days"] if d["utilization_not_measured"]],
    }


def server_detail_context(server: Server, organization: Any) -> dict[str, Any]:
    from .hardware.selectors import server_gpus

    gpus = list(server_gpus(server=server))
    limits = [g.power_limit_w for g in gpus]
    groups = Counter(str(g.accelerator_type) for g in gpus)
    measured = server_measured_context(server)
    chart = _server_days_chart(measured) if measured["telemetry_days"] and _server_days_chart else None
    return {
        **measured,
        "telemetry_chart": chart,
        "load_charts": chart is not None,
        "gpus": gpus,
        "gpu_groups": groups.most_common(),
        "mixed_gpus": len(groups) > 1,
        "rated_accelerator_w": sum(limits) if gpus and all(limits) else None,  # type: ignore[arg-type]
        "mig_count": sum(len(g.mig_instances.all()) for g in gpus),
        "server_model": server.server_model,
    }
