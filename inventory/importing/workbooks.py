"""Reading the rows of an Excel workbook (.xlsx, also what LibreOffice and Google Sheets save as Excel).

A workbook holds one kind of row (the kind from the request or the file name, on its only sheet or the sheet named
after it), or several: its sheets named after kinds (`servers`, `Sites`), which is what the inventory's XLSX export
writes; other sheets (notes, lookup lists) are left alone. Each cell is turned into the text a CSV file would hold
for it, so the rows go through the CSV readings and checks: a number as Python writes it (`1.35`, `8`), a date
cell as ISO (`2026-03-01`), a formula as its value (the one the spreadsheet computed and saved), TRUE/FALSE as
true/false, a percent-formatted cell of a `_pct` column in percent (45 % is stored as 0.45: read as 45), a number
in a date column as an Excel date serial. The header is the first row that names the kind's required columns
(a title row above it is skipped); a column without a header is ignored while it is empty. Rows are numbered as
the spreadsheet numbers them; a problem names its sheet (``section``).
"""

from __future__ import annotations

import datetime
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from config.errors import ErrorItem

from .cells import UnsavedFormula
from .formats import KINDS, ImportRejected, TextFacts, normalize_kind, reject
from .readers import RawRow, check_columns, normalize_header
from .specs import SPECS, KindSpec

HEADER_SEARCH_ROWS = 20  # a header below this many rows is not looked for: the first row is taken as the header


def _open(handle: IO[bytes], *, formulas: bool = False) -> Any:
    """The workbook's saved values (``formulas``: its formulas, to tell an empty cell from a formula whose value
    was never saved, as in a file a program wrote without a spreadsheet computing it)."""
    from openpyxl import load_workbook  # only imports of workbooks pay for it

    handle.seek(0)
    try:
        return load_workbook(handle, read_only=True, data_only=not formulas)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise reject(
            f"The file cannot be read as an Excel workbook (.xlsx): {exc}. Save it again as an Excel workbook, "
            "or as CSV UTF-8.",
            code="malformed",
        ) from None


def _sheet_kinds(workbook: Any, kind: str | None) -> list[tuple[str, Any]]:
    """(kind, sheet) to read, in dependency order."""
    named: dict[str, Any] = {}
    for sheet in workbook.worksheets:
        try:
            sheet_kind = normalize_kind(sheet.title)
        except ImportRejected:
            continue
        if sheet_kind in KINDS:
            named.setdefault(sheet_kind, sheet)
    if kind is not None:
        if kind in named:
            return [(kind, named[kind])]
        if len(workbook.worksheets) == 1:
            return [(kind, workbook.worksheets[0])]
        raise reject(
            f"Which sheet holds the {kind}? The workbook has {len(workbook.worksheets)} sheets "
            f"({', '.join(s.title for s in workbook.worksheets)}): name that sheet {kind!r}, or keep only that sheet.",
            code="unknown_kind",
        )
    if not named:
        raise reject(
            "Which kind of rows is this? Name the file after the kind (e.g. servers.xlsx), choose the kind, or name "
            f"each sheet after its kind ({', '.join(KINDS)}).",
            code="unknown_kind",
        )
    return [(k, named[k]) for k in KINDS if k in named]


def workbook_facts(handle: IO[bytes], kind: str | None) -> TextFacts:
    """Refuse a file that is not a workbook, or whose sheets say no kind; an estimate of its rows."""
    workbook = _open(handle)
    try:
        sheets = _sheet_kinds(workbook, kind)
        # The sheet's declared dimension; some writers leave it out or write `A1` whatever the sheet holds: its
        # rows are counted then (a large workbook goes to a worker).
        rows = sum(sheet.max_row if (sheet.max_row or 0) > 1 else _scan(sheet).rows for _, sheet in sheets)
    finally:
        workbook.close()
    handle.seek(0)
    return TextFacts(lines=rows, braces=0)


def _number(value: int | float | Decimal, *, percent: bool) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if percent:
        number *= 100
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _cell_text(cell: Any, column: str, date_column: bool) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if date_column or value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        if date_column and not isinstance(value, bool) and 0 < value < 2958466:  # an Excel date serial
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date().isoformat()
        percent = column.endswith("_pct") and "%" in str(getattr(cell, "number_format", "") or "")
        return _number(value, percent=percent)
    return str(value)


