"""The capacity chapter of a report: the inventory's capacity, energy, cost and carbon today, with the
assumptions behind every figure, and an appendix that gives each figure's calculation (formula, inputs with their
unit and origin, source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from accounts.models import Organization
from inventory import analysis
from inventory.analysis import ASSUMPTIONS, Assumption, CostSummary
from inventory.capacity import Figure
from inventory.facts import inventory_snapshot
from inventory.selectors import measured_window

from ..figure_sets import FigureGroup, accelerator_figures, demand_figures

__all__ = ["ASSUMPTIONS", "Assumption", "CapacitySection", "SiteRow", "VerdictRow", "capacity_section"]


@dataclass(frozen=True)
class SiteRow:
    name: str
    servers: int
    accelerators: int
    it_kw: float
    capacity_kw: float | None
    pue: float
    facility_kw: float
    energy_kwh: float
    cost: float | None
    currency: str
    g_per_kwh: float
    grid_basis: str
    tco2: float
    power_basis: str = ""  # servers per rung of the power ladder, in words
    rated_kw: float = 0.0  # the same servers on their rated rungs only
    measured_servers: int = 0
    measured_vs_rated_pct: float | None = None
    headroom_kw: float | None = None
    """Power capacity minus the IT power in the model; None without a recorded capacity."""

    @property
    def grid_words(self) -> str:
        """Which grid intensity the site uses, in words."""
        return {"override": "site's own", "country": "country"}.get(self.grid_basis, "world average")


@dataclass(frozen=True)
class VerdictRow:
    workload: str
    kind: str
    model: str
    fits: bool
    bottleneck: str
    where: str
    meets_latency: bool | None
    meets_deadline: bool | None
    reasons: tuple[str, ...]
    figures: tuple[Figure, ...]
    anchor: str


@dataclass(frozen=True)
class CapacitySection:
    sites: tuple[SiteRow, ...]
    it_kw: float
    facility_kw: float
    energy_kwh: float
    tco2: float
    costs: tuple[tuple[str, float], ...]
    """Monthly energy cost per currency, never added across currencies."""
    unpriced_sites: tuple[str, ...]
    accelerators: int
    memory_gb: float
    verdicts: tuple[VerdictRow, ...]
    assumptions: tuple[Assumption, ...]
    appendix: tuple[FigureGroup, ...] = ()
    """Every figure of the chapter with its calculation, by site, for all sites, by workload and by chart."""
    measured_window: tuple[date, date] | None = None
    """The UTC days the measured power rungs read (first, last)."""
    measured_servers: int = 0
    rated_kw: float = 0.0
    money: CostSummary | None = None
    """Total cost of ownership per site and converted into the reporting currency, per accelerator-hour and per
    million tokens, build versus rent per workload (`inventory.analysis.costs`), over the same scope."""
    inventory: dict[str, float] = field(default_factory=dict)
    """Today's counts (`inventory.facts.inventory_snapshot`), compared with the inventory as scored."""
    memory_notes: tuple[str, ...] = ()
    """What the capacity model counts of each unified memory ("NVIDIA GB10: 128 GB unified, of which ~112 GB counted
    for models ..."), once per accelerator type (`CapacitySummary.memory_notes`)."""


def capacity_section(*, organization: Organization, scope: analysis.Scope | None = None) -> CapacitySection:
    """The capacity analysis of the organization's inventory today over ``scope`` (an assessment's; the whole
    organization's is the cached one the pages show), with its assumptions, its costs and every figure's
    calculation."""
    if scope is None or scope.whole_organization:
        summary = analysis.analysis_of(organization=organization)
        money = analysis.costs_for(organization=organization)
    else:
        summary = analysis.analyse(organization=organization, scope=scope)
        money = analysis.costs_of(organization=organization, summary=summary)
    sites = tuple(
        SiteRow(
            name=f.site.name,
            servers=f.servers,
            accelerators=f.accelerators,
            it_kw=f.it_power_kw,
            capacity_kw=f.power_capacity_kw,
            pue=f.pue,
            facility_kw=f.footprint.facility_power_kw,
            energy_kwh=f.footprint.energy_kwh_per_month,
            cost=f.cost_per_month,
            currency=f.currency,
            g_per_kwh=f.g_per_kwh,
            grid_basis=f.grid_basis,
            tco2=f.footprint.tco2_per_month,
            power_basis=f.power_sources_in_words,
            rated_kw=f.rated_it_power_kw,
            measured_servers=f.measured_servers,
            measured_vs_rated_pct=f.measured_vs_rated_pct,
            headroom_kw=f.power_headroom_kw,
        )
        for f in summary.sites
    )
    verdicts = tuple(
        VerdictRow(
            workload=v.workload.name,
            kind=v.workload.get_kind_display(),
            model=str(v.workload.model_profile),
            fits=v.fits,
            bottleneck=v.bottleneck_label,
            where=v.pool.label if v.pool else "",
            meets_latency=v.meets_latency,
            meets_deadline=getattr(v.fit, "meets_deadline", None) if getattr(v.fit, "training_days", None) else None,
            reasons=tuple(v.reasons),
            figures=v.figures,
            anchor=f"calc-workload-{index}",
        )
        for index, v in enumerate(summary.verdicts, start=1)
    )
    appendix = (
        *(FigureGroup(f"Site {f.site.name}", f.figures) for f in summary.sites),
        *((FigureGroup("All sites", summary.figures),) if summary.figures else ()),
        *(FigureGroup(f"Workload {v.workload}", v.figures, v.anchor) for v in verdicts if v.figures),
        *(FigureGroup(f"Total cost of ownership: Site {c.site.name}", c.figures) for c in money.sites if c.figures),
        *(
            (FigureGroup(f"Total cost of ownership, all sites, in {money.currency}", money.figures),)
            if money.figures
            else ()
        ),
        *(FigureGroup(f"Build or rent: {w.verdict.workload.name}", w.figures) for w in money.workloads if w.figures),
        *(FigureGroup(f"Capacity chart: {g.title}", g.figures) for g in demand_figures(summary=summary)),
        *accelerator_figures(summary=summary),
    )
    return CapacitySection(
        sites=sites,
        it_kw=summary.total.it_power_kw,
        facility_kw=summary.total.facility_power_kw,
        energy_kwh=summary.total.energy_kwh_per_month,
        tco2=summary.total.tco2_per_month,
        costs=summary.total.costs,
        unpriced_sites=summary.total.unpriced_sites,
        accelerators=summary.accelerators,
        memory_gb=summary.memory_gb,
        verdicts=verdicts,
        assumptions=ASSUMPTIONS,
        appendix=appendix,
        measured_window=measured_window(),
        measured_servers=summary.measured_servers,
        rated_kw=summary.rated_it_power_kw,
        money=money,
        inventory=inventory_snapshot(summary),
        memory_notes=summary.memory_notes,
    )
