"""Quantized serving questions people ask of GPU calculators, answered from memory alone:

* how much memory do int4/fp8 weights and an fp8 KV cache take (the KV precision is chosen apart from the
  weights' precision)?
* what is the largest context that fits a given set of GPUs, at batch 1 or a given batch?
* how many GPUs, and how many 8-GPU nodes, does a model need at its full context?

Memory model (the same as ``fit_inference``): the model is split evenly over the GPUs (tensor parallelism inside
a node of up to 8 GPUs, pipeline stages across nodes), so weights and KV cache divide by the GPU count, except
that a node's tensor-parallel group larger than the model's KV heads replicates each KV head
``tp / kv_heads`` times (Megatron-LM/vLLM split attention by heads). Each GPU may use ``memory_gb x 0.9``
(vLLM ``gpu_memory_utilization``), where ``size_serving`` passes the accelerator's memory counted for models
(``AcceleratorSpec.model_memory_gb``: a unified memory less what the host keeps). Not counted: activations and
runtime buffers beyond that 10% reserve, quantization scales (1-3%), and whether the head counts divide the GPU
count (``fit_inference`` checks that).
"""

import math
from dataclasses import dataclass

from .constants import BYTES_PER_GB, MAX_TENSOR_PARALLEL_PER_REPLICA, SERVING_MEMORY_UTILIZATION, Precision
from .memory import default_kv_cache_precision, kv_cache_bytes, weights_bytes
from .specs import AcceleratorSpec, ModelSpec
from .validation import _ceil_count, _count, _positive, _precision, _unit_fraction

#: GPUs in one HGX/DGX node (NVIDIA DGX H100 datasheet; AMD MI300X platform: 8 OAM).
GPUS_PER_NODE = 8


@dataclass(frozen=True, slots=True)
class ServingMemory:
    """Bytes of a model's weights and KV cache at given precisions, for ``context_tokens`` x ``batch``."""

    weight_precision: Precision
    kv_cache_precision: Precision
    weights_bytes: float  # params x bytes per value
    kv_bytes_per_token: float  # one token of one sequence, all layers (2 x layers x kv_heads x head_dim x bytes)
    kv_cache_bytes: float  # kv_bytes_per_token x context_tokens x batch (no replication)
    total_bytes: float  # weights + KV cache


@dataclass(frozen=True, slots=True)
class ServingSizing:
    """The answers for one model on ``gpus`` accelerators of one type (see ``size_serving``)."""

    model: str
    accelerator: str
    weight_precision: Precision
    kv_cache_precision: Precision
    batch: int
    gpus: int
    usable_gb: float  # gpus x memory_gb x 0.9
    weights_gb: float
    kv_cache_mb_per_token: float  # per sequence token, all layers
    full_context_tokens: int  # the model's context length
    memory_gb_full_context: float  # weights + KV for batch x full context (no replication)
    largest_context_tokens: int  # on `gpus` GPUs at `batch`, capped at the model's context
    largest_context_tokens_batch1: int  # the same at batch 1
    context_limited_by: str  # "model context", "memory" or "weights do not fit"
    gpus_needed_full_context: int | None  # fewest GPUs holding weights + KV of batch x full context
    nodes_needed_full_context: int | None  # ceil(gpus_needed / gpus_per_node)
    gpus_per_node: int


