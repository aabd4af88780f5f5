"""Memory: bytes of a model's weights, of its KV cache, and of its training model states under ZeRO."""

from .constants import (
    BYTES_PER_VALUE,
    GRADIENT_BYTES_PER_PARAM_MIXED,
    KV_TENSORS_PER_LAYER,
    OPTIMIZER_BYTES_PER_PARAM_ADAM,
    WEIGHT_BYTES_PER_PARAM_MIXED,
    ZERO_STAGES,
    Precision,
)
from .validation import _count, _non_negative, _precision


def bytes_per_value(precision: Precision) -> float:
    """Bytes needed to store one value at ``precision``.

    fp32 4, bf16 2, fp16 2, fp8 1, int8 1, int4 0.5 (two values packed per byte).
    Sources: IEEE 754 (fp32, fp16), bfloat16, FP8 Formats for Deep Learning (arXiv:2209.05433), GPTQ/AWQ
    int4 packing. Quantization scales are not counted.
    """
    return BYTES_PER_VALUE[_precision(precision)]


def default_kv_cache_precision(weight_precision: Precision) -> Precision:
    """KV cache precision when none is given: the weights' precision when that is 16 bit or wider, else bf16.

    Weight-only quantization (int4/int8/fp8 weights) leaves the KV cache in the activation dtype, as vLLM's
    ``kv_cache_dtype="auto"`` does; an fp8 KV cache is a separate choice (``kv_cache_dtype="fp8"``).
    """
    return weight_precision if bytes_per_value(weight_precision) >= 2 else "bf16"


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
