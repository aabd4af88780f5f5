"""Issue 15 (fidelity) in the pure capacity model: training with activation recomputation and goodput, attention
FLOPs in prefill, per-precision compute rates with named fallbacks, recorded server power in a pool, and the
quantized serving questions (int4/fp8 weights, fp8 KV cache, largest context, nodes needed). No Django."""

import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.capacity import (
    DEFAULT_TRAINING_GOODPUT,
    DEFAULT_TRAINING_MFU,
    AcceleratorSpec,
    InferenceWorkload,
    ModelSpec,
    Pool,
    TrainingWorkload,
    compute_rate,
    fit_inference,
    fit_training,
    forward_flops_per_token,
    gpus_needed_for_memory,
    kv_replication,
    max_context_tokens,
    nodes_needed,
    prefill_flops,
    prefill_seconds,
    serving_memory,
    size_serving,
    training_days,
)

PROPERTY_SETTINGS = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Catalog excerpts (inventory/data/accelerators.csv; dense figures, sources there).
H100_SXM = AcceleratorSpec("H100 SXM", 80, 3350, 989, 1979, 700, fp16_tflops=989, int8_tops=1979)
A100_80 = AcceleratorSpec("A100 SXM 80GB", 80, 2039, 312, None, 400, fp16_tflops=312, int8_tops=624)
T4 = AcceleratorSpec("Tesla T4", 16, 320, None, None, 70, fp16_tflops=65, int8_tops=130)  # no BF16 on Turing
RTX_4080_SUPER = AcceleratorSpec("GeForce RTX 4080 SUPER", 16, 736, None, None, 320)  # no per-precision figure

LLAMA31_8B = ModelSpec("Llama-3.1-8B", 8030261248, None, 32, 4096, 32, 8, 128, 131072)
LLAMA31_70B = ModelSpec("Llama-3.1-70B", 70553706496, None, 80, 8192, 64, 8, 128, 131072)
LLAMA31_405B = ModelSpec("Llama-3.1-405B", 405853388800, None, 126, 16384, 128, 8, 128, 131072)
MQA_TOY = ModelSpec("toy-mqa", 1e9, None, 16, 2048, 16, 1, 128, 65536)


# ==================================================================================================
# Training: activation recomputation (8PD, HFU) and goodput
# ==================================================================================================


def test_opt_175b_trains_in_about_33_days_with_recomputation() -> None:
    # 8 x 175e9 x 300e9 = 4.2e23 FLOPs on 992 A100 at 147 TFLOP/s (HFU 147/312): 33.3 days (published ~33).
    days = training_days(175e9, 300e9, 992, 312, 147 / 312, activation_recompute=True)
    assert days == pytest.approx(8 * 175e9 * 300e9 / (992 * 147e12) / 86400)
    assert abs(days - 33) / 33 < 0.10
    # The old reading (147/312 as MFU on 6PD) gives the 25 days the issue reports.
    assert training_days(175e9, 300e9, 992, 312, 147 / 312) == pytest.approx(days * 6 / 8)


def test_goodput_stretches_wall_clock_time() -> None:
    pure = training_days(7e9, 2e12, 1024, 989, 0.4)
    assert training_days(7e9, 2e12, 1024, 989, 0.4, goodput=0.9) == pytest.approx(pure / 0.9)
    assert training_days(7e9, 2e12, 1024, 989, 0.4, goodput=1.0) == pure


@pytest.mark.parametrize(
    ("argument", "call"),
    [
        ("goodput", lambda: training_days(1e9, 1e12, 8, 989, 0.4, goodput=0)),
        ("goodput", lambda: training_days(1e9, 1e12, 8, 989, 0.4, goodput=1.2)),
        ("activation_recompute", lambda: training_days(1e9, 1e12, 8, 989, 0.4, activation_recompute=1)),
        ("goodput", lambda: TrainingWorkload(LLAMA31_8B, "bf16", 1e9, 1, 0.4, goodput=-1)),
        ("activation_recompute", lambda: TrainingWorkload(LLAMA31_8B, "bf16", 1e9, 1, 0.4, activation_recompute="y")),
    ],
)
def test_training_assumptions_are_validated(argument: str, call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=f"^{argument}"):
        call()


def test_training_defaults_have_their_published_values() -> None:
    assert DEFAULT_TRAINING_MFU == 0.4  # Llama 3 405B: 38-43% (arXiv:2407.21783 Table 4)
    assert DEFAULT_TRAINING_GOODPUT == 0.9  # Llama 3 405B: > 90% effective training time


