"""Inference fit: can a pool serve a workload, on how many GPUs, at what latency, and what stops it if not."""

import math
from collections.abc import Callable
from dataclasses import dataclass

from .compute import decode_seconds_per_token, prefill_flops, prefill_seconds
from .constants import (
    BYTES_PER_GB,
    DEFAULT_DECODE_BANDWIDTH_EFFICIENCY,
    DEFAULT_SERVING_MFU,
    MAX_NUM_SEQS_PER_REPLICA,
    MAX_TENSOR_PARALLEL_PER_REPLICA,
    SERVING_MEMORY_UTILIZATION,
    Bottleneck,
)
from .figures import format_value
from .fitting import _gpus, _it_power_kw, _site_power_reason, compute_rate
from .memory import kv_cache_bytes, weights_bytes
from .specs import AcceleratorSpec, InferenceFit, InferenceWorkload, ModelSpec, Pool
from .validation import _ceil_count, _count, _unit_fraction


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
        # The compute side counts 2 x active params per token; decode attention FLOPs are left out because the
        # KV cache they read is already on the memory side and always takes longer: decode attention does
        # 2 FLOPs per KV value per query head sharing it, i.e. 2 x (heads / kv_heads) / bytes FLOP/byte
        # (8 for Llama 3 GQA-8 in bf16), far below any accelerator's ridge point (200-600 FLOP/byte).
        memory_s = decode_seconds_per_token(
            total_weights_b,
            batch * kv_per_seq_gpu_b * tp,
            accelerator.mem_bandwidth_gbps,
            tp,
            decode_efficiency,
        )
        compute_s = prefill_seconds(active, 1, batch, peak_tflops, gpus=tp, mfu=mfu)
        return max(memory_s, compute_s)

    # TTFT: prefill is compute-bound (2N + 2 n_layer n_ctx d_attn FLOPs per prompt token, Kaplan Table 1), but
    # can never beat one read of the weights and the prompt's KV.
    prompt_kv_b = kv_sequence_b * workload.prompt_tokens / sequence_tokens
    ttft_s = max(
        prefill_seconds(
            active,
            workload.prompt_tokens,
            1,
            peak_tflops,
            gpus=tp,
            mfu=mfu,
            layers=model.layers,
            d_attn=model.d_attn,
        ),
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

    1. Memory: per GPU ``weights/tp + batch * kv_seq / min(tp, kv_heads) <= model_memory_gb * 1e9 * 0.9``
       (vLLM gpu_memory_utilization; ``model_memory_gb`` is ``memory_gb`` less what the host keeps of a unified
       memory); kv_seq = KV of one prompt + output sequence (reserved in full).
       The largest such batch, capped at 256 (vLLM max_num_seqs), is the replica's concurrency.
    2. Latency: ``TTFT = max(prefill_seconds(active, prompt, 1, peak, tp, mfu, layers, d_attn), weight-read
       time)``, prefill counting ``2N + 2 n_layer n_ctx d_attn`` FLOPs per prompt token (Kaplan et al. 2020,
       Table 1, n_ctx = prompt length);
       ``TPOT(b) = max(decode_seconds_per_token(weights, b*kv, bw, tp, eff), 2*active*b/(tp*peak*mfu))``
       (roofline). A TPOT target lowers the batch until met; if one sequence misses it the cause is
       "bandwidth" (or "compute" when the step is compute-bound); a missed TTFT target is "compute".
    3. Throughput: a replica sustains ``mu = b / (b*TTFT + output_tokens*TPOT)`` requests/s (prefill takes the
       replica, decode steps serve b sequences). Little's law gives the requests in flight
       ``L = rps * (TTFT + output_tokens * TPOT)``; ``replicas = ceil(max(rps / mu, L / b))``.

    The tp with the fewest GPUs (replicas x tp) wins, ties to the smaller tp. The choice does not depend on
    the pool size, so adding GPUs never turns a fit into a non-fit. The pool must then hold ``gpus_needed``
    ("count") and the site must have power headroom for them ("site_power") at the pool's recorded server
    power per accelerator, else TDP x server overhead. The compute rate is ``fitting.compute_rate`` (the
    precision's own datasheet rate, or a documented fallback named in ``reasons``).
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
    rate = compute_rate(accelerator, workload.precision)
    peak = rate.tflops
    usable_b = accelerator.model_memory_gb * BYTES_PER_GB * SERVING_MEMORY_UTILIZATION
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
    reasons: list[str] = [f"Compute rate: {rate.note}." if rate.note else ""]
    reasons = [r for r in reasons if r]

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
            f"TP={chosen.tp}: weights {weights_gpu_gb:.1f} GB + KV cache {kv_gpu_gb:.1f} GB per GPU for "
            f"{chosen.batch} concurrent sequences per replica ({_gpus(chosen.tp)} holding a share of each), of "
            f"{usable_b / gb:.1f} GB usable "
            f"({accelerator.counted_memory_text} x {SERVING_MEMORY_UTILIZATION})."
        )
        reasons.append(
            f"Estimated TTFT {chosen.ttft_s:.3f} s, TPOT {chosen.tpot_s * 1000:.1f} ms; one replica sustains "
            f"{chosen.rate_rps:.2f} req/s; {format_value(chosen.in_flight)} requests in flight (Little's law)."
        )
        reasons.append(
            f"Needs {chosen.replicas} {'replica' if chosen.replicas == 1 else 'replicas'} x TP {chosen.tp} = "
            f"{gpus_needed} x {accelerator.name}; "
            f"the pool has {pool.count}."
        )
        if gpus_needed is not None and gpus_needed > pool.count:
            bottleneck = "count"
        power_ok, power_reason = _site_power_reason(pool, gpus_needed, f"Serving on {_gpus(gpus_needed)}")
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
        compute_rate=rate.rate,
        compute_rate_note=rate.note,
        prefill_flops=prefill_flops(
            model.compute_params, workload.prompt_tokens, 1, layers=model.layers, d_attn=model.d_attn
        ),
        power_basis=pool.power_basis,
    )
