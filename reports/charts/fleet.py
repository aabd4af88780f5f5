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
)
from .inputs import AcceleratorCount, WorkloadDemand


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
    ids, labels, parents, values, memories, node_colours = ["fleet"], ["Fleet"], [""], [fleet_count], [], [NEUTRAL]
    memories.append(_num(fleet_memory, 1))
    for site, (count, memory) in sites.items():
        ids.append(f"site/{site}")
        labels.append(site)
        parents.append("fleet")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(NEUTRAL)
    rows = []
    for (site, accelerator), (count, memory) in grouped.items():
        ids.append(f"site/{site}/{accelerator}")
        labels.append(accelerator)
        parents.append(f"site/{site}")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(colours[accelerator])
        rows.append((site, accelerator, int(count), _num(memory, 1)))
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": node_colours},
            customdata=memories,
            texttemplate="<b>%{label}</b><br>%{value} accelerators",
            hovertemplate="<b>%{label}</b><br>%{value} accelerators<br>%{customdata:,.1f} GB memory"
            "<br>%{percentRoot:.0%} of the fleet<extra></extra>",
        )
    )
    _layout(figure, title, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return Chart(name, title, how, figure, Table(columns, tuple(rows)))


def capacity_vs_demand(workloads: Sequence[WorkloadDemand]) -> Chart:
    """Two panels of grouped bars per workload: memory (GB) and compute (TFLOPS), needed against available."""
    name, title = "capacity-vs-demand", "Workload demand against capacity"
    how = (
        "In each panel, a needed bar taller than its available bar is a shortfall (labelled with its size). Needed "
        "is the memory and compute of the GPUs the capacity model asks for; for a workload no number of GPUs can "
        "hold, the memory it needs on the largest group tried, and no compute bar (not determined)."
    )
    columns = (
        "Workload",
        "Memory needed (GB)",
        "Memory available (GB)",
        "Compute needed (TFLOPS)",
        "Compute available (TFLOPS)",
        "Fits",
    )
    if not workloads:
        message = "Add a workload in Inventory to compare what it needs with the capacity you have."
        return _empty(name, title, how, columns, message)
    names = [w.workload for w in workloads]
    fits = ["yes" if w.fits else "no" for w in workloads]
    memory_needed = [_num(w.memory_needed_gb, 1) for w in workloads]
    memory_available = [_num(w.memory_available_gb, 1) for w in workloads]
    compute_needed = [_num(w.compute_needed_tflops, 1) for w in workloads]
    compute_available = [_num(w.compute_available_tflops, 1) for w in workloads]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Memory (GB)", "Compute (TFLOPS)"), horizontal_spacing=0.14)
    panels = (
        (1, "GB", "Memory", memory_needed, memory_available),
        (2, "TFLOPS", "Compute", compute_needed, compute_available),
    )
    for col, unit, measure, needed, available in panels:
        customdata = [
            [f"{n:,.1f} {unit}" if n is not None else "not determined", f"{a:,.1f} {unit}", f]
            for n, a, f in zip(needed, available, fits, strict=True)
        ]
        shortfall = [
            f"short by {n - a:,.1f} {unit}" if n is not None and a is not None and n > a else ""
            for n, a in zip(needed, available, strict=True)
        ]
        hover = (
            f"<b>%{{x}}</b><br>{measure} needed: %{{customdata[0]}}"
            f"<br>{measure} available: %{{customdata[1]}}<br>Fits (model's verdict): %{{customdata[2]}}"
            "<extra></extra>"
        )
        for label, values, colour, text in (
            ("Needed", needed, VERMILLION, shortfall),
            ("Available", available, GREEN, None),
        ):
            figure.add_trace(
                go.Bar(
                    x=names,
                    y=values,
                    name=label,
                    legendgroup=label,
                    showlegend=col == 1,
                    marker={"color": colour},
                    text=text,
                    textposition="outside",
                    constraintext="none",
                    cliponaxis=False,
                    customdata=customdata,
                    hovertemplate=hover,
                ),
                row=1,
                col=col,
            )
        figure.update_yaxes(title_text=f"{measure} ({unit})", rangemode="tozero", row=1, col=col)
        figure.update_xaxes(title_text="Workload", automargin=True, row=1, col=col)
    _layout(figure, title, height=420, barmode="group", legend=dict(LEGEND_BELOW), margin=dict(MARGIN_BELOW))
    rows = tuple(zip(names, memory_needed, memory_available, compute_needed, compute_available, fits, strict=True))
    return Chart(name, title, how, figure, Table(columns, rows))
