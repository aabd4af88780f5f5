"""Power and energy figures: each site's power against its capacity (9), and its monthly energy, cost and
carbon (10)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from inventory.capacity import format_headroom_kw, over_capacity

from .common import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    Chart,
    Table,
    _empty,
    _fmt,
    _layout,
    _num,
    category_colours,
    readable,
    wrapped,
)
from .inputs import SiteEnergy, SitePower

SITE_TICK_WIDTH = 10
"""Characters a line of a site's name under the energy, cost and carbon panels: a third of the width each."""


def _headroom_pct(it_kw: float, capacity_kw: float | None) -> float | None:
    """Share of the site's IT power capacity left after its IT draw, in % (negative when over capacity).

    A site's power capacity is the power available to IT equipment (``Site.power_capacity_kw``), so it is
    compared with IT power, as the analysis' headroom is (capacity - IT power); facility power (IT x PUE) also
    feeds cooling and losses and is never compared with it."""
    if capacity_kw is None or capacity_kw <= 0:
        return None
    return _num(100.0 * (capacity_kw - it_kw) / capacity_kw, 1)


def _headroom_words(kw: float | None, room: float | None) -> str:
    """The headroom in the hover: "20 kW (33.3 % of IT capacity)"; a site over its capacity in words, "none: 2.2 kW
    over the IT capacity (2.0 %)", never as a negative headroom: worded by `format_headroom_kw`, the rule of the
    capacity tables ("2.2 over"), with the amount spelt as the chart's labels are (docs/capacity.md)."""
    if kw is None or room is None:
        return "unknown (no IT capacity recorded)"
    words = format_headroom_kw(kw, lambda amount: readable(amount, "kW"))
    if over_capacity(kw):
        return f"none: {words} the IT capacity ({-room:.1f} %)"
    return f"{words} ({room:.1f} % of IT capacity)"


def _headroom_kw(it_kw: float, capacity_kw: float | None) -> float | None:
    """IT capacity - IT power, kW (negative when over capacity); ``None`` without a capacity."""
    return None if capacity_kw is None else _num(capacity_kw - it_kw, 1)


def power_vs_capacity(sites: Sequence[SitePower]) -> Chart:
    """Grouped bars of IT and facility power per site, with the site's IT power capacity as a mark on the IT bar."""
    name, title = "power-vs-capacity", "Power draw against site capacity"
    how = (
        "The dark IT power bar should stay below the site's IT capacity mark (the power available to IT "
        "equipment); headroom = IT capacity - IT power. The light facility bar (IT power x PUE: IT plus cooling "
        "and losses) is what the site draws from the grid, shown for scale and not compared with the mark; "
        "hover for headroom."
    )
    columns = (
        "Site",
        "IT power (kW)",
        "Facility power = IT x PUE (kW)",
        "IT capacity (kW)",
        "Headroom = IT capacity - IT power (kW)",
        "Headroom (% of IT capacity)",
    )
    drawable = [
        site for site in sites if site.it_kw or site.facility_kw or (site.capacity_kw is not None and site.capacity_kw)
    ]
    if not drawable:
        message = "Add a site with its power capacity and servers in Inventory to compare draw with capacity."
        return _empty(name, title, how, columns, message)
    names = [site.site for site in drawable]
    it_kw = [_num(site.it_kw, 1) for site in drawable]
    facility_kw = [_num(site.facility_kw, 1) for site in drawable]
    capacity = [_num(site.capacity_kw, 1) for site in drawable]
    headroom_kw = [_headroom_kw(site.it_kw, site.capacity_kw) for site in drawable]
    headroom = [_headroom_pct(site.it_kw, site.capacity_kw) for site in drawable]
    headroom_text = [_headroom_words(kw, room) for kw, room in zip(headroom_kw, headroom, strict=True)]
    customdata = [
        [readable(cap, "kW", "unknown"), text, readable(it, "kW")]
        for cap, text, it in zip(capacity, headroom_text, it_kw, strict=True)
    ]
    traces = (
        (
            "IT power",
            it_kw,
            BLUE,
            "<b>%{x}</b><br>IT power: %{customdata[2]}<br>IT capacity: %{customdata[0]}"
            "<br>Headroom: %{customdata[1]}<extra></extra>",
        ),
        (
            "Facility power (IT x PUE)",
            facility_kw,
            SKY_BLUE,
            "<b>%{x}</b><br>Facility power: %{y:,.1f} kW (IT power x PUE: IT plus cooling and losses,"
            "<br>drawn from the grid; not compared with the IT capacity)<extra></extra>",
        ),
    )
    figure = go.Figure()
    for label, values, colour, hover in traces:
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=label,
                offsetgroup=label,
                marker={"color": colour},
                customdata=customdata,
                hovertemplate=hover,
            )
        )
    if any(value is not None for value in capacity):
        # In the IT bar's offset group (layout.scattermode "group"): the mark sits on the IT bar only.
        figure.add_trace(
            go.Scatter(
                x=names,
                y=capacity,
                mode="markers",
                name="IT capacity",
                offsetgroup="IT power",
                marker={"symbol": "line-ew-open", "size": 30, "color": VERMILLION, "line": {"width": 3}},
                customdata=customdata,
                hovertemplate="<b>%{x}</b><br>IT capacity: %{customdata[0]}<br>IT power: %{customdata[2]}"
                "<br>Headroom: %{customdata[1]}<extra></extra>",
            )
        )
    _layout(
        figure,
        title,
        barmode="group",
        scattermode="group",
        xaxis={"title": {"text": "Site"}, "automargin": True},
        yaxis={"title": {"text": "Power (kW)"}, "rangemode": "tozero"},
    )
    rows = tuple(zip(names, it_kw, facility_kw, capacity, headroom_kw, headroom, strict=True))
    return Chart(name, title, how, figure, Table(columns, rows))


