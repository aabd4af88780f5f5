"""docs/inventory-import.md's table of columns is the importer's (`inventory.importing.SPECS`): every kind's natural
key, every column it reads, in order, with `*` on the required ones, so the documentation cannot drift again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inventory.importing import KINDS, SPECS

DOC = Path(__file__).resolve().parents[2] / "docs" / "inventory-import.md"


def documented() -> dict[str, tuple[list[str], list[tuple[str, bool]]]]:
    """Each kind's row of the table under "## Columns": (natural key, [(column, required)]), as written."""
    section = DOC.read_text(encoding="utf-8").split("\n## Columns\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not (kind := re.fullmatch(r"`(\w+)`", cells[0])):
            continue
        key, columns = (re.sub(r"\([^()]*\)", "", cell) for cell in cells[1:])  # without what is said of them
        columns = re.split(r"\.\s+[A-Z]", columns)[0]  # the list, not the sentences after it
        rows[kind.group(1)] = (
            re.findall(r"`(\w+)`", key),
            [(name, star == "*") for name, star in re.findall(r"(?:^|,)\s*`(\w+)(\*?)`", columns)],
        )
    return rows


def test_the_table_has_one_row_per_kind():
    assert list(documented()) == list(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_column_the_importer_reads_is_documented_with_its_key_and_whether_it_is_required(kind):
    key, columns = documented()[kind]
    spec = SPECS[kind]
    assert key == list(spec.key)
    assert columns == [(column.name, column.required) for column in spec.columns]
