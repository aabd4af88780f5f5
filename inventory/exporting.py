"""Writing export files: CSV (one kind), JSON and YAML (one kind as a list, or the inventory as a mapping).

Writers take rows as plain dicts of JSON types (see `services.export_rows`) and yield text in pieces, so a large
inventory streams to the client. CSV starts with a UTF-8 byte-order mark (Excel then reads it as UTF-8) and
guards every text cell a spreadsheet would run as a formula with a leading `'`; import removes it again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from .importing import neutralize

_FLUSH_EVERY = 500
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


def csv_chunks(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        if n % _FLUSH_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_list(rows: Iterable[dict[str, Any]], indent: str) -> Iterator[str]:
    first = True
    yield "["
    for row in rows:
        yield ("\n" if first else ",\n") + indent + "  " + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]" if first else "\n" + indent + "]"


def json_chunks(lists: dict[str, Iterable[dict[str, Any]]], *, mapping: bool) -> Iterator[str]:
    """One kind as a list (`mapping` False, one entry in `lists`) or every kind as `{kind: [...]}`."""
    if not mapping:
        (rows,) = lists.values()
        yield from _json_list(rows, "")
        yield "\n"
        return
    yield "{"
    for n, (kind, rows) in enumerate(lists.items()):
        yield ("\n" if n == 0 else ",\n") + f"  {json.dumps(kind)}: "
        yield from _json_list(rows, "  ")
    yield "\n}\n"


def _yaml_items(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    batch: list[dict[str, Any]] = []
    empty = True
    for row in rows:
        batch.append(row)
        empty = False
        if len(batch) >= _FLUSH_EVERY:
            yield yaml.dump(batch, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
            batch = []
    if batch:
        yield yaml.dump(batch, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    elif empty:
        yield "[]\n"


def yaml_chunks(lists: dict[str, Iterable[dict[str, Any]]], *, mapping: bool) -> Iterator[str]:
    if not mapping:
        (rows,) = lists.values()
        yield from _yaml_items(rows)
        return
    for kind, rows in lists.items():
        items = _yaml_items(rows)
        first = next(items)
        if first == "[]\n":
            yield f"{kind}: []\n"
        else:
            yield f"{kind}:\n"
            yield first
            yield from items
