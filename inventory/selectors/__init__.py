"""Reads of the inventory, always scoped to one organization, loading related rows up front (no N+1).

- `scoped`: the organization's rows (sites, servers, workloads, catalog entries...) and where an import stands;
- `grid`: grid carbon intensity per site;
- `power`: the server power ladder in SQL and the fleet grouped by it;
- `overview`: the inventory overview's totals.
"""

from .grid import GridIntensity, grid_intensities, grid_intensity_of, sites_with_grid
from .overview import AcceleratorTotal, InventoryOverview, SitePower, inventory_overview
from .power import (
    ACCELERATOR_FIELDS,
    ESTIMATED_RUNGS,
    FLEET_GROUP_BY,
    MEASURED_RUNGS,
    MEASURED_WINDOW_DAYS,
    NON_ACCELERATOR_SHARE,
    POWER_NONE,
    SECONDARY_GPUS,
    FleetGroup,
    PowerRung,
    accelerator_rows,
    fleet_groups,
    has_measured_power,
    measured_window,
    power_rung,
    rung_keys,
    server_draw_w,
    server_power_expression,
    server_power_ladder,
    server_rated_expression,
)
from .scoped import (
    accelerator_types_for,
    cloud_capacity_for,
    grid_regions,
    import_job_status,
    import_jobs_for,
    model_profiles_for,
    network_fabrics_for,
    servers_for,
    sites_for,
    storage_systems_for,
    workloads_for,
)

__all__ = [
    "ACCELERATOR_FIELDS",
    "AcceleratorTotal",
    "ESTIMATED_RUNGS",
    "FLEET_GROUP_BY",
    "FleetGroup",
    "GridIntensity",
    "InventoryOverview",
    "MEASURED_RUNGS",
    "MEASURED_WINDOW_DAYS",
    "NON_ACCELERATOR_SHARE",
    "POWER_NONE",
    "PowerRung",
    "SECONDARY_GPUS",
    "SitePower",
    "accelerator_rows",
    "accelerator_types_for",
    "cloud_capacity_for",
    "fleet_groups",
    "grid_intensities",
    "grid_intensity_of",
    "grid_regions",
    "has_measured_power",
    "import_job_status",
    "import_jobs_for",
    "inventory_overview",
    "measured_window",
    "model_profiles_for",
    "network_fabrics_for",
    "power_rung",
    "rung_keys",
    "server_draw_w",
    "server_power_expression",
    "server_power_ladder",
    "server_rated_expression",
    "servers_for",
    "sites_for",
    "sites_with_grid",
    "storage_systems_for",
    "workloads_for",
]
