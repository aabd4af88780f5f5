"""Measured telemetry figures: accelerator utilization per host and day (figure 13), and one server's measured
days (its page)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import HEIGHT, Chart, Table, _empty, _layout, _num
from .inputs import HostDayUtilization, ServerDay

MAX_HOSTS = 60
"""Hosts drawn in the heatmap (the busiest first); the data table holds every host."""


def utilization_heatmap(cells: Sequence[HostDayUtilization], *, window: str = "") -> Chart:
    """Heatmap of the measured mean accelerator utilization: one row per host, one column per UTC day."""
    name, title = "utilization-heatmap", "Measured accelerator utilization by host and day"
    how = (
        "Each cell is a host's mean GPU utilization that day (DCGM), darker is busier; a blank cell is a day "
        "without measurements. Rows of pale cells are idle accelerators."
    )
    if window:
        how += f" Window: {window}."
    columns = ("Host", "Day", "Mean utilization (%)", "p95 utilization (%)")
    if not cells:
        message = (
            "No measured utilization in the window. Upload a dcgm-exporter scrape or connect Prometheus on the "
            "Telemetry page."
        )
        return _empty(name, title, how, columns, message)
    days = sorted({cell.day for cell in cells})
    by_host: dict[str, dict[str, HostDayUtilization]] = {}
    for cell in cells:
        by_host.setdefault(cell.host, {})[cell.day] = cell
    mean_of = {host: sum(c.mean_pct for c in row.values()) / len(row) for host, row in by_host.items() if row}
    hosts = sorted(by_host, key=lambda host: (-mean_of[host], host))[:MAX_HOSTS]
    hosts.reverse()  # the busiest at the top
    z = [[_num(by_host[host][day].mean_pct, 0) if day in by_host[host] else None for day in days] for host in hosts]
    figure = go.Figure(
        go.Heatmap(
            x=days,
            y=hosts,
            z=z,
            zmin=0,
            zmax=100,
            colorscale="Blues",
            colorbar={"title": {"text": "%"}},
            xgap=1,
            ygap=1,
            hovertemplate="<b>%{y}</b><br>%{x}: %{z:.0f} % mean utilization<extra></extra>",
        )
    )
    _layout(
        figure,
        title,
        height=max(HEIGHT, 22 * len(hosts) + 140),
        xaxis={"title": {"text": "Day (UTC)"}, "type": "category"},
        yaxis={"title": {"text": "Host"}, "automargin": True, "type": "category"},
    )
    rows = tuple(
        (cell.host, cell.day, _num(cell.mean_pct, 0), _num(cell.p95_pct, 0))
        for cell in sorted(cells, key=lambda c: (c.host, c.day))
    )
    return Chart(name, title, how, figure, Table(columns, rows))


def server_days(days: Sequence[ServerDay], *, rated_w: float | None = None, window: str = "") -> Chart:
    """One server's measured days: its daily p95 power (whole server from its BMC, accelerators from DCGM) as bars
    against its rated power, and its mean and p95 GPU utilization as lines on a 0-100 % axis."""
    name, title = "server-measured-days", "Measured power and utilization by day"
    how = (
        "Bars: the day's 95th percentile of power, the whole server's (Redfish) and its accelerators' (DCGM); the "
        "dashed line is its rated power. Lines (right axis): mean and 95th percentile GPU utilization."
    )
    if window:
        how += f" Window: {window} (UTC days)."
    columns = (
        "Day",
        "Server power p95 (W)",
        "Accelerator power p95 (W)",
        "Rated power (W)",
        "Utilization mean (%)",
        "Utilization p95 (%)",
    )
    if not days:
        return _empty(name, title, how, columns, "No measurements of this server in the window.")
    x = [d.day for d in days]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    for label, values, colour in (
        ("Server power p95 (W)", [d.server_power_p95_w for d in days], "#0072B2"),
        ("Accelerator power p95 (W)", [d.accelerator_power_p95_w for d in days], "#56B4E9"),
    ):
        if any(v is not None for v in values):
            figure.add_trace(
                go.Bar(
                    x=x,
                    y=[_num(v, 0) for v in values],
                    name=label,
                    marker_color=colour,
                    hovertemplate=f"%{{x}}: %{{y:,.0f}} W<extra>{label}</extra>",
                ),
                secondary_y=False,
            )
    if rated_w:
        figure.add_trace(
            go.Scatter(
                x=x,
                y=[_num(rated_w, 0)] * len(x),
                name="Rated power (W)",
                mode="lines",
                line={"dash": "dash", "color": "#D55E00"},
                hovertemplate="Rated: %{y:,.0f} W<extra></extra>",
            ),
            secondary_y=False,
        )
    for label, values, dash in (
        ("Utilization mean (%)", [d.utilization_mean_pct for d in days], "solid"),
        ("Utilization p95 (%)", [d.utilization_p95_pct for d in days], "dot"),
    ):
        if any(v is not None for v in values):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=[_num(v, 0) for v in values],
                    name=label,
                    mode="lines+markers",
                    line={"dash": dash, "color": "#009E73"},
                    hovertemplate=f"%{{x}}: %{{y:.0f}} %<extra>{label}</extra>",
                ),
                secondary_y=True,
            )
    _layout(figure, title, xaxis={"title": {"text": "Day (UTC)"}, "type": "category"}, barmode="group")
    figure.update_yaxes(title_text="W", rangemode="tozero", secondary_y=False)
    figure.update_yaxes(
        title_text="%", range=[0, 100], tickmode="array", tickvals=[0, 20, 40, 60, 80, 100], showgrid=False,
        secondary_y=True,
    )  # fmt: skip
    rows = tuple(
        (
            d.day,
            _num(d.server_power_p95_w, 0),
            _num(d.accelerator_power_p95_w, 0),
            _num(rated_w, 0) if rated_w else None,
            _num(d.utilization_mean_pct, 0),
            _num(d.utilization_p95_pct, 0),
        )
        for d in days
    )
    return Chart(name, title, how, figure, Table(columns, rows))
