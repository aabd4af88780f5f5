"""Reading bulk-import files: formats, kinds, columns and cell conversion. No queries here (see `services`).

A file holds rows of one kind (CSV always; JSON/YAML as a list) or, in JSON/YAML, the whole inventory as a
mapping ``{sites: [...], servers: [...], ...}``. Rows are read lazily: a CSV file is decoded and parsed line by
line; a JSON/YAML document is loaded, but its rows are converted chunk by chunk by the caller.

Every problem is a `Problem(row, column, message)`: `row` is the line number in a CSV file (the header is line
1) or the 1-based index of the item in a JSON/YAML list, `None` for a problem with the whole file.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models

from .models import (
    CloudCapacity,
    Cooling,
    FabricKind,
    NetworkFabric,
    Precision,
    Server,
    ServerStatus,
    Site,
    StorageKind,
    StorageSystem,
    Workload,
    WorkloadKind,
)

# Kinds in dependency order: sites first (the others name them), then what refers to sites or the catalog.
KINDS: tuple[str, ...] = ("sites", "servers", "storage", "networks", "cloud", "workloads")
INVENTORY = "inventory"  # a JSON/YAML mapping of several kinds
FORMATS: tuple[str, ...] = ("csv", "json", "yaml")
EXTENSIONS = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json", "yaml": "application/yaml"}
KIND_ALIASES = {
    "site": "sites",
    "server": "servers",
    "storage_systems": "storage",
    "network": "networks",
    "fabrics": "networks",
    "network_fabrics": "networks",
    "cloud_capacity": "cloud",
    "workload": "workloads",
}

# A cell that a spreadsheet would run as a formula starts with one of these; CSV export prefixes a quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALIZED = re.compile(r"^'+[=+\-@\t\r]")  # quotes before a trigger: the export added one
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_READ_CHUNK = 1 << 16


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRejected(Exception):
    """The file cannot be read at all (size, encoding, format, kind, header): nothing was looked at further."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def reject(message: str, *, row: int | None = None, column: str | None = None) -> ImportRejected:
    return ImportRejected([Problem(row, column, message)])


class CellError(ValueError):
    """A cell's value is wrong; the message is shown to the user as is."""


# --- formats and kinds ------------------------------------------------------------------------------------------


def normalize_kind(value: str | None) -> str | None:
    """`servers`, `Server`, `network_fabrics` -> the kind; '' or None -> None; anything else is rejected."""
    if value is None or not str(value).strip():
        return None
    key = re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if key in KINDS or key == INVENTORY:
        return key
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    raise reject(f"Unknown kind {str(value).strip()!r}: use one of {', '.join(KINDS)}.", column="kind")


def kind_from_filename(filename: str) -> str | None:
    """The kind a file's name says, e.g. servers.csv, acme-servers-2024.csv, inventory.json -> None."""
    words = [w for w in re.split(r"[^a-z]+", PurePath(filename).stem.lower()) if w]
    found = {KIND_ALIASES.get(w, w) for w in words} & set(KINDS)
    return found.pop() if len(found) == 1 else None


def format_of(filename: str, requested: str | None = None) -> str:
    if requested and requested.strip():
        value = requested.strip().lower().lstrip(".")
        value = "yaml" if value == "yml" else value
        if value not in FORMATS:
            raise reject(f"Unknown format {requested!r}: use csv, json or yaml.", column="format")
        return value
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    shown = suffix or filename or "(no name)"
    raise reject(f"Unknown file type {shown!r}: upload a .csv, .json or .yaml file (or name the format).")


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise reject(f"The file is {megabytes(size)}; the limit is {megabytes(limit)}. Split it into smaller files.")


# --- text ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextFacts:
    lines: int
    braces: int

    @property
    def estimated_rows(self) -> int:
        """An upper bound of the rows in most files: CSV has a line per row, JSON/YAML an object or line per row."""
        return max(self.lines - 1, self.braces, 0)


def _rewind(handle: IO[bytes]) -> None:
    handle.seek(0)


