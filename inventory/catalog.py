"""Load the shared catalog (accelerators, LLM configurations, grid carbon intensity) from `inventory/data/`.

Rows are upserted by their natural key, so loading twice changes nothing; private entries are never touched.
The model classes are parameters so that the data migration can pass its historical models.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
WORLD_AVERAGE_G_PER_KWH = 475.0  # IEA world average, the fallback for a country not in the table


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def _int(value: str) -> int | None:
    return int(float(value)) if value.strip() else None


def accelerator_rows() -> list[dict[str, Any]]:
    return [
        {
            "vendor": row["vendor"],
            "model": row["model"],
            "form_factor": row["form_factor"],
            "memory_gb": float(row["memory_gb"]),
            "mem_bandwidth_gbps": float(row["mem_bandwidth_gbps"]),
            "bf16_tflops": _float(row["bf16_tflops_dense"]),
            "fp8_tflops": _float(row["fp8_tflops_dense"]),
            "fp16_tflops": _float(row["fp16_tflops_dense"]),
            "int8_tops": _float(row["int8_tops_dense"]),
            "tdp_w": _int(row["tdp_w"]),
            "interconnect": row["interconnect"],
            "interconnect_gbps": _float(row["interconnect_gbps"]),
            "release_year": int(row["release_year"]),
            "nvidia_smi_names": [name.strip() for name in row["nvidia_smi_names"].split(";") if name.strip()],
            "source": row["source"],
            "system_power_w": _int(row["system_power_w"]),
            "host_reserved_gb": _float(row["host_reserved_gb"]),
            "system_source": row["system_source"],
        }
        for row in _rows("accelerators.csv")
    ]


def model_profile_rows() -> list[dict[str, Any]]:
    return [
        {
            "name": row["name"],
            "params": int(row["params"]),
            "active_params": _int(row["active_params"]),
            "layers": int(row["layers"]),
            "hidden_size": int(row["hidden_size"]),
            "attention_heads": int(row["attention_heads"]),
            "kv_heads": int(row["kv_heads"]),
            "head_dim": int(row["head_dim"]),
            "ffn_size": _int(row["ffn_size"]),
            "vocab_size": _int(row["vocab_size"]),
            "context_length": int(row["context_length"]),
            "source": row["source"],
        }
        for row in _rows("llm_models.csv")
    ]


def grid_region_rows() -> list[dict[str, Any]]:
    rows = _rows("grid_carbon_intensity.csv")
    first_source = rows[0]["source"]
    return [
        {
            "country_code": row["iso2"],
            "name": row["country"],
            "g_co2_per_kwh": float(row["g_co2_per_kwh"]),
            "year": int(row["year"]),
            # The file says "same" for rows sharing the first row's source; store the source itself.
            "source": first_source if row["source"] == "same" else row["source"],
        }
        for row in rows
    ]


def _fits_model(model: Any, values: dict[str, Any]) -> dict[str, Any] | None:
    """``values`` restricted to the fields ``model`` has, or None when a value is missing for a field that cannot
    be empty. A data migration passes the historical model of its time, which may lack columns added later
    (e.g. ``fp16_tflops``) or require ones made optional later (``bf16_tflops`` before the T4 lost it): such rows
    wait for the later migration that reloads the catalog."""
    fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    kept = {name: value for name, value in values.items() if name in fields}
    if any(value is None and not fields[name].null for name, value in kept.items()):
        return None
    return kept


def reload_catalog(apps: Any, schema_editor: Any) -> None:
    """A data migration's ``RunPython`` step: upsert the shared catalog with the migration's historical models."""
    load_catalog(
        apps.get_model("inventory", "AcceleratorType"),
        apps.get_model("inventory", "ModelProfile"),
        apps.get_model("inventory", "GridRegion"),
    )


def load_catalog(accelerator_type: Any, model_profile: Any, grid_region: Any) -> dict[str, int]:
    """Upsert the shared catalog; returns how many rows of each kind are in the files."""
    for row in accelerator_rows():
        values = _fits_model(accelerator_type, row)
        if values is None:
            continue
        accelerator_type.objects.update_or_create(
            organization=None, vendor=values.pop("vendor"), model=values.pop("model"), defaults=values
        )
    for values in model_profile_rows():
        model_profile.objects.update_or_create(organization=None, name=values.pop("name"), defaults=values)
    for values in grid_region_rows():
        grid_region.objects.update_or_create(country_code=values.pop("country_code"), defaults=values)
    return {
        "accelerator types": len(accelerator_rows()),
        "model profiles": len(model_profile_rows()),
        "grid regions": len(grid_region_rows()),
    }
