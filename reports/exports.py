"""Data exports: an assessment's scores, answers and roadmap, and the inventory, as CSV, JSON or XLSX.

Rows come from `report_data` (scores, answers), `assessments.selectors.roadmap_rows` (roadmap) and
`inventory.services.export_rows` (inventory). CSV and JSON reuse the inventory's streaming writers
(`inventory.exporting`: UTF-8 with a byte-order mark, formula-like text cells neutralized with a leading ``'``);
XLSX is an openpyxl write-only workbook whose text cells are neutralized the same way (openpyxl would store a text
starting with ``=`` as a formula) and stripped of the control characters XML cannot hold.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from accounts.models import Organization
from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from inventory import services as inventory_services
from inventory.exporting import csv_chunks, json_chunks
from inventory.importing import INVENTORY, KINDS, SPECS, ImportRejected, neutralize, normalize_kind

from . import report_data

FORMATS = ("csv", "json", "xlsx")
DATASETS = ("scores", "answers", "roadmap")
DATASET_LABELS = {"scores": "Scores", "answers": "Answers", "roadmap": "Roadmap"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_CELL_CHARACTERS = 32_767
"""Excel's limit on the text of one cell."""


class ExportRejected(ValueError):
    """An export that cannot be made (unknown dataset, format or kind); the message says what is accepted, ``field``
    which part of the request it is about."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @classmethod
    def of(cls, error: ImportRejected) -> ExportRejected:
        """The inventory's own refusal (an unknown kind or format), with the field it names."""
        fields = [problem.field for problem in error.problems if problem.field]
        return cls(" ".join(problem.message for problem in error.problems), field=fields[0] if fields else None)


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes | Iterator[str]
    """The file: bytes (XLSX) or text chunks to stream (CSV, JSON)."""


# --- XLSX ----------------------------------------------------------------------------------------------------------


def xlsx_cell(value: Any) -> Any:
    """A value as a spreadsheet cell: text neutralized (a leading ``'`` before ``= + - @``, tab, CR) and cleaned
    of control characters, numbers and booleans as they are, anything else as text."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_CHARACTERS]
    return neutralize(text)


def _sheet_title(name: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip() or "Sheet"
    return cleaned[:31]


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[dict[str, Any]]]]) -> bytes:
    """A workbook with one sheet per ``(title, columns, rows)``, the header row bold and frozen."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.freeze_panes = "A2"
        sheet.append(_bold_row(sheet, columns, bold))
        for row in rows:
            sheet.append([xlsx_cell(row.get(column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold_row(sheet: Any, columns: Sequence[str], font: Font) -> list[WriteOnlyCell]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=xlsx_cell(column))
        cell.font = font
        cells.append(cell)
    return cells


# --- assessments ----------------------------------------------------------------------------------------------------


def dataset_columns_and_rows(*, assessment: Assessment, dataset: str) -> tuple[Sequence[str], list[dict[str, Any]]]:
    if dataset == "scores":
        return report_data.SCORE_COLUMNS, report_data.score_rows(assessment=assessment)
    if dataset == "answers":
        return report_data.ANSWER_COLUMNS, report_data.answer_rows(assessment=assessment)
    if dataset == "roadmap":
        return assessment_selectors.ROADMAP_COLUMNS, assessment_selectors.roadmap_rows(assessment=assessment)
    raise ExportRejected(f"Unknown dataset {dataset!r}: choose {', '.join(DATASETS)}.", field="dataset")


def _check_format(file_format: str) -> str:
    fmt = (file_format or "").lower()
    if fmt not in FORMATS:
        raise ExportRejected(f"Unknown format {file_format!r}: choose {', '.join(FORMATS)}.", field="format")
    return fmt


def assessment_export(*, assessment: Assessment, dataset: str, file_format: str) -> Export:
    """One dataset of an assessment (``scores``, ``answers``, ``roadmap``) as CSV, JSON or XLSX."""
    fmt = _check_format(file_format)
    columns, rows = dataset_columns_and_rows(assessment=assessment, dataset=dataset)
    base = f"{slugify(assessment.organization.slug)}-{assessment.pk}-{slugify(assessment.title)[:50] or 'assessment'}"
    filename = f"{base}-{dataset}.{fmt}"
    if fmt == "csv":
        content: bytes | Iterator[str] = csv_chunks(columns, rows)
    elif fmt == "json":
        content = json_chunks({dataset: rows}, mapping=False)
    else:
        content = xlsx_bytes([(DATASET_LABELS[dataset], columns, rows)])
    return Export(filename=filename, content_type=CONTENT_TYPES[fmt], content=content)


# --- the inventory ---------------------------------------------------------------------------------------------------


def inventory_export(*, organization: Organization, file_format: str, kind: str | None = None) -> Export:
    """The inventory: XLSX with one sheet per kind (or the one ``kind``); CSV and JSON as the inventory's own
    export writes them (`inventory.services.inventory_export`: CSV needs a kind)."""
    fmt = _check_format(file_format)
    if fmt != "xlsx":
        try:
            export = inventory_services.inventory_export(organization=organization, kind=kind, file_format=fmt)
        except ImportRejected as error:
            raise ExportRejected.of(error) from error
        return Export(filename=export.filename, content_type=export.content_type, content=export.chunks)
    try:
        chosen = normalize_kind(kind)
    except ImportRejected as error:
        raise ExportRejected.of(error) from error
    kind = None if chosen == INVENTORY else chosen
    kinds = [kind] if kind else list(KINDS)
    catalog = inventory_services.Catalog(organization)
    sheets = [
        (k, SPECS[k].column_names, inventory_services.export_rows(organization=organization, kind=k, catalog=catalog))
        for k in kinds
    ]
    return Export(
        filename=f"{slugify(organization.slug)}-{kind or 'inventory'}.xlsx",
        content_type=CONTENT_TYPES["xlsx"],
        content=xlsx_bytes(sheets),
    )
