"""Total cost of ownership over the analysis: each site's month (hardware depreciation, energy, colocation or
space, maintenance, staff; each line in its currency), the organization's month converted into its reporting
currency at dated rates, cost per accelerator-hour and per million tokens, and build versus rent per workload.

The math is pure (`inventory.money`); this module reads the records (three queries: the active servers' purchase
costs, the reference rates, the organization's overrides), names them as the figures' inputs and never adds
amounts in different currencies: a total over several currencies is converted, every rate and its date an input
of the figure, or absent when a rate is missing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.db.models import Count, Q, Sum

from accounts.cache import cached
from accounts.models import Organization

from .. import money
from ..capacity.figures import Figure
from ..exchange.selectors import rate_table_for
from ..models import Server, ServerStatus, Site
from .core import analysis_of, clouds_in_scope
from .cost_figures import site_cost_figures, total_cost_figures, workload_cost_figures
from .model import CapacitySummary, SiteFootprint, WorkloadVerdict

LIST_PRICES_FILE = "cloud_gpu_list_prices.csv"


@dataclass(frozen=True)
class SiteCost:
    """A site's monthly cost lines, their total (per currency and converted) and the cost per accelerator-hour."""

    site: Site
    lines: tuple[money.CostLine, ...]
    total: money.MoneyTotal
    accelerators: int
    per_accelerator_hour: float | None  # in the reporting currency
    servers_priced: int = 0
    servers_unpriced: int = 0
    servers_depreciated: int = 0
    figures: tuple[Figure, ...] = ()
    added_unpriced: int = 0  # a what-if's accelerators added here with no price in the inventory (hardware not counted)

    @property
    def currency(self) -> str:
        return self.site.currency

    @property
    def included(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.label for line in self.lines))

    @property
    def by_kind(self) -> list[list[money.CostLine]]:
        """The lines of each kind, in `LINE_KINDS` order (depreciation, energy, colocation, maintenance, staff)."""
        return [[line for line in self.lines if line.kind == kind] for kind in money.tco.LINE_KINDS]


@dataclass(frozen=True)
class WorkloadCost:
    """A workload's cost on the organization's own hardware (its share of the site's TCO) against renting."""

    verdict: WorkloadVerdict
    currency: str
    gpu_hours: float | None  # per month (inference) or for the run (training)
    period: str  # "per month" or "for the run"
    own: float | None
    per_million_tokens: float | None
    rent: float | None
    rent_per_gpu_hour: float | None
    rent_origin: str = ""
    comparison: money.BuildVsRent | None = None
    note: str = ""
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class CostSummary:
    """The organization's money: per site, in total (converted into ``currency``), per accelerator-hour, per
    million tokens and per workload; the rates used."""

    currency: str
    rates: money.RateTable
    sites: list[SiteCost]
    total: money.MoneyTotal
    energy: money.MoneyTotal
    accelerators: int
    per_accelerator_hour: float | None
    per_million_tokens: float | None
    workloads: list[WorkloadCost] = field(default_factory=list)
    figures: tuple[Figure, ...] = ()

    @property
    def included(self) -> tuple[str, ...]:
        """The kinds of cost the totals include, in words ("Hardware depreciation", "Energy"...)."""
        kinds = {line.kind for site in self.sites for line in site.lines}
        return tuple(label for kind, label in money.tco.LINE_KINDS.items() if kind in kinds)

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)

    def workload(self, verdict: WorkloadVerdict) -> WorkloadCost | None:
        """The cost of ``verdict``'s workload (matched by the workload, as a cached summary holds copies)."""
        key = (verdict.workload.pk, verdict.workload.name)
        return next((w for w in self.workloads if (w.verdict.workload.pk, w.verdict.workload.name) == key), None)


@cache
def list_prices() -> tuple[dict[str, Any], ...]:
    """The committed on-demand list prices (`inventory/data/cloud_gpu_list_prices.csv`), each with its URL and
    date."""
    from ..catalog import DATA_DIR

    with open(DATA_DIR / LIST_PRICES_FILE, newline="", encoding="utf-8") as handle:
        return tuple(
            {**row, "accelerators": int(row["accelerators"]), "hourly_price": float(row["hourly_price"])}
            for row in csv.DictReader(handle)
        )