def _header_row(rows: list[tuple[int, list[Any], Any]], spec: KindSpec) -> int:
    """The position in `rows` of the header: the first row naming every required column, else the first row."""
    required = set(spec.required_columns)
    for position, (_, cells, _formulas) in enumerate(rows):
        names = {normalize_header(c.value) for c in cells if c.value is not None}
        if required <= names:
            return position
    return 0


def _date_columns(spec: KindSpec) -> set[str]:
    from django.db import models

    return {
        c.name for c in spec.columns if c.relation is None and isinstance(spec.model_field(c.name), models.DateField)
    }


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|f|mergeCells)[\s>/]")
"""The start tags the scan looks for, with any namespace prefix (``<x:row>``): a row, a formula, the merged cells."""
_MERGE_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref\s*=\s*["']([^"']*)["']""")
_MERGE_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?mergeCells\s*>")
_SCAN_CHUNK = 1 << 20
_SCAN_OVERLAP = 64
"""Bytes a chunk keeps of the one before it, so that a tag cut by the chunk's edge is still found (once)."""


@dataclass(frozen=True)
class SheetScan:
    """What one pass over a sheet's XML bytes tells before its rows are read: how many rows it has, whether any
    cell holds a formula (only then is the sheet read a second time, for its formulas), and its cells merged down
    one column (`B2:B9`, a site written once for its servers: top row -> [(column index from 0, bottom row)];
    read-only sheets do not parse merged cells)."""

    rows: int
    has_formulas: bool
    merged_down: dict[int, list[tuple[int, int]]]


def _add_merged_down(down: dict[int, list[tuple[int, int]]], ref: str) -> None:
    """A merged range (``B2:B9``) into ``down`` (`SheetScan.merged_down`) when it runs down one column; openpyxl
    reads the reference, and one it cannot read is left out."""
    from openpyxl.utils.cell import range_boundaries

    try:
        first_col, top, last_col, bottom = range_boundaries(ref)
    except (ValueError, TypeError):
        return
    if first_col == last_col and bottom > top:
        down.setdefault(top, []).append((first_col - 1, bottom))


def _scan(sheet: Any) -> SheetScan:
    """One pass over the sheet's XML as bytes (a search at C speed, no XML parser: a tag's ``<`` cannot appear
    in text, which XML escapes); the merged cells' short section, which follows the rows, is read by pattern too
    and its references checked by openpyxl. A sheet saved in UTF-16 (allowed, never seen) is read with defusedxml."""
    rows, has_formulas = 0, False
    merge: bytes | None = None
    carry = b""
    source = sheet._get_source()  # noqa: SLF001 - the sheet's XML in the workbook's archive
    try:
        chunk = source.read(_SCAN_CHUNK)
        if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:200]:
            source.close()
            return _scan_parsed(sheet)
        while chunk:
            if merge is not None:
                merge += chunk
            else:
                window = carry + chunk
                skip = len(carry)
                for match in _TAG.finditer(window):
                    if match.end() <= skip:
                        continue  # found in the chunk before (the overlap)
                    tag = match.group(1)
                    if tag == b"row":
                        rows += 1
                    elif tag == b"f":
                        has_formulas = True
                    else:
                        merge = window[match.start() :]
                        break
                carry = window[-_SCAN_OVERLAP:]
            if merge is not None and _MERGE_END.search(merge):
                break
            chunk = source.read(_SCAN_CHUNK)
    finally:
        source.close()
    down: dict[int, list[tuple[int, int]]] = {}
    if merge is not None:
        end = _MERGE_END.search(merge)
        for ref in _MERGE_REF.findall(merge[: end.start()] if end else merge):
            _add_merged_down(down, ref.decode("ascii", "replace"))
    return SheetScan(rows, has_formulas, down)


def _scan_parsed(sheet: Any) -> SheetScan:
    """`_scan` with an XML parser (defusedxml, as every uploaded XML), for a sheet not saved as UTF-8."""
    from defusedxml.ElementTree import iterparse

    rows, has_formulas = 0, False
    down: dict[int, list[tuple[int, int]]] = {}
    source = sheet._get_source()  # noqa: SLF001
    try:
        for _, element in iterparse(source):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                _add_merged_down(down, element.get("ref", ""))
            elif tag in ("row", "c", "v", "f", "is", "t"):
                rows += tag == "row"
                has_formulas = has_formulas or tag == "f"
                element.clear()  # rows are read by openpyxl: keep nothing of them here
    finally:
        source.close()
    return SheetScan(rows, has_formulas, down)


