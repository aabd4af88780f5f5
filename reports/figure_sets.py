"""The dashboards' figure sets: every number the inventory and energy dashboards show, as an
`inventory.capacity.Figure` with its formula, inputs (unit and origin) and source, read from the capacity analysis.

Pure mappings of a `CapacitySummary` (no query): the pages show them under their charts ("show the calculation"),
and a test walks them all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from inventory import capacity
from inventory.analysis import CapacitySummary
from inventory.capacity import Figure, Input

SOURCES = {
    "demand": "the capacity model's GPUs needed (docs/capacity.md) x the accelerator's datasheet figure",
    "available": "the inventory's accelerators in the pool x the accelerator's datasheet figure",
    "count": "the inventory: active servers' accelerators (cloud: instances x accelerators per instance)",
    "overhead": "facility energy - IT energy: what the PUE adds (cooling, power conversion, lighting)",
    "grid": "energy-weighted mean of the sites' grid intensities (carbon / energy)",
}


@dataclass(frozen=True)
class FigureGroup:
    """Figures shown together (one site, one workload, the fleet), under a title in words."""

    title: str
    figures: tuple[Figure, ...]
    anchor: str = ""  # the group's id in a page or report (for links to it)


def demand_figures(*, summary: CapacitySummary) -> tuple[FigureGroup, ...]:
    """What each analysed workload needs on its pool and what the pool has (the capacity chart's bars).

    Needed: GPUs needed x each GPU's memory (or compute rate at the workload's precision): the capacity of the
    GPUs the model asks for, so a needed bar above its available bar is exactly a shortfall of GPUs. When no
    number of GPUs is enough (the model does not fit a tensor-parallel group), the memory the model needs on the
    largest group it was tried on, and no compute figure (not determined: no GPU count to multiply)."""
    groups = []
    for verdict in summary.verdicts:
        fit, info = verdict.fit, verdict.pool
        if fit is None or info is None:
            continue
        pool, origins = info.pool, info.origins
        memory = Input(
            f"memory per {pool.accelerator.name}", float(pool.accelerator.memory_gb), "GB", origins.accelerator
        )
        rate = Input(
            "compute rate per GPU at the workload's precision",
            fit.peak_tflops,
            "TFLOPS",
            "figure: Compute rate per GPU",
        )
        count = Input(f"{pool.accelerator.name} in the pool", pool.count, "GPUs", origins.pool)
        items: list[Figure] = []
        if fit.gpus_needed is not None:
            gpus = Input("GPUs needed", fit.gpus_needed, "GPUs", f"figure: GPUs needed of {verdict.workload.name}")
            items.append(
                Figure(
                    "memory_needed_gb",
                    "Memory of the GPUs needed",
                    fit.gpus_needed * float(pool.accelerator.memory_gb),
                    "GB",
                    "GPUs needed x memory per GPU",
                    (gpus, memory),
                    SOURCES["demand"],
                    note="the memory of the GPUs the workload takes, not the bytes it fills",
                )
            )
            items.append(
                Figure(
                    "compute_needed_tflops",
                    "Compute of the GPUs needed",
                    fit.gpus_needed * fit.peak_tflops,
                    "TFLOPS",
                    "GPUs needed x compute rate per GPU at the workload's precision",
                    (gpus, rate),
                    SOURCES["demand"],
                )
            )
        else:
            per_gpu = Input(
                "memory per GPU (weights + KV cache, or model states)",
                fit.memory_gb_per_gpu or 0.0,
                "GB",
                f"figure: Memory per GPU of {verdict.workload.name}",
            )
            group = getattr(fit, "tensor_parallel", None) or pool.count or 1
            items.append(
                Figure(
                    "memory_needed_gb",
                    "Memory the model needs on the largest group tried",
                    (fit.memory_gb_per_gpu or 0.0) * group,
                    "GB",
                    "memory per GPU x GPUs of the group (the tensor-parallel group, or the pool for training)",
                    (per_gpu, Input("GPUs of the group", group, "GPUs", "figure: Tensor-parallel size or the pool")),
                    SOURCES["demand"],
                    note="does not fit: no number of GPUs holds the model, so its compute is not determined",
                )
            )
        items.append(
            Figure(
                "memory_available_gb",
                "Memory in the pool",
                pool.count * float(pool.accelerator.memory_gb),
                "GB",
                "GPUs in the pool x memory per GPU",
                (count, memory),
                SOURCES["available"],
            )
        )
        items.append(
            Figure(
                "compute_available_tflops",
                "Compute in the pool",
                pool.count * fit.peak_tflops,
                "TFLOPS",
                "GPUs in the pool x compute rate per GPU at the workload's precision",
                (count, rate),
                SOURCES["available"],
            )
        )
        groups.append(FigureGroup(f"{verdict.workload.name} on {info.label}", tuple(items)))
    return tuple(groups)


def accelerator_figures(*, summary: CapacitySummary) -> tuple[FigureGroup, ...]:
    """The accelerators chart's numbers: accelerators and their memory per site (or cloud region) and type."""
    by_place: dict[tuple[str, str], list] = defaultdict(list)
    for info in summary.pools:
        where = info.site.name if info.site is not None else f"{info.pool.site} (cloud)"
        by_place[(where, info.pool.accelerator.name)].append(info)
    figures = []
    for (where, name), pools in sorted(by_place.items()):
        count = sum(p.pool.count for p in pools)
        memory = float(pools[0].pool.accelerator.memory_gb)
        inputs = tuple(Input(p.label, p.pool.count, "accelerators", p.origins.pool) for p in pools)
        figures.append(
            Figure(
                "accelerators",
                f"{name} at {where}",
                count,
                "accelerators",
                "sum of the accelerators of the active servers (cloud: instances x accelerators per instance)",
                inputs,
                SOURCES["count"],
            )
        )
        figures.append(
            Figure(
                "accelerator_memory_gb",
                f"Memory of the {name} at {where}",
                count * memory,
                "GB",
                "accelerators x memory per accelerator",
                (
                    Input("accelerators", count, "accelerators", f"figure: {name} at {where}"),
                    Input(f"memory per {name}", memory, "GB", pools[0].origins.accelerator),
                ),
                SOURCES["count"],
            )
        )
    return (FigureGroup("Accelerators by site and type", tuple(figures)),) if figures else ()


