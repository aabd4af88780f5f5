"""Training fit: can a pool train a workload within its deadline (ZeRO memory, 6PD compute, site power)."""

from .compute import training_days, training_flops
from .constants import (
    BYTES_PER_GB,
    FLOPS_PER_TFLOP,
    GRADIENT_BYTES_PER_PARAM_MIXED,
    OPTIMIZER_BYTES_PER_PARAM_ADAM,
    RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    SECONDS_PER_DAY,
    TRAINING_FLOPS_PER_PARAM_PER_TOKEN,
    TRAINING_MEMORY_UTILIZATION,
    WEIGHT_BYTES_PER_PARAM_MIXED,
    Bottleneck,
)
from .figures import format_value
from .fitting import _gpus, _it_power_kw, _site_power_reason, compute_rate
from .memory import training_memory_bytes
from .specs import Pool, TrainingFit, TrainingWorkload
from .validation import _ceil_count


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


def _days(workload: TrainingWorkload, gpus: int, peak_tflops: float) -> float:
    """``training_days`` of the workload on ``gpus`` GPUs, with its recomputation and goodput."""
    return training_days(
        workload.model.compute_params,
        workload.tokens,
        gpus,
        peak_tflops,
        workload.mfu,
        activation_recompute=workload.activation_recompute,
        goodput=workload.goodput,
    )


def _computed_flops(workload: TrainingWorkload) -> float:
    """FLOPs the hardware executes: 6PD, or 8PD with activation recomputation (one more forward pass)."""
    model_flops = training_flops(workload.model.compute_params, workload.tokens)
    factor = RECOMPUTE_TRAINING_FLOPS_PER_PARAM_PER_TOKEN / TRAINING_FLOPS_PER_PARAM_PER_TOKEN
    return model_flops * factor if workload.activation_recompute else model_flops


def _min_gpus_for_deadline(workload: TrainingWorkload, peak_tflops: float) -> int:
    """Fewest GPUs with ``training_days(...) <= deadline_days``."""
    per_gpu_flop = (
        peak_tflops * FLOPS_PER_TFLOP * workload.mfu * workload.goodput * workload.deadline_days * SECONDS_PER_DAY
    )
    n = max(1, _ceil_count(_computed_flops(workload) / per_gpu_flop))
    while _days(workload, n, peak_tflops) > workload.deadline_days:
        n += 1
    while n > 1 and _days(workload, n - 1, peak_tflops) <= workload.deadline_days:
        n -= 1
    return n


def fit_training(workload: TrainingWorkload, pool: Pool) -> TrainingFit:
    """Can ``pool`` train ``workload`` within its deadline?

    * Memory per GPU: ``training_memory_bytes(params, zero_stage, data_parallel=pool.count)`` (ZeRO,
      arXiv:1910.02054) must fit ``model_memory_gb * 1e9 * 0.9`` (``memory_gb`` less what the host keeps of a
      unified memory); activations come on top and are reported as the
      remaining ``activation_headroom_gb``, not checked.
    * Time: ``training_days(active_params, tokens, pool.count, peak, mfu, activation_recompute=...,
      goodput=...)``: 6PD / (N * peak * MFU * goodput), or 8PD / (N * peak * HFU * goodput) with activation
      recomputation; ``meets_deadline`` when <= ``deadline_days``.
    * ``gpus_needed`` = the fewest GPUs that satisfy both; site power is checked for those GPUs at the pool's
      recorded server power per accelerator, else TDP x server overhead (the job can run on a subset), so a
      larger pool never breaks a fit.

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
    rate = compute_rate(accelerator, workload.precision)
    peak = rate.tflops
    usable_b = accelerator.model_memory_gb * gb * TRAINING_MEMORY_UTILIZATION
    flops = training_flops(model.compute_params, workload.tokens)
    gpus_memory = _min_gpus_for_memory(float(model.params), workload.zero_stage, usable_b)
    gpus_deadline = _min_gpus_for_deadline(workload, peak)
    gpus_needed = None if gpus_memory is None else max(gpus_memory, gpus_deadline)
    it_power = _it_power_kw(pool, gpus_needed)
    reasons: list[str] = [f"Compute rate: {rate.note}."] if rate.note else []
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
        days = _days(workload, pool.count, peak)
        meets = days <= workload.deadline_days
        stage = f"ZeRO-{workload.zero_stage}" if workload.zero_stage else "plain data parallelism (ZeRO-0)"
        if memory_b > usable_b:
            bottleneck = "memory"
            hint = (
                f"needs at least {_gpus(gpus_memory)} with {stage}"
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
        work = (
            f"{format_value(_computed_flops(workload), 'FLOPs')} (8PD: activation recomputation) on {pool.count} x "
            f"{accelerator.name} at {peak:g} TFLOPS and HFU {workload.mfu}"
            if workload.activation_recompute
            else f"{format_value(flops, 'FLOPs')} on {pool.count} x {accelerator.name} at {peak:g} TFLOPS and MFU "
            f"{workload.mfu}"
        )
        if workload.goodput < 1:
            work += f", {workload.goodput:.0%} of wall-clock time training (goodput)"
        reasons.append(
            f"{work} take {days:.2f} days (deadline {workload.deadline_days:g}); "
            f"the deadline needs at least {_gpus(gpus_deadline)}."
        )
        if not meets and bottleneck is None:
            bottleneck = "compute"
        power_ok, power_reason = _site_power_reason(pool, gpus_needed, f"Training on {_gpus(gpus_needed)}")
        reasons.append(power_reason)
        whole_pool_kw = _it_power_kw(pool, pool.count)
        if gpus_needed is not None and whole_pool_kw is not None and pool.count > gpus_needed:
            reasons.append(
                f"Running on all {pool.count} GPUs instead takes {whole_pool_kw:.1f} kW of IT load and finishes "
                "sooner, for the same energy."
            )
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
        compute_rate=rate.rate,
        compute_rate_note=rate.note,
        computed_flops=_computed_flops(workload),
        activation_recompute=workload.activation_recompute,
        goodput=workload.goodput,
        power_basis=pool.power_basis,
    )
