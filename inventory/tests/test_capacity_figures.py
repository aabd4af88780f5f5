"""Figures that carry their calculation (`capacity.Figure`): the pure model's figures of a fit reproduce from their
inputs, name where each input comes from, and cite a source that fits the formula (training is not labelled with
the serving formula, usable memory for training does not cite vLLM, ...)."""

import math

import pytest

from inventory import capacity
from inventory.capacity import Figure, Input, format_value

H100 = capacity.AcceleratorSpec("NVIDIA H100 SXM", 80, 3350, 989, fp8_tflops=1979, tdp_w=700, fp16_tflops=989)
LLAMA_70B = capacity.ModelSpec("Llama-3.1-70B", 70_553_706_496, None, 80, 8192, 64, 8, 128, 131072)
MISTRAL_7B = capacity.ModelSpec("Mistral-7B", 7_241_732_096, None, 32, 4096, 32, 8, 128, 32768)
POOL = capacity.Pool(H100, 16, "Lab", site_power_capacity_kw=400.0, site_power_draw_kw=20.0)
SERVING = capacity.InferenceWorkload(LLAMA_70B, "bf16", 1.0, 1000, 250, ttft_target_s=2.0, tpot_target_s=0.1)
TRAINING = capacity.TrainingWorkload(MISTRAL_7B, "bf16", 5e9, 7.0, 0.4, goodput=0.9)


def by_name(figures: tuple[Figure, ...]) -> dict[str, Figure]:
    return {f.name: f for f in figures}


def value_of(figure: Figure, name: str) -> float:
    return next(float(i.value) for i in figure.inputs if i.name == name)


@pytest.fixture(scope="module")
def serving() -> dict[str, Figure]:
    fit = capacity.fit_inference(SERVING, POOL)
    return by_name(capacity.fit_figures(SERVING, POOL, fit))


@pytest.fixture(scope="module")
def training() -> dict[str, Figure]:
    fit = capacity.fit_training(TRAINING, POOL)
    return by_name(capacity.fit_figures(TRAINING, POOL, fit))


def test_every_figure_of_a_fit_has_value_unit_formula_inputs_and_source(serving, training):
    for figure in (*serving.values(), *training.values()):
        assert figure.missing() == (), (figure.name, figure.missing())
        assert figure.label
        assert "_" not in figure.label


def test_serving_figures_reproduce_from_their_inputs(serving):
    weights = serving["weights_gb_per_gpu"]
    assert weights.value == pytest.approx(
        value_of(weights, "parameters") * value_of(weights, "bytes per weight (bf16)") / 1e9
        / value_of(weights, "tensor-parallel size")
    )  # fmt: skip
    kv = serving["kv_cache_gb_per_gpu"]
    n = {i.name.split(" (")[0]: float(i.value) for i in kv.inputs}
    expected = (
        2 * n["layers"] * n["KV heads"] * n["head size"] * n["bytes per KV value"]
        * (n["prompt tokens"] + n["output tokens"]) * n["sequences per replica"]
        / min(n["tensor-parallel size"], n["KV heads"]) / 1e9
    )  # fmt: skip
    assert kv.value == pytest.approx(expected)
    usable = serving["usable_memory_gb_per_gpu"]
    assert usable.value == pytest.approx(value_of(usable, "memory of NVIDIA H100 SXM") * 0.9)
    prefill = serving["prefill_flops"]
    p = {i.name: float(i.value) for i in prefill.inputs}
    attention = 2 * p["layers"] * p["prompt tokens"] * p["attention heads"] * p["head size"]
    assert prefill.value == pytest.approx(p["prompt tokens"] * (2 * p["active parameters per token"] + attention))
    rate = serving["replica_requests_per_second"]
    r = {i.name.split(" (")[0]: float(i.value) for i in rate.inputs}
    b = r["sequences per replica"]
    assert rate.value == pytest.approx(
        b / (b * r["time to first token"] + r["output tokens"] * r["time per output token"])
    )
    gpus = serving["gpus_needed"]
    assert gpus.value == value_of(gpus, "replicas") * value_of(gpus, "tensor-parallel size")
    power = serving["it_power_kw"]
    assert power.value == pytest.approx(
        value_of(power, "GPUs needed") * value_of(power, "whole-server watts per GPU") / 1000
    )
    demand = serving["output_tokens_per_second"]
    assert demand.value == pytest.approx(value_of(demand, "requests per second") * value_of(demand, "output tokens"))