def site_figure_groups(*, summary: CapacitySummary, names: tuple[str, ...]) -> tuple[FigureGroup, ...]:
    """Each site's figures named ``names`` (e.g. the power chart's IT power, facility power, headroom)."""
    groups = []
    for site in summary.sites:
        chosen = tuple(f for f in site.figures if f.name in names)
        if chosen:
            groups.append(FigureGroup(site.site.name, chosen))
    return tuple(groups)


def energy_figures(*, summary: CapacitySummary) -> dict[str, tuple[Figure, ...]]:
    """The energy dashboard's cards as figures: facility energy, what the PUE adds, carbon and its mean grid
    intensity, and the cost per currency (never added across currencies). Sites drawing nothing are left out."""
    drawing = [s for s in summary.sites if s.footprint.energy_kwh_per_month > 0]
    if not drawing:
        return {}
    hours = capacity.HOURS_PER_MONTH
    facility = summary.figure("energy_kwh_per_month")
    carbon = summary.figure("tco2_per_month")
    overhead_kwh = sum(s.footprint.energy_kwh_per_month - s.footprint.it_power_kw * hours for s in drawing)
    overhead = Figure(
        "pue_overhead_kwh_per_month",
        "Energy added by the PUE per month",
        overhead_kwh,
        "kWh",
        "sum over the sites of facility energy - IT power x hours in a month",
        tuple(
            Input(
                f"{s.site.name}: facility energy - IT energy",
                s.footprint.energy_kwh_per_month - s.footprint.it_power_kw * hours,
                "kWh",
                f"figures: Facility energy and IT power of Site {s.site.name} (PUE {s.pue:g})",
            )
            for s in drawing
        ),
        SOURCES["overhead"],
    )
    total_kwh = sum(s.footprint.energy_kwh_per_month for s in drawing)
    total_t = sum(s.footprint.tco2_per_month for s in drawing)
    grid = Figure(
        "mean_grid_g_co2_per_kwh",
        "Mean grid carbon intensity",
        total_t * 1_000_000 / total_kwh,
        "gCO2e/kWh",
        "carbon per month x 1,000,000 / facility energy per month",
        (
            Input("carbon per month", total_t, "tCO2e", "figure: Carbon per month, all sites"),
            Input("facility energy per month", total_kwh, "kWh", "figure: Facility energy per month, all sites"),
        ),
        SOURCES["grid"],
    )
    costs = tuple(f for f in summary.figures if f.name.startswith("cost_per_month_"))
    return {
        "facility": (facility,) if facility else (),
        "overhead": (overhead,),
        "carbon": tuple(f for f in (carbon, grid) if f is not None),
        "cost": costs,
    }
