"""Capacity, energy, cost and carbon model for generative-AI infrastructure.

Pure Python 3.11, standard library only (no Django): the module can be imported and tested on its own.
Every formula names its source in its docstring and every constant names its source in a comment; the
same material, with worked examples, is in ``docs/capacity.md``.

Units are part of the names. Decimal (SI) prefixes throughout:

* bytes; ``_gb`` = 1e9 bytes; ``_gbps`` = GB/s = 1e9 bytes/s (memory bandwidth as datasheets quote it);
* ``_tflops`` = 1e12 FLOP/s (dense, i.e. without structured sparsity);
* ``_w`` watts, ``_kw`` kilowatts, ``_kwh`` kilowatt-hours, ``_s`` seconds;
* money is in whatever currency ``price_per_kwh`` is given in.

Invalid inputs (negative counts, unknown precision, an MFU outside (0, 1], a PUE below 1, NaN...) raise
``ValueError`` whose message starts with the argument's name.
"""

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Final, Literal, get_args

__all__ = [
    "BYTES_PER_VALUE",
    "DEFAULT_DECODE_BANDWIDTH_EFFICIENCY",
    "DEFAULT_SERVER_OVERHEAD_FACTOR",
    "DEFAULT_SERVING_MFU",
    "HOURS_PER_MONTH",
    "MAX_NUM_SEQS_PER_REPLICA",
    "MAX_TENSOR_PARALLEL_PER_REPLICA",
    "PRECISIONS",
    "SERVING_MEMORY_UTILIZATION",
    "TRAINING_MEMORY_UTILIZATION",
    "AcceleratorSpec",
    "Bottleneck",
    "Footprint",
    "InferenceFit",
    "InferenceWorkload",
    "ModelSpec",
    "Pool",
    "Precision",
    "TrainingFit",
    "TrainingWorkload",
    "bytes_per_value",
    "combine_footprints",
    "cost_per_million_tokens",
    "decode_seconds_per_token",
    "effective_peak_tflops",
    "emissions_kg",
    "energy_cost",
    "energy_kwh",
    "fit_inference",
    "fit_training",
    "kv_cache_bytes",
    "prefill_seconds",
    "ridge_point",
    "site_footprint",
    "training_days",
    "training_flops",
    "training_memory_bytes",
    "valid_tensor_parallel_sizes",
    "weights_bytes",
]

# ---------------------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------------------

#: Numeric precision of stored weights / KV cache / compute.
Precision = Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4"]
#: All accepted precisions, in the order of ``Precision`` (usable as Django ``choices``).
PRECISIONS: Final[tuple[Precision, ...]] = get_args(Precision)

#: Why a workload does not fit a pool (``None`` on a fit result means it fits).
Bottleneck = Literal["memory", "bandwidth", "compute", "site_power", "count"]

# ---------------------------------------------------------------------------------------------------------
# Constants (each with its source)
# ---------------------------------------------------------------------------------------------------------

