"""Capacity analysis of an organization's inventory: the bridge between the database and `capacity.py`.

Reads the active fleet as pools (identical accelerators at one site; each cloud reservation is a pool too), the
declared workloads as `capacity` workloads, and the sites' PUE, price and grid intensity; then asks the pure model
whether each workload fits, where, and what it costs in power, energy, money and carbon. A `WhatIf` changes the
inputs (another GPU type or count, PUE, price, precision) without touching the database.

Whole-server power: a server's recorded `power_w` (measured or rated) when known, else its accelerators' TDP
times `capacity.DEFAULT_SERVER_OVERHEAD_FACTOR` (DGX H100: 10.2 kW for 8 x 700 W GPUs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounts.models import Organization

from . import capacity, selectors
from .models import AcceleratorType, CloudCapacity, ModelProfile, Server, ServerStatus, Site, Workload

SOURCES = {
    "overhead": "DGX H100 system 10.2 kW for 8 x 700 W GPUs (NVIDIA DGX H100 datasheet)",
    "pue": "The Green Grid PUE definition; industry average 1.58 (Uptime Institute 2023)",
    "grid": "Grid carbon intensity by country (codecarbon global_energy_mix, 2023); world average 475 (IEA)",
    "serving": "vLLM defaults: gpu_memory_utilization 0.9, max_num_seqs 256; decode at 70% of peak bandwidth",
    "training": "C = 6PD (Kaplan et al. 2020); ZeRO memory (arXiv:1910.02054); time = C / (N x peak x MFU)",
}


@dataclass(frozen=True)
class WhatIf:
    """A hypothetical change to the inventory. Every field is optional; empty means "as recorded"."""

    accelerator_type: AcceleratorType | None = None  # add accelerators of this type...
    accelerator_count: int = 0  # ...this many...
    site: Site | None = None  # ...at this site (default: the first site)
    pue: float | None = None  # every site's PUE
    price_per_kwh: float | None = None  # every site's electricity price
    precision: str | None = None  # every workload's precision

    @property
    def adds_accelerators(self) -> bool:
        return self.accelerator_type is not None and self.accelerator_count > 0


@dataclass(frozen=True)
class SiteFootprint:
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

    @property
    def power_headroom_kw(self) -> float | None:
        return None if self.power_capacity_kw is None else self.power_capacity_kw - self.it_power_kw


@dataclass(frozen=True)
class PoolInfo:
    pool: capacity.Pool
    accelerator_type: AcceleratorType
    site: Site | None  # None for cloud
    label: str


@dataclass(frozen=True)
class WorkloadVerdict:
    workload: Workload
    fits: bool
    pool: PoolInfo | None  # where it fits best (or comes closest)
    fit: capacity.InferenceFit | capacity.TrainingFit | None
    bottleneck: str | None
    reasons: tuple[str, ...]
    meets_latency: bool | None  # inference with targets only
    monthly_energy_cost: float | None
    cost_per_million_tokens: float | None
    currency: str
    alternatives: list[tuple[PoolInfo, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CapacitySummary:
    sites: list[SiteFootprint]
    total: capacity.Footprint
    verdicts: list[WorkloadVerdict]
    accelerators: int
    memory_gb: float
    bf16_tflops: float
    currencies: set[str]

    @property
    def monthly_cost_per_accelerator(self) -> float | None:
        return self.total.cost_per_month / self.accelerators if self.accelerators else None


def accelerator_spec(kind: AcceleratorType) -> capacity.AcceleratorSpec:
    return capacity.AcceleratorSpec(
        name=str(kind),
        memory_gb=kind.memory_gb,
        mem_bandwidth_gbps=kind.mem_bandwidth_gbps,
        bf16_tflops=kind.bf16_tflops,
        fp8_tflops=kind.fp8_tflops,
        tdp_w=kind.tdp_w,
    )


def model_spec(profile: ModelProfile) -> capacity.ModelSpec:
    return capacity.ModelSpec(
        name=profile.name,
        params=profile.params,
        active_params=profile.active_params,
        layers=profile.layers,
        hidden_size=profile.hidden_size,
        attention_heads=profile.attention_heads,
        kv_heads=profile.kv_heads,
        head_dim=profile.head_dim,
        context_length=profile.context_length,
    )


def workload_spec(
    workload: Workload, precision: str | None = None
) -> capacity.InferenceWorkload | capacity.TrainingWorkload:
    """The pure model's view of a stored workload (raises ValueError naming a missing or invalid field)."""
    model = model_spec(workload.model_profile)
    chosen = precision or workload.precision
    if workload.kind == "inference":
        if None in (workload.requests_per_second, workload.prompt_tokens, workload.output_tokens):
            raise ValueError("an inference workload needs requests_per_second, prompt_tokens and output_tokens")
        return capacity.InferenceWorkload(
            model=model,
            precision=chosen,
            requests_per_second=workload.requests_per_second,
            prompt_tokens=workload.prompt_tokens,
            output_tokens=workload.output_tokens,
            ttft_target_s=workload.ttft_target_ms / 1000 if workload.ttft_target_ms else None,
            tpot_target_s=workload.tpot_target_ms / 1000 if workload.tpot_target_ms else None,
        )
    if workload.training_tokens is None:
        raise ValueError("a training or fine-tuning workload needs training_tokens")
    return capacity.TrainingWorkload(
        model=model,
        precision=chosen if chosen in ("fp32", "bf16", "fp16", "fp8") else "bf16",
        tokens=workload.training_tokens,
        deadline_days=workload.deadline_days or 3650.0,
        mfu=workload.assumed_mfu or 0.4,
    )


