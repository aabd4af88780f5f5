"""What an upload is, before its rows are read: its size, encoding, format and kind.

A file holds rows of one kind (CSV always; JSON/YAML as a list) or, in JSON/YAML, the whole inventory as a
mapping ``{sites: [...], servers: [...], ...}``. A file that cannot be read at all is refused with an
`ImportRejected` (a `config.errors.Invalid`) before any row is looked at; a file over the size limit with a
`config.errors.TooLarge` (413), before anything is read.
"""

from __future__ import annotations

import codecs
import re
import zlib
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
    was looked at further. Its items say where when they can (``row``: a line, ``column``: a header name; ``field``:
    the request's ``kind`` or ``format``, which are not the file's)."""

    code = "unreadable"

    @property
    def problems(self) -> tuple[ErrorItem, ...]:
        """The items under the name callers used before the one error contract (``reports.exports`` reads it)."""
        return self.errors


def reject(
    message: str,
    *,
    row: int | None = None,
    column: str | None = None,
    field: str | None = None,
    code: str | None = None,
) -> ImportRejected:
    """A file's problem at a ``row`` and ``column``, or a request's at its ``field`` (``kind``, ``format``)."""
    return ImportRejected(message, code=code, row=row, column=column, field=field)


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
        f"Unknown kind {str(value).strip()!r}: use one of {', '.join(KINDS)}.", field="kind", code="unknown_kind"
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
                field="format",
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
    encoding: str | None = None  # the codec the text is read as (`check_text`); None: a workbook, or not known

    @property
    def estimated_rows(self) -> int:
        """An upper bound of the rows in most files: CSV has a line per row, JSON/YAML an object or line per row."""
        return max(self.lines - 1, self.braces, 0)


UTF8, UTF16, WINDOWS_1252 = "utf-8-sig", "utf-16", "cp1252"
ENCODING_LABELS = {UTF8: "UTF-8", UTF16: "UTF-16", WINDOWS_1252: "Windows-1252"}
# The five bytes Windows-1252 leaves undefined (Python's cp1252 refuses them).
_NOT_WINDOWS_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SAVE_AS_UTF8 = "Save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."


GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of every gzip member (RFC 1952), whatever the file is called: ``metrics.prom.gz``, a scrape
saved from a server that compressed it, or one renamed ``metrics.txt``."""
TOOL_OUTPUT_MAX_BYTES = 25 * 1024 * 1024
"""What a compressed tool output may decompress to when its caller names no limit of its own."""


def tool_output_text(raw: bytes, *, limit: int | None = None, field: str = "file") -> str:
    """A tool's saved output (nvidia-smi, amd-smi, a dcgm-exporter scrape...) as text: UTF-8, with or without a
    byte-order mark, or UTF-16 with its byte-order mark, which Windows PowerShell 5's ``>`` writes (``nvidia-smi >
    gpus.txt``) and Notepad's "Unicode"; ``UnicodeDecodeError`` for anything else (each caller words its refusal).

    Gzip, known by its first bytes and not by a file name (`gunzip`), is decompressed first, to at most ``limit``
    bytes (default `TOOL_OUTPUT_MAX_BYTES`): more is a `TooLarge` naming the limit, a damaged or cut file an
    `Invalid` (both on ``field``), and what it holds is then read as above."""
    if raw.startswith(GZIP_MAGIC):
        raw = gunzip(raw, limit=TOOL_OUTPUT_MAX_BYTES if limit is None else limit, field=field)
    return raw.decode(_marked(raw))  # the byte-order mark, if any, is dropped


def gunzip(raw: bytes, *, limit: int, field: str = "file") -> bytes:
    """The bytes a gzip file holds (every member of it, as ``gzip -d`` reads ``cat a.gz b.gz``), never more than
    ``limit`` of them in memory: decompression stops one byte past the limit (a zip bomb of a few kilobytes that
    would expand to gigabytes is refused after ``limit`` bytes, with `TooLarge`). A damaged or truncated file is
    an `Invalid` (code ``encoding``)."""
    out = bytearray()
    rest = raw
    while rest.startswith(GZIP_MAGIC):
        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # a gzip header and trailer, checked
        pending = rest
        try:
            while not stream.eof:
                chunk = stream.decompress(pending, limit - len(out) + 1)
                out += chunk
                if len(out) > limit:
                    raise TooLarge(
                        f"the gzip file ({len(raw):,} bytes) decompresses to more than {limit:,} bytes, the limit: "
                        "send one scrape or output at a time.",
                        field=field,
                    )
                pending = stream.unconsumed_tail
                if not pending and not chunk:  # all read, nothing more to give: cut short
                    break
        except zlib.error as exc:
            raise Invalid(
                f"the file starts as gzip but cannot be decompressed ({exc}): compress it again, or send it as text.",
                code="encoding",
                field=field,
            ) from None
        if not stream.eof:
            raise Invalid(
                "the gzip file is cut short (it ends before its last block): copy or download it again.",
                code="encoding",
                field=field,
            )
        rest = stream.unused_data
    if rest.strip(b"\0"):  # gzip -d ignores trailing zeros (tape padding), nothing else
        raise Invalid(
            "the gzip file has bytes after its end that are not gzip: compress the text again, or send it as text.",
            code="encoding",
            field=field,
        )
    return bytes(out)


def _marked(head: bytes) -> str:
    """The codec a text's first bytes name: UTF-16 by its byte-order mark, else UTF-8 (with or without one)."""
    return UTF16 if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else UTF8