def is_list_price_for(model: str, accelerator_name: str) -> bool:
    """Whether a list price row of the catalog model ``model`` ("A100 SXM 80GB") prices the accelerator the pure
    model names ``accelerator_name``: its vendor and model ("NVIDIA A100 SXM 80GB", `specs.accelerator_name`), or
    the model alone for an entry without a vendor. Comparing the row with the whole name matched nothing, so every
    workload without a cloud capacity record of its own was told there was "no cloud price ... in the list price
    table", the table's p4de.24xlarge and g6e.xlarge included."""
    return accelerator_name == model or accelerator_name.endswith(f" {model}")


def costs_for(*, organization: Organization) -> CostSummary:
    """The whole organization's costs over its cached analysis, cached under the same data version (an override
    of a rate or a change of the reporting currency raises it)."""
    return cached(
        organization,
        f"capacity-costs-{organization.reporting_currency}",
        lambda: costs_of(organization=organization, summary=analysis_of(organization=organization)),
    )


def costs_of(
    *,
    organization: Organization,
    summary: CapacitySummary,
    today: date | None = None,
    rates: money.RateTable | None = None,
) -> CostSummary:
    """The TCO of ``summary``'s sites (its scope) and workloads, in ``organization.reporting_currency``."""
    today = today or date.today()
    currency = organization.reporting_currency or money.EUR
    rates = rates or rate_table_for(organization=organization)
    site_ids = [f.site.pk for f in summary.sites]
    # Depreciation is linear in the purchase cost: the servers of a site bought on the same day in the same currency
    # over the same period are summed in the database (one row per batch, however large the fleet).
    batches = (
        Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE, site_id__in=site_ids)
        .values("site_id", "purchase_currency", "depreciation_years", "purchase_date")
        .annotate(
            cost=Sum("purchase_cost"),
            priced=Count("pk", filter=Q(purchase_cost__isnull=False)),
            unpriced=Count("pk", filter=Q(purchase_cost__isnull=True)),
            positive=Count("pk", filter=Q(purchase_cost__gt=0)),
        )
        .order_by()
        .values_list(
            "site_id",
            "cost",
            "purchase_currency",
            "depreciation_years",
            "purchase_date",
            "priced",
            "unpriced",
            "positive",
        )
    )
    by_site: dict[int, list[tuple]] = {}
    for row in batches:
        by_site.setdefault(row[0], []).append(row[1:])
    added = {f.added_type_id for f in summary.sites if f.added_accelerators and f.added_type_id is not None}
    prices = {type_id: _inventory_prices(organization, type_id) for type_id in added}  # one query, what-ifs only
    sites = [
        _site_cost(f, by_site.get(f.site.pk, []), currency, rates, today, prices.get(f.added_type_id, {}))
        for f in summary.sites
    ]
    lines = [(line.currency, line.amount) for s in sites for line in s.lines]
    total = money.total_in(lines, currency, rates)
    energy = money.total_in(
        [(line.currency, line.amount) for s in sites for line in s.lines if line.kind == "energy"], currency, rates
    )
    accelerators = sum(s.accelerators for s in sites)
    per_hour = (
        money.cost_per_accelerator_hour(total.converted, accelerators)
        if total.converted is not None and accelerators
        else None
    )
    # The cloud prices to rent at: the reservations the analysis covers (an assessment naming sites without cloud
    # capacity covers none: the committed list prices then stand in), never another scope's records.
    clouds = list(
        clouds_in_scope(organization, summary.scope).values(
            "provider",
            "region",
            "instance_type",
            "accelerator_type_id",
            "accelerators_per_instance",
            "hourly_price",
            "currency",
        )
    )
    site_costs = {s.site.pk: s for s in sites}
    workloads = [_workload_cost(v, site_costs, clouds, currency, rates) for v in summary.verdicts]
    served = [w for w in workloads if w.per_million_tokens is not None and w.own is not None]
    tokens_per_month = sum(_tokens_per_month(w.verdict) for w in served)
    per_million = (sum(w.own for w in served) / (tokens_per_month / 1e6)) if served and tokens_per_month else None
    figures = total_cost_figures(sites, total, currency, accelerators, per_hour, served, per_million, tokens_per_month)
    return CostSummary(currency, rates, sites, total, energy, accelerators, per_hour, per_million, workloads, figures)


def _tokens_per_month(verdict: WorkloadVerdict) -> float:
    fit = verdict.fit
    tps = getattr(fit, "output_tokens_per_second", None) or 0.0
    return tps * 3600 * money.HOURS_PER_MONTH


