"""Compute and time: training FLOPs and days, memory-bound decode, compute-bound prefill, roofline ridge point."""

from .constants import (
    ATTENTION_FLOPS_PER_LAYER_CONTEXT_DIM,
    BYTES_PER_GB,
    FLOPS_PER_TFLOP,
    FORWARD_FLOPS_PER_PARAM_PER_TOKEN,
    RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    SECONDS_PER_DAY,
    TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
)
from .validation import _count, _non_negative, _positive, _unit_fraction


def training_flops(params: float, tokens: float) -> float:
    """Training compute ``C = 6 * P * D`` FLOPs (forward 2PD + backward 4PD).

    Source: Kaplan et al. 2020 (arXiv:2001.08361) sec. 2.1; Llama 3 405B on 15.6T tokens = 3.8e25 FLOPs
    (arXiv:2407.21783, vector F1). For MoE models pass the active params.
    """
    return TRAINING_FLOPS_PER_PARAM_PER_TOKEN * _non_negative("params", params) * _non_negative("tokens", tokens)


def training_days(
    params: float,
    tokens: float,
    gpus: int,
    peak_tflops: float,
    mfu: float,
    *,
    activation_recompute: bool = False,
    goodput: float = 1.0,
) -> float:
    """Wall-clock training days: ``k P D / (gpus * peak_tflops * 1e12 * mfu * goodput) / 86400``.

    * ``k = 6`` (forward 2PD + backward 4PD, Kaplan et al. 2020, arXiv:2001.08361 sec. 2.1) and ``mfu`` is the
      model FLOPs utilization (PaLM, Chowdhery et al. 2022, arXiv:2204.02311, sec. 4.1 and appendix B: the
      model's 6PD over the hardware's peak; observed 46.2% for PaLM, 38-43% for Llama 3 405B).
    * ``activation_recompute=True``: ``k = 8``, one more forward pass recomputes the checkpointed activations
      during the backward pass, and ``mfu`` is then the *hardware* FLOPs utilization (HFU: every FLOP the
      hardware executes, recomputation included; Korthikanti et al. 2022, arXiv:2205.05198, sec. 6;
      Narayanan et al. 2021, arXiv:2104.04473, eq. 4 "training time = 8TP/nX"). OPT-175B: 300B tokens on
      992 A100 at 147 TFLOP/s per GPU (HFU 147/312) -> 33.3 days (published: ~33 days, metaseq logbook).
    * ``goodput`` is the share of wall-clock time spent training (restarts, failures, checkpoint reloads
      take the rest): 1.0 gives pure compute time. Meta reports more than 90% effective training time for
      Llama 3 405B on 16,384 H100 (arXiv:2407.21783, sec. 3.3.4).
    """
    if not isinstance(activation_recompute, bool):
        raise ValueError(f"activation_recompute must be True or False, got {activation_recompute!r}")
    per_token = (
        RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN if activation_recompute else TRAINING_FLOPS_PER_PARAM_PER_TOKEN
    )
    flops = per_token * _non_negative("params", params) * _non_negative("tokens", tokens)
    n = _count("gpus", gpus, minimum=1)
    peak = _positive("peak_tflops", peak_tflops)
    u = _unit_fraction("mfu", mfu)
    g = _unit_fraction("goodput", goodput)
    return flops / (n * peak * FLOPS_PER_TFLOP * u * g) / SECONDS_PER_DAY


