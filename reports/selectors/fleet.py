"""The inventory: accelerator counts, what the organization has recorded, and the capacity analysis mapped into the
charts' inputs (`workload_demands`, `site_powers`, `site_energies`) and the energy totals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Organization
from inventory import capacity, money
from inventory.analysis import CapacitySummary
from inventory.models import Server, Site

from ..charts import AcceleratorCount, SiteEnergy, SitePower, WorkloadDemand


def accelerator_counts(*, summary: CapacitySummary) -> list[AcceleratorCount]:
    """Accelerators per site and type from the capacity analysis (summed in the database there), then the cloud
    reservations per provider, region and type as one "site" each; no query of its own."""
    on_site: dict[tuple[str, str], tuple[int, float]] = {}
    cloud: dict[tuple[str, str], tuple[int, float]] = {}
    for info in summary.pools:
        accelerator = info.pool.accelerator
        place = (info.site.name, accelerator.name) if info.site is not None else (info.pool.site, accelerator.name)
        target = on_site if info.site is not None else cloud
        count, _ = target.get(place, (0, 0.0))
        target[place] = (count + info.pool.count, float(accelerator.memory_gb))
    counts = [AcceleratorCount(site, name, n, n * memory) for (site, name), (n, memory) in sorted(on_site.items())]
    counts += [
        AcceleratorCount(f"{where} (cloud)", name, n, n * memory)
        for (where, name), (n, memory) in sorted(cloud.items())
        if n
    ]
    return [count for count in counts if count.count]


@dataclass(frozen=True)
class InventoryPresence:
    """Whether the organization has recorded servers, and how many sites it has (the home page's "2 of 5 sites")."""

    has_servers: bool
    sites: int


def inventory_presence(*, organization: Organization) -> InventoryPresence:
    """`InventoryPresence` in one query (the organization's row with an EXISTS and a COUNT subquery)."""
    sites = (
        Site.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(count=Count("pk"))
        .values("count")
    )
    row = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            any_server=Exists(Server.objects.filter(organization=OuterRef("pk"))),
            site_count=Coalesce(Subquery(sites, output_field=IntegerField()), Value(0)),
        )
        .values("any_server", "site_count")
        .first()
    )
    return InventoryPresence(bool(row and row["any_server"]), row["site_count"] if row else 0)


def workload_demands(*, summary: CapacitySummary) -> list[WorkloadDemand]:
    """What each analysed workload needs on the pool it is placed on (or comes closest on), and what that pool has.

    Needed: the GPUs the capacity model asks for times each one's memory and peak TFLOPS at the workload's
    precision (``compute_rate`` names that datasheet rate: the same pool has twice the TFLOPS at FP8 as at
    BF16), so a needed bar above its available bar is exactly a shortfall of GPUs. When no number of GPUs
    is enough (the model does not fit a tensor-parallel group), the memory the model needs on the group it was
    tried on, and no compute (None: not determined; `figure_sets.demand_figures` says so in words).
    Workloads the model could not analyse (a missing field, no accelerator anywhere) are left out.
    """
    demands = []
    for verdict in summary.verdicts:
        fit, pool = verdict.fit, verdict.pool
        if fit is None or pool is None:
            continue
        accelerator = pool.pool.accelerator
        gpus = fit.gpus_needed
        compute_needed: float | None
        if gpus is not None:
            memory_needed = gpus * accelerator.memory_gb
            compute_needed = float(gpus * fit.peak_tflops)
        else:
            group = getattr(fit, "tensor_parallel", None) or pool.pool.count or 1
            memory_needed = (fit.memory_gb_per_gpu or 0.0) * group
            compute_needed = None  # no GPU count to multiply: not determined (was drawn as 0)
        demands.append(
            WorkloadDemand(
                workload=verdict.workload.name,
                memory_needed_gb=float(memory_needed),
                memory_available_gb=float(pool.pool.count * accelerator.memory_gb),
                compute_needed_tflops=compute_needed,
                compute_available_tflops=float(pool.pool.count * fit.peak_tflops),
                fits=verdict.fits,
                compute_rate=capacity.rate_label(fit.compute_rate),
            )
        )
    return demands


def site_powers(*, summary: CapacitySummary) -> list[SitePower]:
    """IT and facility power of every site at full load, and its power capacity."""
    return [
        SitePower(
            site=item.site.name,
            it_kw=item.it_power_kw,
            facility_kw=item.footprint.facility_power_kw,
            capacity_kw=item.power_capacity_kw,
        )
        for item in summary.sites
    ]


def site_energies(*, summary: CapacitySummary) -> list[SiteEnergy]:
    """Monthly energy, cost and carbon of every site that draws power (730 hours at full load)."""
    energies = []
    for item in summary.sites:
        footprint = item.footprint
        if footprint.energy_kwh_per_month <= 0:
            continue
        energies.append(
            SiteEnergy(
                site=item.site.name,
                currency=item.currency,
                it_kwh_month=footprint.it_power_kw * capacity.HOURS_PER_MONTH,
                facility_kwh_month=footprint.energy_kwh_per_month,
                cost_month=None if item.price_per_kwh is None else footprint.cost_per_month,
                tco2_month=footprint.tco2_per_month,
                pue=item.pue,
                grid_g_per_kwh=item.g_per_kwh,
            )
        )
    return energies


@dataclass(frozen=True)
class EnergyTotals:
    """The organization's month at full load: facility energy, what the PUE adds, carbon, cost per currency."""

    facility_kwh: float
    overhead_kwh: float
    tco2: float
    costs: tuple[tuple[str, float], ...]
    sites_without_price: tuple[str, ...]
    cost_total: money.MoneyTotal | None = None
    """The costs, each currency apart, and converted into the reporting currency at the rates it states."""

    @property
    def overhead_pct(self) -> float | None:
        return None if not self.facility_kwh else 100.0 * self.overhead_kwh / self.facility_kwh

    @property
    def grid_g_per_kwh(self) -> float | None:
        """Energy-weighted grid intensity of the fleet (gCO2e/kWh)."""
        return None if not self.facility_kwh else self.tco2 * 1_000_000 / self.facility_kwh


def energy_totals(
    *, energies: Iterable[SiteEnergy], currency: str = "", rates: Callable[[], money.RateTable] | None = None
) -> EnergyTotals:
    """Totals of the sites' months; costs are summed per currency, never across currencies as they are: over
    several currencies, with the reporting ``currency`` and ``rates`` (called then only: the rates are read only
    when there is something to convert), their total is converted into it (`money.total_in`, every rate named)."""
    items = list(energies)
    costs: dict[str, float] = {}
    for item in items:
        if item.cost_month is not None:
            costs[item.currency] = costs.get(item.currency, 0.0) + item.cost_month
    return EnergyTotals(
        facility_kwh=sum(item.facility_kwh_month for item in items),
        overhead_kwh=sum(item.facility_kwh_month - item.it_kwh_month for item in items),
        tco2=sum(item.tco2_month or 0.0 for item in items),
        costs=tuple(sorted(costs.items())),
        sites_without_price=tuple(item.site for item in items if item.cost_month is None),
        cost_total=money.total_in(costs, currency, rates()) if len(costs) > 1 and currency and rates else None,
    )
