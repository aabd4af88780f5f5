"""The inventory facts' definitions: each fact's id (``name``, as framework files name it in ``inventory_fact``),
kind, unit, meaning and label (`FACTS`), and how a choice fact's values read (`CHOICE_LABELS`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..telemetry.facts import MEASUREMENT_LABELS


@dataclass(frozen=True)
class Fact:
    """A fact: its id (``name``, in framework files, the API and a tooltip), what people read (``label``, with
    ``unit``) and what it means."""

    name: str
    kind: Literal["number", "choice"]
    unit: str
    meaning: str
    label: str = ""


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in [
        Fact(
            "workloads_fitting_pct",
            "number",
            "%",
            "share of declared workloads the fleet can run",
            "Workloads the fleet can run",
        ),
        Fact(
            "fleet_memory_headroom_pct",
            "number",
            "%",
            "accelerator memory left after the workloads' demand",
            "Accelerator memory headroom",
        ),
        Fact(
            "fleet_compute_headroom_pct",
            "number",
            "%",
            "dense BF16 compute left after the workloads' demand",
            "Compute headroom (dense 16-bit)",
        ),
        Fact("average_pue", "number", "ratio", "power-weighted mean PUE of the sites", "Average PUE"),
        Fact(
            "grid_carbon_intensity_g_per_kwh",
            "number",
            "gCO2e/kWh",
            "energy-weighted grid carbon intensity",
            "Grid carbon intensity",
        ),
        Fact(
            "renewable_share_pct",
            "number",
            "%",
            "energy-weighted renewable share of the sites",
            "Renewable energy share",
        ),
        Fact(
            "storage_capacity_ratio",
            "number",
            "ratio",
            "usable storage TB over the workloads' dataset TB",
            "Storage capacity over dataset size",
        ),
        Fact(
            "storage_read_throughput_gbps",
            "number",
            "GB/s",
            "total read throughput of the storage systems",
            "Storage read throughput",
        ),
        Fact(
            "interconnect_kind",
            "choice",
            "choice",
            "best fabric kind: InfiniBand, RoCE, Ethernet or none",
            "Best interconnect",
        ),
        Fact("max_link_speed_gbps", "number", "Gb/s", "fastest fabric link speed", "Fastest network link"),
        Fact(
            "power_headroom_pct",
            "number",
            "%",
            "site power capacity left after the fleet's draw",
            "Site power headroom",
        ),
        Fact(
            "workloads_meeting_latency_pct",
            "number",
            "%",
            "inference workloads whose estimated latency meets targets",
            "Inference workloads meeting latency targets",
        ),
        Fact(
            "regions_count",
            "number",
            "count",
            "distinct regions with sites or cloud capacity",
            "Regions with sites or cloud capacity",
        ),
        Fact(
            "monthly_cost_per_accelerator",
            "number",
            "reporting currency/month",
            "energy cost per accelerator and month, facility overhead included, in the reporting currency "
            "(energy only: no depreciation, space, maintenance or staff)",
            "Energy cost per accelerator and month",
        ),
        Fact(
            "monthly_tco_per_accelerator",
            "number",
            "reporting currency/month",
            "total cost of ownership per accelerator and month in the reporting currency (hardware depreciation, "
            "energy and the sites' recorded colocation, maintenance and staff lines)",
            "Total cost of ownership per accelerator and month",
        ),
        Fact(
            "distinct_driver_versions",
            "number",
            "count",
            "distinct GPU driver versions in the active fleet",
            "GPU driver versions in use",
        ),
        Fact(
            "distinct_cuda_versions",
            "number",
            "count",
            "distinct CUDA versions in the active fleet",
            "CUDA versions in use",
        ),
        Fact(
            "accelerators_older_than_3y_pct",
            "number",
            "%",
            "accelerators released more than three years ago",
            "Accelerators older than three years",
        ),
        Fact(
            "measured_accelerators_pct",
            "number",
            "%",
            "share of active accelerators whose GPUs are measured by dcgm-exporter (power, utilization or memory; a "
            "scrape or Prometheus) in the last 7 days; a server whose only measurement is its BMC's (Redfish: the "
            "whole server's power) does not count",
            "Accelerators measured (dcgm-exporter)",
        ),
        Fact(
            "telemetry_measurement",
            "choice",
            "choice",
            "whether power and utilization are measured: rated (nothing measured in the last 7 days), sampled "
            "(some accelerators measured by dcgm-exporter, under half of them, or only servers' power by their BMC) "
            "or continuous (most of the active accelerators measured by dcgm-exporter)",
            "Power and utilization measured",
        ),
        Fact(
            "measured_utilization_mean_pct",
            "number",
            "%",
            "measured accelerator utilization, mean over the last 7 days (weighted by accelerators)",
            "Measured accelerator utilization (mean)",
        ),
        Fact(
            "measured_utilization_p95_pct",
            "number",
            "%",
            "measured accelerator utilization, 95th percentile of each day, averaged over the last 7 days",
            "Measured accelerator utilization (daily peak)",
        ),
        Fact(
            "idle_accelerators_pct",
            "number",
            "%",
            "share of measured accelerators idle (under 5% mean utilization) over the last 7 days",
            "Idle accelerators",
        ),
        Fact(
            "measured_vs_rated_power_pct",
            "number",
            "%",
            "measured server power (7-day p95) as a share of the same servers' rated power",
            "Measured power against rated power",
        ),
        Fact(
            "tensor_active_mean_pct",
            "number",
            "%",
            "achieved tensor-core activity (DCGM PIPE_TENSOR_ACTIVE), mean over the last 7 days",
            "Tensor-core activity (mean)",
        ),
    ]
}

UNITS_RENAMED = {"gCO2/kWh": "gCO2e/kWh"}
"""Units once written otherwise, by the way they are written now. The grid intensity figures are CO2-equivalent
(Ember's lifecycle figures, via Our World in Data and codecarbon: inventory/data/grid_carbon_intensity.csv), so
carbon reads gCO2e/kWh and tCO2e everywhere; framework files 1.0-1.4 (versioned, never edited) and results stored
before the change say gCO2/kWh for the same figure, and read as gCO2e/kWh (`unit_now`)."""


def unit_now(unit: str) -> str:
    """``unit`` as people read it now: ``"gCO2/kWh"`` is ``"gCO2e/kWh"`` (`UNITS_RENAMED`), any other as it is."""
    return UNITS_RENAMED.get(unit, unit)


CHOICE_LABELS = {
    "infiniband": "InfiniBand",
    "roce": "RoCE",
    "ethernet": "Ethernet",
    "none": "none",
    **MEASUREMENT_LABELS,
}
"""A choice fact's values as people read them."""


def fact_label(name: str) -> str:
    """What people read for a fact id (the id itself only for an unknown fact)."""
    fact = FACTS.get(name)
    return fact.label if fact is not None and fact.label else name