def test_serving_sources_are_specific(serving):
    assert "Little" in serving["in_flight_requests"].source
    assert "Orca" in serving["replica_requests_per_second"].source
    assert "Megatron" in serving["tensor_parallel"].source
    assert "vLLM" in serving["tensor_parallel"].source
    assert "roofline" in serving["ttft_s"].source
    assert "Kaplan" in serving["ttft_s"].source
    assert "roofline" in serving["tpot_s"].source
    assert "GQA" in serving["kv_cache_gb_per_gpu"].source
    assert "Optimizing LLMs" in serving["weights_gb_per_gpu"].source
    assert serving["gpus_needed"].source
    assert serving["output_tokens_per_second"].source
    assert "1.82" not in serving["it_power_kw"].formula  # the watts per GPU are an input with their origin
    assert serving["meets_latency_targets"].value is True
    assert {i.name for i in serving["meets_latency_targets"].inputs} >= {"TTFT target", "TPOT target"}


def test_training_is_labelled_with_its_own_formula_and_sources(training):
    states = training["memory_gb_per_gpu"]
    assert states.label == "Model states per GPU (ZeRO-3)"
    assert "weights + KV cache" not in states.formula
    assert "ZeRO" in states.source
    assert states.value == pytest.approx(16 * MISTRAL_7B.params / 16 / 1e9)  # ZeRO-3 over the pool's 16 GPUs
    usable = training["usable_memory_gb_per_gpu"]
    assert "vLLM" not in usable.formula
    assert "assumption" in usable.source
    assert "vLLM" not in " ".join(i.origin for i in usable.inputs)
    deadline = training["meets_deadline"]
    assert deadline.value is True
    assert deadline.unit == "yes/no"
    assert value_of(deadline, "training days on the pool") <= value_of(deadline, "deadline")
    days = training["training_days"]
    d = {i.name: float(i.value) for i in days.inputs}
    assert days.value == pytest.approx(
        d["FLOPs computed"] / (d["NVIDIA H100 SXM in the pool"] * d["compute rate per GPU"] * 1e12
        * d["model FLOPs utilization (MFU)"] * d["goodput"]) / 86400
    )  # fmt: skip
    gpus = training["gpus_needed"]
    assert gpus.value == max(
        value_of(gpus, "fewest GPUs holding the model states (ZeRO-3)"),
        value_of(gpus, "fewest GPUs meeting the deadline"),
    )


def test_origins_name_the_records_when_the_caller_gives_them():
    fit = capacity.fit_inference(SERVING, POOL)
    origins = capacity.Origins(workload="workload Chat", model="model profile Llama-3.1-70B (HF config.json)")
    figures = by_name(capacity.fit_figures(SERVING, POOL, fit, origins))
    assert {i.origin for i in figures["weights_gb_per_gpu"].inputs if i.name == "parameters"} == {
        "model profile Llama-3.1-70B (HF config.json)"
    }
    assert any(i.origin.startswith("workload Chat") for i in figures["output_tokens_per_second"].inputs)


def test_a_workload_that_does_not_fit_shows_only_the_figures_it_has():
    small = capacity.Pool(capacity.AcceleratorSpec("A10", 24, 600, 125, tdp_w=150), 8, "Lab")
    big = capacity.InferenceWorkload(
        capacity.ModelSpec("405B", 405e9, None, 126, 16384, 128, 8, 128, 131072), "bf16", 1.0, 1000, 100
    )
    fit = capacity.fit_inference(big, small)
    figures = by_name(capacity.fit_figures(big, small, fit))
    assert not fit.fits
    assert "gpus_needed" not in figures
    assert "replicas" not in figures
    assert all(f.missing() == () for f in figures.values())


