"""What the analysis returns: a site's footprint, a pool, a workload's verdict, the fleet's totals (energy and
carbon in all, money per currency) and the summary, each figure traceable (`capacity.Figure`); and what it takes:
a `Scope` (what it covers) and a `WhatIf` (hypothetical changes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import capacity
from ..capacity.figures import Figure
from ..models import AcceleratorType, Site, Workload
from ..selectors import MEASURED_RUNGS, power_rung, rung_keys


@dataclass(frozen=True)
class Scope:
    """What an analysis covers: the sites, workloads and cloud reservations (by id) it reads; ``None`` means all
    of the organization's. Applied in the SQL of every read (an assessment's scope is passed here)."""

    site_ids: frozenset[int] | None = None
    workload_ids: frozenset[int] | None = None
    cloud_capacity_ids: frozenset[int] | None = None

    @classmethod
    def of(
        cls,
        *,
        sites: Iterable[int] | None = None,
        workloads: Iterable[int] | None = None,
        cloud_capacity: Iterable[int] | None = None,
    ) -> Scope:
        def ids(values: Iterable[int] | None) -> frozenset[int] | None:
            return None if values is None else frozenset(int(v) for v in values)

        return cls(ids(sites), ids(workloads), ids(cloud_capacity))

    @property
    def whole_organization(self) -> bool:
        return self.site_ids is None and self.workload_ids is None and self.cloud_capacity_ids is None

    @property
    def key(self) -> str:
        """A short stable text for cache keys ("all" for the whole organization)."""
        if self.whole_organization:
            return "all"
        parts = []
        for name, values in (("s", self.site_ids), ("w", self.workload_ids), ("c", self.cloud_capacity_ids)):
            parts.append(name + ("*" if values is None else ",".join(map(str, sorted(values)))))
        return "-".join(parts)

    @classmethod
    def from_key(cls, key: str) -> Scope:
        """The scope a `key` was made of (``Scope.from_key(scope.key) == scope``)."""
        if key == "all":
            return cls()
        values: dict[str, frozenset[int] | None] = {}
        for part in key.split("-"):
            name, ids = part[0], part[1:]
            values[name] = None if ids == "*" else frozenset(int(i) for i in ids.split(",") if i)
        return cls(values.get("s"), values.get("w"), values.get("c"))


WHOLE_ORGANIZATION = Scope()


def power_sources_words(sources: dict[str, int]) -> str:
    """Servers per rung of the power ladder in words, e.g. "2 servers measured (Redfish), 7-day p95; 6 servers
    TDP x 1.821" ("" without servers)."""
    parts = []
    for key, servers in sources.items():
        if not servers:
            continue
        rung = power_rung(key)
        parts.append(f"{servers} server{'s' if servers != 1 else ''} {rung.label if rung else 'no power known'}")
    return "; ".join(parts)


@dataclass(frozen=True)
class WhatIf:
    """A hypothetical change to the inventory. Every field is optional; empty means "as recorded"."""

    accelerator_type: AcceleratorType | None = None  # add accelerators of this type...
    accelerator_count: int = 0  # ...this many...
    site: Site | None = None  # ...at this site (default: the first site)
    pue: float | None = None  # every site's PUE
    price_per_kwh: float | None = None  # every site's electricity price...
    price_currency: str | None = None  # ...in this currency (default: the organization's reporting currency),
    # converted into each site's own currency at the organization's rates: never one number in several currencies
    precision: str | None = None  # every workload's precision
    kv_cache_precision: str | None = None  # every inference workload's KV cache precision

    @property
    def adds_accelerators(self) -> bool:
        return self.accelerator_type is not None and self.accelerator_count > 0


@dataclass(frozen=True)
class SiteFootprint:
    """A site's month at full load, with every figure traceable (`figures`) and how its servers' power was
    obtained (`power_sources`: servers per rung of the power ladder)."""

    site: Site
    servers: int
    accelerators: int
    it_power_kw: float
    pue: float
    price_per_kwh: float | None
    currency: str
    g_per_kwh: float
    footprint: capacity.Footprint
    power_capacity_kw: float | None
    grid_basis: str = ""  # "override", "country" or "world average"
    power_sources: dict[str, int] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    rated_it_power_kw: float = 0.0  # the same servers on their rated rungs only (no telemetry)
    measured_it_power_kw: float = 0.0  # the part of it_power_kw from measured rungs
    measured_rated_kw: float = 0.0  # the rated power of those measured servers
    added_accelerators: int = 0  # a what-if's accelerators added here (counted in ``accelerators``)...
    added_type_id: int | None = None  # ...of this accelerator type...
    added_name: str = ""  # ...named so

    @property
    def power_sources_in_words(self) -> str:
        """Servers per rung, in the ladder's order and words: "2 servers measured (Redfish), 7-day p95; 6 servers
        TDP x 1.821"."""
        return power_sources_words(self.power_sources)

    @property
    def measured_servers(self) -> int:
        return sum(n for key, n in self.power_sources.items() if key in MEASURED_RUNGS)

    @property
    def measured_vs_rated_pct(self) -> float | None:
        """Measured power of the measured servers as a share of their rated power, %; None without any."""
        return 100 * self.measured_it_power_kw / self.measured_rated_kw if self.measured_rated_kw else None

    @property
    def power_headroom_kw(self) -> float | None:
        return None if self.power_capacity_kw is None else self.power_capacity_kw - self.it_power_kw

    @property
    def cost_per_month(self) -> float | None:
        """Energy cost in the site's currency; None without a price (not 0)."""
        return None if self.price_per_kwh is None else self.footprint.cost_per_month