def forward_flops_per_token(params: float, layers: int = 0, context_tokens: int = 0, d_attn: int = 0) -> float:
    """Forward-pass FLOPs of one token: ``2 N + 2 * n_layer * n_ctx * d_attn``.

    Kaplan et al. 2020 (arXiv:2001.08361), Table 1 and sec. 2.1: ``C_forward = 2N + 2 n_layer n_ctx d_attn``,
    where ``d_attn`` is the attention output width (attention heads x head size; query heads, not KV heads,
    under GQA) and ``n_ctx`` the context. The second term is the attention score/value work that grows with
    the context; it equals ``2N`` when ``n_ctx = 12 d_model`` (N = 12 n_layer d_model^2). With the default
    ``layers = context_tokens = d_attn = 0`` this is the context-free ``2N`` of the reference README.

    Causal-mask convention: this project uses Kaplan's table as written, with ``n_ctx`` the **full** context
    (for a prompt, its length) for every token. Counted exactly, a token at position t costs
    ``4 * n_layer * t * d_attn`` of attention (Q.K^T and softmax.V, 2 FLOPs per multiply-add each; Hoffmann et
    al. 2022, arXiv:2203.15556, appendix F counts both); averaged over a causal prompt (mean t = n_ctx / 2)
    that is ``2 * n_layer * n_ctx * d_attn`` again, so the two readings agree for prefill.
    """
    p = _non_negative("params", params)
    n_layer = _count("layers", layers)
    n_ctx = _count("context_tokens", context_tokens)
    width = _count("d_attn", d_attn)
    return FORWARD_FLOPS_PER_PARAM_PER_TOKEN * p + ATTENTION_FLOPS_PER_LAYER_CONTEXT_DIM * n_layer * n_ctx * width


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


def prefill_flops(params: float, prompt_tokens: int, batch: int = 1, *, layers: int = 0, d_attn: int = 0) -> float:
    """FLOPs of a prompt's forward pass: ``prompt_tokens * batch * forward_flops_per_token(P, layers, prompt, d_attn)``.

    = ``2 P T b + 2 n_layer T^2 d_attn b``: Kaplan et al. 2020 (arXiv:2001.08361) Table 1 with ``n_ctx`` = the
    prompt length T (see ``forward_flops_per_token`` for the causal-mask convention). Without ``layers`` and
    ``d_attn`` only the ``2PT`` term remains (the reference README's approximation), which for Llama 3.1 at
    32k-128k-token prompts underestimates the work 1.3x (70B at 32k) to 3.1x (8B at 128k).
    """
    tokens = _count("prompt_tokens", prompt_tokens)
    b = _count("batch", batch)
    return tokens * b * forward_flops_per_token(params, layers, tokens, d_attn)


def prefill_seconds(
    params: float,
    prompt_tokens: int,
    batch: int,
    peak_tflops: float,
    gpus: int = 1,
    mfu: float = 0.5,
    *,
    layers: int = 0,
    d_attn: int = 0,
) -> float:
    """Compute-bound prefill time: ``prefill_flops(P, T, b, layers, d_attn) / (gpus * peak_tflops * 1e12 * mfu)``.

    A forward pass costs ``2N + 2 n_layer n_ctx d_attn`` FLOPs per token (Kaplan et al. 2020, arXiv:2001.08361,
    Table 1; causal-mask convention in ``forward_flops_per_token``). Pass the model's ``layers`` and ``d_attn``
    (attention heads x head size) to count attention; without them this is the reference README's
    ``2 * P * prompt_tokens`` approximation. For MoE models pass the **active** params.
    """
    flops = prefill_flops(params, prompt_tokens, batch, layers=layers, d_attn=d_attn)
    peak = _positive("peak_tflops", peak_tflops)
    n = _count("gpus", gpus, minimum=1)
    u = _unit_fraction("mfu", mfu)
    return flops / (n * peak * FLOPS_PER_TFLOP * u)


def ridge_point(peak_tflops: float, mem_bandwidth_gbps: float) -> float:
    """Roofline ridge point in FLOP/byte: ``peak_tflops * 1e12 / (mem_bandwidth_gbps * 1e9)``.

    Kernels with arithmetic intensity below it are memory-bound. Source: Williams, Waterman, Patterson 2009,
    "Roofline" (CACM 52(4)); A10 example 125 TFLOPS / 600 GB/s = 208.3 (baseten.co, vector R1).
    """
    peak = _positive("peak_tflops", peak_tflops)
    bandwidth = _positive("mem_bandwidth_gbps", mem_bandwidth_gbps)
    return peak * FLOPS_PER_TFLOP / (bandwidth * BYTES_PER_GB)
