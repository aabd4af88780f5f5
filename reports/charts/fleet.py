"""Inventory figures: accelerators by site (7) and each workload's capacity against its demand (8)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .common import (
    GREEN,
    LEGEND_BELOW,
    MARGIN_BELOW,
    NEUTRAL,
    VERMILLION,
    Chart,
    Table,
    _empty,
    _layout,
    _num,
    category_colours,
    readable,
    wrapped,
)
from .inputs import AcceleratorCount, WorkloadDemand

SMALL_BOX_SHARE = 0.05
"""Share of the fleet under which an accelerator box's label is written in its site's header instead."""


def _accelerators(count: int) -> str:
    return f"{count} accelerator{'' if count == 1 else 's'}"


def accelerators_by_site(counts: Sequence[AcceleratorCount]) -> Chart:
    """Treemap Fleet -> site -> accelerator type, sized by the number of accelerators, coloured by type."""
    name, title = "accelerators-by-site", "Accelerators by site"
    how = "Each box is a group of accelerators, sized by how many there are; click a site to zoom in."
    columns = ("Site", "Accelerator", "Accelerators (count)", "Memory (GB)")
    grouped: dict[tuple[str, str], list[float]] = {}
    for item in counts:
        if item.count > 0:
            total = grouped.setdefault((item.site, item.accelerator), [0, 0.0])
            total[0] += item.count
            total[1] += item.memory_gb
    if not grouped:
        message = "Add servers with accelerators in Inventory to see where your accelerators are."
        return _empty(name, title, how, columns, message)
    colours = category_colours(accelerator for _, accelerator in grouped)
    sites: dict[str, list[float]] = {}
    for (site, _), (count, memory) in grouped.items():
        total = sites.setdefault(site, [0, 0.0])
        total[0] += count
        total[1] += memory
    fleet_count = sum(int(count) for count, _ in sites.values())
    fleet_memory = sum(memory for _, memory in sites.values())
    # A box under SMALL_BOX_SHARE of the fleet is too small for its label (plotly shrinks it to a few pixels, and a
    # site's header too): its box stays blank and a note under the chart names it.
    small = [key for key, (count, _) in grouped.items() if count < SMALL_BOX_SHARE * fleet_count]
    ids, labels, parents, values, memories, node_colours = ["fleet"], ["Fleet"], [""], [fleet_count], [], [NEUTRAL]
    texts, names = [f"<b>Fleet</b> · {_accelerators(fleet_count)}"], ["Fleet"]
    memories.append(_num(fleet_memory, 1))
    for site, (count, memory) in sites.items():
        ids.append(f"site/{site}")
        labels.append(site)
        names.append(site)
        parents.append("fleet")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(NEUTRAL)
        texts.append(f"<b>{site}</b> · {_accelerators(int(count))}")
    rows = []
    for (site, accelerator), (count, memory) in grouped.items():
        ids.append(f"site/{site}/{accelerator}")
        labels.append(accelerator)
        names.append(accelerator)
        parents.append(f"site/{site}")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(colours[accelerator])
        texts.append("" if (site, accelerator) in small else f"<b>{accelerator}</b><br>{_accelerators(int(count))}")
        rows.append((site, accelerator, int(count), _num(memory, 1)))
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": node_colours},
            customdata=list(zip(memories, names, strict=True)),
            text=texts,
            texttemplate="%{text}",
            hovertemplate="<b>%{customdata[1]}</b><br>%{value} accelerators<br>%{customdata[0]:,.1f} GB memory"
            "<br>%{percentRoot:.0%} of the fleet<extra></extra>",
        )
    )
    margin = {"l": 10, "r": 10, "t": 60, "b": 10}
    if small:
        named = "; ".join(f"{site}: {int(grouped[(site, a)][0])} × {a}" for site, a in small)
        figure.add_annotation(
            text=f"Too small to label above: {named}",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-4,
            showarrow=False,
            align="left",
        )
        margin["b"] = 36
    _layout(figure, title, margin=margin)
    return Chart(name, title, how, figure, Table(columns, tuple(rows)))


def _compute_unit(rate: str) -> str:
    """INT8 rates are tera-operations (TOPS), the floating-point ones TFLOPS."""
    return "TOPS" if rate == "INT8" else "TFLOPS"


def _shortfall(needed: float | None, available: float | None, unit: str) -> str:
    """ "short by 5,520 GB" when ``needed`` exceeds ``available``, else ""."""
    if needed is None or available is None or needed <= available:
        return ""
    return f"short by {readable(needed - available, unit)}"


def capacity_vs_demand(workloads: Sequence[WorkloadDemand]) -> Chart:
    """Two panels of grouped bars per workload: memory (GB) and compute (TFLOPS at the workload's precision),
    needed against available; a shortfall is written along its own needed bar."""
    name, title = "capacity-vs-demand", "Workload demand against capacity"
    how = (
        "In each panel, a needed bar taller than its available bar is a shortfall (its size is written along the "
        "needed bar). Needed is the memory and compute of the GPUs the capacity model asks for; for a workload no "
        "number of GPUs can hold, the memory it needs on the largest group tried, and no compute bar (not "
        "determined). Compute is counted at each workload's precision, the dense datasheet rate named under it: "
        "the same GPUs have about twice the TFLOPS at FP8 as at BF16."
    )
    columns = (
        "Workload",
        "Memory needed (GB)",
        "Memory available (GB)",
        "Compute needed (TFLOPS)",
        "Compute available (TFLOPS)",
        "Compute rate (precision)",
        "Fits",
    )
    if not workloads:
        message = "Add a workload in Inventory to compare what it needs with the capacity you have."
        return _empty(name, title, how, columns, message)
    names = [w.workload for w in workloads]
    rates = [w.compute_rate or "unstated" for w in workloads]
    fits = ["yes" if w.fits else "no" for w in workloads]
    memory_needed = [_num(w.memory_needed_gb, 1) for w in workloads]
    memory_available = [_num(w.memory_available_gb, 1) for w in workloads]
    compute_needed = [_num(w.compute_needed_tflops, 1) for w in workloads]
    compute_available = [_num(w.compute_available_tflops, 1) for w in workloads]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Memory (GB)", "Compute (TFLOPS)"), horizontal_spacing=0.14)
    memory_units = ["GB"] * len(workloads)
    compute_units = [_compute_unit(w.compute_rate) for w in workloads]
    panels = (
        (1, "Memory", memory_units, memory_needed, memory_available, [wrapped(n) for n in names], [""] * len(names)),
        (
            2,
            "Compute",
            compute_units,
            compute_needed,
            compute_available,
            [f"{wrapped(n)}<br><i>at {r}</i>" for n, r in zip(names, rates, strict=True)],
            [f" (dense {r} rate)" for r in rates],
        ),
    )
    for col, measure, units, needed, available, ticks, rate_words in panels:
        customdata = [
            [readable(n, u, "not determined") + (w if n is not None else ""), readable(a, u) + w, f]
            for n, a, u, w, f in zip(needed, available, units, rate_words, fits, strict=True)
        ]
        shortfall = [_shortfall(n, a, u) for n, a, u in zip(needed, available, units, strict=True)]
        hover = (
            f"<b>%{{x}}</b><br>{measure} needed: %{{customdata[0]}}"
            f"<br>{measure} available: %{{customdata[1]}}<br>Fits (model's verdict): %{{customdata[2]}}"
            "<extra></extra>"
        )
        for label, values, colour, text in (
            ("Needed", needed, VERMILLION, shortfall),
            ("Available", available, GREEN, None),
        ):
            # The shortfall reads along its own bar (turned upright): a label wider than the bar would spread
            # over the neighbouring bars. Inside the bar when it fits, else just above it.
            figure.add_trace(
                go.Bar(
                    x=names,
                    y=values,
                    name=label,
                    legendgroup=label,
                    showlegend=col == 1,
                    marker={"color": colour},
                    text=text,
                    textposition="auto",
                    textangle=-90,
                    insidetextanchor="end",
                    constraintext="none",
                    cliponaxis=False,
                    customdata=customdata,
                    hovertemplate=hover,
                ),
                row=1,
                col=col,
            )
        axis_unit = "TFLOPS; TOPS at INT8" if "TOPS" in units else units[0]
        figure.update_yaxes(title_text=f"{measure} ({axis_unit})", rangemode="tozero", row=1, col=col)
        figure.update_xaxes(
            title_text="Workload",
            automargin=True,
            tickangle=0,
            tickvals=names,
            ticktext=ticks,
            row=1,
            col=col,
        )
    _layout(figure, title, height=440, barmode="group", legend=dict(LEGEND_BELOW), margin=dict(MARGIN_BELOW))
    rows = tuple(
        zip(names, memory_needed, memory_available, compute_needed, compute_available, rates, fits, strict=True)
    )
    return Chart(name, title, how, figure, Table(columns, rows))