def test_fit_training_uses_recomputation_and_goodput() -> None:
    base = TrainingWorkload(LLAMA31_8B, "bf16", 1e10, 30, 0.4)
    slow = TrainingWorkload(LLAMA31_8B, "bf16", 1e10, 30, 0.4, activation_recompute=True, goodput=0.8)
    pool = Pool(H100_SXM, 8, "dc1")
    fast_fit, slow_fit = fit_training(base, pool), fit_training(slow, pool)
    assert slow_fit.training_days == pytest.approx(fast_fit.training_days * (8 / 6) / 0.8)
    assert slow_fit.computed_flops == pytest.approx(8 * LLAMA31_8B.params * 1e10)
    assert fast_fit.computed_flops == pytest.approx(fast_fit.training_flops)
    assert slow_fit.training_flops == fast_fit.training_flops  # model FLOPs stay 6PD
    assert any("8PD" in r and "HFU" in r and "80%" in r for r in slow_fit.reasons)
    # A deadline that only the faster assumption meets.
    tight = fast_fit.training_days * 1.1
    assert fit_training(TrainingWorkload(LLAMA31_8B, "bf16", 1e10, tight, 0.4), pool).fits
    missed = fit_training(
        TrainingWorkload(LLAMA31_8B, "bf16", 1e10, tight, 0.4, activation_recompute=True, goodput=0.8), pool
    )
    assert missed.bottleneck == "compute"
    assert missed.gpus_needed is not None
    assert missed.gpus_needed > 8


# ==================================================================================================
# Prefill with attention FLOPs (Kaplan et al. 2020, Table 1)
# ==================================================================================================


def test_forward_flops_per_token_is_kaplans_table_1() -> None:
    assert forward_flops_per_token(7e9) == 14e9  # 2N without context
    # 2N + 2 x n_layer x n_ctx x d_attn: 2 x 8.03e9 + 2 x 32 x 8192 x 4096.
    assert forward_flops_per_token(LLAMA31_8B.params, 32, 8192, 4096) == 2 * LLAMA31_8B.params + 2 * 32 * 8192 * 4096


def test_prefill_flops_is_tokens_times_forward_flops() -> None:
    assert prefill_flops(1e9, 100, 2) == 2 * 1e9 * 100 * 2
    assert prefill_flops(1e9, 100, 1, layers=4, d_attn=64) == 100 * (2e9 + 2 * 4 * 100 * 64)
    assert prefill_seconds(1e9, 100, 1, 100, layers=4, d_attn=64) == pytest.approx(
        100 * (2e9 + 2 * 4 * 100 * 64) / (100e12 * 0.5)
    )


@pytest.mark.parametrize(
    ("model", "prompt", "ratio"),
    [
        (LLAMA31_70B, 32_768, 1.3044),  # the "1.3x" end
        (LLAMA31_70B, 131_072, 2.2175),
        (LLAMA31_8B, 32_768, 1.5348),
        (LLAMA31_8B, 131_072, 3.1394),  # the "3x" end
    ],
)
def test_llama31_long_prompts_prefill_grows_with_attention(model: ModelSpec, prompt: int, ratio: float) -> None:
    """The old model (2N per token) underestimated Llama 3.1 prefill 1.3-3x at 32k-128k-token prompts."""
    old = prefill_seconds(model.params, prompt, 1, 989, gpus=8)
    new = prefill_seconds(model.params, prompt, 1, 989, gpus=8, layers=model.layers, d_attn=model.d_attn)
    # new / old = 1 + n_layer x n_ctx x d_attn / N exactly.
    assert new / old == pytest.approx(1 + model.layers * prompt * model.d_attn / model.params)
    assert new / old == pytest.approx(ratio, abs=1e-4)
    assert 1.3 <= new / old <= 3.2
    # fit_inference's TTFT follows: 8 x H100, one request.
    workload = InferenceWorkload(model, "bf16", 0.01, prompt - 1, 1)
    fit = fit_inference(workload, Pool(H100_SXM, 8, "dc1"))
    assert fit.prefill_flops == pytest.approx(
        prefill_flops(model.params, prompt - 1, layers=model.layers, d_attn=model.d_attn)
    )
    assert fit.ttft_s is not None
    assert fit.ttft_s >= prefill_seconds(
        model.params, prompt - 1, 1, 989, gpus=fit.tensor_parallel, layers=model.layers, d_attn=model.d_attn
    ) * (1 - 1e-12)


# ==================================================================================================
# Per-precision compute rates and their named fallbacks
# ==================================================================================================