def check_text(handle: IO[bytes]) -> TextFacts:
    """Refuse anything but UTF-8 text (with or without a byte-order mark) before parsing; count lines."""
    _rewind(handle)
    head = handle.read(4)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise reject("The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise reject("The file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again.")
    _rewind(handle)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    newlines, braces, has_content, last = 0, 0, False, "\n"
    while True:
        chunk = handle.read(_READ_CHUNK)
        if not chunk:
            break
        if b"\x00" in chunk:
            raise reject(
                "The file is not text (it contains NUL bytes: a binary file, or UTF-16 without a byte-order mark). "
                "Upload CSV, JSON or YAML saved as UTF-8."
            )
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = newlines + 1 + chunk[: exc.start].count(b"\n")
            raise reject(
                f"The file is not UTF-8 text (byte 0x{chunk[exc.start]:02x} on line {line}). Save it as UTF-8 "
                "(in Excel: CSV UTF-8) and upload it again."
            ) from None
        newlines += text.count("\n")
        braces += text.count("{")
        last = text[-1:] or last
        has_content = has_content or bool(text.strip())
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise reject("The file is not UTF-8 text (it ends in the middle of a character).") from None
    if not has_content:
        raise reject("The file is empty.")
    _rewind(handle)
    return TextFacts(lines=newlines + (0 if last == "\n" else 1), braces=braces)


def text_lines(handle: IO[bytes]) -> Iterator[str]:
    """Decode UTF-8 (dropping a byte-order mark) lazily and yield lines, each with its line ending."""
    _rewind(handle)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    while True:
        chunk = handle.read(_READ_CHUNK)
        final = not chunk
        pending += decoder.decode(chunk, final=final)
        start = 0
        while (end := pending.find("\n", start)) >= 0:
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
        if final:
            break
    if pending:
        yield pending


def read_text(handle: IO[bytes]) -> str:
    _rewind(handle)
    return handle.read().decode("utf-8-sig")


# --- columns ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import file: its model field, or a related row named by `relation` (site, catalog)."""

    name: str
    required: bool = False  # must be in the header and have a value (for a new row)
    relation: str | None = None  # "site", "accelerator_type", "model_profile": the cell is a name
    check: Callable[[Any], str | None] | None = None  # extra rule on a converted value: a message or None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: type[models.Model]
    key: tuple[str, ...]  # the natural key, unique per organization
    columns: tuple[Column, ...]
    row_check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None  # merged values -> problems
    by_name: dict[str, Column] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def model_field(self, column: str) -> Any:
        return self.model._meta.get_field(column)


def _at_least(minimum: float, message: str) -> Callable[[Any], str | None]:
    return lambda v: message if v is not None and v < minimum else None


def _above(minimum: float, message: str) -> Callable[[Any], str | None]:
    return lambda v: message if v is not None and v <= minimum else None


def _country(value: Any) -> str | None:
    if value and not (len(value) == 2 and value.isalpha() and value.isascii()):
        return "use the two-letter ISO code, e.g. DE."
    return None


def _percentage(value: Any) -> str | None:
    return "a percentage between 0 and 100." if value is not None and not 0 <= value <= 100 else None


def _fraction(value: Any) -> str | None:
    return "a fraction in (0, 1], e.g. 0.4." if value is not None and not 0 < value <= 1 else None


POSITIVE = _above(0, "must be greater than 0.")
NOT_NEGATIVE = _at_least(0, "cannot be negative.")


def _server_row_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    if values.get("accelerator_count") and not values.get("accelerator_type"):
        return [("accelerator_type", "required when accelerator_count is above 0.")]
    return []


def _workload_row_check(values: dict[str, Any]) -> list[tuple[str, str]]:
    kind = values.get("kind")
    if kind is None:
        return []
    if kind == WorkloadKind.INFERENCE:
        needed: tuple[str, ...] = ("requests_per_second", "prompt_tokens", "output_tokens")
    else:
        needed = ("training_tokens",)
    return [(f, f"required for {kind} workloads.") for f in needed if values.get(f) is None]


SPECS: dict[str, KindSpec] = {
    "sites": KindSpec(
        kind="sites",
        model=Site,
        key=("name",),
        columns=(
            Column("name", required=True),
            Column("country", required=True, check=_country),
            Column("region"),
            Column("pue", check=_at_least(1, "PUE is at least 1.0 (all power reaches IT equipment).")),
            Column("grid_intensity_override", check=NOT_NEGATIVE),
            Column("electricity_price_per_kwh", check=NOT_NEGATIVE),
            Column("currency"),
            Column("renewable_share_pct", check=_percentage),
            Column("power_capacity_kw", check=POSITIVE),
            Column("cooling"),
        ),
    ),
    "servers": KindSpec(
        kind="servers",
        model=Server,
        key=("hostname",),
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
            Column("purchase_cost", check=NOT_NEGATIVE),
            Column("gpu_driver_version"),
            Column("cuda_version"),
            Column("os"),
        ),
        row_check=_server_row_check,
    ),
    "storage": KindSpec(
        kind="storage",
        model=StorageSystem,
        key=("site", "name"),
        columns=(
            Column("site", required=True, relation="site"),
            Column("name", required=True),
            Column("kind", required=True),
            Column("usable_tb", required=True, check=POSITIVE),
            Column("read_throughput_gbps", check=NOT_NEGATIVE),
        ),
    ),
    "networks": KindSpec(
        kind="networks",
        model=NetworkFabric,
        key=("site", "name"),
        columns=(
            Column("site", required=True, relation="site"),
            Column("name", required=True),
            Column("kind", required=True),
            Column("link_speed_gbps", required=True, check=POSITIVE),
            Column("topology"),
            Column("oversubscription_ratio", check=_at_least(1, "at least 1 (1 is non-blocking).")),
        ),
    ),
    "cloud": KindSpec(
        kind="cloud",
        model=CloudCapacity,
        key=("provider", "region", "instance_type"),
        columns=(
            Column("provider", required=True),
            Column("region", required=True),
            Column("instance_type", required=True),
            Column("accelerator_type", required=True, relation="accelerator_type"),
            Column("accelerators_per_instance", required=True, check=POSITIVE),
            Column("instances", required=True, check=POSITIVE),
            Column("hourly_price", required=True, check=NOT_NEGATIVE),
            Column("currency"),
        ),
    ),
    "workloads": KindSpec(
        kind="workloads",
        model=Workload,
        key=("name",),
        columns=(
            Column("name", required=True),
            Column("kind", required=True),
            Column("model_profile", required=True, relation="model_profile"),
            Column("precision"),
            Column("requests_per_second", check=POSITIVE),
            Column("prompt_tokens"),
            Column("output_tokens"),
            Column("ttft_target_ms"),
            Column("tpot_target_ms"),
            Column("training_tokens", check=POSITIVE),
            Column("deadline_days", check=POSITIVE),
            Column("assumed_mfu", check=_fraction),
            Column("dataset_size_tb", check=NOT_NEGATIVE),
        ),
        row_check=_workload_row_check,
    ),
}

