"""Types and constants of the capacity model, each constant with its source (a comment beside it)."""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal, get_args

# ---------------------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------------------

#: Numeric precision of stored weights / KV cache / compute.
Precision = Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4"]
#: All accepted precisions, in the order of ``Precision`` (usable as Django ``choices``).
PRECISIONS: Final[tuple[Precision, ...]] = get_args(Precision)

#: Why a workload does not fit a pool (``None`` on a fit result means it fits).
Bottleneck = Literal["memory", "bandwidth", "compute", "site_power", "count"]
#: What people read for each bottleneck (the id stays in the API).
BOTTLENECK_LABELS: Final[dict[str, str]] = {
    "memory": "accelerator memory",
    "bandwidth": "memory bandwidth",
    "compute": "compute",
    "site_power": "site power",
    "count": "too few accelerators",
}

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

# Precisions stored in 8 bits or fewer (fp8, int8, int4). Kept for compatibility; the compute rate of each
# precision is chosen by ``fitting.compute_rate`` (COMPUTE_RATE_OF below), not by this set.
LOW_PRECISION_COMPUTE: Final[frozenset[Precision]] = frozenset({"fp8", "int8", "int4"})

#: Which datasheet rate (an ``AcceleratorSpec`` field) a precision computes at. Sources: the vendors' tensor-core
#: tables (NVIDIA A100/H100/L40S datasheets list FP16, BF16, FP8 and INT8 rows; AMD Instinct datasheets list
#: FP16, BF16, FP8, INT8). fp32 matmuls run as TF32/FP32, which the catalog does not carry: the 16-bit rate is
#: used and the verdict says so (optimistic by 2x on A100/H100, whose dense TF32 is half of BF16). int4 weights
#: are dequantized to 16 bit by the serving kernels (GPTQ arXiv:2210.17323, AWQ arXiv:2306.00978, Marlin
#: W4A16), so int4 computes at the 16-bit rate.
COMPUTE_RATE_OF: Final[Mapping[Precision, str]] = MappingProxyType(
    {"fp32": "bf16", "bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int8": "int8", "int4": "bf16"}
)

#: Documented fallbacks when an accelerator has no figure for the precision's own rate, tried in order. Each
#: one is named in the verdict (``ComputeRate.note``); with none available the fit refuses (no silent choice).
#: * bf16 <-> fp16: same tensor-core rate on every part that has both (A100, H100, L40S, MI300X datasheets);
#:   a part without BF16 (T4, Turing) runs bf16 checkpoints in fp16, as vLLM does (``--dtype half``; bf16 needs
#:   compute capability 8.0).
#: * fp8 / int8 without their own units (A100 has no FP8; some parts publish no INT8): weight-only 8-bit
#:   kernels dequantize to 16 bit (vLLM FP8 Marlin on Ampere), so the 16-bit rate applies.
RATE_FALLBACKS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {"bf16": ("fp16",), "fp16": ("bf16",), "fp8": ("bf16", "fp16"), "int8": ("bf16", "fp16")}
)

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
# With activation recomputation (checkpointing) the backward pass re-runs the forward: 2 + 2 + 4 = 8 FLOPs per
# parameter per token. Narayanan et al. 2021 (arXiv:2104.04473) sec. 5.1, eq. 4: "training time ~ 8TP/nX";
# Korthikanti et al. 2022 (arXiv:2205.05198) sec. 6 (hardware FLOPs include the recomputation).
RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN: Final[float] = 8.0

# Attention FLOPs per token per layer per context token per attention width: the "2" of Kaplan et al. 2020
# (arXiv:2001.08361) Table 1, "C_forward = 2N + 2 n_layer n_ctx d_attn" (see compute.forward_flops_per_token).
ATTENTION_FLOPS_PER_LAYER_CONTEXT_DIM: Final[float] = 2.0

# Training defaults a workload falls back to when it does not say (documented in docs/capacity.md):
# MFU 0.4: Llama 3 405B reached 38-43% BF16 MFU on 8K-16K H100 (arXiv:2407.21783, Table 4); PaLM 46.2%.
DEFAULT_TRAINING_MFU: Final[float] = 0.4
# Goodput 0.9: Meta kept "more than 90% effective training time" over a 54-day Llama 3 405B snapshot with
# 466 job interruptions (arXiv:2407.21783, sec. 3.3.4). A lower bound for a large, well-run cluster.
DEFAULT_TRAINING_GOODPUT: Final[float] = 0.9

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
