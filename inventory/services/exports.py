"""The one inventory exporter: the app's export page, the API, reports' data exports and the admin's export
action all take their files from here.

Rows come out as import reads them back (related rows by name; `export_rows`), and the writers
(`inventory.exporting`) neutralize every text cell a spreadsheet would run as a formula, whatever the format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization

from .. import selectors
from ..exporting import csv_chunks, json_chunks, yaml_chunks
from ..importing import FORMATS, INVENTORY, KINDS, SPECS, KindSpec, format_of, normalize_kind, reject
from .catalog_names import Catalog

_SELECTORS = {
    "sites": selectors.sites_for,
    "servers": selectors.servers_for,
    "storage": selectors.storage_systems_for,
    "networks": selectors.network_fabrics_for,
    "cloud": selectors.cloud_capacity_for,
    "workloads": selectors.workloads_for,
}


def _export_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _export_order(spec: KindSpec) -> list[str]:
    return ["site__name" if c == "site" else c for c in spec.key]


def export_rows(
    *,
    organization: Organization,
    kind: str,
    catalog: Catalog | None = None,
    only: QuerySet[Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """The organization's rows of `kind` as import reads them back (related rows by name), streamed. `only` (a
    queryset of that kind, e.g. the admin's selection) narrows them; it never widens them past the organization."""
    spec = SPECS[kind]
    catalog = catalog or Catalog(organization)
    queryset = _SELECTORS[kind](organization=organization)
    if only is not None:
        queryset = queryset.filter(pk__in=only.values("pk"))
    for obj in queryset.order_by(*_export_order(spec)).iterator(chunk_size=2000):
        row: dict[str, Any] = {}
        for column in spec.columns:
            if column.relation == "site":
                row[column.name] = obj.site.name
            elif column.relation == "accelerator_type":
                row[column.name] = catalog.accelerator_export_name(obj.accelerator_type_id)
            elif column.relation == "model_profile":
                row[column.name] = catalog.profile_export_name(obj.model_profile_id)
            else:
                row[column.name] = _export_value(getattr(obj, column.name))
        yield row


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    chunks: Iterator[str]


def inventory_export(
    *, organization: Organization, kind: str | None, file_format: str, only: QuerySet[Any] | None = None
) -> Export:
    """An export file: CSV of one kind; JSON/YAML of one kind (a list) or of all (a mapping). `only` narrows a
    kind's rows (`export_rows`). Raises `ImportRejected` for an unknown kind or format, or CSV without a kind."""
    fmt = format_of("", file_format or "csv", formats=FORMATS)
    chosen = normalize_kind(kind)
    if chosen is None or chosen == INVENTORY:
        if fmt == "csv":
            raise reject(
                "CSV holds one kind per file: choose sites, servers, storage, networks, cloud or workloads.",
                code="invalid",
            )
        chosen = None
    catalog = Catalog(organization)
    kinds = [chosen] if chosen else list(KINDS)
    lists = {k: export_rows(organization=organization, kind=k, catalog=catalog, only=only) for k in kinds}
    extension = "yaml" if fmt == "yaml" else fmt
    filename = f"{chosen or 'inventory'}.{extension}"
    if fmt == "csv":
        chunks = csv_chunks(SPECS[chosen].column_names, lists[chosen])  # type: ignore[index]
        content_type = "text/csv; charset=utf-8"
    elif fmt == "json":
        chunks = json_chunks(lists, mapping=chosen is None)
        content_type = "application/json"
    else:
        chunks = yaml_chunks(lists, mapping=chosen is None)
        content_type = "application/yaml; charset=utf-8"
    return Export(filename=f"{organization.slug}-{filename}", content_type=content_type, chunks=chunks)


def _record_value(obj: Any, field: Any) -> Any:
    if field.is_relation:
        return str(getattr(obj, field.name) or "")
    value = getattr(obj, field.attname)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else _export_value(value)


def records_export(*, queryset: QuerySet[Any], name: str) -> Export:
    """Rows of any model as they are stored, as CSV (the admin's export of catalog entries and reference data):
    every concrete field but the id, a related row by its name. The same writer, formulas neutralized."""
    fields = [f for f in queryset.model._meta.concrete_fields if not f.primary_key]
    related = [f.name for f in fields if f.is_relation]

    def rows() -> Iterator[dict[str, Any]]:
        for obj in queryset.select_related(*related).iterator(chunk_size=2000):
            yield {f.name: _record_value(obj, f) for f in fields}

    return Export(
        filename=f"{name}.csv",
        content_type="text/csv; charset=utf-8",
        chunks=csv_chunks([f.name for f in fields], rows()),
    )