# Bytes per stored value. fp32/fp16: IEEE 754-2008 binary32/binary16; bf16: Google bfloat16 (16 bits);
# fp8: E4M3/E5M2 formats, Micikevicius et al. 2022 "FP8 Formats for Deep Learning" (arXiv:2209.05433);
# int8: 8-bit integer; int4: two 4-bit values packed per byte (GPTQ arXiv:2210.17323, AWQ arXiv:2306.00978).
# Quantization scales/zero-points (typically < 1-3% extra) are not counted.
BYTES_PER_VALUE: Final[Mapping[Precision, float]] = MappingProxyType(
    {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
)

# Precisions whose compute uses the accelerator's FP8/INT8 tensor-core rate when it has one (project rule:
# W8A8 / FP8 kernels; int4 weight-only kernels actually compute in 16 bit, so this is optimistic for int4).
LOW_PRECISION_COMPUTE: Final[frozenset[Precision]] = frozenset({"fp8", "int8", "int4"})

# Keys and values: a KV cache stores two tensors (K and V) per layer (Vaswani et al. 2017; README reference
# formula "KV cache bytes = 2 * layers * kv_heads * head_dim * bytes * tokens * batch").
KV_TENSORS_PER_LAYER: Final[int] = 2

# Mixed-precision Adam holds 16 bytes per parameter: 2 (fp16/bf16 weights) + 2 (fp16/bf16 gradients)
# + 12 (fp32 master weights, momentum, variance). Rajbhandari et al. 2020, ZeRO (arXiv:1910.02054) sec. 3.1.
WEIGHT_BYTES_PER_PARAM_MIXED: Final[float] = 2.0  # ZeRO sec. 3.1 ("2 Psi" bytes of fp16 parameters)
GRADIENT_BYTES_PER_PARAM_MIXED: Final[float] = 2.0  # ZeRO sec. 3.1 ("2 Psi" bytes of fp16 gradients)
OPTIMIZER_BYTES_PER_PARAM_ADAM: Final[float] = 12.0  # ZeRO sec. 3.1 (K = 12: fp32 params, momentum, variance)
TRAINING_BYTES_PER_PARAM: Final[float] = (
    WEIGHT_BYTES_PER_PARAM_MIXED + GRADIENT_BYTES_PER_PARAM_MIXED + OPTIMIZER_BYTES_PER_PARAM_ADAM
)  # = 16, ZeRO sec. 3.1

# Valid ZeRO stages: 0 = plain data parallel, 1 = optimizer states, 2 = + gradients, 3 = + parameters
# partitioned (ZeRO arXiv:1910.02054 sec. 5, "Pos", "Pos+g", "Pos+g+p").
ZERO_STAGES: Final[tuple[int, ...]] = (0, 1, 2, 3)

# FLOPs per parameter per token. Forward pass 2 (one multiply-add per weight), backward 4, training 6:
# Kaplan et al. 2020 "Scaling Laws for Neural Language Models" (arXiv:2001.08361) sec. 2.1; used for the
# 3.8e25 FLOP figure of "The Llama 3 Herd of Models" (arXiv:2407.21783) sec. 1.
FORWARD_FLOPS_PER_PARAM_PER_TOKEN: Final[float] = 2.0
TRAINING_FLOPS_PER_PARAM_PER_TOKEN: Final[float] = 6.0

# Unit conversions (SI definitions).
BYTES_PER_GB: Final[float] = 1e9  # SI giga; vendors quote HBM bandwidth in decimal GB/s
FLOPS_PER_TFLOP: Final[float] = 1e12  # SI tera
WATTS_PER_KW: Final[float] = 1000.0  # SI kilo
GRAMS_PER_KG: Final[float] = 1000.0  # SI kilo
KG_PER_TONNE: Final[float] = 1000.0  # SI tonne
SECONDS_PER_HOUR: Final[float] = 3600.0  # SI
SECONDS_PER_DAY: Final[float] = 86400.0  # SI
TOKENS_PER_MILLION: Final[float] = 1e6  # definition of "per million tokens" pricing

# Hours in an average month: 8760 h per 365-day year / 12 = 730 (the convention of cloud price sheets).
HOURS_PER_MONTH: Final[float] = 730.0

# Fraction of GPU memory a serving engine lets itself use (weights + KV cache + activations); the rest is
# headroom. vLLM EngineArgs/CacheConfig default gpu_memory_utilization = 0.9 (docs.vllm.ai, Engine Arguments).
SERVING_MEMORY_UTILIZATION: Final[float] = 0.9

# Same 10% reserve applied to training (CUDA context, NCCL buffers, allocator fragmentation). ASSUMPTION:
# no single published figure; we reuse vLLM's default so serving and training are judged alike.
TRAINING_MEMORY_UTILIZATION: Final[float] = SERVING_MEMORY_UTILIZATION

# Server overhead: whole-server power / accelerators' TDP. NVIDIA DGX H100 datasheet: system power
# "~10.2 kW max" for 8 x H100 SXM at 700 W TDP each (H100 datasheet) -> 10200 / 5600 = 1.821...
# (CPUs, DRAM, NICs, NVSwitches, fans, PSU losses). Used when a server has no measured or rated power.
DGX_H100_SYSTEM_POWER_W: Final[float] = 10200.0  # NVIDIA DGX H100 datasheet
DGX_H100_GPU_COUNT: Final[int] = 8  # NVIDIA DGX H100 datasheet
H100_SXM_TDP_W: Final[float] = 700.0  # NVIDIA H100 SXM datasheet (max TDP)
DEFAULT_SERVER_OVERHEAD_FACTOR: Final[float] = DGX_H100_SYSTEM_POWER_W / (DGX_H100_GPU_COUNT * H100_SXM_TDP_W)

# Achievable fraction of peak HBM bandwidth during decode ("model bandwidth utilization", MBU).
# ASSUMPTION: 0.7, inside the 60-85% range reported for tuned serving stacks (MBU as defined in
# Databricks/MosaicML "LLM Inference Performance Engineering: Best Practices", 2023). Not a measured constant.
DEFAULT_DECODE_BANDWIDTH_EFFICIENCY: Final[float] = 0.7

# Model FLOPs utilization of compute-bound serving work (prefill; the compute side of decode).
# ASSUMPTION: 0.5, in line with large-GEMM training MFU (PaLM 46.2%, arXiv:2204.02311; Llama 3 405B
# 38-43%, arXiv:2407.21783). Also the default ``mfu`` of ``prefill_seconds``.
DEFAULT_SERVING_MFU: Final[float] = 0.5

# Largest tensor-parallel group per replica: one 8-GPU HGX/DGX baseboard (NVLink/NVSwitch domain, NVIDIA
# DGX H100 datasheet). Tensor parallelism across nodes is impractical (Megatron-LM, Narayanan et al. 2021,
# arXiv:2104.04473, sec. 3.3: "tensor model parallelism ... within a multi-GPU server").
MAX_TENSOR_PARALLEL_PER_REPLICA: Final[int] = 8

# Upper bound of concurrently decoded sequences per replica: vLLM SchedulerConfig default max_num_seqs = 256.
MAX_NUM_SEQS_PER_REPLICA: Final[int] = 256

# Absolute slack when rounding a float quotient up to a whole count, so that float noise such as
# 2.0000000000004 gives 2, not 3 (numerical tolerance, not a physical quantity).
_CEIL_SLACK: Final[float] = 1e-9


# ---------------------------------------------------------------------------------------------------------
# Validation helpers (private)
# ---------------------------------------------------------------------------------------------------------


def _number(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def _non_negative(name: str, value: object) -> float:
    result = _number(name, value)
    if result < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return result


def _positive(name: str, value: object) -> float:
    result = _number(name, value)
    if result <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return result


def _count(name: str, value: object, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (ints and integral floats/Decimals are accepted)."""
    result = _number(name, value)
    if not result.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(result)


def _unit_fraction(name: str, value: object) -> float:
    """A fraction in (0, 1] (MFU, bandwidth efficiency, memory utilization)."""
    result = _number(name, value)
    if not 0 < result <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return result


def _at_least_one(name: str, value: object) -> float:
    """A ratio >= 1 (PUE, server overhead factor)."""
    result = _number(name, value)
    if result < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return result


def _precision(value: object, name: str = "precision") -> Precision:
    if value not in BYTES_PER_VALUE:
        raise ValueError(f"{name} must be one of {', '.join(PRECISIONS)}, got {value!r}")
    return value  # type: ignore[return-value]


def _name(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _ceil_count(quotient: float) -> int:
    """Round a non-negative quotient up to a whole count, ignoring float noise (see _CEIL_SLACK)."""
    return max(0, math.ceil(quotient - _CEIL_SLACK))


# ---------------------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------------------


def bytes_per_value(precision: Precision) -> float:
    """Bytes needed to store one value at ``precision``.

    fp32 4, bf16 2, fp16 2, fp8 1, int8 1, int4 0.5 (two values packed per byte).
    Sources: IEEE 754 (fp32, fp16), bfloat16, FP8 Formats for Deep Learning (arXiv:2209.05433), GPTQ/AWQ
    int4 packing. Quantization scales are not counted.
    """
    return BYTES_PER_VALUE[_precision(precision)]


def weights_bytes(params: float, precision: Precision) -> float:
    """Memory of a model's weights: ``params * bytes_per_value(precision)`` bytes.

    Source: HF transformers docs, "Optimizing LLMs for speed and memory": "Llama-2-70b requires
    2 * 70 = 140 GB VRAM" in bf16 (reference vector W1). For MoE models pass the total (not active) params.
    """
    return _non_negative("params", params) * bytes_per_value(precision)


def kv_cache_bytes(layers: int, kv_heads: int, head_dim: int, seq_len: int, batch: int, precision: Precision) -> float:
    """Memory of the KV cache: ``2 * layers * kv_heads * head_dim * bytes_per_value * seq_len * batch``.

    The 2 is K and V. Under grouped-query / multi-query attention (GQA, Ainslie et al. 2023,
    arXiv:2305.13245; MQA, Shazeer 2019) only the ``kv_heads`` are cached, not the attention heads.
    Source: reference README; vector K1 (Llama-2-70B, GQA-8, 4096 tokens, fp16: 1,342,177,280 bytes).
    """
    return (
        KV_TENSORS_PER_LAYER
        * _count("layers", layers)
        * _count("kv_heads", kv_heads)
        * _count("head_dim", head_dim)
        * bytes_per_value(precision)
        * _count("seq_len", seq_len)
        * _count("batch", batch)
    )


def training_memory_bytes(params: float, zero_stage: int = 0, data_parallel: int = 1) -> float:
    """Per-GPU memory of model states (weights, gradients, Adam states) under mixed precision and ZeRO.

    With P params and data-parallel degree N (ZeRO, arXiv:1910.02054, sec. 3.1 and 5, Figure 1):

    * stage 0 (plain data parallel): 16 P
    * stage 1 (optimizer states partitioned): 4 P + 12 P / N
    * stage 2 (+ gradients partitioned): 2 P + 14 P / N
    * stage 3 (+ parameters partitioned): 16 P / N

    Activations, temporary buffers and fragmentation are NOT included: they depend on micro-batch size,
    sequence length and activation checkpointing and come on top of this figure.
    """
    p = _non_negative("params", params)
    if isinstance(zero_stage, bool) or zero_stage not in ZERO_STAGES:
        raise ValueError(f"zero_stage must be one of 0, 1, 2, 3, got {zero_stage!r}")
    n = _count("data_parallel", data_parallel, minimum=1)
    w, g, o = WEIGHT_BYTES_PER_PARAM_MIXED, GRADIENT_BYTES_PER_PARAM_MIXED, OPTIMIZER_BYTES_PER_PARAM_ADAM
    if zero_stage == 0:
        return (w + g + o) * p
    if zero_stage == 1:
        return (w + g) * p + o * p / n
    if zero_stage == 2:
        return w * p + (g + o) * p / n
    return (w + g + o) * p / n


# ---------------------------------------------------------------------------------------------------------
# Compute and time
# ---------------------------------------------------------------------------------------------------------


def training_flops(params: float, tokens: float) -> float:
    """Training compute ``C = 6 * P * D`` FLOPs (forward 2PD + backward 4PD).

    Source: Kaplan et al. 2020 (arXiv:2001.08361) sec. 2.1; Llama 3 405B on 15.6T tokens = 3.8e25 FLOPs
    (arXiv:2407.21783, vector F1). For MoE models pass the active params.
    """
    return TRAINING_FLOPS_PER_PARAM_PER_TOKEN * _non_negative("params", params) * _non_negative("tokens", tokens)


def training_days(params: float, tokens: float, gpus: int, peak_tflops: float, mfu: float) -> float:
    """Wall-clock training days: ``6 P D / (gpus * peak_tflops * 1e12 * mfu) / 86400``.

    Source: reference README ("Time = C / (GPUs * peak FLOP/s * MFU)"); MFU as defined by PaLM
    (Chowdhery et al. 2022, arXiv:2204.02311, sec. 4.1: observed 46.2%). Ignores restarts and failures.
    """
    flops = training_flops(params, tokens)
    n = _count("gpus", gpus, minimum=1)
    peak = _positive("peak_tflops", peak_tflops)
    u = _unit_fraction("mfu", mfu)
    return flops / (n * peak * FLOPS_PER_TFLOP * u) / SECONDS_PER_DAY


def decode_seconds_per_token(
    weight_bytes: float,
    kv_bytes: float,
    mem_bandwidth_gbps: float,
    tensor_parallel: int = 1,
    efficiency: float = 1.0,
) -> float:
    """Memory-bound time of one decode step (= time per output token of every sequence in the batch).

    ``(weight_bytes / tp + kv_bytes / tp) / (mem_bandwidth_gbps * 1e9 * efficiency)`` seconds.

    Each step reads every weight once and the whole KV cache of the batch once. Under tensor parallelism
    (Megatron-LM, arXiv:1909.08053) both are sharded across the ``tp`` ranks, which read their shards in
    parallel: weights by splitting the matrices, the KV cache by attention (KV) heads. ``kv_bytes`` is the
    total KV cache held by the TP group (when KV heads are replicated because tp > kv_heads, include the
    replicas). ``mem_bandwidth_gbps`` is per-accelerator HBM bandwidth in GB/s (1e9 bytes/s);
    ``efficiency`` is the achievable fraction of it (MBU). This is a lower bound: interconnect time of the
    TP all-reduces and kernel launch overheads are not modelled. Source: reference README ("Decode step
    time (memory bound) >= (weight bytes / tensor-parallel degree + KV bytes read) / memory bandwidth").
    """
    w = _non_negative("weight_bytes", weight_bytes)
    kv = _non_negative("kv_bytes", kv_bytes)
    bandwidth = _positive("mem_bandwidth_gbps", mem_bandwidth_gbps)
    tp = _count("tensor_parallel", tensor_parallel, minimum=1)
    eff = _unit_fraction("efficiency", efficiency)
    return (w / tp + kv / tp) / (bandwidth * BYTES_PER_GB * eff)


def prefill_seconds(
    params: float, prompt_tokens: int, batch: int, peak_tflops: float, gpus: int = 1, mfu: float = 0.5
) -> float:
    """Compute-bound prefill time: ``2 * P * prompt_tokens * batch / (gpus * peak_tflops * 1e12 * mfu)``.

    A forward pass costs 2 FLOPs per parameter per token (Kaplan et al. 2020, arXiv:2001.08361, sec. 2.1;
    attention's context-dependent FLOPs are neglected, fine for prompts well below ~hidden_size*6 tokens).
    For MoE models pass the active params. Source: reference README ("prefill is compute bound: about
    2 * P * prompt_tokens FLOPs").
    """
    p = _non_negative("params", params)
    tokens = _count("prompt_tokens", prompt_tokens)
    b = _count("batch", batch)
    peak = _positive("peak_tflops", peak_tflops)
    n = _count("gpus", gpus, minimum=1)
    u = _unit_fraction("mfu", mfu)
    return FORWARD_FLOPS_PER_PARAM_PER_TOKEN * p * tokens * b / (n * peak * FLOPS_PER_TFLOP * u)


def ridge_point(peak_tflops: float, mem_bandwidth_gbps: float) -> float:
    """Roofline ridge point in FLOP/byte: ``peak_tflops * 1e12 / (mem_bandwidth_gbps * 1e9)``.

    Kernels with arithmetic intensity below it are memory-bound. Source: Williams, Waterman, Patterson 2009,
    "Roofline" (CACM 52(4)); A10 example 125 TFLOPS / 600 GB/s = 208.3 (baseten.co, vector R1).
    """
    peak = _positive("peak_tflops", peak_tflops)
    bandwidth = _positive("mem_bandwidth_gbps", mem_bandwidth_gbps)
    return peak * FLOPS_PER_TFLOP / (bandwidth * BYTES_PER_GB)


# ---------------------------------------------------------------------------------------------------------
# Energy, cost, carbon
# ---------------------------------------------------------------------------------------------------------


def energy_kwh(devices: int, watts: float, hours: float, pue: float) -> float:
    """Facility energy: ``devices * watts * hours * pue / 1000`` kWh.

    PUE = total facility energy / IT equipment energy (The Green Grid; ISO/IEC 30134-2), so it is >= 1.
    Source: Patterson et al. 2021 (arXiv:2104.10350), GPT-3: 10,000 V100 x 330 W x 14.8 days x PUE 1.10
    = 1,287 MWh (vector E1). For device-hours totals pass ``devices=1, hours=device_hours`` (vector E2).
    """
    n = _count("devices", devices)
    w = _non_negative("watts", watts)
    h = _non_negative("hours", hours)
    p = _at_least_one("pue", pue)
    return n * w * h * p / WATTS_PER_KW


def emissions_kg(kwh: float, g_per_kwh: float) -> float:
    """Operational emissions: ``kwh * g_per_kwh / 1000`` kg CO2e (location-based grid intensity).

    Source: Patterson et al. 2021 (arXiv:2104.10350) Table 4 (GPT-3: 1,287 MWh x 429 g/kWh = 552 tCO2e,
    vector C1). Embodied (manufacturing) emissions are not included.
    """
    return _non_negative("kwh", kwh) * _non_negative("g_per_kwh", g_per_kwh) / GRAMS_PER_KG


def energy_cost(kwh: float, price_per_kwh: float) -> float:
    """Energy bill: ``kwh * price_per_kwh`` (same currency as ``price_per_kwh``; negative prices rejected).

    Source: definition of a per-kWh tariff (e.g. EIA US industrial average 8.06 cents/kWh, 2023).
    """
    return _non_negative("kwh", kwh) * _non_negative("price_per_kwh", price_per_kwh)


@dataclass(frozen=True, slots=True)
class Footprint:
    """Power, energy, cost and carbon of a site (or an organization) over a period (a month by default)."""

    it_power_kw: float  # servers' power at full load: accelerator watts x server overhead factor
    facility_power_kw: float  # it_power_kw x PUE
    energy_kwh_per_month: float  # facility_power_kw x hours
    cost_per_month: float  # energy x price per kWh
    tco2_per_month: float  # energy x grid intensity, tonnes CO2e


def site_footprint(
    accelerator_watts_total: float,
    server_overhead_factor: float,
    pue: float,
    price_per_kwh: float,
    g_per_kwh: float,
    hours: float = HOURS_PER_MONTH,
) -> Footprint:
    """Monthly footprint of a site running its accelerators flat out.

    * ``it_power_kw = accelerator_watts_total * server_overhead_factor / 1000``
      (overhead factor: whole-server / accelerator power; default 10200 / (8 x 700) = 1.82 from DGX H100;
      pass 1.0 with measured whole-server watts);
    * ``facility_power_kw = it_power_kw * pue`` (The Green Grid PUE definition);
    * ``energy = energy_kwh(1, accelerator_watts_total * overhead, hours, pue)``; ``hours`` defaults to 730
      (8760 / 12), so the ``_per_month`` fields hold the total for ``hours`` if another period is given;
    * ``cost = energy_cost(energy, price_per_kwh)``; ``tco2 = emissions_kg(energy, g_per_kwh) / 1000``.

    Full load is an upper bound: real fleets average well below TDP. Source: vector M1 (DGX H100 10.2 kW,
    PUE 1.58, 730 h = 11,765 kWh).
    """
    watts = _non_negative("accelerator_watts_total", accelerator_watts_total)
    overhead = _at_least_one("server_overhead_factor", server_overhead_factor)
    p = _at_least_one("pue", pue)
    _non_negative("price_per_kwh", price_per_kwh)
    _non_negative("g_per_kwh", g_per_kwh)
    h = _non_negative("hours", hours)
    it_w = watts * overhead
    kwh = energy_kwh(1, it_w, h, p)
    return Footprint(
        it_power_kw=it_w / WATTS_PER_KW,
        facility_power_kw=it_w * p / WATTS_PER_KW,
        energy_kwh_per_month=kwh,
        cost_per_month=energy_cost(kwh, price_per_kwh),
        tco2_per_month=emissions_kg(kwh, g_per_kwh) / KG_PER_TONNE,
    )


def combine_footprints(footprints: Iterable[Footprint]) -> Footprint:
    """Organization footprint: the field-by-field sum of its sites' footprints (all fields are additive)."""
    items = list(footprints)
    for index, item in enumerate(items):
        if not isinstance(item, Footprint):
            raise ValueError(f"footprints[{index}] must be a Footprint, got {item!r}")
    return Footprint(
        it_power_kw=math.fsum(f.it_power_kw for f in items),
        facility_power_kw=math.fsum(f.facility_power_kw for f in items),
        energy_kwh_per_month=math.fsum(f.energy_kwh_per_month for f in items),
        cost_per_month=math.fsum(f.cost_per_month for f in items),
        tco2_per_month=math.fsum(f.tco2_per_month for f in items),
    )


def cost_per_million_tokens(
    monthly_cost: float, tokens_per_second_served: float, hours: float = HOURS_PER_MONTH
) -> float:
    """Cost per million tokens: ``monthly_cost / (tokens_per_second_served * 3600 * hours / 1e6)``.

    ``hours`` is the length of the month (730 = 8760 / 12). Assumes the throughput is sustained for the whole
    period; divide by the real utilization if it is not. Source: definition of per-million-token pricing.
    """
    cost = _non_negative("monthly_cost", monthly_cost)
    tps = _positive("tokens_per_second_served", tokens_per_second_served)
    h = _positive("hours", hours)
    return cost / (tps * SECONDS_PER_HOUR * h / TOKENS_PER_MILLION)


# ---------------------------------------------------------------------------------------------------------
# Specs and workloads
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AcceleratorSpec:
    """One accelerator model (a row of ``accelerators.csv``). TFLOPS are dense (no sparsity)."""

    name: str
    memory_gb: float
    mem_bandwidth_gbps: float
    bf16_tflops: float
    fp8_tflops: float | None = None
    tdp_w: float | None = None

    def __post_init__(self) -> None:
        _name("name", self.name)
        _positive("memory_gb", self.memory_gb)
        _positive("mem_bandwidth_gbps", self.mem_bandwidth_gbps)
        _positive("bf16_tflops", self.bf16_tflops)
        if self.fp8_tflops is not None:
            _positive("fp8_tflops", self.fp8_tflops)
        if self.tdp_w is not None:
            _positive("tdp_w", self.tdp_w)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A transformer LLM's configuration (a row of ``llm_models.csv``).

    ``active_params`` is set for mixture-of-experts models (params used per token); ``None`` for dense.
    """

    name: str
    params: float
    active_params: float | None
    layers: int
    hidden_size: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    context_length: int

    def __post_init__(self) -> None:
        _name("name", self.name)
        params = _positive("params", self.params)
        if self.active_params is not None:
            active = _positive("active_params", self.active_params)
            if active > params:
                raise ValueError(f"active_params must be <= params ({self.params!r}), got {self.active_params!r}")
        for field_name in (
            "layers",
            "hidden_size",
            "attention_heads",
            "kv_heads",
            "head_dim",
            "context_length",
        ):
            _count(field_name, getattr(self, field_name), minimum=1)
        if self.attention_heads % self.kv_heads:
            raise ValueError(f"kv_heads must divide attention_heads ({self.attention_heads}), got {self.kv_heads!r}")

    @property
    def compute_params(self) -> float:
        """Parameters that do work per token: ``active_params`` for MoE, else ``params``."""
        return float(self.active_params if self.active_params is not None else self.params)


@dataclass(frozen=True, slots=True)
class Pool:
    """A group of ``count`` identical accelerators at one site.

    ``site_power_capacity_kw`` / ``site_power_draw_kw``: the site's available and currently used IT (critical)
    power; capacity ``None`` means unknown (the power check is skipped). ``server_overhead_factor`` converts
    accelerator TDP into whole-server power (default from DGX H100; use measured/rated server power if known).
    """

    accelerator: AcceleratorSpec
    count: int
    site: str
    site_power_capacity_kw: float | None = None
    site_power_draw_kw: float = 0.0
    server_overhead_factor: float = DEFAULT_SERVER_OVERHEAD_FACTOR

    def __post_init__(self) -> None:
        if not isinstance(self.accelerator, AcceleratorSpec):
            raise ValueError(f"accelerator must be an AcceleratorSpec, got {self.accelerator!r}")
        _count("count", self.count)
        _name("site", self.site)
        if self.site_power_capacity_kw is not None:
            _non_negative("site_power_capacity_kw", self.site_power_capacity_kw)
        _non_negative("site_power_draw_kw", self.site_power_draw_kw)
        _at_least_one("server_overhead_factor", self.server_overhead_factor)


@dataclass(frozen=True, slots=True)
class InferenceWorkload:
    """A serving workload: a steady request rate with a fixed prompt/output length and optional SLOs.

    ``kv_cache_precision`` defaults to the weights' precision when that is 16 bit or more, else bf16 (weight
    quantization leaves the KV cache in the activation dtype; vLLM ``kv_cache_dtype="auto"``).
    """

    model: ModelSpec
    precision: Precision
    requests_per_second: float
    prompt_tokens: int
    output_tokens: int
    ttft_target_s: float | None = None
    tpot_target_s: float | None = None
    kv_cache_precision: Precision | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, ModelSpec):
            raise ValueError(f"model must be a ModelSpec, got {self.model!r}")
        _precision(self.precision)
        _positive("requests_per_second", self.requests_per_second)
        _count("prompt_tokens", self.prompt_tokens, minimum=1)
        _count("output_tokens", self.output_tokens, minimum=1)
        if self.prompt_tokens + self.output_tokens > self.model.context_length:
            raise ValueError(
                f"prompt_tokens + output_tokens ({self.prompt_tokens + self.output_tokens}) must not exceed "
                f"the model's context_length ({self.model.context_length})"
            )
        if self.ttft_target_s is not None:
            _positive("ttft_target_s", self.ttft_target_s)
        if self.tpot_target_s is not None:
            _positive("tpot_target_s", self.tpot_target_s)
        if self.kv_cache_precision is not None:
            _precision(self.kv_cache_precision, "kv_cache_precision")

    @property
    def effective_kv_cache_precision(self) -> Precision:
        """KV cache precision actually used (see class docstring)."""
        if self.kv_cache_precision is not None:
            return self.kv_cache_precision
        return self.precision if BYTES_PER_VALUE[self.precision] >= 2 else "bf16"


@dataclass(frozen=True, slots=True)
class TrainingWorkload:
    """A training / fine-tuning run: ``tokens`` to process before ``deadline_days`` at a given MFU.

    Memory follows mixed-precision Adam (16 B/param, ZeRO); ``precision`` only selects the peak TFLOPS
    (fp8 uses the FP8 rate). int8/int4 training is not modelled and rejected.
    """

    model: ModelSpec
    precision: Precision
    tokens: float
    deadline_days: float
    mfu: float
    zero_stage: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.model, ModelSpec):
            raise ValueError(f"model must be a ModelSpec, got {self.model!r}")
        _precision(self.precision)
        if self.precision in ("int8", "int4"):
            raise ValueError(f"precision must be fp32, bf16, fp16 or fp8 for training, got {self.precision!r}")
        _positive("tokens", self.tokens)
        _positive("deadline_days", self.deadline_days)
        _unit_fraction("mfu", self.mfu)
        if isinstance(self.zero_stage, bool) or self.zero_stage not in ZERO_STAGES:
            raise ValueError(f"zero_stage must be one of 0, 1, 2, 3, got {self.zero_stage!r}")


@dataclass(frozen=True, slots=True)
class InferenceFit:
    """Result of ``fit_inference``. ``None`` fields could not be determined (see ``reasons``)."""

    fits: bool
    bottleneck: Bottleneck | None
    reasons: tuple[str, ...]
    tensor_parallel: int | None  # GPUs per replica
    concurrency_per_replica: int | None  # sequences decoded together per replica (batch slots)
    replicas: int | None
    gpus_needed: int | None  # replicas x tensor_parallel
    gpus_available: int
    usable_memory_gb_per_gpu: float  # memory_gb x SERVING_MEMORY_UTILIZATION
    weights_gb_per_gpu: float | None
    kv_cache_gb_per_gpu: float | None  # for concurrency_per_replica full-length sequences
    memory_gb_per_gpu: float | None  # weights + KV cache
    ttft_s: float | None  # estimated time to first token (one request's prefill)
    tpot_s: float | None  # estimated time per output token at concurrency_per_replica
    replica_requests_per_second: float | None  # sustainable throughput of one replica
    in_flight_requests: float | None  # Little's law: requests_per_second x (ttft + output_tokens x tpot)
    output_tokens_per_second: float  # demand: requests_per_second x output_tokens
    peak_tflops: float  # compute rate used (bf16 or fp8)
    it_power_kw: float | None  # gpus_needed x tdp_w x server_overhead_factor; None if TDP unknown


@dataclass(frozen=True, slots=True)
class TrainingFit:
    """Result of ``fit_training``."""

    fits: bool
    bottleneck: Bottleneck | None
    reasons: tuple[str, ...]
    memory_gb_per_gpu: float | None  # model states per GPU with data_parallel = pool count (no activations)
    usable_memory_gb_per_gpu: float  # memory_gb x TRAINING_MEMORY_UTILIZATION
    activation_headroom_gb: float | None  # usable - model states: what is left for activations
    training_flops: float
    training_days: float | None  # on the whole pool
    meets_deadline: bool
    gpus_available: int
    gpus_needed: int | None  # fewest GPUs that hold the model states AND meet the deadline
    peak_tflops: float
    it_power_kw: float | None  # gpus_needed x tdp_w x server_overhead_factor; None if unknown


# ---------------------------------------------------------------------------------------------------------
# Fit analysis
# ---------------------------------------------------------------------------------------------------------


def effective_peak_tflops(accelerator: AcceleratorSpec, precision: Precision) -> float:
    """Dense peak TFLOPS used for ``precision``: FP8 rate for fp8/int8/int4 when the accelerator has one,
    else the BF16 rate (project rule; fp32 therefore uses the bf16 rate too, which is optimistic: TF32
    tensor cores run at half the BF16 rate on A100/H100 datasheets). Source: accelerators.csv dense figures.
    """
    _precision(precision)
    if precision in LOW_PRECISION_COMPUTE and accelerator.fp8_tflops is not None:
        return float(accelerator.fp8_tflops)
    return float(accelerator.bf16_tflops)


def valid_tensor_parallel_sizes(
    model: ModelSpec, max_tensor_parallel: int = MAX_TENSOR_PARALLEL_PER_REPLICA
) -> tuple[int, ...]:
    """Tensor-parallel sizes a model can be split into: powers of two up to ``max_tensor_parallel`` that
    divide ``attention_heads`` and either divide ``kv_heads`` (KV heads sharded) or are a multiple of it
    (each KV head replicated on ``tp / kv_heads`` ranks, as vLLM and Megatron do for GQA when tp > kv_heads).

    Source: Megatron-LM attention is split by heads (arXiv:1909.08053 sec. 3); vLLM requires
    ``num_attention_heads % tensor_parallel_size == 0`` and replicates KV heads when tp > num_kv_heads.
    """
    limit = _count("max_tensor_parallel", max_tensor_parallel, minimum=1)
    sizes: list[int] = []
    tp = 1
    while tp <= limit:
        if model.attention_heads % tp == 0 and (model.kv_heads % tp == 0 or tp % model.kv_heads == 0):
            sizes.append(tp)
        tp *= 2
    return tuple(sizes)


@dataclass(frozen=True, slots=True)
class _ReplicaPlan:
    """One tensor-parallel size evaluated for a workload (private)."""

    tp: int
    weights_per_gpu_b: float
    kv_per_sequence_per_gpu_b: float
    batch: int  # 0 when not even one sequence fits
    ttft_s: float
    tpot_s: float  # at ``batch`` (at 1 when batch == 0)
    failure: Bottleneck | None = None
    failure_reason: str = ""
    rate_rps: float | None = None
    replicas: int | None = None
    in_flight: float | None = None

    @property
    def gpus(self) -> int | None:
        return None if self.replicas is None else self.replicas * self.tp


def _largest_batch_within(step_s: Callable[[int], float], upper: int, target_s: float) -> int:
    """Largest b in [1, upper] with step_s(b) <= target_s (step_s is non-decreasing), or 0."""
    if upper < 1 or step_s(1) > target_s:
        return 0
    low, high = 1, upper
    while low < high:
        mid = (low + high + 1) // 2
        if step_s(mid) <= target_s:
            low = mid
        else:
            high = mid - 1
    return low


def _plan_replica(
    workload: InferenceWorkload,
    accelerator: AcceleratorSpec,
    tp: int,
    *,
    usable_b: float,
    peak_tflops: float,
    decode_efficiency: float,
    mfu: float,
    max_num_seqs: int,
) -> _ReplicaPlan:
    model = workload.model
    total_weights_b = weights_bytes(model.params, workload.precision)
    sequence_tokens = workload.prompt_tokens + workload.output_tokens
    kv_sequence_b = kv_cache_bytes(
        model.layers,
        model.kv_heads,
        model.head_dim,
        sequence_tokens,
        1,
        workload.effective_kv_cache_precision,
    )
    kv_shards = min(tp, model.kv_heads)  # tp > kv_heads: KV heads replicated, each rank holds one head
    kv_per_seq_gpu_b = kv_sequence_b / kv_shards
    weights_gpu_b = total_weights_b / tp
    active = model.compute_params

    def step_s(batch: int) -> float:
        # Roofline of one decode step: max(memory time, compute time). kv_bytes passed to
        # decode_seconds_per_token is the TP group's total (incl. replicas) so that kv_bytes / tp is per GPU.
        memory_s = decode_seconds_per_token(
            total_weights_b,
            batch * kv_per_seq_gpu_b * tp,
            accelerator.mem_bandwidth_gbps,
            tp,
            decode_efficiency,
        )
        compute_s = prefill_seconds(active, 1, batch, peak_tflops, gpus=tp, mfu=mfu)
        return max(memory_s, compute_s)

    # TTFT: prefill is compute-bound, but can never beat one read of the weights and the prompt's KV.
    prompt_kv_b = kv_sequence_b * workload.prompt_tokens / sequence_tokens
    ttft_s = max(
        prefill_seconds(active, workload.prompt_tokens, 1, peak_tflops, gpus=tp, mfu=mfu),
        decode_seconds_per_token(
            total_weights_b,
            prompt_kv_b * tp / kv_shards,
            accelerator.mem_bandwidth_gbps,
            tp,
            decode_efficiency,
        ),
    )

    def plan(**outcome: object) -> _ReplicaPlan:
        return _ReplicaPlan(
            tp=tp,
            weights_per_gpu_b=weights_gpu_b,
            kv_per_sequence_per_gpu_b=kv_per_seq_gpu_b,
            ttft_s=ttft_s,
            **outcome,  # type: ignore[arg-type]
        )

    free_b = usable_b - weights_gpu_b
    batch_memory = math.floor(free_b / kv_per_seq_gpu_b) if free_b > 0 else 0
    gb = BYTES_PER_GB
    if batch_memory < 1:
        return plan(
            batch=0,
            tpot_s=step_s(1),
            failure="memory",
            failure_reason=(
                f"TP={tp}: weights {weights_gpu_b / gb:.1f} GB + KV cache of one {sequence_tokens}-token "
                f"sequence {kv_per_seq_gpu_b / gb:.2f} GB per GPU exceed the {usable_b / gb:.1f} GB usable"
            ),
        )
    batch = min(batch_memory, max_num_seqs)
    if workload.ttft_target_s is not None and ttft_s > workload.ttft_target_s:
        return plan(
            batch=batch,
            tpot_s=step_s(batch),
            failure="compute",
            failure_reason=(
                f"TP={tp}: estimated TTFT {ttft_s:.3f} s exceeds the {workload.ttft_target_s} s target "
                f"(prefill is compute-bound at {peak_tflops:g} TFLOPS x {tp} GPUs x MFU {mfu})"
            ),
        )
    if workload.tpot_target_s is not None:
        batch = _largest_batch_within(step_s, batch, workload.tpot_target_s)
        if batch < 1:
            single = step_s(1)
            memory_single = decode_seconds_per_token(
                total_weights_b, kv_per_seq_gpu_b * tp, accelerator.mem_bandwidth_gbps, tp, decode_efficiency
            )
            kind: Bottleneck = "bandwidth" if memory_single >= single else "compute"
            return plan(
                batch=0,
                tpot_s=single,
                failure=kind,
                failure_reason=(
                    f"TP={tp}: estimated TPOT {single * 1000:.1f} ms even for one sequence exceeds the "
                    f"{workload.tpot_target_s * 1000:.1f} ms target (decode reads "
                    f"{weights_gpu_b / gb:.1f} GB per GPU per token at "
                    f"{accelerator.mem_bandwidth_gbps:g} GB/s x {decode_efficiency} efficiency)"
                ),
            )
    tpot_s = step_s(batch)
    latency_s = ttft_s + workload.output_tokens * tpot_s
    # Time budget of one replica: each request costs ttft_s of exclusive prefill plus output_tokens decode
    # steps shared by `batch` sequences -> sustainable rate = batch / (batch * ttft + output_tokens * tpot).
    rate_rps = batch / (batch * ttft_s + workload.output_tokens * tpot_s)
    rps = float(workload.requests_per_second)
    in_flight = rps * latency_s  # Little's law: L = lambda * W
    replicas = max(1, _ceil_count(rps / rate_rps), _ceil_count(in_flight / batch))
    return plan(batch=batch, tpot_s=tpot_s, rate_rps=rate_rps, replicas=replicas, in_flight=in_flight)


def _it_power_kw(pool: Pool, gpus: int | None) -> float | None:
    """Whole-server IT power of ``gpus`` accelerators at TDP: gpus x tdp_w x overhead / 1000 (kW)."""
    if gpus is None or pool.accelerator.tdp_w is None:
        return None
    return gpus * float(pool.accelerator.tdp_w) * float(pool.server_overhead_factor) / WATTS_PER_KW


def _site_power_reason(pool: Pool, it_power_kw: float | None, what: str) -> tuple[bool, str]:
    """(ok, reason) of adding ``it_power_kw`` to the site's draw; unknown data counts as ok, and says so."""
    if pool.accelerator.tdp_w is None:
        return True, f"Site power not checked: {pool.accelerator.name} has no published TDP."
    if pool.site_power_capacity_kw is None:
        return True, f"Site power not checked: {pool.site} has no recorded power capacity."
    if it_power_kw is None:
        return True, "Site power not checked: the number of GPUs needed is unknown."
    headroom = float(pool.site_power_capacity_kw) - float(pool.site_power_draw_kw)
    if it_power_kw > headroom:
        return False, (
            f"{what} adds {it_power_kw:.1f} kW of IT load at TDP but {pool.site} has only {headroom:.1f} kW "
            f"headroom ({pool.site_power_capacity_kw:g} kW capacity - {pool.site_power_draw_kw:g} kW draw)."
        )
    return True, f"{what} adds {it_power_kw:.1f} kW of IT load; {pool.site} has {headroom:.1f} kW headroom."


def fit_inference(
    workload: InferenceWorkload,
    pool: Pool,
    *,
    decode_efficiency: float = DEFAULT_DECODE_BANDWIDTH_EFFICIENCY,
    mfu: float = DEFAULT_SERVING_MFU,
    max_tensor_parallel: int = MAX_TENSOR_PARALLEL_PER_REPLICA,
    max_num_seqs: int = MAX_NUM_SEQS_PER_REPLICA,
) -> InferenceFit:
    """Can ``pool`` serve ``workload``? How many GPUs, at what latency, and what stops it if not.

    For every valid tensor-parallel size tp (``valid_tensor_parallel_sizes``, at most 8 = one NVLink node):

    1. Memory: per GPU ``weights/tp + batch * kv_seq / min(tp, kv_heads) <= memory_gb * 1e9 * 0.9``
       (vLLM gpu_memory_utilization); kv_seq = KV of one prompt + output sequence (reserved in full).
       The largest such batch, capped at 256 (vLLM max_num_seqs), is the replica's concurrency.
    2. Latency: ``TTFT = max(prefill_seconds(active, prompt, 1, peak, tp, mfu), weight-read time)``;
       ``TPOT(b) = max(decode_seconds_per_token(weights, b*kv, bw, tp, eff), 2*active*b/(tp*peak*mfu))``
       (roofline). A TPOT target lowers the batch until met; if one sequence misses it the cause is
       "bandwidth" (or "compute" when the step is compute-bound); a missed TTFT target is "compute".
    3. Throughput: a replica sustains ``mu = b / (b*TTFT + output_tokens*TPOT)`` requests/s (prefill takes the
       replica, decode steps serve b sequences). Little's law gives the requests in flight
       ``L = rps * (TTFT + output_tokens * TPOT)``; ``replicas = ceil(max(rps / mu, L / b))``.

    The tp with the fewest GPUs (replicas x tp) wins, ties to the smaller tp. The choice does not depend on
    the pool size, so adding GPUs never turns a fit into a non-fit. The pool must then hold ``gpus_needed``
    ("count") and the site must have power headroom for them at TDP x server overhead ("site_power").
    Queueing delay, TP communication and prefill/decode interference are not modelled: estimates are
    optimistic-to-fair for a well-tuned engine at full load.
    """
    if not isinstance(workload, InferenceWorkload):
        raise ValueError(f"workload must be an InferenceWorkload, got {workload!r}")
    if not isinstance(pool, Pool):
        raise ValueError(f"pool must be a Pool, got {pool!r}")
    decode_efficiency = _unit_fraction("decode_efficiency", decode_efficiency)
    mfu = _unit_fraction("mfu", mfu)
    max_num_seqs = _count("max_num_seqs", max_num_seqs, minimum=1)
    accelerator = pool.accelerator
    model = workload.model
    peak = effective_peak_tflops(accelerator, workload.precision)
    usable_b = float(accelerator.memory_gb) * BYTES_PER_GB * SERVING_MEMORY_UTILIZATION
    gb = BYTES_PER_GB
    demand_tps = float(workload.requests_per_second) * workload.output_tokens

    plans = [
        _plan_replica(
            workload,
            accelerator,
            tp,
            usable_b=usable_b,
            peak_tflops=peak,
            decode_efficiency=decode_efficiency,
            mfu=mfu,
            max_num_seqs=max_num_seqs,
        )
        for tp in valid_tensor_parallel_sizes(model, max_tensor_parallel)
    ]
    feasible = [p for p in plans if p.failure is None]
    reasons: list[str] = []

    if feasible:
        chosen = min(feasible, key=lambda p: (p.gpus, p.tp))
        bottleneck: Bottleneck | None = None
    else:
        memory_ok = [p for p in plans if p.failure != "memory"]
        chosen = memory_ok[-1] if memory_ok else plans[-1]  # best latency / least memory per GPU
        bottleneck = chosen.failure
        reasons.extend(p.failure_reason + "." for p in plans if p.failure == "memory" and p is not chosen)
        reasons.append(chosen.failure_reason + ".")
        if not memory_ok:
            reasons.append(
                f"{model.name} at {workload.precision} does not fit a {plans[-1].tp}-GPU tensor-parallel "
                f"group of {accelerator.name}: it needs a larger-memory accelerator, a lower precision, "
                "or pipeline parallelism across nodes (not modelled)."
            )

    weights_gpu_gb = chosen.weights_per_gpu_b / gb
    kv_gpu_gb = chosen.kv_per_sequence_per_gpu_b * max(chosen.batch, 1) / gb
    gpus_needed = chosen.gpus
    it_power = _it_power_kw(pool, gpus_needed)

    if bottleneck is None:
        reasons.append(
            f"TP={chosen.tp}: weights {weights_gpu_gb:.1f} GB + KV cache {kv_gpu_gb:.1f} GB for "
            f"{chosen.batch} concurrent sequences per GPU, of {usable_b / gb:.1f} GB usable "
            f"({accelerator.memory_gb:g} GB x {SERVING_MEMORY_UTILIZATION})."
        )
        reasons.append(
            f"Estimated TTFT {chosen.ttft_s:.3f} s, TPOT {chosen.tpot_s * 1000:.1f} ms; one replica sustains "
            f"{chosen.rate_rps:.2f} req/s; {chosen.in_flight:.1f} requests in flight (Little's law)."
        )
        reasons.append(
            f"Needs {chosen.replicas} replica(s) x TP {chosen.tp} = {gpus_needed} x {accelerator.name}; "
            f"the pool has {pool.count}."
        )
        if gpus_needed is not None and gpus_needed > pool.count:
            bottleneck = "count"
        power_ok, power_reason = _site_power_reason(pool, it_power, f"Serving on {gpus_needed} GPUs")
        reasons.append(power_reason)
        if not power_ok and bottleneck is None:
            bottleneck = "site_power"

    return InferenceFit(
        fits=bottleneck is None,
        bottleneck=bottleneck,
        reasons=tuple(reasons),
        tensor_parallel=chosen.tp,
        concurrency_per_replica=chosen.batch if chosen.batch > 0 else None,
        replicas=chosen.replicas,
        gpus_needed=gpus_needed,
        gpus_available=pool.count,
        usable_memory_gb_per_gpu=usable_b / gb,
        weights_gb_per_gpu=weights_gpu_gb,
        kv_cache_gb_per_gpu=kv_gpu_gb,
        memory_gb_per_gpu=weights_gpu_gb + kv_gpu_gb,
        ttft_s=chosen.ttft_s,
        tpot_s=chosen.tpot_s,
        replica_requests_per_second=chosen.rate_rps,
        in_flight_requests=chosen.in_flight,
        output_tokens_per_second=demand_tps,
        peak_tflops=peak,
        it_power_kw=it_power,
    )


def _min_gpus_for_memory(params: float, zero_stage: int, usable_b: float) -> int | None:
    """Fewest data-parallel GPUs whose per-GPU model states fit ``usable_b`` (None if no count does)."""
    w, g, o = WEIGHT_BYTES_PER_PARAM_MIXED, GRADIENT_BYTES_PER_PARAM_MIXED, OPTIMIZER_BYTES_PER_PARAM_ADAM
    # (bytes per GPU that do not shrink with N, bytes that are divided by N), as in training_memory_bytes.
    split_b: dict[int, tuple[float, float]] = {
        0: ((w + g + o) * params, 0.0),
        1: ((w + g) * params, o * params),
        2: (w * params, (g + o) * params),
        3: (0.0, (w + g + o) * params),
    }
    fixed_b, sharded_b = split_b[zero_stage]
    if fixed_b > usable_b or (sharded_b > 0 and fixed_b >= usable_b):
        return None
    n = max(1, _ceil_count(sharded_b / (usable_b - fixed_b))) if sharded_b > 0 else 1
    # Align with training_memory_bytes' own float arithmetic.
    while training_memory_bytes(params, zero_stage, n) > usable_b:
        n += 1
    while n > 1 and training_memory_bytes(params, zero_stage, n - 1) <= usable_b:
        n -= 1
    return n


def _min_gpus_for_deadline(workload: TrainingWorkload, peak_tflops: float) -> int:
    """Fewest GPUs with ``training_days(...) <= deadline_days``."""
    active = workload.model.compute_params
    flops = training_flops(active, workload.tokens)
    per_gpu_flop = peak_tflops * FLOPS_PER_TFLOP * workload.mfu * workload.deadline_days * SECONDS_PER_DAY
    n = max(1, _ceil_count(flops / per_gpu_flop))
    while training_days(active, workload.tokens, n, peak_tflops, workload.mfu) > workload.deadline_days:
        n += 1
    while n > 1 and training_days(active, workload.tokens, n - 1, peak_tflops, workload.mfu) <= (
        workload.deadline_days
    ):
        n -= 1
    return n


def fit_training(workload: TrainingWorkload, pool: Pool) -> TrainingFit:
    """Can ``pool`` train ``workload`` within its deadline?

    * Memory per GPU: ``training_memory_bytes(params, zero_stage, data_parallel=pool.count)`` (ZeRO,
      arXiv:1910.02054) must fit ``memory_gb * 1e9 * 0.9``; activations come on top and are reported as the
      remaining ``activation_headroom_gb``, not checked.
    * Time: ``training_days(active_params, tokens, pool.count, peak, mfu)`` (6PD / (N * peak * MFU));
      ``meets_deadline`` when <= ``deadline_days``.
    * ``gpus_needed`` = the fewest GPUs that satisfy both; site power is checked for those GPUs at
      TDP x server overhead (the job can run on a subset), so a larger pool never breaks a fit.

    Bottleneck, first failing of: "count" (empty pool), "memory", "compute" (deadline missed: too little
    compute), "site_power". Pure data parallelism + ZeRO is assumed (no tensor/pipeline parallelism).
    """
    if not isinstance(workload, TrainingWorkload):
        raise ValueError(f"workload must be a TrainingWorkload, got {workload!r}")
    if not isinstance(pool, Pool):
        raise ValueError(f"pool must be a Pool, got {pool!r}")
    model = workload.model
    accelerator = pool.accelerator
    gb = BYTES_PER_GB
    peak = effective_peak_tflops(accelerator, workload.precision)
    usable_b = float(accelerator.memory_gb) * gb * TRAINING_MEMORY_UTILIZATION
    flops = training_flops(model.compute_params, workload.tokens)
    gpus_memory = _min_gpus_for_memory(float(model.params), workload.zero_stage, usable_b)
    gpus_deadline = _min_gpus_for_deadline(workload, peak)
    gpus_needed = None if gpus_memory is None else max(gpus_memory, gpus_deadline)
    it_power = _it_power_kw(pool, gpus_needed)
    reasons: list[str] = []
    bottleneck: Bottleneck | None = None

    if pool.count == 0:
        memory_gb = headroom_gb = days = None
        meets = False
        bottleneck = "count"
        reasons.append(f"The pool at {pool.site} has no {accelerator.name}.")
    else:
        memory_b = training_memory_bytes(model.params, workload.zero_stage, pool.count)
        memory_gb = memory_b / gb
        headroom_gb = (usable_b - memory_b) / gb
        days = training_days(model.compute_params, workload.tokens, pool.count, peak, workload.mfu)
        meets = days <= workload.deadline_days
        stage = f"ZeRO-{workload.zero_stage}" if workload.zero_stage else "plain data parallelism (ZeRO-0)"
        if memory_b > usable_b:
            bottleneck = "memory"
            hint = (
                f"needs at least {gpus_memory} GPUs with {stage}"
                if gpus_memory is not None
                else f"no number of GPUs is enough with {stage}; use a higher ZeRO stage or model parallelism"
            )
            reasons.append(
                f"Model states need {memory_gb:.1f} GB per GPU with {stage} over {pool.count} GPUs, "
                f"more than the {usable_b / gb:.1f} GB usable ({hint})."
            )
        else:
            reasons.append(
                f"Model states need {memory_gb:.1f} GB per GPU with {stage} over {pool.count} GPUs; "
                f"{headroom_gb:.1f} GB of {usable_b / gb:.1f} GB usable is left for activations "
                "(not estimated)."
            )
        reasons.append(
            f"{flops:.3g} FLOPs on {pool.count} x {accelerator.name} at {peak:g} TFLOPS and MFU "
            f"{workload.mfu} take {days:.2f} days (deadline {workload.deadline_days:g}); "
            f"the deadline needs at least {gpus_deadline} GPUs."
        )
        if not meets and bottleneck is None:
            bottleneck = "compute"
        power_ok, power_reason = _site_power_reason(pool, it_power, f"Training on {gpus_needed} GPUs")
        reasons.append(power_reason)
        whole_pool_kw = _it_power_kw(pool, pool.count)
        if gpus_needed is not None and whole_pool_kw is not None and pool.count > gpus_needed:
            reasons.append(f"Running on all {pool.count} GPUs instead adds {whole_pool_kw:.1f} kW and finishes sooner.")
        if not power_ok and bottleneck is None:
            bottleneck = "site_power"

    return TrainingFit(
        fits=bottleneck is None,
        bottleneck=bottleneck,
        reasons=tuple(reasons),
        memory_gb_per_gpu=memory_gb,
        usable_memory_gb_per_gpu=usable_b / gb,
        activation_headroom_gb=headroom_gb,
        training_flops=flops,
        training_days=days,
        meets_deadline=meets,
        gpus_available=pool.count,
        gpus_needed=gpus_needed,
        peak_tflops=peak,
        it_power_kw=it_power,
    )