def _sheet_rows(kind: str, sheet: Any, formula_sheet: Any | None, scan: SheetScan) -> Iterator[RawRow]:
    """The sheet's rows; ``formula_sheet`` (the same sheet's formulas) is read beside it only when the scan
    found a formula."""
    spec = SPECS[kind]
    title = sheet.title
    formula_rows = formula_sheet.iter_rows() if formula_sheet is not None else itertools.repeat(())
    numbered = (
        (number, list(cells), formulas)
        for number, (cells, formulas) in enumerate(zip(sheet.iter_rows(), formula_rows, strict=False), start=1)
    )
    head: list[tuple[int, list[Any], Any]] = []
    for number, cells, formulas in numbered:  # the first non-empty rows, to find the header among them
        if any(c.value is not None and str(c.value).strip() for c in cells):
            head.append((number, cells, formulas))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
    if not head:  # an empty sheet: nothing to import from it
        return
    position = _header_row(head, spec)
    header_line, header_cells, _ = head[position]
    header = [normalize_header(c.value) if c.value is not None else "" for c in header_cells]
    used = [i for i, name in enumerate(header) if name]
    problems = check_columns(spec, [header[i] for i in used], row=header_line)
    if problems:
        raise ImportRejected([_in_sheet(item, title) for item in problems])
    dates = _date_columns(spec)
    merged = scan.merged_down
    carried: dict[int, tuple[str, int]] = {}  # column -> the merged cell's text, its last row

    def rows() -> Iterator[tuple[int, list[Any], Any]]:
        yield from head[position + 1 :]
        yield from numbered

    for number, cells, formulas in rows():
        texts: list[Any] = [
            _cell_text(c, header[i] if i < len(header) else "", header[i] in dates if i < len(header) else False)
            for i, c in enumerate(cells)
        ]
        own = any(t.strip() for t in texts)  # a row of empty cells is empty, even beside a merged cell
        for column, (text, bottom) in list(carried.items()):  # a cell merged down: its value on every row
            if number > bottom:
                del carried[column]
            elif column < len(texts) and texts[column] == "":
                texts[column] = text
        for column, bottom in merged.get(number, ()):
            if column < len(texts):
                carried[column] = (texts[column], bottom)
        for i, (c, f) in enumerate(zip(cells, formulas, strict=False)):
            if c.value is None and isinstance(f.value, str) and f.value.startswith("="):
                from openpyxl.utils import get_column_letter

                texts[i] = UnsavedFormula(
                    f"cell {get_column_letter(i + 1)}{number} holds the formula {f.value[:60]!r} without its value: "
                    "open the workbook in Excel or LibreOffice and save it (the values are saved with it), or type "
                    "the value."
                )
        if not own and all(isinstance(t, str) for t in texts):
            continue  # an empty row
        stray = [
            i
            for i, t in enumerate(texts)
            if (not isinstance(t, str) or t.strip()) and (i >= len(header) or not header[i])
        ]
        if stray:
            from openpyxl.utils import get_column_letter

            yield RawRow(
                kind,
                number,
                {},
                from_csv=True,
                problem=f"column {get_column_letter(stray[0] + 1)} has a value but no header: name the column or "
                "empty it.",
                sheet=title,
            )
            continue
        values = {header[i]: (texts[i] if i < len(texts) else "") for i in used}
        yield RawRow(kind, number, values, from_csv=True, sheet=title)


def _in_sheet(item: ErrorItem, title: str) -> ErrorItem:
    from dataclasses import replace

    return replace(item, section=title)


def workbook_rows(handle: IO[bytes], kind: str | None) -> Iterator[RawRow]:
    """The rows of a workbook's sheets, lazily, kind after kind in dependency order."""
    workbook, formulas = _open(handle), None
    count = 0
    try:
        sheets = _sheet_kinds(workbook, kind)
        for sheet_kind, sheet in sheets:
            scan = _scan(sheet)
            if scan.has_formulas and formulas is None:
                formulas = _open(handle, formulas=True)
            formula_sheet = formulas[sheet.title] if scan.has_formulas else None
            for row in _sheet_rows(sheet_kind, sheet, formula_sheet, scan):
                count += 1
                yield row
        if count == 0:  # sheets of the whole inventory's export may be empty, not all of them
            names = ", ".join(repr(sheet.title) for _, sheet in sheets)
            raise reject(
                f"The workbook has no rows (read: the sheet{'s' if len(sheets) > 1 else ''} {names}).", code="empty"
            )
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
