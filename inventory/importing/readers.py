"""Reading the rows of an import file: CSV line by line, JSON/YAML as a loaded document.

Rows are read lazily: a CSV file is decoded and parsed line by line; a JSON/YAML document is loaded, but its rows
are converted chunk by chunk by the importer. A row's ``number`` is its line in a CSV file as an editor counts them
(the header is line 1, or 2 after Excel's ``sep=;`` line) or its 1-based position in a JSON/YAML list; problems
with the header or the structure of the file are `ImportRejected` items with that ``row`` and the ``column`` they
concern.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import yaml

from config.errors import ErrorItem

from .formats import INVENTORY, KINDS, ImportRejected, normalize_kind, reject, text_lines
from .specs import SPECS, KindSpec


@dataclass
class RawRow:
    """One row as read: `values` maps column -> cell (strings for CSV; JSON/YAML types otherwise)."""

    kind: str
    number: int
    values: dict[str, Any]
    from_csv: bool = False
    problem: str | None = None  # the row cannot be read as a row (cell count, not a mapping)
    decimal_mark: str | None = "."  # a comma in a `;` CSV file, None in a tab-separated one (`cells.number_text`)
    sheet: str | None = None  # a workbook's sheet the row is on (its problems name it as their ``section``)


def normalize_header(name: Any) -> str:
    """A header as people write it -> the column's name: case, spaces and dashes do not matter, and a unit in
    brackets is part of the name (`Power (W)` is `power_w`, `Renewable share (%)` is `renewable_share_pct`), so
    `Power (kW)` is an unknown column, never watts read from kilowatts."""
    text = re.sub(r"[()\[\]]", " ", str(name).lower().replace("%", " pct "))
    return re.sub(r"[\s_-]+", "_", text).strip("_")


def _column_label(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."


def check_columns(spec: KindSpec, columns: list[str], *, row: int | None) -> list[ErrorItem]:
    """Unknown and missing columns of a header (CSV: row 1) or an item (JSON/YAML: its index)."""
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            problems.append(
                ErrorItem("this column appears twice.", "duplicate_column", row=row, column=_column_label(name))
            )
        seen.add(name)
        if name not in spec.by_name:
            problems.append(
                ErrorItem(
                    f"unknown column; the columns of {spec.kind} are {', '.join(spec.column_names)}.",
                    "unknown_column",
                    row=row,
                    column=_column_label(name) or "(empty)",
                )
            )
    for name in spec.required_columns:
        if name not in seen:
            problems.append(ErrorItem("required column is missing.", "missing_column", row=row, column=name))
    return problems


_SEPARATOR_LINE = re.compile(r"sep=[,;\t|]\r?\n?")


def _delimiter(header_line: str) -> str:
    """Comma; semicolon for the European Excel export (a header with semicolons and no comma); tab for
    tab-separated text (Excel's "Unicode text", Google Sheets' .tsv: a header with tabs and neither)."""
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    return "\t" if "\t" in header_line else ","


def csv_rows(handle: IO[bytes], kind: str, encoding: str | None = None) -> Iterator[RawRow]:
    """The rows of a CSV file of one kind, lazily, decoded in ``encoding`` (what `check_text` found; None: what the
    file's first bytes say); header problems are raised before the first row."""
    spec = SPECS[kind]
    lines = text_lines(handle, encoding)
    first: str | None = next(lines, "")
    line_number = 1
    hint: str | None = None  # Excel's `sep=;` line before the header names the separator
    while first is not None and (not first.strip() or (hint is None and _SEPARATOR_LINE.fullmatch(first))):
        if first.strip():
            hint = first.rstrip("\r\n")[-1]
        first = next(lines, None)
        line_number += 1
    if first is None:
        raise reject("The file is empty.", code="empty")
    header_line = line_number
    header_text: str = first

    def all_lines() -> Iterator[str]:
        yield header_text
        yield from lines

    delimiter = hint or _delimiter(header_text)
    decimal_mark = {",": ".", ";": ","}.get(delimiter)  # a tab-separated file does not say
    reader = csv.reader(all_lines(), delimiter=delimiter, strict=False)
    try:
        header = [normalize_header(name) for name in next(reader)]
    except csv.Error as exc:
        raise reject(f"The header cannot be read as CSV: {exc}.", row=header_line, code="malformed") from None
    while header and header[-1] == "":  # trailing separators
        header.pop()
    # A column without a header (a spreadsheet's empty spacer column) is left out while its cells are empty.
    unnamed = [i for i, name in enumerate(header) if name == ""]
    named = [name for name in header if name != ""]
    problems = check_columns(spec, named, row=header_line)
    if problems:
        raise ImportRejected(problems)
    count = 0
    last_line = reader.line_num
    while True:
        start = last_line + 1 + header_line - 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise reject(
                f"This line cannot be read as CSV: {exc}.", row=reader.line_num + header_line - 1, code="malformed"
            ) from None
        last_line = reader.line_num
        if not any(map(str.strip, cells)):  # an empty or blank line
            continue
        while len(cells) > len(header) and cells[-1] == "":
            cells.pop()
        count += 1
        if len(cells) != len(header):
            yield RawRow(
                kind,
                start,
                {},
                from_csv=True,
                problem=f"this row has {len(cells)} cells; the header has {len(header)}.",
                decimal_mark=decimal_mark,
            )
            continue
        stray = next((i for i in unnamed if cells[i].strip()), None)
        if stray is not None:
            yield RawRow(
                kind,
                start,
                {},
                from_csv=True,
                problem=f"cell {stray + 1} of this row has a value ({cells[stray].strip()[:40]!r}) under no header: "
                "name the column or empty it.",
                decimal_mark=decimal_mark,
            )
            continue
        values = dict(zip(header, cells, strict=True))
        if unnamed:
            del values[""]
        yield RawRow(kind, start, values, from_csv=True, decimal_mark=decimal_mark)
    if count == 0:
        raise reject("The file has a header but no rows.", code="empty")


@dataclass
class Document:
    """A parsed JSON/YAML document: the lists of rows per kind, in dependency order."""

    lists: dict[str, list[Any]]

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.lists.values())

    def rows(self) -> Iterator[RawRow]:
        for kind, items in self.lists.items():
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    yield RawRow(kind, index, {}, problem="each row must be a mapping of column names to values.")
                else:
                    yield RawRow(kind, index, {normalize_header(k): v for k, v in item.items()})