# Choices are listed by value in messages; kept here so the docs and messages agree.
CHOICES_OF = {
    "status": ServerStatus,
    "cooling": Cooling,
    "precision": Precision,
    "storage.kind": StorageKind,
    "networks.kind": FabricKind,
    "workloads.kind": WorkloadKind,
}


# --- cell conversion ----------------------------------------------------------------------------------------

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_INT_MAX = {
    models.PositiveSmallIntegerField: 32767,
    models.PositiveIntegerField: 2147483647,
    models.SmallIntegerField: 32767,
    models.IntegerField: 2147483647,
    models.BigIntegerField: 9223372036854775807,
}


def unneutralize(value: str) -> str:
    """Undo CSV export's formula guard: one leading quote before `= + - @ tab CR` is dropped."""
    return value[1:] if _NEUTRALIZED.match(value) else value


def neutralize(value: str) -> str:
    """A text cell a spreadsheet would evaluate (or that starts with quotes before such a character) gets a `'`."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def _shown(value: Any) -> str:
    """A cell's value quoted in a message: short, and never a walk through a nested structure."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | int | float | Decimal):
        text = str(value)
    else:
        text = type(value).__name__
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _column_label(name: str) -> str:
    return name if len(name) <= 60 else name[:57] + "..."


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise CellError(f"{_shown(value)} is not a number.")
    return str(value).strip()