@dataclass(frozen=True)
class PoolInfo:
    """A pool: identical accelerators at one site (``site`` None: a cloud reservation)."""

    pool: capacity.Pool
    accelerator_type_id: int
    site: Site | None
    label: str
    origins: capacity.Origins = field(default_factory=capacity.Origins)
    cloud_region: str = ""


@dataclass(frozen=True)
class WorkloadVerdict:
    workload: Workload
    fits: bool
    pool: PoolInfo | None  # where it fits best (or comes closest)
    fit: capacity.InferenceFit | capacity.TrainingFit | None
    bottleneck: str | None
    reasons: tuple[str, ...]
    meets_latency: bool | None  # inference with targets only
    monthly_energy_cost: float | None  # serving: a month of the GPUs needed (training: None, see run_energy_cost)
    cost_per_million_tokens: float | None
    currency: str
    alternatives: list[tuple[PoolInfo, Any]] = field(default_factory=list)
    figures: tuple[Figure, ...] = ()
    run_energy_cost: float | None = None  # training: the energy of one run, whatever the number of GPUs
    # Why its stored values cannot be estimated (a sentence naming the workload and the field; also its reason):
    # neither fitting nor not fitting, so the assessment's facts and the roadmap leave it out.
    problem: str = ""

    @property
    def bottleneck_label(self) -> str:
        """The bottleneck in words ("site power"; the id, e.g. ``site_power``, only in the API)."""
        if not self.bottleneck:
            return ""
        return capacity.BOTTLENECK_LABELS.get(self.bottleneck, self.bottleneck.replace("_", " "))


@dataclass(frozen=True)
class FleetTotal:
    """The fleet's month: power, energy and carbon summed over the sites; money **per currency** (a footprint of
    the priced sites of each currency), never summed across currencies."""

    it_power_kw: float
    facility_power_kw: float
    energy_kwh_per_month: float
    tco2_per_month: float
    by_currency: dict[str, capacity.Footprint]
    unpriced_sites: tuple[str, ...] = ()

    @property
    def costs(self) -> tuple[tuple[str, float], ...]:
        """(currency, monthly energy cost) of each currency, in currency order."""
        return tuple((currency, fp.cost_per_month) for currency, fp in sorted(self.by_currency.items()))


@dataclass(frozen=True)
class CapacitySummary:
    sites: list[SiteFootprint]
    total: FleetTotal
    verdicts: list[WorkloadVerdict]
    accelerators: int
    memory_gb: float
    bf16_tflops: float
    currencies: set[str]
    pools: tuple[PoolInfo, ...] = ()
    scope: Scope = WHOLE_ORGANIZATION
    figures: tuple[Figure, ...] = ()  # the fleet's totals, traceable
    accelerators_by_release_year: dict[int, int] = field(default_factory=dict)  # on-site accelerators

    @property
    def monthly_cost_per_accelerator(self) -> float | None:
        """Energy cost per on-site accelerator and month, when every site with accelerators has a price in the
        same currency (`single_currency`); None otherwise: amounts in different currencies are never added."""
        currency = self.single_currency
        if currency is None or not self.accelerators:
            return None
        spent = self.total.by_currency.get(currency)  # a currency costing nothing is not in the totals
        return (spent.cost_per_month if spent is not None else 0.0) / self.accelerators

    @property
    def single_currency(self) -> str | None:
        """The one currency every site with accelerators is priced in, else None (mixed or unpriced)."""
        with_accelerators = [s for s in self.sites if s.accelerators]
        currencies = {s.currency for s in with_accelerators}
        if len(currencies) != 1 or any(s.price_per_kwh is None for s in with_accelerators):
            return None
        return currencies.pop()

    @property
    def power_sources(self) -> dict[str, int]:
        """Active servers per rung of the power ladder over every site (the ladder's order)."""
        total: dict[str, int] = {}
        for site in self.sites:
            for key, servers in site.power_sources.items():
                total[key] = total.get(key, 0) + servers
        order = {key: index for index, key in enumerate(rung_keys())}
        return dict(sorted(total.items(), key=lambda item: order.get(item[0], len(order))))

    @property
    def power_sources_in_words(self) -> str:
        return power_sources_words(self.power_sources)

    @property
    def rated_it_power_kw(self) -> float:
        return sum(s.rated_it_power_kw for s in self.sites)

    @property
    def measured_it_power_kw(self) -> float:
        return sum(s.measured_it_power_kw for s in self.sites)

    @property
    def measured_rated_kw(self) -> float:
        return sum(s.measured_rated_kw for s in self.sites)

    @property
    def measured_servers(self) -> int:
        return sum(s.measured_servers for s in self.sites)

    @property
    def memory_notes(self) -> tuple[str, ...]:
        """What the model counts of each unified memory among the pools, once per accelerator type: "NVIDIA GB10:
        128 GB unified, of which ~112 GB counted for models (16 GB kept for the operating system and CPU)". Memory
        fits read the counted part; ``memory_gb`` (the accelerators' memory) counts the whole."""
        notes = dict.fromkeys(info.pool.accelerator.memory_words for info in self.pools)
        return tuple(note for note in notes if note)

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)
