"""Capacity analysis of an organization's inventory: the bridge between the database and `inventory.capacity`.

Reads the active fleet as pools (identical accelerators at one site; each cloud reservation is a pool too),
aggregated in the database (`selectors.fleet_groups`), the declared workloads as `capacity` workloads, and the
sites' PUE, price and grid intensity; then asks the pure model whether each workload fits, where, and what it
costs in power, energy, money (per currency) and carbon. Every number comes as a `capacity.Figure` with its
formula, inputs (unit and origin) and source. A `WhatIf` changes the inputs (another GPU type or count, PUE,
price, precision) without touching the database; a `Scope` restricts it to some sites, workloads and cloud
reservations.

Whole-server power follows one ladder, defined in SQL in `selectors.server_power_expression`: a server's recorded
`power_w` (measured or rated) when known, else its accelerators' TDP x `capacity.DEFAULT_SERVER_OVERHEAD_FACTOR`
(DGX H100: 10.2 kW for 8 x 700 W GPUs). The same watts feed the site footprints and, per accelerator, the pool
behind each workload (`Pool.server_power_w_per_accelerator`).

Modules: `model` (the dataclasses), `specs` (rows as the model's specs, and their origins), `core` (`analyse`,
`analysis_of`, `shared_analysis`, verdicts), `figures` (the sites', totals' and costs' figures),
`assumptions` (the table of assumptions and their sources), `costs` and `cost_figures` (total cost of ownership, cost
per accelerator-hour and per million tokens, build versus rent, in the organization's reporting currency).
The package re-exports every name.
"""

from .assumptions import ASSUMPTIONS, LOAD_BASIS, SOURCES, Assumption
from .core import (
    analyse,
    analysis_of,
    fleet_demand,
    serving_sizing,
    shared_analysis,
    verdict_figures,
)
from .costs import CostSummary, SiteCost, WorkloadCost, costs_for, costs_of, list_prices
from .model import (
    WHOLE_ORGANIZATION,
    CapacitySummary,
    FleetTotal,
    PoolInfo,
    Scope,
    SiteFootprint,
    WhatIf,
    WorkloadVerdict,
)
from .specs import accelerator_spec, model_spec, workload_spec

__all__ = [
    "ASSUMPTIONS",
    "LOAD_BASIS",
    "SOURCES",
    "WHOLE_ORGANIZATION",
    "Assumption",
    "CapacitySummary",
    "CostSummary",
    "FleetTotal",
    "PoolInfo",
    "Scope",
    "SiteCost",
    "SiteFootprint",
    "WhatIf",
    "WorkloadCost",
    "WorkloadVerdict",
    "accelerator_spec",
    "analyse",
    "analysis_of",
    "costs_for",
    "costs_of",
    "fleet_demand",
    "list_prices",
    "model_spec",
    "serving_sizing",
    "shared_analysis",
    "verdict_figures",
    "workload_spec",
]
