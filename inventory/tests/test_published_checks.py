"""Published figures the capacity model must reproduce, each with its source and tolerance.

``inventory/tests/data/published_checks.csv`` lists them (figure, function, inputs, expected, unit, relative
tolerance, source URL); one parametrized test runs every row, so adding a check means adding a row. The older
reference vectors (``capacity_vectors.csv``, a copy of ``shared/reference/capacity_vectors.csv``) run in
``test_capacity.py``. No Django, no database.
"""

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inventory.capacity import (
    ModelSpec,
    decode_seconds_per_token,
    emissions_kg,
    energy_kwh,
    forward_flops_per_token,
    gpus_needed_for_memory,
    kv_cache_bytes,
    training_days,
    training_flops,
    weights_bytes,
)

DATA = Path(__file__).parent / "data"
CHECKS_CSV = DATA / "published_checks.csv"
MODELS_CSV = Path(__file__).resolve().parents[1] / "data" / "llm_models.csv"
PF_DAY_FLOP = 1e15 * 86400  # one petaFLOP/s for a day (GPT-3 paper, Table D.1 unit)
_NUMBER = re.compile(r"^[0-9.eE+-]+$")


def _value(raw: str) -> Any:
    """A number, a product/quotient of numbers ("147/312", "6*65.2e9*380/312e12"), a boolean or a word."""
    raw = raw.strip()
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if _NUMBER.match(raw):
        return float(raw)
    if re.fullmatch(r"[0-9.eE+\-*/]+", raw):
        result, op = 1.0, "*"
        for token in re.split(r"([*/])", raw):
            if token in "*/":
                op = token
            else:
                result = result * float(token) if op == "*" else result / float(token)
        return result
    return raw


def _inputs(text: str) -> dict[str, Any]:
    return {key.strip(): _value(raw) for key, _, raw in (part.partition("=") for part in text.split(";"))}


def _model(name: str) -> ModelSpec:
    with MODELS_CSV.open(newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["name"] == name)
    return ModelSpec(
        row["name"],
        int(row["params"]),
        int(row["active_params"]) if row["active_params"] else None,
        *(int(row[f]) for f in ("layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "context_length")),
    )


def _whole(kw: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: int(value) if key in names else value for key, value in kw.items()}


def _gpus_for_memory(kw: dict[str, Any]) -> float:
    kw = _whole(kw, "context_tokens")
    result = gpus_needed_for_memory(_model(kw.pop("model")), **kw)
    assert result is not None
    return result


def _forward_ratio(kw: dict[str, Any]) -> float:
    layers, d_model = int(kw["n_layer"]), int(kw["d_model"])
    params = 12 * layers * d_model**2  # Kaplan sec. 2.1: N ~ 12 n_layer d_model^2
    return forward_flops_per_token(params, layers, int(kw["n_ctx"]), d_model) / (2 * params)


FUNCTIONS: dict[str, Callable[[dict[str, Any]], float]] = {
    "training_flops": lambda kw: training_flops(**kw),
    "training_pf_days": lambda kw: training_flops(**kw) / PF_DAY_FLOP,
    "training_days": lambda kw: training_days(**_whole(kw, "gpus")),
    "training_gpu_hours": lambda kw: training_days(**_whole(kw, "gpus")) * 24 * kw["gpus"],
    "energy_kwh": lambda kw: energy_kwh(**_whole(kw, "devices")),
    "gpu_hours_emissions": lambda kw: emissions_kg(
        energy_kwh(1, kw["watts"], kw["gpu_hours"], kw["pue"]), kw["g_per_kwh"]
    ),
    "kv_cache_bytes": lambda kw: kv_cache_bytes(**_whole(kw, "layers", "kv_heads", "head_dim", "seq_len", "batch")),
    "weights_share": lambda kw: weights_bytes(kw["params"], kw["precision"]) / (kw["memory_gb"] * 1e9),
    "decode_seconds_per_token": lambda kw: decode_seconds_per_token(**kw),
    "gpus_needed_for_memory": _gpus_for_memory,
    "forward_flops_ratio": _forward_ratio,
}


def _load() -> list[dict[str, str]]:
    with CHECKS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


CHECKS = _load()


def test_there_are_at_least_25_sourced_checks() -> None:
    assert len(CHECKS) >= 25
    assert len({row["id"] for row in CHECKS}) == len(CHECKS)
    for row in CHECKS:
        assert "http" in row["source"], f"{row['id']} has no source URL"
        assert float(row["rel_tolerance"]) <= 0.10, f"{row['id']}: tolerance above 10%"


@pytest.mark.parametrize("row", [pytest.param(row, id=row["id"]) for row in CHECKS])
def test_published_check(row: dict[str, str]) -> None:
    function = FUNCTIONS.get(row["function"])
    assert function is not None, f"{row['id']}: no function {row['function']!r}"
    actual = function(_inputs(row["inputs"]))
    expected = float(row["expected"])
    tolerance = float(row["rel_tolerance"])
    assert abs(actual - expected) <= tolerance * abs(expected), (
        f"{row['id']} {row['figure']}: computed {actual:.6g}, published {expected:.6g} "
        f"({(actual - expected) / expected:+.2%}, tolerance {tolerance:.1%}); {row['source']}"
    )


def report() -> list[tuple[str, str, float, float, float]]:
    """(id, figure, computed, published, relative error) of every check: used for docs/capacity.md's table."""
    rows = []
    for row in CHECKS:
        actual = FUNCTIONS[row["function"]](_inputs(row["inputs"]))
        expected = float(row["expected"])
        rows.append((row["id"], row["figure"], actual, expected, (actual - expected) / expected))
    return rows