def _inventory_prices(organization: Organization, type_id: int) -> dict[str, tuple[float, int]]:
    """What the organization paid per accelerator of a type, by currency, over its servers of that type with a
    purchase cost (any status: a planned server's quote is a price too): {currency: (cost per accelerator,
    accelerators)}. A server without a purchase currency is priced in its site's."""
    rows = (
        Server.objects.filter(
            organization=organization,
            accelerator_type_id=type_id,
            purchase_cost__isnull=False,
            accelerator_count__gt=0,
        )
        .values("purchase_currency", "site__currency")
        .annotate(cost=Sum("purchase_cost"), accelerators=Sum("accelerator_count"))
        .order_by()
    )
    sums: dict[str, list[float]] = {}
    for row in rows:
        code = (row["purchase_currency"] or row["site__currency"]).upper()
        total = sums.setdefault(code, [0.0, 0])
        total[0] += float(row["cost"])
        total[1] += int(row["accelerators"])
    return {code: (cost / count, int(count)) for code, (cost, count) in sums.items() if count}


def _added_hardware(footprint: SiteFootprint, prices: dict[str, tuple[float, int]]) -> tuple[str, float, str] | None:
    """The monthly depreciation of the accelerators a what-if adds at a site, priced as the organization paid for
    that type (`_inventory_prices`: the site's currency when it has such a price, else the currency most of them
    were bought in), new, straight line over the default period: (currency, amount per month, words); None when
    nothing is added or the inventory has no price for the type."""
    added = footprint.added_accelerators
    if not added or not prices:
        return None
    code = footprint.currency if footprint.currency in prices else max(prices, key=lambda c: (prices[c][1], c))
    each, count = prices[code]
    years = money.DEFAULT_DEPRECIATION_YEARS
    amount = money.monthly_depreciation(each * added, years)
    words = (
        f"What-if: the {added} {footprint.added_name} added, at the {money.format_money(each, code)} per accelerator "
        f"the organization paid for {count} of them (inventory purchase costs), new, straight line over {years:g} "
        "years"
    )
    return code, amount, words


def _site_cost(
    footprint: SiteFootprint,
    batches: list[tuple],
    currency: str,
    rates: money.RateTable,
    today: date,
    added_prices: dict[str, tuple[float, int]] | None = None,
) -> SiteCost:
    """A site's monthly costs; ``batches`` are its active servers summed by purchase currency, depreciation period
    and purchase date: (cost, currency, years, date, servers with a cost, without, with a cost above 0);
    ``added_prices`` what the organization paid per accelerator of the type a what-if adds here (`_added_hardware`):
    added accelerators are never counted without their hardware's cost."""
    site = footprint.site
    lines: list[money.CostLine] = []
    depreciation: dict[str, float] = {}
    priced = unpriced = done = 0
    for cost, purchase_currency, years, bought, with_cost, without_cost, positive in batches:
        unpriced += without_cost
        if not with_cost:
            continue
        priced += with_cost
        years = years or money.DEFAULT_DEPRECIATION_YEARS
        amount = money.monthly_depreciation(float(cost), years, purchase_date=bought, on=today)
        if money.monthly_depreciation(1.0, years, purchase_date=bought, on=today) == 0:
            done += positive  # the period is over for the whole batch
        code = purchase_currency or site.currency
        depreciation[code] = depreciation.get(code, 0.0) + amount
    owned = set(depreciation)  # the currencies the site's own servers were bought in
    hardware = _added_hardware(footprint, added_prices or {})
    if hardware is not None:
        depreciation[hardware[0]] = depreciation.get(hardware[0], 0.0) + hardware[1]
    for code, amount in sorted(depreciation.items()):
        parts = []
        if code in owned:
            parts.append(
                f"Site {site.name}: {priced} active servers with a purchase cost in the inventory, straight line over "
                "their depreciation period (5 years unless recorded)" + (f"; {done} fully depreciated" if done else "")
            )
        if hardware is not None and hardware[0] == code:
            parts.append(hardware[2])
        lines.append(money.CostLine("depreciation", amount, code, "; ".join(parts)))
    unpriced_added = footprint.added_accelerators if hardware is None else 0
    if footprint.price_per_kwh is not None:
        lines.append(
            money.CostLine(
                "energy",
                footprint.footprint.cost_per_month,
                site.currency,
                f"figure: Energy cost per month of Site {site.name}",
            )
        )
    for kind, name in (
        ("colocation", "colocation_per_month"),
        ("maintenance", "maintenance_per_month"),
        ("staff", "staff_per_month"),
    ):
        value = getattr(site, name)
        if value is not None:
            lines.append(
                money.CostLine(
                    kind,
                    float(value),
                    site.currency,
                    f"Site {site.name}: {money.tco.LINE_KINDS[kind].lower()} (recorded)",
                )
            )
    total = money.total_in([(line.currency, line.amount) for line in lines], currency, rates)
    per_hour = (
        money.cost_per_accelerator_hour(total.converted, footprint.accelerators)
        if total.converted is not None and footprint.accelerators and lines
        else None
    )
    figures = site_cost_figures(
        site, lines, total, currency, footprint.accelerators, per_hour, priced, unpriced, done, unpriced_added
    )
    return SiteCost(
        site, tuple(lines), total, footprint.accelerators, per_hour, priced, unpriced, done, figures, unpriced_added
    )


