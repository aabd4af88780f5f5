"""A CSV column converted at once (`inventory.importing.columns`) gives exactly what each cell gives on its own.

The column form is only a faster way to the same values: whenever it returns, every value must equal (with its
type) what `fast_cell` gives for that cell; when a cell is not the common valid case it must raise, so that the
importer goes cell by cell and words the problem. Checked for every column of every kind, on cells that hit each
reading and each validator's edge.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.lookups import AnyOf
from inventory.importing import SPECS, column_cells, fast_cell

CELLS = [
    # numbers: whole, negative, beyond a column's limits, scientific, not finite, with spaces, decimals of
    # different exponents (equal as numbers, not as text: 12 digits / 2 places)
    "0",
    "1",
    "8",
    "-3",
    "1024",
    "1025",
    "40000",
    "1e12",
    "2.5",
    "1.10",
    "1.1",
    "310000.55",
    "3100000000.555",
    "nan",
    "inf",
    " 7 ",
    "1_000",
    # empty, blank, formula-guarded, refused characters, too long
    "",
    " ",
    "\t",
    "'=SUM(A1)",
    "'x",
    "a\u202eb",
    "a\u200bb",
    "x" * 300,
    # dates, booleans, choices by value and label, names the catalog knows
    "2024-01-15",
    "20240115",
    "2024-02-30",
    "true",
    "No",
    "yes",
    "active",
    "Active",
    "planned",
    "retired",
    "nope",
    "H100 SXM",
    "L4",
    "Frankfurt",
    "DE",
    "EUR",
    "eur",
    "Ubuntu 22.04",
    "12.4",
]
COLUMNS = [
    (kind, column) for kind, spec in SPECS.items() for column in spec.columns if column_cells(spec, column) is not None
]


def _one(kind: str, column: Any, cell: str) -> tuple[bool, Any]:
    try:
        return True, fast_cell(SPECS[kind], column)(cell)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - any refusal: the importer goes the generic way
        return False, None


def test_every_kind_has_column_forms():
    kinds = {kind for kind, _ in COLUMNS}
    assert kinds == set(SPECS)
    assert ("servers", SPECS["servers"].by_name["hostname"]) in COLUMNS


@pytest.mark.parametrize(("kind", "column"), COLUMNS, ids=[f"{k}.{c.name}" for k, c in COLUMNS])
@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.sampled_from(CELLS), min_size=1, max_size=12))
def test_a_column_gives_what_each_cell_gives(kind, column, cells):
    convert = column_cells(SPECS[kind], column)
    try:
        values = convert(cells)
    except Exception:  # noqa: BLE001
        return  # cell by cell then: always right
    expected = [_one(kind, column, cell) for cell in cells]
    assert all(ok for ok, _ in expected), f"{kind}.{column.name}: {cells!r} taken though a cell is refused"
    assert [(type(v), v) for v in values] == [(type(v), v) for _, v in expected]
    assert [str(v) for v in values] == [str(v) for _, v in expected]  # Decimal('1.10') is not Decimal('1.1')


def test_a_valid_column_is_taken_at_once():
    spec = SPECS["servers"]
    hostnames = [f"gpu-{i:04d}.example.net" for i in range(100)]
    assert column_cells(spec, spec.by_name["hostname"])(hostnames) == hostnames
    costs = [f"310000.{i:02d}" for i in range(100)]
    assert [str(v) for v in column_cells(spec, spec.by_name["purchase_cost"])(costs)] == costs
    counts = column_cells(spec, spec.by_name["accelerator_count"])
    assert counts([str(i) for i in range(100)]) == list(range(100))


@pytest.mark.parametrize(
    ("name", "cells"),
    [
        ("accelerator_count", [str(i) for i in range(99)] + ["1025"]),  # beyond the model's bound
        ("accelerator_count", [str(i) for i in range(99)] + ["-1"]),
        ("hostname", [f"h{i}" for i in range(99)] + ["bad\u202ename"]),  # a refused character
        ("hostname", [f"h{i}" for i in range(99)] + [""]),  # required
        ("serial", [f"s{i}" for i in range(99)] + ["x" * 300]),  # too long
        ("purchase_cost", [f"{i}.5" for i in range(99)] + ["1e12"]),  # more digits than the column has
        ("purchase_date", [f"2024-01-{1 + i % 28:02d}" for i in range(99)] + ["2024-02-30"]),
    ],
)
def test_one_bad_cell_sends_the_column_cell_by_cell(name, cells):
    spec = SPECS["servers"]
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever: the importer then goes cell by cell
        column_cells(spec, spec.by_name[name])(cells)


def test_any_of_matches_like_in(organization):
    from django.db.models import F

    from inventory.models import Server, Site

    frankfurt = Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    for hostname in ("a", "b", "c'd", 'e"f'):
        Server.objects.create(organization=organization, site=frankfurt, hostname=hostname)
    found = Server.objects.filter(AnyOf(F("hostname"), ["b", "c'd", 'e"f', "zz"])).values_list("hostname", flat=True)
    assert sorted(found) == ["b", "c'd", 'e"f']
    assert not Server.objects.filter(AnyOf(F("hostname"), [])).exists()


def test_natural_keys_are_required_columns():
    """The column-wise conversion reads a row's key from its key columns: they are in every file's header."""
    for spec in SPECS.values():
        assert set(spec.key) <= set(spec.required_columns), spec.kind
