"""The figures of a fit, each with its formula, the inputs it was computed from and their origin, and its source.

`fit_figures(workload, pool, fit, origins)` returns what `fit_inference` or `fit_training` computed as `Figure`s.
The inputs are the ones the model used: the model's configuration, the accelerator's datasheet rates, the
workload's demand, the pool, the model's constants (with their sources) and other figures of the same fit. The
caller names the records they come from in `Origins` (the analysis says "model profile Llama-3.1-70B (HF
config.json)"); without it the origins say "the model spec", "the accelerator spec"...

Pure: no Django. Formulas are written in words, as docs/capacity.md states them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .compute import decode_seconds_per_token, prefill_flops, prefill_seconds
from .constants import (
    BYTES_PER_GB,
    BYTES_PER_VALUE,
    DEFAULT_DECODE_BANDWIDTH_EFFICIENCY,
    DEFAULT_SERVING_MFU,
    MAX_NUM_SEQS_PER_REPLICA,
    MAX_TENSOR_PARALLEL_PER_REPLICA,
    RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    SERVING_MEMORY_UTILIZATION,
    TRAINING_BYTES_PER_PARAM,
    TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    TRAINING_MEMORY_UTILIZATION,
)
from .figures import Figure, Input, figure_if_known, known_inputs, present_figures
from .fitting import _beyond_pool, _it_power_basis, rate_label
from .memory import kv_cache_bytes
from .sources import CONSTANT_ORIGINS, SOURCES
from .specs import AcceleratorSpec, InferenceFit, InferenceWorkload, Pool, TrainingFit, TrainingWorkload
from .training import _min_gpus_for_deadline, _min_gpus_for_memory


@dataclass(frozen=True, slots=True)
class Origins:
    """Where the inputs of a fit come from, in words (the analysis names the records)."""

    workload: str = "the workload"
    model: str = "the model spec"
    accelerator: str = "the accelerator spec"
    pool: str = "the pool"
    power: str = ""  # origin of the watts per accelerator (default: the pool's power basis)
    mfu: str = ""  # origin of a training workload's MFU (default: the workload)
    goodput: str = ""
    deadline: str = ""


def fit_figures(
    workload: InferenceWorkload | TrainingWorkload,
    pool: Pool,
    fit: InferenceFit | TrainingFit,
    origins: Origins | None = None,
) -> tuple[Figure, ...]:
    """Every figure of ``fit`` (what `fit_inference` / `fit_training` returned for ``workload`` on ``pool``)."""
    origins = origins or Origins()
    if isinstance(fit, InferenceFit) and isinstance(workload, InferenceWorkload):
        return _inference(workload, pool, fit, origins)
    if isinstance(fit, TrainingFit) and isinstance(workload, TrainingWorkload):
        return _training(workload, pool, fit, origins)
    raise ValueError(f"fit must be the result for workload, got {type(fit).__name__} for {type(workload).__name__}")


def _rate(pool: Pool, fit: InferenceFit | TrainingFit, o: Origins) -> Figure | None:
    label = rate_label(fit.compute_rate)
    unit = "TOPS" if fit.compute_rate == "int8" else "TFLOPS"
    formula = "the accelerator's dense datasheet rate for the workload's precision"
    if fit.compute_rate_note:
        formula += f" ({fit.compute_rate_note})"
    return figure_if_known(
        "peak_tflops",
        "Compute rate per GPU",
        fit.peak_tflops,
        unit,
        formula,
        known_inputs(Input(f"dense {label} rate of {pool.accelerator.name}", fit.peak_tflops, unit, o.accelerator)),
        SOURCES["rate"],
    )


def _power(pool: Pool, fit: InferenceFit | TrainingFit, o: Origins) -> Figure | None:
    watts = pool.watts_per_accelerator
    if watts is None:
        return None
    added = pool.added_watts_per_accelerator
    beyond = _beyond_pool(pool, fit.gpus_needed)
    if beyond and added is not None and pool.server_power_w_per_accelerator is not None:  # GPUs the pool lacks
        # count at their rated power, its own at their recorded or measured one (even when the two are equal)
        return figure_if_known(
            "it_power_kw",
            "IT power of the GPUs needed",
            fit.it_power_kw,
            "kW",
            "(the pool's GPUs x whole-server watts per GPU + GPUs beyond the pool x rated watts per GPU) / 1000",
            known_inputs(
                Input("the pool's GPUs", pool.count, "GPUs", f"accelerators at {pool.site}"),
                Input("whole-server watts per GPU", watts, "W", o.power or pool.power_basis),
                Input("GPUs beyond the pool", beyond, "GPUs", "figure: GPUs needed - the pool's GPUs"),
                Input("rated watts per GPU to add", added, "W", pool.added_power_basis),
            ),
            SOURCES["power"],
            note=f"power basis: {_it_power_basis(pool, fit.gpus_needed)}",
        )
    return figure_if_known(
        "it_power_kw",
        "IT power of the GPUs needed",
        fit.it_power_kw,
        "kW",
        "GPUs needed x whole-server watts per GPU / 1000",
        known_inputs(
            Input("GPUs needed", fit.gpus_needed, "GPUs", "figure: GPUs needed"),
            Input("whole-server watts per GPU", watts, "W", o.power or pool.power_basis),
        ),
        SOURCES["power"],
        note=f"power basis: {pool.power_basis}",
    )


def _memory(accelerator: AcceleratorSpec, o: Origins) -> Input:
    """The memory a fit counts per GPU: the accelerator's memory, or for a unified memory the part counted for
    models (GB10: 112 of 128 GB), its origin saying so in words."""
    if not accelerator.unified_memory:
        return Input(f"memory of {accelerator.name}", float(accelerator.memory_gb), "GB", o.accelerator)
    return Input(
        f"memory of {accelerator.name} counted for models",
        accelerator.model_memory_gb,
        "GB",
        f"{o.accelerator}; {accelerator.memory_words}",
    )


def _usable_formula(accelerator: AcceleratorSpec) -> str:
    if accelerator.unified_memory:
        return "memory counted for models (the unified memory less what the host keeps) x usable share (0.9)"
    return "accelerator memory x usable share (0.9)"


def _available(pool: Pool, fit: InferenceFit | TrainingFit, o: Origins) -> Figure | None:
    return figure_if_known(
        "gpus_available",
        "GPUs in the pool",
        fit.gpus_available,
        "GPUs",
        "accelerators of this type at this site (or in this cloud reservation)",
        known_inputs(Input(f"{pool.accelerator.name} in the pool", pool.count, "GPUs", o.pool)),
        SOURCES["available"],
    )


def _inference(w: InferenceWorkload, pool: Pool, fit: InferenceFit, o: Origins) -> tuple[Figure, ...]:
    model, accelerator = w.model, pool.accelerator
    tp = fit.tensor_parallel or 1
    batch = fit.concurrency_per_replica or 1
    weight_bytes = BYTES_PER_VALUE[w.precision]
    kv_precision = w.effective_kv_cache_precision
    kv_bytes = BYTES_PER_VALUE[kv_precision]
    tokens = w.prompt_tokens + w.output_tokens
    kv_sequence_gb = (
        kv_cache_bytes(model.layers, model.kv_heads, model.head_dim, tokens, 1, kv_precision) / BYTES_PER_GB
    )
    weights_total_gb = float(model.params) * weight_bytes / BYTES_PER_GB
    mfu, efficiency = DEFAULT_SERVING_MFU, DEFAULT_DECODE_BANDWIDTH_EFFICIENCY
    active = model.compute_params

    params = Input("parameters", float(model.params), "parameters", o.model)
    active_in = Input("active parameters per token", active, "parameters", o.model)
    layers = Input("layers", model.layers, "layers", o.model)
    kv_heads = Input("KV heads", model.kv_heads, "heads", o.model)
    heads = Input("attention heads", model.attention_heads, "heads", o.model)
    head_dim = Input("head size", model.head_dim, "values", o.model)
    bytes_w = Input(
        f"bytes per weight ({w.precision})", weight_bytes, "B", f"{o.workload}; {CONSTANT_ORIGINS['bytes']}"
    )
    bytes_kv = Input(
        f"bytes per KV value ({kv_precision})", kv_bytes, "B", f"{o.workload}; {CONSTANT_ORIGINS['bytes']}"
    )
    prompt = Input("prompt tokens", w.prompt_tokens, "tokens", o.workload)
    output = Input("output tokens", w.output_tokens, "tokens", o.workload)
    rps = Input("requests per second", float(w.requests_per_second), "req/s", o.workload)
    tp_in = Input("tensor-parallel size", tp, "GPUs", "figure: Tensor-parallel size")
    batch_in = Input(
        "sequences per replica" + ("" if fit.concurrency_per_replica else " (1: none fits)"),
        batch,
        "sequences",
        "figure: Sequences per replica",
    )
    memory = _memory(accelerator, o)
    bandwidth = Input(
        f"memory bandwidth of {accelerator.name}", float(accelerator.mem_bandwidth_gbps), "GB/s", o.accelerator
    )
    peak_in = Input("compute rate per GPU", fit.peak_tflops, "TFLOPS", "figure: Compute rate per GPU")
    mfu_in = Input("model FLOPs utilization of serving", mfu, "fraction", CONSTANT_ORIGINS["serving_mfu"])
    eff_in = Input("memory bandwidth utilization", efficiency, "fraction", CONSTANT_ORIGINS["efficiency"])
    utilization = Input(
        "usable share of memory", SERVING_MEMORY_UTILIZATION, "fraction", CONSTANT_ORIGINS["serving_memory"]
    )
    ttft_in = Input("time to first token", fit.ttft_s, "s", "figure: Time to first token")
    tpot_in = Input("time per output token", fit.tpot_s, "s", "figure: Time per output token")

    prefill_compute_s = prefill_seconds(
        active, w.prompt_tokens, 1, fit.peak_tflops, gpus=tp, mfu=mfu, layers=model.layers, d_attn=model.d_attn
    )
    prompt_kv_b = kv_sequence_gb * BYTES_PER_GB * w.prompt_tokens / tokens
    read_s = decode_seconds_per_token(
        weights_total_gb * BYTES_PER_GB,
        prompt_kv_b * tp / min(tp, model.kv_heads),
        accelerator.mem_bandwidth_gbps,
        tp,
        efficiency,
    )
    ttft_target = Input("TTFT target", w.ttft_target_s, "s", o.workload) if w.ttft_target_s is not None else None
    tpot_target = Input("TPOT target", w.tpot_target_s, "s", o.workload) if w.tpot_target_s is not None else None
    prefill_value = fit.prefill_flops or prefill_flops(
        active, w.prompt_tokens, 1, layers=model.layers, d_attn=model.d_attn
    )

    items = [
        figure_if_known(
            "weights_gb_per_gpu",
            "Weights per GPU",
            fit.weights_gb_per_gpu,
            "GB",
            "parameters x bytes per value (precision) / tensor-parallel size",
            known_inputs(params, bytes_w, tp_in),
            SOURCES["weights"],
        ),
        figure_if_known(
            "kv_cache_gb_per_gpu",
            "KV cache per GPU",
            fit.kv_cache_gb_per_gpu,
            "GB",
            "2 (K and V) x layers x KV heads x head size x bytes per KV value x (prompt + output tokens) x "
            "sequences per replica / min(tensor-parallel size, KV heads)",
            known_inputs(layers, kv_heads, head_dim, bytes_kv, prompt, output, batch_in, tp_in),
            SOURCES["kv"],
        ),
        figure_if_known(
            "memory_gb_per_gpu",
            "Memory per GPU (weights + KV cache)",
            fit.memory_gb_per_gpu,
            "GB",
            "weights per GPU + KV cache per GPU; must not exceed the usable memory per GPU",
            known_inputs(
                Input("weights per GPU", fit.weights_gb_per_gpu, "GB", "figure: Weights per GPU"),
                Input("KV cache per GPU", fit.kv_cache_gb_per_gpu, "GB", "figure: KV cache per GPU"),
                Input("usable memory per GPU", fit.usable_memory_gb_per_gpu, "GB", "figure: Usable memory per GPU"),
            ),
            SOURCES["serving_memory"],
        ),
        figure_if_known(
            "usable_memory_gb_per_gpu",
            "Usable memory per GPU",
            fit.usable_memory_gb_per_gpu,
            "GB",
            _usable_formula(accelerator),
            known_inputs(memory, utilization),
            SOURCES["usable_serving"],
        ),
        figure_if_known(
            "tensor_parallel",
            "Tensor-parallel size (GPUs per replica)",
            fit.tensor_parallel,
            "GPUs",
            "of the sizes that are a power of two up to 8, divide the attention heads and divide (or are a multiple "
            "of) the KV heads, the one needing the fewest GPUs in all; ties go to the smaller",
            known_inputs(
                heads,
                kv_heads,
                Input(
                    "largest tensor-parallel group", MAX_TENSOR_PARALLEL_PER_REPLICA, "GPUs", CONSTANT_ORIGINS["max_tp"]
                ),
            ),
            SOURCES["tp"],
        ),
        figure_if_known(
            "concurrency_per_replica",
            "Sequences per replica",
            fit.concurrency_per_replica,
            "sequences",
            "largest batch b with weights per GPU + b x KV cache of one sequence per GPU within the usable memory, "
            "lowered until the TPOT target is met, at most 256",
            known_inputs(
                Input("usable memory per GPU", fit.usable_memory_gb_per_gpu, "GB", "figure: Usable memory per GPU"),
                Input("weights per GPU", fit.weights_gb_per_gpu, "GB", "figure: Weights per GPU"),
                Input(
                    "KV cache of one sequence per GPU",
                    kv_sequence_gb / min(tp, model.kv_heads),
                    "GB",
                    "KV cache formula for one sequence",
                ),
                tpot_target,
                Input(
                    "most sequences per replica", MAX_NUM_SEQS_PER_REPLICA, "sequences", CONSTANT_ORIGINS["max_seqs"]
                ),
            ),
            SOURCES["batch"],
        ),
        figure_if_known(
            "ttft_s",
            "Time to first token",
            fit.ttft_s,
            "s",
            "max(prefill FLOPs / (tensor-parallel size x compute rate x 10¹² x MFU), "
            "(weights + prompt KV cache) / (tensor-parallel size x bandwidth x 10⁹ x bandwidth utilization))",
            known_inputs(
                Input("prefill FLOPs", prefill_value, "FLOP", "figure: Prefill FLOPs of one prompt"),
                tp_in,
                peak_in,
                mfu_in,
                Input("prefill compute time", prefill_compute_s, "s", "prefill FLOPs / (TP x rate x MFU)"),
                Input("weight read time", read_s, "s", "(weights + prompt KV) / (TP x bandwidth x utilization)"),
                bandwidth,
                eff_in,
                ttft_target,
            ),
            SOURCES["ttft"],
        ),
        figure_if_known(
            "prefill_flops",
            "Prefill FLOPs of one prompt",
            fit.prefill_flops,
            "FLOP",
            "prompt tokens x (2 x active parameters + 2 x layers x prompt tokens x attention heads x head size)",
            known_inputs(prompt, active_in, layers, heads, head_dim),
            SOURCES["prefill"]
            + "; the context is the prompt length (the exact causal count of the two attention matmuls)",
        ),
        figure_if_known(
            "tpot_s",
            "Time per output token",
            fit.tpot_s,
            "s",
            "max((all weights + sequences x KV cache per sequence) / tensor-parallel size / (bandwidth x 10⁹ x "
            "bandwidth utilization), 2 x active parameters x sequences / (tensor-parallel size x compute rate x "
            "10¹² x MFU))",
            known_inputs(
                Input("all weights", weights_total_gb, "GB", "parameters x bytes per weight"),
                Input("KV cache of one sequence", kv_sequence_gb, "GB", "KV cache formula for one sequence"),
                batch_in,
                tp_in,
                bandwidth,
                eff_in,
                active_in,
                peak_in,
                mfu_in,
                tpot_target,
            ),
            SOURCES["tpot"],
        ),
        figure_if_known(
            "replica_requests_per_second",
            "Requests per second one replica sustains",
            fit.replica_requests_per_second,
            "req/s",
            "sequences / (sequences x TTFT + output tokens x TPOT)",
            known_inputs(batch_in, ttft_in, output, tpot_in),
            SOURCES["replica_rps"],
        ),
        figure_if_known(
            "in_flight_requests",
            "Requests in flight",
            fit.in_flight_requests,
            "requests",
            "requests per second x (TTFT + output tokens x TPOT)",
            known_inputs(rps, ttft_in, output, tpot_in),
            SOURCES["little"],
        ),
        figure_if_known(
            "replicas",
            "Replicas",
            fit.replicas,
            "replicas",
            "ceil(max(requests per second / requests per second of one replica, requests in flight / sequences))",
            known_inputs(
                rps,
                Input(
                    "requests per second of one replica",
                    fit.replica_requests_per_second,
                    "req/s",
                    "figure: Requests per second one replica sustains",
                ),
                Input("requests in flight", fit.in_flight_requests, "requests", "figure: Requests in flight"),
                batch_in,
            ),
            SOURCES["little"] + "; " + SOURCES["replica_rps"].split(" (")[0],
        ),
        figure_if_known(
            "gpus_needed",
            "GPUs needed",
            fit.gpus_needed,
            "GPUs",
            "replicas x tensor-parallel size",
            known_inputs(Input("replicas", fit.replicas, "replicas", "figure: Replicas"), tp_in),
            SOURCES["gpus_inference"],
        ),
        _available(pool, fit, o),
        _power(pool, fit, o),
        _rate(pool, fit, o),
        figure_if_known(
            "output_tokens_per_second",
            "Output tokens per second (demand)",
            fit.output_tokens_per_second,
            "tokens/s",
            "requests per second x output tokens",
            known_inputs(rps, output),
            SOURCES["demand"],
        ),
    ]
    if w.ttft_target_s is not None or w.tpot_target_s is not None:
        meets = (
            fit.ttft_s is not None
            and fit.tpot_s is not None
            and (w.ttft_target_s is None or fit.ttft_s <= w.ttft_target_s)
            and (w.tpot_target_s is None or fit.tpot_s <= w.tpot_target_s)
        )
        items.append(
            figure_if_known(
                "meets_latency_targets",
                "Meets its latency targets",
                bool(meets),
                "yes/no",
                "TTFT <= TTFT target and TPOT <= TPOT target (a target not set is met)",
                known_inputs(ttft_in, ttft_target, tpot_in, tpot_target),
                "definition: the estimated latencies against the workload's targets",
            )
        )
    return present_figures(*items)


def _training(w: TrainingWorkload, pool: Pool, fit: TrainingFit, o: Origins) -> tuple[Figure, ...]:
    model, accelerator = w.model, pool.accelerator
    usable_b = accelerator.model_memory_gb * BYTES_PER_GB * TRAINING_MEMORY_UTILIZATION
    stage = f"ZeRO-{w.zero_stage}"
    active = model.compute_params
    params = Input("parameters", float(model.params), "parameters", o.model)
    active_in = Input("parameters doing work per token", active, "parameters", o.model)
    tokens = Input("training tokens", float(w.tokens), "tokens", o.workload)
    gpus_pool = Input(f"{accelerator.name} in the pool", pool.count, "GPUs", o.pool)
    peak_in = Input("compute rate per GPU", fit.peak_tflops, "TFLOPS", "figure: Compute rate per GPU")
    mfu_name = "hardware FLOPs utilization (HFU)" if w.activation_recompute else "model FLOPs utilization (MFU)"
    mfu_in = Input(mfu_name, float(w.mfu), "fraction", o.mfu or o.workload)
    goodput_in = Input("goodput", float(w.goodput), "fraction", o.goodput or o.workload)
    factor = (
        RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN if w.activation_recompute else TRAINING_FLOPS_PER_PARAM_PER_TOKEN
    )
    factor_origin = CONSTANT_ORIGINS["eight_pd" if w.activation_recompute else "six_pd"]
    deadline = Input("deadline", float(w.deadline_days), "days", o.deadline or o.workload)
    days_in = Input("training days on the pool", fit.training_days, "days", "figure: Training time on the whole pool")
    split = {
        0: "16 x params",
        1: "4 x params + 12 x params / GPUs",
        2: "2 x params + 14 x params / GPUs",
        3: "16 x params / GPUs",
    }
    gpus_memory = _min_gpus_for_memory(float(model.params), w.zero_stage, usable_b)
    gpus_deadline = _min_gpus_for_deadline(w, fit.peak_tflops)
    items = [
        figure_if_known(
            "memory_gb_per_gpu",
            f"Model states per GPU ({stage})",
            fit.memory_gb_per_gpu,
            "GB",
            f"{stage} with mixed-precision Adam: {split[w.zero_stage]} bytes per GPU (16 bytes per parameter: 2 "
            "weights + 2 gradients + 12 optimizer states), over the pool's GPUs; activations not included",
            known_inputs(
                params, Input("bytes per parameter", TRAINING_BYTES_PER_PARAM, "B", CONSTANT_ORIGINS["zero"]), gpus_pool
            ),
            SOURCES["states"],
        ),
        figure_if_known(
            "usable_memory_gb_per_gpu",
            "Usable memory per GPU",
            fit.usable_memory_gb_per_gpu,
            "GB",
            _usable_formula(accelerator),
            known_inputs(
                _memory(accelerator, o),
                Input(
                    "usable share of memory",
                    TRAINING_MEMORY_UTILIZATION,
                    "fraction",
                    CONSTANT_ORIGINS["training_memory"],
                ),
            ),
            SOURCES["usable_training"],
        ),
        figure_if_known(
            "activation_headroom_gb",
            "Memory left for activations per GPU",
            fit.activation_headroom_gb,
            "GB",
            "usable memory per GPU - model states per GPU",
            known_inputs(
                Input("usable memory per GPU", fit.usable_memory_gb_per_gpu, "GB", "figure: Usable memory per GPU"),
                Input("model states per GPU", fit.memory_gb_per_gpu, "GB", f"figure: Model states per GPU ({stage})"),
            ),
            SOURCES["headroom"],
        ),
        figure_if_known(
            "training_flops",
            "Model FLOPs of the run (6PD)",
            fit.training_flops,
            "FLOP",
            "6 x parameters doing work per token x training tokens",
            known_inputs(
                active_in,
                tokens,
                Input(
                    "FLOPs per parameter per token",
                    TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
                    "FLOP",
                    CONSTANT_ORIGINS["six_pd"],
                ),
            ),
            SOURCES["flops"],
        ),
        figure_if_known(
            "computed_flops",
            "FLOPs the hardware computes",
            fit.computed_flops,
            "FLOP",
            "FLOPs per parameter per token (6, or 8 with activation recomputation) x parameters x tokens",
            known_inputs(active_in, tokens, Input("FLOPs per parameter per token", factor, "FLOP", factor_origin)),
            SOURCES["computed"],
        ),
        _rate(pool, fit, o),
        figure_if_known(
            "training_days",
            "Training time on the whole pool",
            fit.training_days,
            "days",
            f"FLOPs computed / (GPUs x compute rate x 10¹² x {mfu_name.split(' (')[1][:-1]} x goodput) / 86,400 s",
            known_inputs(
                Input("FLOPs computed", fit.computed_flops, "FLOP", "figure: FLOPs the hardware computes"),
                gpus_pool,
                peak_in,
                mfu_in,
                goodput_in,
            ),
            SOURCES["days"],
        ),
        figure_if_known(
            "goodput",
            "Goodput (share of wall-clock time training)",
            fit.goodput,
            "fraction",
            "the workload's goodput (restarts and failures excluded from training time); default 0.9",
            known_inputs(goodput_in),
            SOURCES["goodput"],
        ),
        figure_if_known(
            "meets_deadline",
            "Meets its deadline",
            fit.meets_deadline if fit.training_days is not None else None,
            "yes/no",
            "training time on the whole pool <= deadline",
            known_inputs(days_in, deadline),
            SOURCES["deadline"],
        ),
        figure_if_known(
            "gpus_needed",
            "GPUs needed",
            fit.gpus_needed,
            "GPUs",
            "max(fewest GPUs whose model states fit the usable memory, fewest GPUs finishing before the deadline)",
            known_inputs(
                Input(
                    f"fewest GPUs holding the model states ({stage})",
                    gpus_memory,
                    "GPUs",
                    "ZeRO memory per GPU <= usable memory",
                ),
                Input("fewest GPUs meeting the deadline", gpus_deadline, "GPUs", "training time <= deadline"),
                deadline,
            ),
            SOURCES["gpus_training"],
        ),
        _available(pool, fit, o),
        _power(pool, fit, o),
    ]
    return present_figures(*items)