def _server_watts(server: Server) -> float:
    if server.power_w:
        return float(server.power_w)
    if server.accelerator_count and server.accelerator_type and server.accelerator_type.tdp_w:
        return server.accelerator_count * server.accelerator_type.tdp_w * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
    return 0.0


def analyse(
    *, organization: Organization, what_if: WhatIf | None = None, workloads: list[Workload] | None = None
) -> CapacitySummary:
    """Footprints per site and for the organization, and a verdict per workload (the stored ones, or
    `workloads`, which may be unsaved). A fixed number of queries whatever the fleet size."""
    what_if = what_if or WhatIf()
    sites = list(Site.objects.filter(organization=organization).order_by("name"))
    servers = list(
        Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE).select_related("accelerator_type")
    )
    intensities = selectors.grid_intensities(sites=sites)
    by_site: dict[int, list[Server]] = defaultdict(list)
    for server in servers:
        by_site[server.site_id].append(server)
    extra_site = (what_if.site or (sites[0] if sites else None)) if what_if.adds_accelerators else None

    footprints, pools = [], []
    for site in sites:
        watts = sum(_server_watts(s) for s in by_site[site.pk])
        groups: dict[int, list[Server]] = defaultdict(list)
        for server in by_site[site.pk]:
            if server.accelerator_count and server.accelerator_type_id:
                groups[server.accelerator_type_id].append(server)
        if extra_site is not None and extra_site.pk == site.pk:
            kind = what_if.accelerator_type
            watts += what_if.accelerator_count * (kind.tdp_w or 0) * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
        pue = what_if.pue or site.pue
        price = what_if.price_per_kwh if what_if.price_per_kwh is not None else _float(site.electricity_price_per_kwh)
        intensity = intensities[site.pk]
        footprint = capacity.site_footprint(watts, 1.0, pue, price or 0.0, intensity)
        count = sum(s.accelerator_count for s in by_site[site.pk])
        footprints.append(
            SiteFootprint(
                site,
                len(by_site[site.pk]),
                count,
                watts / 1000,
                pue,
                price,
                site.currency,
                intensity,
                footprint,
                site.power_capacity_kw,
            )
        )
        site_kw = watts / 1000
        for members in groups.values():
            kind = members[0].accelerator_type
            pool_kw = sum(_server_watts(s) for s in members) / 1000
            n = sum(s.accelerator_count for s in members)
            if extra_site is not None and extra_site.pk == site.pk and what_if.accelerator_type.pk == kind.pk:
                n += what_if.accelerator_count
            pools.append(_pool(kind, n, site, site_kw - pool_kw))
        if extra_site is not None and extra_site.pk == site.pk and what_if.accelerator_type.pk not in groups:
            pools.append(_pool(what_if.accelerator_type, what_if.accelerator_count, site, site_kw))
    for cloud in CloudCapacity.objects.filter(organization=organization).select_related("accelerator_type"):
        pools.append(
            PoolInfo(
                capacity.Pool(
                    accelerator_spec(cloud.accelerator_type),
                    cloud.instances * cloud.accelerators_per_instance,
                    f"{cloud.provider} {cloud.region}",
                ),
                cloud.accelerator_type,
                None,
                f"{cloud.provider} {cloud.region} ({cloud.instance_type})",
            )
        )
    total = capacity.combine_footprints(f.footprint for f in footprints)
    workloads = list(
        Workload.objects.filter(organization=organization).select_related("model_profile").order_by("name")
    )
    footprint_by_site = {f.site.pk: f for f in footprints}
    verdicts = [_verdict(w, pools, footprint_by_site, what_if) for w in workloads]
    return CapacitySummary(
        sites=footprints,
        total=total,
        verdicts=verdicts,
        accelerators=sum(p.pool.count for p in pools if p.site is not None),
        memory_gb=sum(p.pool.count * p.pool.accelerator.memory_gb for p in pools if p.site is not None),
        bf16_tflops=sum(p.pool.count * p.pool.accelerator.bf16_tflops for p in pools if p.site is not None),
        currencies={s.currency for s in sites},
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _pool(kind: AcceleratorType, count: int, site: Site, other_draw_kw: float) -> PoolInfo:
    """A pool at a site: the site's draw *besides* this pool's own servers (a workload reuses their power)."""
    return PoolInfo(
        capacity.Pool(accelerator_spec(kind), count, site.name, site.power_capacity_kw, max(0.0, other_draw_kw)),
        kind,
        site,
        f"{count} x {kind} at {site.name}",
    )


def _rank(fit: Any) -> tuple[int, int]:
    """Fitting pools first, then those needing the fewest GPUs."""
    return (0 if fit.fits else 1, fit.gpus_needed if fit.gpus_needed is not None else 10**9)


def _verdict(
    workload: Workload, pools: list[PoolInfo], footprints: dict[int, SiteFootprint], what_if: WhatIf
) -> WorkloadVerdict:
    try:
        spec = workload_spec(workload, what_if.precision)
    except ValueError as error:
        return WorkloadVerdict(workload, False, None, None, None, (str(error),), None, None, None, "")
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
    site_fp = footprints.get(info.site.pk) if info.site else None
    if fit.fits and fit.it_power_kw is not None and site_fp is not None and site_fp.price_per_kwh is not None:
        energy = capacity.energy_kwh(1, fit.it_power_kw * 1000, capacity.HOURS_PER_MONTH, site_fp.pue)
        cost = capacity.energy_cost(energy, site_fp.price_per_kwh)
        currency = site_fp.currency
        if isinstance(fit, capacity.InferenceFit) and fit.output_tokens_per_second:
            per_million = capacity.cost_per_million_tokens(cost, fit.output_tokens_per_second)
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
    )


