"""The import's preview shows what will be stored as people read it: choices by their label, whole numbers without
".0" and grouped, other numbers exactly as written (a new organization's preview read "20000000000.0" training
tokens, "30.0" %, "5.0" years and "rear_door")."""

from __future__ import annotations

import pytest

from inventory.import_views import preview_cell, preview_tables
from inventory.models import ImportJob


@pytest.mark.parametrize(
    ("kind", "column", "value", "shown"),
    [
        ("workloads", "training_tokens", 2e10, "20,000,000,000"),
        ("sites", "renewable_share_pct", 30.0, "30"),
        ("servers", "depreciation_years", 5.0, "5"),
        ("servers", "depreciation_years", 4.5, "4.5"),
        ("sites", "pue", 1.345, "1.345"),  # exactly what is stored: not rounded to 1.35
        ("sites", "cooling", "rear_door", "Rear-door heat exchanger"),
        ("servers", "status", "planned", "Planned"),
        ("servers", "accelerator_count", 8, "8"),
        ("servers", "power_w", 10200, "10,200"),
        ("servers", "hostname", "fra-h100-01", "fra-h100-01"),
        ("servers", "site", "Frankfurt", "Frankfurt"),  # a related row, by its name
        ("sites", "power_capacity_kw", None, ""),
    ],
)
def test_a_preview_cell_reads_as_it_will_be_stored(kind, column, value, shown):
    assert preview_cell(kind, column, value) == shown


def test_the_preview_tables_show_their_cells_that_way():
    job = ImportJob(
        kind="sites",
        preview=[{"row": 2, "action": "create", "values": {"name": "Paris", "cooling": "rear_door", "pue": 1.25}}],
    )
    (table,) = preview_tables(job)
    assert table["rows"][0]["cells"][table["columns"].index("cooling")] == "Rear-door heat exchanger"
    assert table["rows"][0]["cells"][table["columns"].index("name")] == "Paris"