def energy_cost_carbon(sites: Sequence[SiteEnergy]) -> Chart:
    """Three panels per site and month: energy (IT + PUE overhead), cost (in each site's currency), carbon."""
    name, title = "energy-cost-carbon", "Energy, cost and carbon per month"
    how = (
        "Energy: the light part is the PUE overhead on top of IT; cost is in each site's own currency (never added); "
        "carbon grows with the grid's intensity."
    )
    columns = (
        "Site",
        "IT energy (kWh/month)",
        "PUE overhead (kWh/month)",
        "Facility energy (kWh/month)",
        "PUE",
        "Cost (per month)",
        "Currency",
        "Grid intensity (gCO2e/kWh)",
        "Carbon (tCO2e/month)",
    )
    if not sites:
        message = "Add a site with its PUE, electricity price and grid intensity, and servers, in Inventory."
        return _empty(name, title, how, columns, message)
    names = [site.site for site in sites]
    it_kwh = [_num(site.it_kwh_month, 0) for site in sites]
    facility_kwh = [_num(site.facility_kwh_month, 0) for site in sites]
    overhead = [_num(max(0.0, site.facility_kwh_month - site.it_kwh_month), 0) for site in sites]
    pue = [_num(site.pue, 2) for site in sites]
    grid = [_num(site.grid_g_per_kwh, 0) for site in sites]
    cost = [_num(site.cost_month, 2) for site in sites]
    carbon = [_num(site.tco2_month, 2) for site in sites]
    currencies = list(dict.fromkeys(site.currency for site in sites))
    currency_colours = category_colours(currencies, (ORANGE, VERMILLION, PURPLE, YELLOW, BLACK))

    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("Energy per site (kWh/month)", "Cost per site and month", "Carbon per site (tCO2e/month)"),
        horizontal_spacing=0.1,
    )
    energy_data = [[_fmt(p, ".2f", "unknown"), f] for p, f in zip(pue, facility_kwh, strict=True)]
    for label, values, base, colour in (
        ("IT energy", it_kwh, None, BLUE),
        ("PUE overhead (cooling, losses)", overhead, it_kwh, SKY_BLUE),
    ):
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                base=base,
                name=label,
                marker={"color": colour},
                offsetgroup="energy",
                customdata=energy_data,
                hovertemplate=f"<b>%{{x}}</b><br>{label}: %{{y:,.0f}} kWh/month<br>PUE %{{customdata[0]}}"
                "<br>Facility: %{customdata[1]:,.0f} kWh/month<extra></extra>",
            ),
            row=1,
            col=1,
        )
    # One trace per currency holding only its own sites, all in one bar slot: amounts in different currencies
    # are never added, not even visually by stacking. Each site's tick label names its currency.
    for currency in currencies:
        indices = [i for i, site in enumerate(sites) if site.currency == currency]
        figure.add_trace(
            go.Bar(
                x=[names[i] for i in indices],
                y=[cost[i] for i in indices],
                name=f"Cost ({currency})",
                marker={"color": currency_colours[currency]},
                offsetgroup="cost",
                hovertemplate=f"<b>%{{x}}</b><br>Cost: %{{y:,.2f}} {currency}/month<extra></extra>",
            ),
            row=1,
            col=2,
        )
    figure.add_trace(
        go.Bar(
            x=names,
            y=carbon,
            name="Carbon",
            marker={"color": GREEN},
            offsetgroup="carbon",
            customdata=[[_fmt(g, ",.0f", "unknown"), f] for g, f in zip(grid, facility_kwh, strict=True)],
            hovertemplate="<b>%{x}</b><br>Carbon: %{y:,.2f} tCO2e/month<br>Grid intensity: %{customdata[0]} gCO2e/kWh"
            "<br>on %{customdata[1]:,.0f} kWh/month<extra></extra>",
        ),
        row=1,
        col=3,
    )
    cost_axis = f"Cost ({currencies[0]}/month)" if len(currencies) == 1 else "Cost per month (site's currency)"
    # Three panels side by side leave each site little width: names are wrapped and drawn level (slanted, they
    # ran into each other and into the axis titles); the subplot titles say the bars are sites.
    short = [wrapped(n, SITE_TICK_WIDTH) for n in names]
    ticks = (
        (1, "Energy (kWh/month)", [f"{n}<br>PUE {_fmt(p, '.2f', '?')}" for n, p in zip(short, pue, strict=True)]),
        (2, cost_axis, [f"{n}<br>{site.currency}" for n, site in zip(short, sites, strict=True)]),
        (3, "Carbon (tCO2e/month)", [f"{n}<br>{_fmt(g, ',.0f', '?')} g/kWh" for n, g in zip(short, grid, strict=True)]),
    )
    for col, axis_title, ticktext in ticks:
        figure.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=col)
        figure.update_xaxes(
            tickangle=0,
            automargin=True,
            categoryorder="array",
            categoryarray=names,
            tickvals=names,
            ticktext=ticktext,
            row=1,
            col=col,
        )
    # The legend at the bottom of the figure (container coordinates), under the tick labels however many lines
    # they take, instead of at a fixed distance under the plot where the labels ran into it.
    legend = {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}
    _layout(figure, title, height=480, barmode="group", legend=legend, margin={"t": 80, "b": 150})
    rows = tuple(
        (s.site, it_kwh[i], overhead[i], facility_kwh[i], pue[i], cost[i], s.currency, grid[i], carbon[i])
        for i, s in enumerate(sites)
    )
    return Chart(name, title, how, figure, Table(columns, rows))