def _rent_price(
    verdict: WorkloadVerdict, clouds: list[dict[str, Any]], currency: str, rates: money.RateTable
) -> tuple[float, str] | None:
    """The cheapest price per GPU-hour for the workload's accelerator type, in ``currency``: the organization's
    own cloud capacity records first, else the committed list prices; None when neither has one (or a rate is
    missing)."""
    pool = verdict.pool
    candidates = []
    for row in clouds:
        if row["accelerator_type_id"] == pool.accelerator_type_id and row["accelerators_per_instance"]:
            per_gpu = float(row["hourly_price"]) / row["accelerators_per_instance"]
            origin = (
                f"your cloud capacity record {row['provider']} {row['instance_type']} ({row['region']}): "
                f"{float(row['hourly_price']):g} {row['currency']} per instance-hour / "
                f"{row['accelerators_per_instance']} GPUs"
            )
            candidates.append((per_gpu, row["currency"], origin))
    if not candidates:
        name = pool.pool.accelerator.name
        for row in list_prices():
            if is_list_price_for(row["accelerator_model"], name):
                per_gpu = row["hourly_price"] / row["accelerators"]
                origin = (
                    f"list price {row['provider']} {row['instance_type']} ({row['region']}): {row['hourly_price']:g} "
                    f"{row['currency']} per instance-hour / {row['accelerators']} GPUs, as of {row['as_of']}, "
                    f"{row['url']} "
                    "(InfraReady's table of cloud list prices)"
                )
                candidates.append((per_gpu, row["currency"], origin))
    converted = []
    for per_gpu, code, origin in candidates:
        try:
            conversion = money.convert(per_gpu, code, currency, rates)
        except money.MissingRate:
            continue
        if code != currency:
            origin += f", converted: {conversion.described}"
        converted.append((conversion.converted, origin))
    return min(converted, default=None)


def _workload_cost(
    verdict: WorkloadVerdict,
    sites: dict[int, SiteCost],
    clouds: list[dict[str, Any]],
    currency: str,
    rates: money.RateTable,
) -> WorkloadCost:
    fit, pool = verdict.fit, verdict.pool
    empty = WorkloadCost(verdict, currency, None, "", None, None, None, None)
    if fit is None or pool is None or fit.gpus_needed is None:
        return empty
    inference = hasattr(fit, "output_tokens_per_second")
    if inference:
        gpu_hours, period = fit.gpus_needed * money.HOURS_PER_MONTH, "per month"
    elif getattr(fit, "training_days", None):
        gpu_hours, period = fit.training_days * 24 * fit.gpus_available, "for the run"
    else:
        return empty
    site = sites.get(pool.site.pk) if pool.site is not None else None
    own_per_hour = site.per_accelerator_hour if site is not None else None
    own = gpu_hours * own_per_hour if own_per_hour is not None else None
    rent = _rent_price(verdict, clouds, currency, rates)
    rent_per_hour, rent_origin = rent if rent else (None, "")
    comparison = (
        money.build_vs_rent(gpu_hours, own_per_hour, rent_per_hour)
        if own_per_hour is not None and rent_per_hour is not None
        else None
    )
    per_million = None
    if inference and own is not None and fit.output_tokens_per_second:
        per_million = money.cost_per_million_tokens(own, fit.output_tokens_per_second)
    note = ""
    if pool.site is None:
        note = "runs on cloud capacity: no own cost"
    elif rent is None:
        note = f"no cloud price for {pool.pool.accelerator.name} in your records or the list price table"
    cost = WorkloadCost(
        verdict,
        currency,
        gpu_hours,
        period,
        own,
        per_million,
        comparison.rent if comparison else (gpu_hours * rent_per_hour if rent_per_hour is not None else None),
        rent_per_hour,
        rent_origin,
        comparison,
        note,
    )
    return WorkloadCost(**{**cost.__dict__, "figures": workload_cost_figures(cost, site)})
