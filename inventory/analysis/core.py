"""`analyse`: the capacity model over an organization's inventory, aggregated in the database.

Reads, in five queries whatever the fleet size: the sites with their country's grid intensity; the active servers
grouped by site, accelerator type and power source (`selectors.fleet_groups`: counts and sums in SQL, the power
rule of `selectors.server_power_expression`); the cloud reservations; the accelerator types in use (plain rows,
not their JSON column); the workloads with their model profiles. Pools are built from those grouped rows, then
the pure model (`inventory.capacity`) gives each workload's verdict and each site's month, every figure with its
calculation.

An analysis runs once per request or task: `shared_analysis()` shares it down one call chain (the scoring task and
the roadmap build it queues), `analysis_of` caches the whole organization's by its data version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
from collections import defaultdict
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.cache import cached
from accounts.models import Organization

from .. import capacity, money, selectors
from ..exchange.selectors import rate_table_for
from ..models import CloudCapacity, Site, Workload
from .figures import power_inputs, site_figures, total_figures, training_run_cost_figures, verdict_cost_figures
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
from .specs import (
    WorkloadDataError,
    accelerator_name,
    accelerator_origin,
    accelerator_spec,
    system_origin,
    workload_origins,
    workload_spec,
)

OVERHEAD = capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
CLOUD_FIELDS = (
    "id",
    "provider",
    "region",
    "instance_type",
    "accelerator_type_id",
    "accelerators_per_instance",
    "instances",
)


@functools.cache
def _rung_order() -> dict[str, int]:
    """The power ladder's order: a site's and a pool's power sources are listed (and worded) in it. Built on first
    use (the ladder's expressions need the models loaded; `assessments.models` imports this module)."""
    return {rung.key: index for index, rung in enumerate(selectors.server_power_ladder())}


_shared: ContextVar[dict[tuple[int, str], CapacitySummary] | None] = ContextVar("inventory_analysis", default=None)


@contextlib.contextmanager
def shared_analysis() -> Iterator[None]:
    """Within this block, `analyse` of the same organization and scope (without a what-if or given workloads)
    runs once and is shared: e.g. the scoring task and the roadmap build it queues (eager, or in one worker
    call). Nothing outlives the block: no cache across requests or tasks."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def analysis_of(*, organization: Organization) -> CapacitySummary:
    """The whole organization's analysis, cached under its data version (`accounts.cache`): the capacity page,
    the capacity API and the dashboards read it; any change of the inventory builds it afresh."""
    # The measured rungs read the last days up to today: a new day is a new analysis.
    today = selectors.measured_window()[1].isoformat()
    return cached(organization, f"capacity-analysis-{today}", lambda: analyse(organization=organization))


def analyse(
    *,
    organization: Organization,
    scope: Scope | None = None,
    what_if: WhatIf | None = None,
    workloads: list[Workload] | None = None,
) -> CapacitySummary:
    """Footprints per site and for the organization, and a verdict per workload (the stored ones, or
    `workloads`, which may be unsaved), over ``scope`` (default: the whole organization). Five queries whatever
    the fleet size (four when `workloads` is given)."""
    scope = scope or WHOLE_ORGANIZATION
    what_if = what_if or WhatIf()
    memo = _shared.get()
    key = (organization.pk, scope.key)
    plain = what_if == WhatIf() and workloads is None
    if memo is not None and plain and key in memo:
        return memo[key]
    summary = _analyse(organization, scope, what_if, workloads)
    if memo is not None and plain:
        memo[key] = summary
    return summary


def clouds_in_scope(organization: Organization, scope: Scope) -> QuerySet[CloudCapacity]:
    """The organization's cloud reservations ``scope`` covers (all of them for the whole organization): what the
    analysis pools and what build-or-rent prices renting at."""
    clouds = CloudCapacity.objects.filter(organization=organization)
    return clouds if scope.cloud_capacity_ids is None else clouds.filter(pk__in=list(scope.cloud_capacity_ids))


def _analyse(
    organization: Organization, scope: Scope, what_if: WhatIf, workloads: list[Workload] | None
) -> CapacitySummary:
    sites = selectors.sites_with_grid(organization=organization, site_ids=scope.site_ids)
    groups = selectors.fleet_groups(organization=organization, site_ids=scope.site_ids)
    cloud_rows = list(
        clouds_in_scope(organization, scope).values(*CLOUD_FIELDS).order_by("provider", "region", "instance_type")
    )
    kinds: dict[int, Any] = selectors.accelerator_rows(
        ids={g.accelerator_type_id for g in groups if g.accelerator_type_id}
        | {c["accelerator_type_id"] for c in cloud_rows}
    )
    if what_if.adds_accelerators:
        kinds.setdefault(what_if.accelerator_type.pk, what_if.accelerator_type)
    if workloads is None:
        stored = Workload.objects.filter(organization=organization).select_related("model_profile").order_by("name")
        if scope.workload_ids is not None:
            stored = stored.filter(pk__in=list(scope.workload_ids))
        workloads = list(stored)

    by_site: dict[int, list[selectors.FleetGroup]] = defaultdict(list)
    for group in groups:
        by_site[group.site_id].append(group)
    extra_site = (what_if.site or (sites[0] if sites else None)) if what_if.adds_accelerators else None
    footprints: list[SiteFootprint] = []
    pools: list[PoolInfo] = []
    prices = _what_if_prices(organization, what_if, sites)
    for site in sites:
        added = extra_site is not None and extra_site.pk == site.pk
        footprint, site_pools = _site(site, by_site[site.pk], kinds, what_if, added, prices.get(site.pk))
        footprints.append(footprint)
        pools.extend(site_pools)
    pools.extend(_cloud_pool(row, kinds[row["accelerator_type_id"]]) for row in cloud_rows)

    footprint_by_site = {f.site.pk: f for f in footprints}
    verdicts = [_verdict(w, pools, footprint_by_site, what_if) for w in workloads]
    on_site = [p for p in pools if p.site is not None]
    by_year: dict[int, int] = defaultdict(int)
    for pool in on_site:
        year = _kind_field(kinds.get(pool.accelerator_type_id), "release_year")
        if year is not None:
            by_year[int(year)] += pool.pool.count
    return CapacitySummary(
        sites=footprints,
        total=_total(footprints),
        verdicts=verdicts,
        accelerators=sum(p.pool.count for p in on_site),
        memory_gb=sum(p.pool.count * p.pool.accelerator.memory_gb for p in on_site),
        bf16_tflops=sum(p.pool.count * (p.pool.accelerator.sixteen_bit_tflops or 0.0) for p in on_site),
        currencies={s.currency for s in sites},
        pools=tuple(pools),
        scope=scope,
        figures=total_figures(footprints, pools),
        accelerators_by_release_year=dict(by_year),
    )


def _estimated_watts(kind: Any, accelerators: int) -> float | None:
    """Whole-server watts of ``accelerators`` of a type with no recorded power (what-if additions): the power
    ladder's last rungs, `capacity.rated_server_watts` (the type's system power for an integrated system, else
    TDP x 1.821); None when the type has neither."""
    return capacity.rated_server_watts(
        accelerators, _kind_field(kind, "tdp_w"), _kind_field(kind, "system_power_w"), overhead=OVERHEAD
    )


def _kind_field(kind: Any, name: str) -> Any:
    if kind is None:
        return None
    return kind.get(name) if isinstance(kind, dict) else getattr(kind, name, None)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _what_if_prices(organization: Organization, what_if: WhatIf, sites: list[Site]) -> dict[int, tuple[Any, str]]:
    """Each site's electricity price under a what-if price, which is given in one currency (``price_currency``,
    default the organization's reporting currency) and converted into each site's own currency at the
    organization's rates, as the costs convert (two queries, only when a site's currency differs): {site id: (price
    per kWh in the site's currency, or None without a rate; the price in words)}. Empty without a what-if price."""
    price = what_if.price_per_kwh
    if price is None:
        return {}
    currency = (what_if.price_currency or organization.reporting_currency or money.EUR).upper()
    rates = None
    prices: dict[int, tuple[Any, str]] = {}
    for site in sites:
        if site.currency.upper() == currency:
            prices[site.pk] = (price, f"{price:g} {currency}/kWh")
            continue
        rates = rates or rate_table_for(organization=organization)
        try:
            conversion = money.convert(price, currency, site.currency, rates)
        except money.MissingRate:
            prices[site.pk] = (None, f"{price:g} {currency}/kWh, not converted: no rate for {site.currency}")
        else:
            prices[site.pk] = (
                conversion.converted,
                f"{conversion.converted:.4g} {site.currency}/kWh, the what-if's {price:g} {currency}/kWh at "
                f"{conversion.described}",
            )
    return prices


def _site(
    site: Site,
    groups: list[selectors.FleetGroup],
    kinds: dict[int, Any],
    what_if: WhatIf,
    added_here: bool,
    what_if_price: tuple[Any, str] | None = None,
) -> tuple[SiteFootprint, list[PoolInfo]]:
    """A site's footprint and pools from its grouped rows (and a what-if's added accelerators; ``what_if_price``:
    the what-if's price in the site's currency, and in words, `_what_if_prices`)."""
    watts = sum(g.watts for g in groups)
    rated = sum(g.rated_watts for g in groups)
    measured = [g for g in groups if g.power_source in selectors.MEASURED_RUNGS]
    by_source: dict[str, tuple[int, float]] = {}
    server_groups = [g for g in groups if g.power_source != selectors.SECONDARY_GPUS]
    for group in sorted(server_groups, key=lambda g: _rung_order().get(g.power_source, len(_rung_order()))):
        servers, total = by_source.get(group.power_source, (0, 0.0))
        by_source[group.power_source] = (servers + group.servers, total + group.watts)
    added_w = 0.0
    added = None
    if added_here:
        kind = what_if.accelerator_type
        estimated = _estimated_watts(kind, what_if.accelerator_count)
        added_w = estimated or 0.0
        # No TDP (nor system power): their power is unknown; counted as 0 W and said so (power_inputs), never silently.
        added = (what_if.accelerator_count, str(kind), estimated)
    site_w = watts + added_w
    pue = what_if.pue or site.pue
    price, price_text = what_if_price if what_if_price is not None else (_float(site.electricity_price_per_kwh), "")
    grid = selectors.grid_intensity_of(site)
    footprint = capacity.site_footprint(site_w, 1.0, pue, price or 0.0, grid.g_per_kwh)
    accelerators = sum(g.accelerators for g in groups) + (what_if.accelerator_count if added_here else 0)

    by_type: dict[int, list[selectors.FleetGroup]] = defaultdict(list)
    for group in groups:
        if group.accelerator_type_id is not None and group.accelerators:
            by_type[group.accelerator_type_id].append(group)
    if added_here:
        by_type.setdefault(what_if.accelerator_type.pk, [])
    pools = []  # by accelerator name: a tie between two pools goes to the same one in every database
    for type_id, members in sorted(by_type.items(), key=lambda item: accelerator_name(kinds[item[0]])):
        extra = what_if.accelerator_count if added_here and what_if.accelerator_type.pk == type_id else 0
        pools.append(_site_pool(site, kinds[type_id], members, extra, site_w))
    figures = site_figures(
        site,
        it_power_kw=site_w / 1000,
        power_inputs=power_inputs(site, by_source, added),
        pue=pue,
        pue_changed=what_if.pue is not None,
        price=price,
        price_changed=what_if.price_per_kwh is not None,
        price_text=price_text,
        grid=grid,
        footprint=footprint,
    )
    return (
        SiteFootprint(
            site,
            sum(g.servers for g in server_groups),
            accelerators,
            site_w / 1000,
            pue,
            price,
            site.currency,
            grid.g_per_kwh,
            footprint,
            site.power_capacity_kw,
            grid_basis=grid.basis,
            power_sources={key: servers for key, (servers, _) in by_source.items()},
            figures=figures,
            rated_it_power_kw=(rated + added_w) / 1000,
            measured_it_power_kw=sum(g.watts for g in measured) / 1000,
            measured_rated_kw=sum(g.rated_watts for g in measured) / 1000,
            added_accelerators=what_if.accelerator_count if added_here else 0,
            added_type_id=what_if.accelerator_type.pk if added_here else None,
            added_name=accelerator_name(what_if.accelerator_type) if added_here else "",
        ),
        pools,
    )


def _site_pool(site: Site, kind: Any, members: list[selectors.FleetGroup], added: int, site_w: float) -> PoolInfo:
    """A pool at a site: the site's draw *besides* this pool's servers (a workload reuses their power), and the
    pool's whole-server power per accelerator when a rung above the estimated ones (system power, TDP x 1.821) gives
    some of its servers' power."""
    name = accelerator_name(kind)
    count = sum(m.accelerators for m in members) + added
    pool_w = sum(m.watts for m in members)
    servers = sum(m.servers for m in members)
    tdp = _kind_field(kind, "tdp_w")
    system_w = _kind_field(kind, "system_power_w")
    added_w = _estimated_watts(kind, added) or 0.0
    per_accelerator, words = _pool_power(members, added, added_w, capacity.rated_server_words(tdp, system_w))
    origin = accelerator_origin(kind)
    pool_origin = f"Site {site.name}: {count - added} {name} in {servers} active servers (inventory)"
    secondary = sum(m.accelerators for m in members if m.power_source == selectors.SECONDARY_GPUS)
    if secondary:
        pool_origin = (
            f"Site {site.name}: {count - added} {name}, {count - added - secondary} in {servers} active servers of "
            f"this type and {secondary} in mixed-GPU servers of another main type (GPU records, inventory)"
        )
    if added:
        pool_origin += f", and {added} added (what-if)"
    if per_accelerator is not None:
        power = f"{words}: {pool_w + added_w:,.0f} W of the pool's servers / {count} accelerators (inventory)"
    elif system_w:
        power = f"system power {system_w} W per {name}, an integrated system ({system_origin(kind)})"
    elif tdp:
        power = f"TDP {tdp} W ({origin}) x server overhead {OVERHEAD:.3f} (NVIDIA DGX H100 datasheet)"
    else:
        power = f"no recorded power and no TDP for {name}"
    return PoolInfo(
        capacity.Pool(
            accelerator_spec(kind),
            count,
            site.name,
            site.power_capacity_kw,
            max(0.0, (site_w - pool_w - added_w) / 1000),
            server_power_w_per_accelerator=per_accelerator,
            power_source=words,
            servers=_pool_servers(servers, count - added, added),
        ),
        _kind_field(kind, "id"),
        site,
        f"{count} x {name} at {site.name}",
        capacity.Origins(accelerator=origin, pool=pool_origin, power=power),
    )


def _pool_servers(servers: int, accelerators: int, added: int) -> int | None:
    """The servers holding a pool's accelerators, for the power a fit can give back (whole servers only): its
    active servers, and what-if accelerators in servers of the pool's average size; ``None`` when it has none."""
    if not servers or not accelerators:
        return None
    return servers + (math.ceil(added * servers / accelerators) if added else 0)


def _pool_power(
    members: list[selectors.FleetGroup], added: int, added_w: float, rated: str
) -> tuple[float | None, str]:
    """(whole-server watts per accelerator, words) of a pool: the same watts as the site footprint divided by the
    accelerators; None when every server is on an estimated rung (system power or TDP: the pure model then uses
    the type's system power or TDP x overhead itself, the same figure). Hypothetical added accelerators count at
    the same estimate (`_estimated_watts`), worded by ``rated`` (`capacity.rated_server_words`, as the roadmap's
    accelerators to add are)."""
    servers = sum(m.servers for m in members)
    rungs: dict[str, int] = defaultdict(int)
    for member in sorted(members, key=lambda m: _rung_order().get(m.power_source, len(_rung_order()))):
        if member.power_source != selectors.SECONDARY_GPUS:
            rungs[member.power_source] += member.servers
    measured = [key for key in rungs if key not in (*selectors.ESTIMATED_RUNGS, selectors.POWER_NONE)]
    if not measured:
        return None, ""
    watts = sum(m.watts for m in members) + added_w
    count = sum(m.accelerators for m in members) + added
    first = measured[0]
    words = f"{_rung_label(first)} ({rungs[first]} of {servers} servers"
    others = [key for key in rungs if key != first]
    words += "".join(f"; {_rung_label(key, short=True)} for the other {rungs[key]}" for key in others) + ")"
    if added:
        words += f"; the {added} added at the type's estimate ({rated})"
    return (watts / count if count and watts else None), words


def _rung_label(key: str, short: bool = False) -> str:
    rung = selectors.power_rung(key)
    if rung is None:
        return "no power known"
    return "system power" if short and key == "system" else rung.label


def _cloud_pool(row: dict[str, Any], kind: Any) -> PoolInfo:
    count = row["instances"] * row["accelerators_per_instance"]
    where = f"{row['provider']} {row['region']}"
    return PoolInfo(
        capacity.Pool(accelerator_spec(kind), count, where),
        row["accelerator_type_id"],
        None,
        f"{where} ({row['instance_type']})",
        capacity.Origins(
            accelerator=accelerator_origin(kind),
            pool=(
                f"cloud reservation {where}: {row['instances']} x {row['instance_type']} with "
                f"{row['accelerators_per_instance']} accelerators each (inventory)"
            ),
            power=(
                f"system power {_kind_field(kind, 'system_power_w')} W per accelerator, an integrated system "
                f"({system_origin(kind)})"
                if _kind_field(kind, "system_power_w")
                else f"TDP x server overhead {OVERHEAD:.3f} (NVIDIA DGX H100 datasheet)"
            ),
        ),
        cloud_region=row["region"],
    )


def _total(footprints: list[SiteFootprint]) -> FleetTotal:
    by_currency: dict[str, list[capacity.Footprint]] = defaultdict(list)
    for item in footprints:
        if item.price_per_kwh is not None:
            by_currency[item.currency].append(item.footprint)
    everything = capacity.combine_footprints(f.footprint for f in footprints)
    combined = {currency: capacity.combine_footprints(items) for currency, items in by_currency.items()}
    # a currency whose sites cost nothing (a site priced in CHF with no server) adds no "0.00 CHF" to the totals
    combined = {c: f for c, f in combined.items() if f.cost_per_month} or combined
    return FleetTotal(
        it_power_kw=everything.it_power_kw,
        facility_power_kw=everything.facility_power_kw,
        energy_kwh_per_month=everything.energy_kwh_per_month,
        tco2_per_month=everything.tco2_per_month,
        by_currency=combined,
        unpriced_sites=tuple(f.site.name for f in footprints if f.price_per_kwh is None),
    )


def _rank(fit: Any) -> tuple[int, int]:
    """Fitting pools first, then those needing the fewest GPUs."""
    return (0 if fit.fits else 1, fit.gpus_needed if fit.gpus_needed is not None else 10**9)


def _verdict(
    workload: Workload, pools: list[PoolInfo], footprints: dict[int, SiteFootprint], what_if: WhatIf
) -> WorkloadVerdict:
    try:
        spec = workload_spec(workload, what_if.precision, what_if.kv_cache_precision)
    except WorkloadDataError as error:
        return WorkloadVerdict(
            workload, False, None, None, None, (str(error),), None, None, None, "", problem=str(error)
        )
    results = []
    for info in pools:
        try:
            fit = (
                capacity.fit_inference(spec, info.pool)
                if isinstance(spec, capacity.InferenceWorkload)
                else capacity.fit_training(spec, info.pool)
            )
        except ValueError as error:  # e.g. a precision the accelerator cannot train in
            results.append((info, None, str(error)))
            continue
        results.append((info, fit, None))
    scored = [(info, fit) for info, fit, _ in results if fit is not None]
    if not scored:
        reasons = tuple(error for _, _, error in results if error) or ("No accelerators in the inventory.",)
        return WorkloadVerdict(workload, False, None, None, "count", reasons, None, None, None, "")
    info, fit = min(scored, key=lambda pair: _rank(pair[1]))
    meets_latency = None
    cost = per_million = None
    currency = ""
    if isinstance(fit, capacity.InferenceFit) and (spec.ttft_target_s or spec.tpot_target_s):
        meets_latency = bool(
            fit.ttft_s is not None
            and fit.tpot_s is not None
            and (spec.ttft_target_s is None or fit.ttft_s <= spec.ttft_target_s)
            and (spec.tpot_target_s is None or fit.tpot_s <= spec.tpot_target_s)
        )
    origins = dataclasses.replace(
        info.origins,
        **{
            name: value
            for name, value in dataclasses.asdict(workload_origins(workload, what_if.precision)).items()
            if name in ("workload", "model", "mfu", "goodput", "deadline")
        },
    )
    figures = capacity.fit_figures(spec, info.pool, fit, origins)
    site_fp = footprints.get(info.site.pk) if info.site else None
    run_cost = None
    priced = fit.fits and fit.it_power_kw is not None and site_fp is not None and site_fp.price_per_kwh is not None
    if priced and isinstance(fit, capacity.TrainingFit):
        # A run is a fixed amount of work: its GPU-hours (on the whole pool, or fewer GPUs for longer) at the
        # pool's whole-server watts per GPU, not a month of the GPUs needed.
        watts = info.pool.watts_per_accelerator
        if fit.training_days is not None and watts is not None:
            gpu_hours = info.pool.count * fit.training_days * 24
            energy = capacity.energy_kwh(1, watts, gpu_hours, site_fp.pue)
            run_cost = capacity.energy_cost(energy, site_fp.price_per_kwh)
            currency = site_fp.currency
            figures += training_run_cost_figures(
                figures,
                site=site_fp.site,
                gpu_hours=gpu_hours,
                watts=watts,
                power_basis=info.pool.power_basis,
                pue=site_fp.pue,
                pue_changed=what_if.pue is not None,
                price=site_fp.price_per_kwh,
                price_changed=what_if.price_per_kwh is not None,
                cost=run_cost,
            )
    elif priced:
        energy = capacity.energy_kwh(1, fit.it_power_kw * 1000, capacity.HOURS_PER_MONTH, site_fp.pue)
        cost = capacity.energy_cost(energy, site_fp.price_per_kwh)
        currency = site_fp.currency
        if isinstance(fit, capacity.InferenceFit) and fit.output_tokens_per_second:
            per_million = capacity.cost_per_million_tokens(cost, fit.output_tokens_per_second)
        figures += verdict_cost_figures(
            figures,
            site=site_fp.site,
            pue=site_fp.pue,
            pue_changed=what_if.pue is not None,
            price=site_fp.price_per_kwh,
            price_changed=what_if.price_per_kwh is not None,
            cost=cost,
            per_million=per_million,
        )
    alternatives = [(i, f) for i, f in scored if i is not info]
    return WorkloadVerdict(
        workload,
        fit.fits,
        info,
        fit,
        fit.bottleneck,
        fit.reasons,
        meets_latency,
        cost,
        per_million,
        currency,
        alternatives,
        figures,
        run_energy_cost=run_cost,
    )


def fleet_demand(summary: CapacitySummary) -> tuple[float, float]:
    """Accelerator memory (GB) and dense 16-bit TFLOPS (BF16, else FP16) taken by the workloads' chosen GPUs."""
    memory = tflops = 0.0
    for verdict in summary.verdicts:
        if verdict.fit is None or verdict.fit.gpus_needed is None or verdict.pool is None:
            continue
        memory += verdict.fit.gpus_needed * verdict.pool.pool.accelerator.memory_gb
        tflops += verdict.fit.gpus_needed * (verdict.pool.pool.accelerator.sixteen_bit_tflops or 0.0)
    return memory, tflops


def serving_sizing(
    verdict: WorkloadVerdict, *, what_if: WhatIf | None = None, batch: int = 1
) -> capacity.ServingSizing | None:
    """Quantized-serving answers for an inference verdict on its pool (memory only): weights and KV cache at
    their precisions, the largest context the pool's GPUs hold at batch 1 and at `batch`, and the GPUs and 8-GPU
    nodes the model needs at its full context. None for training or when no pool was found."""
    if not isinstance(verdict.fit, capacity.InferenceFit) or verdict.pool is None or verdict.pool.pool.count < 1:
        return None
    try:
        what_if = what_if or WhatIf()
        spec = workload_spec(verdict.workload, what_if.precision, what_if.kv_cache_precision)
    except ValueError:
        return None
    if not isinstance(spec, capacity.InferenceWorkload):
        return None
    return capacity.size_serving(
        spec.model,
        verdict.pool.pool.accelerator,
        verdict.pool.pool.count,
        spec.precision,
        kv_cache_precision=spec.effective_kv_cache_precision,
        batch=batch,
    )


def verdict_figures(verdict: WorkloadVerdict) -> list[dict[str, Any]]:
    """Every figure of a verdict as the API gives it: ``{name, label, value, unit, formula, inputs, source}``."""
    return [item.as_dict() for item in verdict.figures]