@pytest.mark.parametrize(
    ("accelerator", "precision", "tflops", "rate", "fallback"),
    [
        (H100_SXM, "bf16", 989, "bf16", False),
        (H100_SXM, "fp16", 989, "fp16", False),
        (H100_SXM, "fp8", 1979, "fp8", False),
        (H100_SXM, "int8", 1979, "int8", False),
        (A100_80, "int8", 624, "int8", False),  # A100 624 dense INT8 TOPS
        (A100_80, "fp8", 312, "bf16", True),  # no FP8 on Ampere: weight-only FP8 at the BF16 rate, named
        (T4, "fp16", 65, "fp16", False),
        (T4, "bf16", 65, "fp16", True),  # no BF16 on Turing: run in fp16, named
        (T4, "int8", 130, "int8", False),
        (T4, "int4", 65, "fp16", True),
    ],
)
def test_compute_rate(accelerator: AcceleratorSpec, precision, tflops: float, rate: str, fallback: bool) -> None:
    chosen = compute_rate(accelerator, precision)
    assert (chosen.tflops, chosen.rate) == (tflops, rate)
    if fallback:
        assert chosen.note, "a fallback must be named"
    if accelerator is T4 and precision == "bf16":
        assert "no published dense BF16" in chosen.note
        assert "FP16" in chosen.note


def test_fp32_and_int4_say_which_rate_they_use() -> None:
    assert "TF32" in compute_rate(H100_SXM, "fp32").note
    assert "dequantized" in compute_rate(H100_SXM, "int4").note


def test_no_rate_at_all_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="^accelerator GeForce RTX 4080 SUPER has no published dense rate for bf16"):
        compute_rate(RTX_4080_SUPER, "bf16")
    with pytest.raises(ValueError, match="^accelerator .* no published dense rate"):
        fit_inference(InferenceWorkload(LLAMA31_8B, "bf16", 1, 100, 100), Pool(RTX_4080_SUPER, 2, "lab"))


def test_a_fallback_is_named_in_the_verdict() -> None:
    fit = fit_inference(InferenceWorkload(LLAMA31_8B, "bf16", 0.5, 500, 100), Pool(T4, 4, "edge"))
    assert fit.compute_rate == "fp16"
    assert fit.peak_tflops == 65
    assert fit.reasons[0].startswith("Compute rate: Tesla T4 has no published dense BF16 rate")
    training = fit_training(TrainingWorkload(LLAMA31_8B, "fp8", 1e8, 30, 0.4), Pool(A100_80, 8, "dc"))
    assert training.compute_rate == "bf16"
    assert "no published dense FP8" in training.compute_rate_note


def test_accelerator_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="^int8_tops"):
        AcceleratorSpec("x", 80, 2000, 300, int8_tops=-1)
    with pytest.raises(ValueError, match="^fp16_tflops"):
        AcceleratorSpec("x", 80, 2000, None, fp16_tflops=0)
    assert T4.sixteen_bit_tflops == 65
    assert H100_SXM.sixteen_bit_tflops == 989
    assert RTX_4080_SUPER.sixteen_bit_tflops is None


# ==================================================================================================
# Recorded server power in a pool
# ==================================================================================================


def test_pool_uses_recorded_server_power_per_accelerator() -> None:
    workload = InferenceWorkload(LLAMA31_8B, "bf16", 1, 500, 100)
    tdp_pool = Pool(A100_80, 8, "dc1")
    recorded = Pool(A100_80, 8, "dc1", server_power_w_per_accelerator=6500 / 8, power_source="recorded (1 of 1)")
    assert tdp_pool.watts_per_accelerator == pytest.approx(400 * 10200 / 5600)
    assert recorded.watts_per_accelerator == 812.5
    a, b = fit_inference(workload, tdp_pool), fit_inference(workload, recorded)
    assert a.gpus_needed == b.gpus_needed
    assert b.it_power_kw == pytest.approx(b.gpus_needed * 812.5 / 1000)
    assert b.power_basis == "recorded (1 of 1)"
    assert "TDP" in a.power_basis


def test_recorded_power_checks_a_site_even_without_a_tdp() -> None:
    no_tdp = AcceleratorSpec("TPU v5e", 16, 819, 197)
    workload = InferenceWorkload(LLAMA31_8B, "bf16", 1, 500, 100)
    unknown = fit_inference(workload, Pool(no_tdp, 8, "dc1", site_power_capacity_kw=0.1))
    assert unknown.fits
    assert unknown.it_power_kw is None
    known = fit_inference(workload, Pool(no_tdp, 8, "dc1", 0.1, server_power_w_per_accelerator=300))
    assert known.bottleneck == "site_power"
    with pytest.raises(ValueError, match="^server_power_w_per_accelerator"):
        Pool(no_tdp, 8, "dc1", server_power_w_per_accelerator=0)


# ==================================================================================================
# Quantized serving: weights and KV cache at their own precisions, largest context, nodes needed
# ==================================================================================================