def test_missing_names_each_absent_part():
    bare = Figure("x", "X", None, "", "", (Input("a", 1, "", ""),), "")
    assert set(bare.missing()) == {"value", "unit", "formula", "source", "input a: value, unit and origin"}
    assert Figure("x", "X", 1.0, "kW", "a", (), "s").missing() == ("inputs",)
    assert Figure("x", "X", math.nan, "kW", "a", (Input("a", 1, "W", "o"),), "s").missing() == ("value",)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (30558.38, "EUR/month", "30,558 EUR/month"),
        (220.32, "kW", "220.3 kW"),
        (0.14425, "s", "0.144 s"),
        (1.424e14, "FLOP", "1.42 x 10¹⁴ FLOP"),
        (128, "GPUs", "128 GPUs"),
        (True, "yes/no", "yes"),
        (0.0, "kWh", "0 kWh"),
        (None, "kW", "not determined"),
        # A fraction reads as a percentage, one thing counted in the singular ("Replicas: 1 replicas", "0.9
        # fraction" on a new organization's capacity page).
        (0.9, "fraction", "90 %"),
        (0.35, "fraction", "35 %"),
        (1, "replicas", "1 replica"),
        (2, "replicas", "2 replicas"),
        (1, "GPUs", "1 GPU"),
        (1.0, "days", "1 day"),
    ],
)
def test_values_are_shown_rounded_with_their_unit(value, unit, shown):
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        # Dallas Colo of a new organization: 3 servers of 6,500 W at PUE 1.5 draw 29.25 kW at the facility, 29.25 x
        # 730 = 21,352.5 kWh a month. The capacity table (Django's floatformat) read 29.3 kW and 21,353 kWh; the
        # figures beside it, in Python's half-to-even formatting of the binary value, 29.2 kW and 21,352 kWh.
        (29.25, "kW", "29.3 kW"),
        (21352.5, "kWh", "21,353 kWh"),
        (102.25, "kW", "102.3 kW"),
        (0.125, "s", "0.125 s"),
        (0.0625, "s", "0.0625 s"),
        (2.675, "h", "2.68 h"),  # binary 2.67499999...: its decimal spelling rounds up
        (-29.25, "kW", "-29.3 kW"),  # away from zero, as money is rounded
        (2.345e14, "FLOP", "2.35 x 10¹⁴ FLOP"),
    ],
)
def test_values_round_half_away_from_zero_as_the_tables_beside_them(value, unit, shown):
    from django.template.defaultfilters import floatformat

    assert format_value(value, unit) == shown
    if unit in {"kW", "kWh"} and abs(value) < 1e7:  # the very text the capacity table writes
        decimals = 0 if abs(value) >= 1000 else 1
        assert shown.split()[0].replace(",", "") == floatformat(value, decimals)


def test_a_column_rounds_half_away_from_zero():
    from inventory.capacity import format_column

    assert format_column([29.25, 7.14]) == ["29.25", "7.14"]
    assert format_column([0.125, 1.0]) == ["0.13", "1.00"]
    assert format_column([2.675, 1.0]) == ["2.68", "1.00"]


def test_a_training_runs_energy_cost_is_money():
    """The figure "Energy cost of one training run" (unit "<currency>/run") read "199.8 EUR/run" beside "€1,451" for
    the same run's own cost: 650 GPU-hours x 1,366 W / 1000 x PUE 1.25 x 0.18 EUR/kWh."""
    from inventory.capacity import format_amount, is_money_unit

    assert is_money_unit("EUR/run")
    assert Figure("run_energy_cost", "Energy cost of one training run", 199.8, "EUR/run", "f", (), "s").shown == (
        "€200/run"
    )
    assert format_amount(85.5, "USD/run") == "$85.50/run"
    assert format_amount(1234.5, "GBP/run") == "£1,235/run"


def test_a_figure_as_the_api_gives_it():
    figure = Figure("it_power_kw", "IT power", 5.1, "kW", "a x b", (Input("a", 4, "GPUs", "figure: GPUs"),), "src")
    assert figure.as_dict() == {
        "name": "it_power_kw",
        "label": "IT power",
        "value": 5.1,
        "unit": "kW",
        "formula": "a x b",
        "inputs": [{"name": "a", "value": 4, "unit": "GPUs", "origin": "figure: GPUs"}],
        "source": "src",
        "note": "",
    }
    assert figure.as_input().origin == "figure: IT power"


@pytest.mark.parametrize(
    ("headroom_kw", "shown"),
    [
        (261.66, "261.7"),  # one decimal
        (8.0, "8.0"),
        (1234.56, "1,234.6"),  # thousands grouped
        (0.25, "0.3"),  # half away from zero on the decimal spelling, as the tables round
        (-2.2, "2.2 over"),  # over the capacity in words, never a negative headroom
        (-2.25, "2.3 over"),
        (-0.04, "0.0"),  # reads 0.0 at one decimal: neither "-0.0" nor "0.0 over"
        (-0.05, "0.1 over"),
    ],
)
def test_a_sites_headroom_is_worded_by_one_rule(headroom_kw, shown):
    assert capacity.format_headroom_kw(headroom_kw) == shown
    assert capacity.over_capacity(headroom_kw) is shown.endswith(" over")


def test_a_headroom_amount_can_be_spelt_with_its_unit():
    """A chart spells the amount as its labels do; the rule of what is over, and the word, stay the same."""

    def spell(amount: float) -> str:
        return f"{amount:g} kW"

    assert capacity.format_headroom_kw(-2.2, spell) == "2.2 kW over"
    assert capacity.format_headroom_kw(20.04, spell) == "20 kW"
    assert capacity.format_headroom_kw(-0.04, spell) == "0 kW"


@pytest.mark.parametrize(
    ("capacity_kw", "shown"),
    [(400, "400"), (400.0, "400"), (95.5, "95.5"), (1200.50, "1,200.5"), (1234567.25, "1,234,567.25"), (0.125, "0.13")],
)
def test_a_recorded_capacity_reads_as_recorded(capacity_kw, shown):
    assert capacity.format_capacity_kw(capacity_kw) == shown