def fleet_demand(summary: CapacitySummary) -> tuple[float, float]:
    """Accelerator memory (GB) and dense BF16 TFLOPS taken by the workloads' chosen GPUs."""
    memory = tflops = 0.0
    for verdict in summary.verdicts:
        if verdict.fit is None or verdict.fit.gpus_needed is None or verdict.pool is None:
            continue
        memory += verdict.fit.gpus_needed * verdict.pool.pool.accelerator.memory_gb
        tflops += verdict.fit.gpus_needed * verdict.pool.pool.accelerator.bf16_tflops
    return memory, tflops


FORMULAS = {
    "weights_gb_per_gpu": (
        "GB",
        "params x bytes per value (precision) / tensor parallel",
        "HF transformers: 2 bytes per parameter in bf16",
    ),
    "kv_cache_gb_per_gpu": (
        "GB",
        "2 x layers x kv_heads x head_dim x bytes x (prompt + output tokens) x concurrency / min(TP, kv_heads)",
        "KV cache size under GQA/MQA (kv heads, not attention heads)",
    ),
    "memory_gb_per_gpu": ("GB", "weights + KV cache per GPU, must be <= memory x 0.9", SOURCES["serving"]),
    "usable_memory_gb_per_gpu": ("GB", "accelerator memory x 0.9", SOURCES["serving"]),
    "tensor_parallel": (
        "GPUs",
        "power of two <= 8 dividing the attention heads, fewest GPUs overall",
        "one NVLink node",
    ),
    "concurrency_per_replica": (
        "sequences",
        "largest batch within memory (and the TPOT target), at most 256",
        SOURCES["serving"],
    ),
    "ttft_s": (
        "s",
        "max(2 x active params x prompt tokens / (TP x peak FLOP/s x MFU 0.5), weight read time)",
        "prefill is compute bound",
    ),
    "tpot_s": (
        "s",
        "max((weights + KV) / TP / (bandwidth x 0.7), 2 x active params x batch / (TP x peak x MFU))",
        "decode is memory bound (roofline)",
    ),
    "replica_requests_per_second": (
        "req/s",
        "batch / (batch x TTFT + output tokens x TPOT)",
        "steady-state replica throughput",
    ),
    "in_flight_requests": ("requests", "requests per second x (TTFT + output tokens x TPOT)", "Little's law"),
    "replicas": ("replicas", "ceil(max(rps / replica rps, in flight / batch))", "Little's law"),
    "gpus_needed": (
        "GPUs",
        "replicas x TP (training: fewest GPUs holding the model states and meeting the deadline)",
        "",
    ),
    "gpus_available": ("GPUs", "accelerators of this type at this site (or cloud reservation)", "inventory"),
    "it_power_kw": ("kW", "GPUs needed x TDP x server overhead 1.82", SOURCES["overhead"]),
    "training_flops": ("FLOP", "6 x params x tokens", SOURCES["training"]),
    "training_days": ("days", "6PD / (GPUs x peak FLOP/s x MFU) / 86400", SOURCES["training"]),
    "activation_headroom_gb": (
        "GB",
        "usable memory - model states per GPU (activations come on top)",
        SOURCES["training"],
    ),
    "peak_tflops": (
        "TFLOPS",
        "dense BF16 (FP8 for fp8/int8/int4 where supported)",
        "accelerator datasheet, dense = half the sparsity figure",
    ),
    "output_tokens_per_second": ("tokens/s", "requests per second x output tokens", ""),
}


def verdict_figures(verdict: WorkloadVerdict) -> list[dict[str, Any]]:
    """Every number of a verdict with its unit, formula and source (for the API and the capacity page)."""
    figures = []
    for name, (unit, formula, source) in FORMULAS.items():
        value = getattr(verdict.fit, name, None) if verdict.fit is not None else None
        if value is not None:
            figures.append({"name": name, "value": value, "unit": unit, "formula": formula, "source": source})
    if verdict.monthly_energy_cost is not None:
        figures.append(
            {
                "name": "monthly_energy_cost",
                "value": verdict.monthly_energy_cost,
                "unit": f"{verdict.currency}/month",
                "formula": "IT kW x PUE x 730 h x price per kWh",
                "source": SOURCES["pue"],
            }
        )
    if verdict.cost_per_million_tokens is not None:
        figures.append(
            {
                "name": "energy_cost_per_million_tokens",
                "value": verdict.cost_per_million_tokens,
                "unit": f"{verdict.currency}/Mtoken",
                "formula": "monthly energy cost / (output tokens/s x 3600 x 730 / 1e6)",
                "source": "energy only: no hardware depreciation, staff or software",
            }
        )
    return figures