def test_int4_and_fp8_weights_and_fp8_kv_cache() -> None:
    bf16 = serving_memory(LLAMA31_70B, "bf16", 8192)
    int4 = serving_memory(LLAMA31_70B, "int4", 8192)
    fp8_kv = serving_memory(LLAMA31_70B, "int4", 8192, kv_cache_precision="fp8")
    assert bf16.weights_bytes == LLAMA31_70B.params * 2
    assert int4.weights_bytes == LLAMA31_70B.params * 0.5
    assert fp8_kv.weights_bytes == int4.weights_bytes
    # KV per token: 2 x 80 layers x 8 KV heads x 128 x 2 B = 327,680 B; int4 weights keep a bf16 cache.
    assert bf16.kv_bytes_per_token == int4.kv_bytes_per_token == 327_680
    assert int4.kv_cache_precision == "bf16"
    assert fp8_kv.kv_cache_precision == "fp8"
    assert fp8_kv.kv_cache_bytes == bf16.kv_cache_bytes / 2 == 327_680 * 8192 / 2
    assert bf16.total_bytes == bf16.weights_bytes + bf16.kv_cache_bytes


def test_largest_context_on_h100s() -> None:
    # 2 x H100: 144 GB usable - 141.1 GB of bf16 weights = 2.89 GB for KV at 327,680 B per token.
    assert max_context_tokens(LLAMA31_70B, 80, 2, "bf16") == math.floor((144e9 - LLAMA31_70B.params * 2) / 327_680)
    assert max_context_tokens(LLAMA31_70B, 80, 1, "bf16") == 0  # the weights alone do not fit one GPU
    assert max_context_tokens(LLAMA31_70B, 80, 8, "bf16") == 131_072  # capped at the model's context
    # fp8 KV cache doubles the tokens, batch 4 divides them by 4.
    two = max_context_tokens(LLAMA31_70B, 80, 2, "bf16")
    assert max_context_tokens(LLAMA31_70B, 80, 2, "bf16", kv_cache_precision="fp8") in (2 * two, 2 * two + 1)
    assert max_context_tokens(LLAMA31_70B, 80, 2, "bf16", batch=4) == math.floor(
        (144e9 - LLAMA31_70B.params * 2) / (4 * 327_680)
    )


def test_kv_heads_replicated_inside_a_node() -> None:
    assert kv_replication(LLAMA31_70B, 8) == 1  # 8 KV heads over TP 8
    assert kv_replication(MQA_TOY, 8) == 8  # one KV head copied to every rank
    assert kv_replication(MQA_TOY, 16) == 8  # pipeline across nodes does not copy it again


def test_nodes_needed_at_full_context() -> None:
    # Llama-3.1-405B bf16 at 131,072 tokens: 811.7 GB weights + 131,072 x 516,096 B = 67.6 GB KV = 879.4 GB over
    # 72 GB usable per H100 = 12.2 -> 13 GPUs -> 2 nodes of 8.
    assert gpus_needed_for_memory(LLAMA31_405B, 80, "bf16") == 13
    assert nodes_needed(LLAMA31_405B, 80, "bf16") == 2
    assert nodes_needed(LLAMA31_405B, 80, "fp8", kv_cache_precision="fp8") == 1  # 405.9 + 33.8 GB over 8 GPUs
    assert nodes_needed(LLAMA31_8B, 80, "bf16", context_tokens=4096) == 1


def test_size_serving_answers_everything() -> None:
    sizing = size_serving(LLAMA31_70B, H100_SXM, 4, "fp8", kv_cache_precision="fp8", batch=8)
    assert sizing.weights_gb == pytest.approx(70.553706496)
    assert sizing.kv_cache_mb_per_token == pytest.approx(0.16384)
    assert sizing.largest_context_tokens_batch1 == 131_072
    assert sizing.context_limited_by in ("memory", "model context")
    assert sizing.largest_context_tokens == max_context_tokens(
        LLAMA31_70B, 80, 4, "fp8", kv_cache_precision="fp8", batch=8
    )
    assert sizing.nodes_needed_full_context == 1
    assert sizing.gpus_needed_full_context is not None
    assert size_serving(LLAMA31_405B, H100_SXM, 8, "bf16").context_limited_by == "weights do not fit"


@PROPERTY_SETTINGS
@given(
    gpus=st.integers(1, 64),
    extra=st.integers(1, 16),
    batch=st.integers(1, 64),
    precision=st.sampled_from(["bf16", "fp8", "int4"]),
    model=st.sampled_from([LLAMA31_8B, LLAMA31_70B, MQA_TOY]),
)
def test_more_gpus_never_shorten_and_bigger_batches_never_lengthen_the_context(gpus, extra, batch, precision, model):
    base = max_context_tokens(model, 80, gpus, precision, batch=batch)
    assert max_context_tokens(model, 80, gpus + extra, precision, batch=batch) >= base
    assert max_context_tokens(model, 80, gpus, precision, batch=batch + 1) <= base