def to_int(value: Any, field: models.Field) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = _number_text(value)
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise CellError(f"{_shown(value)} is not a whole number.") from None
            if not as_float.is_integer():
                raise CellError(f"{_shown(value)} is not a whole number.") from None
            number = int(as_float)
    if isinstance(field, models.PositiveIntegerField | models.PositiveSmallIntegerField) and number < 0:
        raise CellError("cannot be negative.")
    maximum = next((m for kind, m in _INT_MAX.items() if isinstance(field, kind)), None)
    if maximum is not None and number > maximum:
        raise CellError(f"must be at most {maximum}.")
    return number


def to_float(value: Any) -> float:
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(_number_text(value))
        except ValueError:
            raise CellError(f"{_shown(value)} is not a number.") from None
    if not math.isfinite(number):
        raise CellError(f"{_shown(value)} is not a finite number.")
    return number


def to_decimal(value: Any, field: models.DecimalField) -> Decimal:
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        raise CellError(f"{_shown(value)} is not a number.") from None
    if not number.is_finite():
        raise CellError(f"{_shown(value)} is not a finite number.")
    try:
        DecimalValidator(field.max_digits, field.decimal_places)(number)
    except ValidationError:
        whole = field.max_digits - field.decimal_places
        raise CellError(
            f"{_shown(value)} has too many digits: at most {whole} before the decimal point and "
            f"{field.decimal_places} after."
        ) from None
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise CellError(f"{_shown(value)} is not true or false.")


def to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CellError(f"{_shown(value)} is not a date (YYYY-MM-DD).")


def to_text(value: Any, field: models.Field | None, *, from_csv: bool) -> str:
    if value.__class__ is str:
        # Surrounding spaces go (as in the app's forms); a cell that export guarded against formulas keeps its
        # exact text. Tabs and line breaks are kept, so that whatever a field holds survives a round trip.
        guarded = from_csv and value[:1] == "'" and _NEUTRALIZED.match(value) is not None
        text = value[1:] if guarded else value.strip(" ")
    elif isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise CellError(f"{_shown(value)} is not text.")
    else:
        text = str(value)
    max_length = getattr(field, "max_length", None)
    if max_length and len(text) > max_length:
        raise CellError(f"longer than {max_length} characters ({len(text)}).")
    return text


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_EMPTY = object()


def empty_value(field: models.Field) -> Any:
    """What an empty cell means for `field`: null, blank text, the default, or `_EMPTY` (a value is required)."""
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    if field.blank and isinstance(field, models.CharField):
        return ""
    return _EMPTY


Converter = Callable[[Any, bool], Any]
_CONVERTERS: dict[tuple[str, str], Converter] = {}


def _value_converter(model_field: models.Field) -> Callable[[Any, bool], Any]:
    if model_field.choices:
        lookup: dict[str, Any] = {}
        for choice, label in model_field.choices:
            lookup.setdefault(str(label).lower(), choice)
            lookup[str(choice).lower()] = choice
        options = ", ".join(str(choice) for choice, _ in model_field.choices)

        def choice(value: Any, from_csv: bool) -> Any:
            found = lookup.get(value.strip().lower()) if isinstance(value, str) else None
            if found is None:
                raise CellError(f"{_shown(value)} is not one of {options}.")
            return found

        return choice
    if isinstance(model_field, models.BooleanField):
        return lambda value, from_csv: to_bool(value)
    if isinstance(model_field, models.DateField):
        return lambda value, from_csv: to_date(value)
    if isinstance(model_field, models.DecimalField):
        return lambda value, from_csv: to_decimal(value, model_field)
    if isinstance(model_field, models.FloatField):
        return lambda value, from_csv: to_float(value)
    if isinstance(model_field, models.IntegerField):
        return lambda value, from_csv: to_int(value, model_field)
    return lambda value, from_csv: to_text(value, None, from_csv=from_csv)


def _build_converter(spec: KindSpec, column: Column) -> Converter:
    """One cell's conversion, decided once per column (a file has many rows)."""
    if column.relation is not None:
        required = column.required

        def relation(value: Any, from_csv: bool) -> Any:
            if is_empty(value):
                if required:
                    raise CellError("a value is required.")
                return None
            return to_text(value, None, from_csv=from_csv)

        return relation
    model_field = spec.model_field(column.name)
    empty = empty_value(model_field)
    convert = _value_converter(model_field)
    check = column.check
    upper = column.name == "country"
    max_length = getattr(model_field, "max_length", None)

    def cell(value: Any, from_csv: bool) -> Any:
        if is_empty(value):
            if empty is _EMPTY:
                raise CellError("a value is required.")
            return empty
        result = convert(value, from_csv)
        if upper:
            result = result.upper()
        if check is not None and (message := check(result)):
            raise CellError(message)
        if max_length and result.__class__ is str and len(result) > max_length:
            raise CellError(f"longer than {max_length} characters ({len(result)}).")
        return result

    return cell


