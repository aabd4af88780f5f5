"""What an upload is, before its rows are read: its size, encoding, format and kind.

A file holds rows of one kind (CSV always; JSON/YAML as a list) or, in JSON/YAML, the whole inventory as a
mapping ``{sites: [...], servers: [...], ...}``. A file that cannot be read at all is refused with an
`ImportRejected` (a `config.errors.Invalid`) before any row is looked at; a file over the size limit with a
`config.errors.TooLarge` (413), before anything is read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from config.errors import ErrorItem, Invalid, TooLarge

# Kinds in dependency order: sites first (the others name them), then what refers to sites or the catalog.
KINDS: tuple[str, ...] = ("sites", "servers", "storage", "networks", "cloud", "workloads")
INVENTORY = "inventory"  # a JSON/YAML mapping of several kinds
FORMATS: tuple[str, ...] = ("csv", "json", "yaml")  # what export writes and import reads back
IMPORT_FORMATS: tuple[str, ...] = (*FORMATS, "xlsx")  # and Excel workbooks, read (`workbooks`)
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".xlsx": "xlsx",
}
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
_READ_CHUNK = 1 << 16


class ImportRejected(Invalid):
    """The file (or an export request) cannot be read at all: format, kind, encoding, structure, header. Nothing
    was looked at further. Its items say where when they can (``row``: a line, ``column``: a header name or the
    request's ``kind``/``format``)."""

    code = "unreadable"

    @property
    def problems(self) -> tuple[ErrorItem, ...]:
        """The items under the name callers used before the one error contract (``reports.exports`` reads it)."""
        return self.errors


def reject(
    message: str, *, row: int | None = None, column: str | None = None, code: str | None = None
) -> ImportRejected:
    return ImportRejected(message, code=code, row=row, column=column)


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
    raise reject(
        f"Unknown kind {str(value).strip()!r}: use one of {', '.join(KINDS)}.", column="kind", code="unknown_kind"
    )


def kind_from_filename(filename: str) -> str | None:
    """The kind a file's name says, e.g. servers.csv, acme-servers-2024.csv, inventory.json -> None."""
    words = [w for w in re.split(r"[^a-z]+", PurePath(filename).stem.lower()) if w]
    found = {KIND_ALIASES.get(w, w) for w in words} & set(KINDS)
    return found.pop() if len(found) == 1 else None


def format_of(filename: str, requested: str | None = None, *, formats: tuple[str, ...] = IMPORT_FORMATS) -> str:
    """The format an upload is in (`IMPORT_FORMATS`), or an export is asked in (``formats``: `FORMATS`)."""
    if requested and requested.strip():
        value = requested.strip().lower().lstrip(".")
        value = "yaml" if value == "yml" else value
        if value not in formats:
            raise reject(
                f"Unknown format {requested!r}: use {', '.join(formats[:-1])} or {formats[-1]}.",
                column="format",
                code="unknown_format",
            )
        return value
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    shown = suffix or filename or "(no name)"
    hint = " (an old Excel workbook: save it as .xlsx, or as CSV UTF-8)" if suffix in (".xls", ".xlsm", ".ods") else ""
    raise reject(
        f"Unknown file type {shown!r}{hint}: upload a .csv, .json, .yaml or .xlsx file (or name the format).",
        code="unknown_format",
    )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int, limit: int) -> None:
    """A file over `limit` bytes is refused before anything is read (413)."""
    if size > limit:
        raise TooLarge(f"The file is {megabytes(size)}; the limit is {megabytes(limit)}. Split it into smaller files.")


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


def _encoding(handle: IO[bytes]) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 with its byte-order mark (Excel's "Unicode text"):
    what the file's first bytes say, never a guess."""
    _rewind(handle)
    head = handle.read(4)
    _rewind(handle)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise reject(
            code="encoding",
            message="The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again.",
        )
    return "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"


def check_text(handle: IO[bytes]) -> TextFacts:
    """Refuse anything but UTF-8 text (with or without a byte-order mark), or UTF-16 with one, before parsing;
    count lines."""
    encoding = _encoding(handle)
    label = "UTF-16" if encoding == "utf-16" else "UTF-8"
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines, braces, has_content, last = 0, 0, False, "\n"
    while True:
        chunk = handle.read(_READ_CHUNK)
        if not chunk:
            break
        if b"\x00" in chunk and encoding != "utf-16":
            raise reject(
                code="encoding",
                message="The file is not text (it contains NUL bytes: a binary file, or UTF-16 without a "
                "byte-order mark). Upload CSV, JSON or YAML saved as UTF-8.",
            )
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = newlines + 1 + chunk[: exc.start].count(b"\n")
            raise reject(
                code="encoding",
                message=f"The file is not {label} text (byte 0x{chunk[exc.start]:02x} on line {line}). Save it as "
                "UTF-8 (in Excel: CSV UTF-8) and upload it again.",
            ) from None
        newlines += text.count("\n")
        braces += text.count("{")
        last = text[-1:] or last
        has_content = has_content or bool(text.strip())
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise reject(f"The file is not {label} text (it ends in the middle of a character).", code="encoding") from None
    if not has_content:
        raise reject("The file is empty.", code="empty")
    _rewind(handle)
    return TextFacts(lines=newlines + (0 if last == "\n" else 1), braces=braces)


def text_lines(handle: IO[bytes]) -> Iterator[str]:
    """Decode UTF-8 or UTF-16 (`check_text`; dropping a byte-order mark) lazily and yield lines, each with its line
    ending."""
    decoder = codecs.getincrementaldecoder(_encoding(handle))()
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
    encoding = _encoding(handle)
    return handle.read().decode(encoding)