def _rewind(handle: IO[bytes]) -> None:
    handle.seek(0)


def _encoding(handle: IO[bytes]) -> str:
    """What the file's first bytes say: UTF-16 with its byte-order mark (Excel's "Unicode text"), else UTF-8 (with or
    without a byte-order mark); UTF-32 is refused. Whether text without a byte-order mark that is not UTF-8 is
    Windows-1252 is `check_text`'s to decide, having read it all."""
    _rewind(handle)
    head = handle.read(4)
    _rewind(handle)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise reject(
            code="encoding",
            message="The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again.",
        )
    return _marked(head)


@dataclass
class _Bad:
    """Where a file first stops being text of an encoding: the byte and its line, or its end (``byte`` None)."""

    byte: int | None
    line: int

    def __str__(self) -> str:
        return (
            "it ends in the middle of a character"
            if self.byte is None
            else f"byte 0x{self.byte:02x} on line {self.line}"
        )


def _not_text(label: str, bad: _Bad, not_windows_1252: _Bad | None = None) -> ImportRejected:
    """Today's message (the first byte that is not ``label`` and its line), and for delimited text the first byte
    that is not Windows-1252 either."""
    if not_windows_1252 is None:
        message = f"The file is not {label} text ({bad})."
    elif not_windows_1252 == bad:
        message = f"The file is not {label} or Windows-1252 text ({bad})."
    else:
        message = f"The file is not {label} text ({bad}), nor Windows-1252 ({not_windows_1252})."
    ending = f" {_SAVE_AS_UTF8}" if bad.byte is not None or not_windows_1252 is not None else ""
    return reject(message + ending, code="encoding")


def check_text(handle: IO[bytes], *, delimited: bool = False) -> TextFacts:
    """Decide the file's encoding in one pass, count its lines, and refuse what is not text, before parsing.

    A byte-order mark decides (UTF-8, UTF-16; UTF-32 is refused); else the file is UTF-8 if all of it is. Delimited
    text (CSV, TSV: ``delimited``) that is not UTF-8 is read as Windows-1252, which Excel's "CSV (Comma delimited)"
    writes on Windows, when every byte of it is a Windows-1252 character; JSON and YAML are UTF-8 (RFC 8259).
    The encoding found is the facts' ``encoding``, which the reading pass (`text_lines`) is given."""
    encoding = _encoding(handle)
    label = ENCODING_LABELS[encoding]
    fallback = delimited and encoding == UTF8 and handle.read(3) != codecs.BOM_UTF8
    _rewind(handle)
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines, braces, has_content, last = 0, 0, False, "\n"
    not_utf8: _Bad | None = None  # where UTF-8 failed, once read as Windows-1252
    not_windows_1252: _Bad | None = None  # the first byte Windows-1252 leaves undefined, while still UTF-8

    def take(text: str) -> None:
        nonlocal newlines, braces, has_content, last
        newlines += text.count("\n")
        braces += text.count("{")
        last = text[-1:] or last
        has_content = has_content or bool(text.strip())

    def switch(bad: _Bad, pending: bytes) -> bytes:
        """UTF-8 failed at ``bad``: go on as Windows-1252 (from the bytes the UTF-8 decoder held), or refuse."""
        nonlocal decoder, encoding, not_utf8
        if not fallback:
            raise _not_text(label, bad)
        if not_windows_1252 is not None:
            raise _not_text(label, bad, not_windows_1252)
        not_utf8, encoding = bad, WINDOWS_1252
        decoder = codecs.getincrementaldecoder(WINDOWS_1252)()
        return pending

    while True:
        chunk = handle.read(_READ_CHUNK)
        if not chunk:
            break
        if b"\x00" in chunk and encoding != UTF16:
            raise reject(
                code="encoding",
                message="The file is not text (it contains NUL bytes: a binary file, or UTF-16 without a "
                "byte-order mark). Upload CSV, JSON or YAML saved as UTF-8.",
            )
        if encoding == UTF8 and fallback and not_windows_1252 is None and (found := _NOT_WINDOWS_1252.search(chunk)):
            not_windows_1252 = _Bad(chunk[found.start()], newlines + 1 + chunk.count(b"\n", 0, found.start()))
        try:
            take(decoder.decode(chunk))
        except UnicodeDecodeError as exc:
            data = exc.object  # what the decoder held from the chunk before, and this chunk
            if encoding == WINDOWS_1252:
                assert not_utf8 is not None
                bad = _Bad(data[exc.start], newlines + 1 + data.count(b"\n", 0, exc.start))
                raise _not_text("UTF-8", not_utf8, bad) from None
            line = newlines + 1 + data.count(b"\n", 0, exc.start)
            take(switch(_Bad(data[exc.start], line), bytes(data)).decode(WINDOWS_1252))
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        take(switch(_Bad(None, newlines + 1), bytes(exc.object)).decode(WINDOWS_1252))
    if not has_content:
        raise reject("The file is empty.", code="empty")
    _rewind(handle)
    return TextFacts(lines=newlines + (0 if last == "\n" else 1), braces=braces, encoding=encoding)


def text_lines(handle: IO[bytes], encoding: str | None = None) -> Iterator[str]:
    """Decode the file lazily in ``encoding`` (what `check_text` found; None: what its first bytes say, UTF-8 or
    UTF-16, dropping a byte-order mark) and yield lines, each with its line ending."""
    decoder = codecs.getincrementaldecoder(encoding or _encoding(handle))()
    _rewind(handle)
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
