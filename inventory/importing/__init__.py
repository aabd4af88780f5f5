"""Reading bulk-import files: no queries here (the import service, `inventory.services`, resolves names and
writes). Split along its seams:

- `formats`: what an upload is (size, encoding, format, kind) and `ImportRejected` for one that cannot be read;
- `specs`: the columns of each kind (`SPECS`), shared with export;
- `readers`: the rows of a CSV file or a JSON/YAML document, and header checks;
- `cells`: one cell from the file's text to its field's value, checked with the model field's validators.

Every problem is a `config.errors.ErrorItem` with the ``row`` (a CSV line, the header being line 1, or the 1-based
position in a JSON/YAML list) and the ``column`` it concerns; a problem with the whole file has neither.
"""

from .cells import (
    FORMULA_TRIGGERS,
    REQUIRED,
    NotFast,
    convert_cell,
    empty_value,
    fast_cell,
    field_checks,
    is_empty,
    neutralize,
    shown,
    to_bool,
    to_date,
    to_decimal,
    to_float,
    to_int,
    to_text,
    unneutralize,
)
from .columns import column_cells
from .formats import (
    CONTENT_TYPES,
    EXTENSIONS,
    FORMATS,
    IMPORT_FORMATS,
    INVENTORY,
    KIND_ALIASES,
    KINDS,
    WINDOWS_1252,
    ImportRejected,
    TextFacts,
    check_size,
    check_text,
    format_of,
    kind_from_filename,
    megabytes,
    normalize_kind,
    read_text,
    reject,
    text_lines,
    tool_output_text,
)
from .readers import Document, RawRow, check_columns, csv_rows, document_lists, load_document, normalize_header
from .specs import MODEL_KINDS, SPECS, Column, KindSpec
from .workbooks import workbook_facts, workbook_rows

__all__ = [
    "CONTENT_TYPES",
    "EXTENSIONS",
    "FORMATS",
    "IMPORT_FORMATS",
    "FORMULA_TRIGGERS",
    "INVENTORY",
    "KINDS",
    "KIND_ALIASES",
    "MODEL_KINDS",
    "WINDOWS_1252",
    "REQUIRED",
    "SPECS",
    "Column",
    "Document",
    "NotFast",
    "ImportRejected",
    "KindSpec",
    "RawRow",
    "TextFacts",
    "check_columns",
    "check_size",
    "check_text",
    "column_cells",
    "convert_cell",
    "csv_rows",
    "document_lists",
    "empty_value",
    "fast_cell",
    "field_checks",
    "format_of",
    "is_empty",
    "kind_from_filename",
    "load_document",
    "megabytes",
    "neutralize",
    "normalize_header",
    "normalize_kind",
    "read_text",
    "reject",
    "shown",
    "text_lines",
    "tool_output_text",
    "to_bool",
    "to_date",
    "to_decimal",
    "to_float",
    "to_int",
    "to_text",
    "unneutralize",
    "workbook_facts",
    "workbook_rows",
]