def convert_cell(spec: KindSpec, column: Column, value: Any, *, from_csv: bool) -> Any:
    """The Python value of one cell, or CellError. Relation cells stay names (text); `services` resolves them."""
    key = (spec.kind, column.name)
    converter = _CONVERTERS.get(key)
    if converter is None:
        converter = _CONVERTERS[key] = _build_converter(spec, column)
    return converter(value, from_csv)


# --- rows ---------------------------------------------------------------------------------------------------


@dataclass
class RawRow:
    """One row as read: `values` maps column -> cell (strings for CSV; JSON/YAML types otherwise)."""

    kind: str
    number: int
    values: dict[str, Any]
    from_csv: bool = False


def normalize_header(name: Any) -> str:
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def check_columns(spec: KindSpec, columns: list[str], *, row: int | None) -> list[Problem]:
    """Unknown and missing columns of a header (CSV: row 1) or an item (JSON/YAML: its index)."""
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            problems.append(Problem(row, _column_label(name), "this column appears twice."))
        seen.add(name)
        if name not in spec.by_name:
            problems.append(
                Problem(
                    row,
                    _column_label(name) or "(empty)",
                    f"unknown column; the columns of {spec.kind} are {', '.join(spec.column_names)}.",
                )
            )
    for name in spec.required_columns:
        if name not in seen:
            problems.append(Problem(row, name, "required column is missing."))
    return problems


def _delimiter(header_line: str) -> str:
    """Comma, or semicolon for the European Excel export (a header with semicolons and no comma)."""
    return ";" if ";" in header_line and "," not in header_line else ","


def csv_rows(handle: IO[bytes], kind: str) -> Iterator[RawRow]:
    """The rows of a CSV file of one kind, lazily; header problems are raised before the first row."""
    spec = SPECS[kind]
    lines = text_lines(handle)
    first = next(lines, "")
    line_number = 1
    while not first.strip():  # leading blank lines
        first = next(lines, None)
        if first is None:
            raise reject("The file is empty.")
        line_number += 1
    header_line = line_number

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=_delimiter(first), strict=False)
    try:
        header = [normalize_header(name) for name in next(reader)]
    except csv.Error as exc:
        raise reject(f"The header cannot be read as CSV: {exc}.", row=header_line) from None
    while header and header[-1] == "":  # trailing separators
        header.pop()
    problems = check_columns(spec, header, row=header_line)
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
            raise reject(f"This line cannot be read as CSV: {exc}.", row=reader.line_num + header_line - 1) from None
        last_line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        while len(cells) > len(header) and cells[-1] == "":
            cells.pop()
        count += 1
        if len(cells) != len(header):
            yield RawRow(
                kind,
                start,
                {"__cells__": f"this row has {len(cells)} cells; the header has {len(header)}."},
                from_csv=True,
            )
            continue
        yield RawRow(kind, start, dict(zip(header, cells, strict=True)), from_csv=True)
    if count == 0:
        raise reject("The file has a header but no rows.")


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
                    yield RawRow(kind, index, {"__cells__": "each row must be a mapping of column names to values."})
                else:
                    yield RawRow(kind, index, {normalize_header(k): v for k, v in item.items()})


def load_document(text: str, file_format: str) -> Any:
    if file_format == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise reject(f"Malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
        except RecursionError:
            raise reject("Malformed JSON: nested too deeply.") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise reject(f"Malformed YAML: {exc.problem or exc.context}{where}.") from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise reject(f"Malformed YAML: {exc}.") from None


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
            raise reject(f"The {label} list is empty.")
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
            raise reject(f"The {label} document has no rows.")
        return Document(lists)
    if document is None:
        raise reject(f"The {label} document is empty (no rows).")
    raise reject(
        f"The {label} document must be a list of rows or a mapping of kinds to lists (e.g. servers: [...]), "
        f"not {type(document).__name__}."
    )
