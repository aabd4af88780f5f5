"""The columns of each kind of import file (and of export files: the same columns, in the same order).

A column is a model field, or a related row named by its name (`relation`: a site by its name, a catalog entry by
the names people write). The rules a value must follow are not here: they are the model's (its fields'
validators and its row rules, `inventory.validators`), which the importer applies as forms and the API do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from config.errors import ErrorItem

from ..models import CloudCapacity, NetworkFabric, Server, Site, StorageSystem, Workload


@dataclass(frozen=True)
class Column:
    """A column of an import file: its model field, or a related row named by `relation` (site, catalog)."""

    name: str
    required: bool = False  # must be in the header and have a value (for a new row)
    relation: str | None = None  # "site", "accelerator_type", "model_profile": the cell is a name


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    by_name: dict[str, Column] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def key(self) -> tuple[str, ...]:
        """The natural key, unique per organization (the model's): rows are matched to existing ones by it."""
        return self.model.natural_key  # type: ignore[attr-defined]

    @property
    def folded(self) -> tuple[bool, ...]:
        """For each column of `key`, whether it is compared whatever its case (the model's ``folded_key``)."""
        folded = getattr(self.model, "folded_key", ())
        return tuple(name in folded for name in self.key)

    def key_of(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A natural key as it is compared: its folded columns in lower case."""
        return tuple(
            value.lower() if fold and isinstance(value, str) else value
            for value, fold in zip(values, self.folded, strict=True)
        )

    @property
    def row_rules(self) -> Callable[[Mapping[str, Any]], list[ErrorItem]]:
        """The model's rules across fields (what its ``clean()`` runs)."""
        return self.model.row_rules  # type: ignore[attr-defined]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def model_field(self, column: str) -> Any:
        return self.model._meta.get_field(column)


SPECS: dict[str, KindSpec] = {
    "sites": KindSpec(
        kind="sites",
        model=Site,
        columns=(
            Column("name", required=True),
            Column("country", required=True),
            Column("region"),
            Column("pue"),
            Column("grid_intensity_override"),
            Column("electricity_price_per_kwh"),
            Column("currency"),
            Column("renewable_share_pct"),
            Column("power_capacity_kw"),
            Column("cooling"),
            Column("colocation_per_month"),
            Column("maintenance_per_month"),
            Column("staff_per_month"),
        ),
    ),
    "servers": KindSpec(
        kind="servers",
        model=Server,
        columns=(
            Column("hostname", required=True),
            Column("site", required=True, relation="site"),
            Column("serial"),
            Column("status"),
            Column("vendor"),
            Column("model"),
            Column("cpu_cores"),
            Column("ram_gb"),
            Column("accelerator_type", relation="accelerator_type"),
            Column("accelerator_count"),
            Column("power_w"),
            Column("power_measured"),
            Column("purchase_date"),
            Column("purchase_cost"),
            Column("purchase_currency"),
            Column("depreciation_years"),
            Column("gpu_driver_version"),
            Column("cuda_version"),
            Column("os"),
        ),
    ),
    "storage": KindSpec(
        kind="storage",
        model=StorageSystem,
        columns=(
            Column("site", required=True, relation="site"),
            Column("name", required=True),
            Column("kind", required=True),
            Column("usable_tb", required=True),
            Column("read_throughput_gbps"),
        ),
    ),
    "networks": KindSpec(
        kind="networks",
        model=NetworkFabric,
        columns=(
            Column("site", required=True, relation="site"),
            Column("name", required=True),
            Column("kind", required=True),
            Column("link_speed_gbps", required=True),
            Column("topology"),
            Column("oversubscription_ratio"),
        ),
    ),
    "cloud": KindSpec(
        kind="cloud",
        model=CloudCapacity,
        columns=(
            Column("provider", required=True),
            Column("region", required=True),
            Column("instance_type", required=True),
            Column("accelerator_type", required=True, relation="accelerator_type"),
            Column("accelerators_per_instance", required=True),
            Column("instances", required=True),
            Column("hourly_price", required=True),
            Column("currency"),
        ),
    ),
    "workloads": KindSpec(
        kind="workloads",
        model=Workload,
        columns=(
            Column("name", required=True),
            Column("kind", required=True),
            Column("model_profile", required=True, relation="model_profile"),
            Column("precision"),
            Column("requests_per_second"),
            Column("prompt_tokens"),
            Column("output_tokens"),
            Column("ttft_target_ms"),
            Column("tpot_target_ms"),
            Column("training_tokens"),
            Column("deadline_days"),
            Column("assumed_mfu"),
            Column("dataset_size_tb"),
            Column("activation_recompute"),
            Column("goodput"),
            Column("kv_cache_precision"),
        ),
    ),
}
MODEL_KINDS: dict[type[models.Model], str] = {spec.model: kind for kind, spec in SPECS.items()}