def load_document(text: str, file_format: str) -> Any:
    if file_format == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise reject(
                f"Malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).", code="malformed"
            ) from None
        except RecursionError:
            raise reject("Malformed JSON: nested too deeply.", code="malformed") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise reject(f"Malformed YAML: {exc.problem or exc.context}{where}.", code="malformed") from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise reject(f"Malformed YAML: {exc}.", code="malformed") from None


def document_lists(document: Any, *, kind: str | None, file_format: str) -> Document:
    """The row lists of a loaded document: a list of one `kind`, or a mapping of kinds (all, or only `kind`)."""
    label = "JSON" if file_format == "json" else "YAML"
    if isinstance(document, list):
        if kind is None or kind == INVENTORY:
            raise reject(
                f"Which kind of rows is this? Name the file after the kind (e.g. servers.{file_format}), choose "
                f"the kind, or write a mapping such as {{servers: [...]}}."
            )
        if not document:
            raise reject(f"The {label} list is empty.", code="empty")
        return Document({kind: document})
    if isinstance(document, dict):
        keys = {}
        for key in document:
            try:
                normalized = normalize_kind(str(key))
            except ImportRejected:
                raise reject(f"Unknown kind {str(key)!r} in the document: use {', '.join(KINDS)}.") from None
            if normalized == INVENTORY or normalized is None:
                raise reject(f"Unknown kind {str(key)!r} in the document: use {', '.join(KINDS)}.")
            keys[normalized] = document[key]
        if kind not in (None, INVENTORY):
            if kind not in keys:
                raise reject(f"There are no {kind} in this document (it has {', '.join(keys) or 'nothing'}).")
            keys = {kind: keys[kind]}
        for name, rows in keys.items():
            if rows is None:
                keys[name] = []
            elif not isinstance(rows, list):
                raise reject(f"'{name}' must be a list of rows, not {type(rows).__name__}.")
        lists = {k: keys[k] for k in KINDS if k in keys}
        if not any(lists.values()):
            raise reject(f"The {label} document has no rows.", code="empty")
        return Document(lists)
    if document is None:
        raise reject(f"The {label} document is empty (no rows).", code="empty")
    raise reject(
        f"The {label} document must be a list of rows or a mapping of kinds to lists (e.g. servers: [...]), "
        f"not {type(document).__name__}."
    )