def serving_memory(
    model: ModelSpec,
    weight_precision: Precision,
    context_tokens: int,
    batch: int = 1,
    kv_cache_precision: Precision | None = None,
) -> ServingMemory:
    """Weights (``params x bytes``) and KV cache (``2 x layers x kv_heads x head_dim x bytes x tokens x batch``)
    with the KV cache at its own precision (default: ``default_kv_cache_precision(weight_precision)``).

    Sources: HF transformers "Optimizing LLMs" (2 bytes per bf16 parameter); KV formula of the reference README
    and vLLM (arXiv:2309.06180 sec. 3: OPT-13B 800 KB per token); an fp8/int8 KV cache halves a 16-bit one
    (Databricks "LLM Inference Performance Engineering", Table 3: Llama-2-70B, 1,024 tokens, 0.312 vs 0.156 GiB).
    """
    if not isinstance(model, ModelSpec):
        raise ValueError(f"model must be a ModelSpec, got {model!r}")
    _precision(weight_precision, "weight_precision")
    kv_precision = default_kv_cache_precision(weight_precision) if kv_cache_precision is None else kv_cache_precision
    _precision(kv_precision, "kv_cache_precision")
    tokens = _count("context_tokens", context_tokens)
    b = _count("batch", batch, minimum=1)
    weights_b = weights_bytes(model.params, weight_precision)
    per_token_b = kv_cache_bytes(model.layers, model.kv_heads, model.head_dim, 1, 1, kv_precision)
    kv_b = per_token_b * tokens * b
    return ServingMemory(weight_precision, kv_precision, weights_b, per_token_b, kv_b, weights_b + kv_b)


def kv_replication(model: ModelSpec, gpus: int) -> float:
    """How many copies of the KV cache ``gpus`` GPUs hold: ``max(1, tp / kv_heads)`` with ``tp = min(gpus, 8)``
    (one node's tensor-parallel group; KV heads are replicated when tp > kv_heads, as in vLLM)."""
    n = _count("gpus", gpus, minimum=1)
    tp = min(n, MAX_TENSOR_PARALLEL_PER_REPLICA)
    return max(1.0, tp / model.kv_heads)


def max_context_tokens(
    model: ModelSpec,
    memory_gb_per_gpu: float,
    gpus: int,
    weight_precision: Precision,
    *,
    kv_cache_precision: Precision | None = None,
    batch: int = 1,
    memory_utilization: float = SERVING_MEMORY_UTILIZATION,
) -> int:
    """Largest context (tokens per sequence) whose weights + KV cache for ``batch`` sequences fit ``gpus`` GPUs:

    ``floor((gpus x memory_gb x 1e9 x utilization - weights) / (batch x kv_bytes_per_token x replication))``,
    capped at the model's ``context_length``; 0 when the weights alone do not fit. Memory only (see module).
    """
    n = _count("gpus", gpus, minimum=1)
    usable_b = n * _positive("memory_gb_per_gpu", memory_gb_per_gpu) * BYTES_PER_GB
    usable_b *= _unit_fraction("memory_utilization", memory_utilization)
    memory = serving_memory(model, weight_precision, 0, batch, kv_cache_precision)
    free_b = usable_b - memory.weights_bytes
    if free_b <= 0:
        return 0
    per_token_b = _count("batch", batch, minimum=1) * memory.kv_bytes_per_token * kv_replication(model, n)
    return min(model.context_length, math.floor(free_b / per_token_b))


def gpus_needed_for_memory(
    model: ModelSpec,
    memory_gb_per_gpu: float,
    weight_precision: Precision,
    *,
    context_tokens: int | None = None,
    batch: int = 1,
    kv_cache_precision: Precision | None = None,
    memory_utilization: float = SERVING_MEMORY_UTILIZATION,
    max_gpus: int = 100_000,
) -> int | None:
    """Fewest GPUs whose usable memory holds the weights and the KV cache of ``batch`` sequences of
    ``context_tokens`` (default: the model's full context), replication included; None beyond ``max_gpus``.

    Databricks (Table 1): Llama-2-70B in fp16 needs 4 x A100-40GB, "doesn't fit" 2; in 8 bit 2 suffice.
    """
    tokens = model.context_length if context_tokens is None else _count("context_tokens", context_tokens)
    usable_per_gpu_b = _positive("memory_gb_per_gpu", memory_gb_per_gpu) * BYTES_PER_GB
    usable_per_gpu_b *= _unit_fraction("memory_utilization", memory_utilization)
    memory = serving_memory(model, weight_precision, tokens, batch, kv_cache_precision)
    limit = _count("max_gpus", max_gpus, minimum=1)
    n = max(1, _ceil_count(memory.total_bytes / usable_per_gpu_b))
    while n <= limit:
        needed_b = memory.weights_bytes + memory.kv_cache_bytes * kv_replication(model, n)
        if needed_b <= n * usable_per_gpu_b:
            return n
        n += 1
    return None


def nodes_needed(
    model: ModelSpec,
    memory_gb_per_gpu: float,
    weight_precision: Precision,
    *,
    context_tokens: int | None = None,
    batch: int = 1,
    kv_cache_precision: Precision | None = None,
    gpus_per_node: int = GPUS_PER_NODE,
) -> int | None:
    """``ceil(gpus_needed_for_memory(...) / gpus_per_node)``: 8-GPU nodes a model needs, by default at its full
    context (e.g. Llama-3.1-405B in bf16 at 128k tokens on H100 80 GB). None when no GPU count is enough."""
    per_node = _count("gpus_per_node", gpus_per_node, minimum=1)
    gpus = gpus_needed_for_memory(
        model,
        memory_gb_per_gpu,
        weight_precision,
        context_tokens=context_tokens,
        batch=batch,
        kv_cache_precision=kv_cache_precision,
    )
    return None if gpus is None else _ceil_count(gpus / per_node)


def size_serving(
    model: ModelSpec,
    accelerator: AcceleratorSpec,
    gpus: int,
    weight_precision: Precision,
    *,
    kv_cache_precision: Precision | None = None,
    batch: int = 1,
    gpus_per_node: int = GPUS_PER_NODE,
) -> ServingSizing:
    """All the answers for ``model`` on ``gpus`` x ``accelerator`` (memory only; see the module docstring)."""
    if not isinstance(accelerator, AcceleratorSpec):
        raise ValueError(f"accelerator must be an AcceleratorSpec, got {accelerator!r}")
    n = _count("gpus", gpus, minimum=1)
    b = _count("batch", batch, minimum=1)
    per_node = _count("gpus_per_node", gpus_per_node, minimum=1)
    full = serving_memory(model, weight_precision, model.context_length, b, kv_cache_precision)
    kv_precision = full.kv_cache_precision
    mem = accelerator.model_memory_gb  # less what the host keeps of a unified memory (GB10: 112 of 128 GB)
    largest = max_context_tokens(model, mem, n, weight_precision, kv_cache_precision=kv_precision, batch=b)
    largest_1 = max_context_tokens(model, mem, n, weight_precision, kv_cache_precision=kv_precision, batch=1)
    usable_gb = n * mem * SERVING_MEMORY_UTILIZATION
    if full.weights_bytes >= usable_gb * BYTES_PER_GB:
        limited_by = "weights do not fit"
    elif largest >= model.context_length:
        limited_by = "model context"
    else:
        limited_by = "memory"
    gpus_full = gpus_needed_for_memory(model, mem, weight_precision, batch=b, kv_cache_precision=kv_precision)
    return ServingSizing(
        model=model.name,
        accelerator=accelerator.name,
        weight_precision=weight_precision,
        kv_cache_precision=kv_precision,
        batch=b,
        gpus=n,
        usable_gb=usable_gb,
        weights_gb=full.weights_bytes / BYTES_PER_GB,
        kv_cache_mb_per_token=full.kv_bytes_per_token / 1e6,
        full_context_tokens=model.context_length,
        memory_gb_full_context=full.total_bytes / BYTES_PER_GB,
        largest_context_tokens=largest,
        largest_context_tokens_batch1=largest_1,
        context_limited_by=limited_by,
        gpus_needed_full_context=gpus_full,
        nodes_needed_full_context=None if gpus_full is None else _ceil_count(gpus_full / per_node),
        gpus_per_node=per_node,
    )
