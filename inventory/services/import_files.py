"""A file's import (`import_engine` does the rows):

- validate: every problem, nothing written (`validate_file`): an import job's first pass, a dry run;
- apply: the same checks and the writes, all in one transaction; any problem rolls everything back
  (`apply_file`): an import job's second pass once a person confirmed it (the data may have changed since), and
  the command line's import in one pass.

A file's notices (`file_notices`) tell people what they should know of how it was read, though nothing is wrong
with it: a CSV file that is not UTF-8 was read as Windows-1252 (`importing.check_text`). The result carries them
(`ImportResult.notices`), as an import job does (`import_jobs.import_job_notices`).

A CSV file is streamed line by line; a JSON/YAML document is loaded, but model instances exist only for one chunk
at a time. A file that cannot be read at all raises `ImportRejected` (or `TooLarge`, before anything is read).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from accounts.services import organization_data_changed

from ..importing import (
    INVENTORY,
    WINDOWS_1252,
    Document,
    ImportRejected,
    RawRow,
    TextFacts,
    check_size,
    check_text,
    csv_rows,
    document_lists,
    format_of,
    kind_from_filename,
    load_document,
    normalize_kind,
    read_text,
    reject,
    workbook_facts,
    workbook_rows,
)
from .import_engine import Importer, ImportResult, import_setting

WINDOWS_1252_NOTICE = "Read as Windows-1252 text: the file is not UTF-8."


def file_notices(encoding: str | None) -> list[str]:
    """What a person should know of how a file in ``encoding`` (`TextFacts.encoding`) was read."""
    return [WINDOWS_1252_NOTICE] if encoding == WINDOWS_1252 else []


@dataclass(frozen=True)
class ImportFile:
    """What an upload is, decided before parsing: format, kind (None: from a JSON/YAML mapping), row estimate."""

    file_format: str
    kind: str | None
    facts: TextFacts


def import_file_inspect(
    *, handle: IO[bytes], filename: str, size: int, kind: str | None = None, file_format: str | None = None
) -> ImportFile:
    """Refuse a file that cannot be imported at all (size first, before anything is read): `TooLarge`,
    `ImportRejected`."""
    check_size(size, import_setting("INVENTORY_IMPORT_MAX_BYTES"))
    fmt = format_of(filename, file_format)
    chosen = normalize_kind(kind) or kind_from_filename(filename)
    if fmt == "csv":
        if chosen == INVENTORY:
            raise reject(
                "A CSV file holds one kind of row: choose sites, servers, storage, networks, cloud or workloads.",
                code="invalid",
            )
        if chosen is None:
            raise reject(
                "Which kind of rows is this? Name the file after the kind (e.g. servers.csv) or choose the kind.",
                code="unknown_kind",
            )
    # A workbook is a zip file, not text: it is opened and its sheets are looked at instead.
    if fmt == "xlsx":
        facts = workbook_facts(handle, None if chosen == INVENTORY else chosen)
    else:  # CSV (and TSV) only may be Windows-1252; JSON and YAML are UTF-8
        facts = check_text(handle, delimited=fmt == "csv")
    return ImportFile(file_format=fmt, kind=None if chosen == INVENTORY else chosen, facts=facts)


def open_rows(handle: IO[bytes], info: ImportFile) -> tuple[Iterator[RawRow], int | None]:
    """The rows of a file and, when known without reading them all, their number."""
    if info.file_format == "csv":
        assert info.kind is not None
        return csv_rows(handle, info.kind, info.facts.encoding), None
    if info.file_format == "xlsx":
        return workbook_rows(handle, info.kind), None
    document: Document = document_lists(
        load_document(read_text(handle), info.file_format), kind=info.kind, file_format=info.file_format
    )
    return document.rows(), document.total


Progress = Callable[[int], None]


def validate_file(
    organization: Organization, handle: IO[bytes], info: ImportFile, progress: Progress | None = None
) -> ImportResult:
    """The first pass: every problem (the first ones listed, all counted) and the preview; nothing is written."""
    importer = Importer(organization)
    try:
        rows, _ = open_rows(handle, info)
        importer.run(rows, write=False, progress=progress)
    except ImportRejected as exc:
        importer.problems.extend(exc.errors)
    return importer.result(written=False, notices=file_notices(info.facts.encoding))


class _Rollback(Exception):
    pass


def apply_file(
    organization: Organization,
    handle: IO[bytes],
    info: ImportFile,
    progress: Progress | None = None,
    on_success: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """The write pass: everything in one transaction, rolled back on any problem. ``on_success`` runs inside that
    transaction once every row is written (an import job records that it is done with its rows)."""
    importer = Importer(organization)
    try:
        with transaction.atomic():
            rows, _ = open_rows(handle, info)
            importer.run(rows, write=True, progress=progress)
            if importer.problems:
                raise _Rollback
            organization_data_changed(organization_id=organization.pk)  # bulk writes send no signals
            result = importer.result(written=True, notices=file_notices(info.facts.encoding))
            if on_success is not None:
                on_success(result)
            # Sent once the rows are committed (nothing is announced for an import rolled back).
            webhook_emit(
                organization_id=organization.pk,
                event=WebhookEvent.INVENTORY_IMPORTED,
                data={
                    "source": "file",
                    "kind": info.kind or "inventory",
                    "file_format": info.file_format,
                    "rows": result.total_rows,
                    "created": result.created,
                    "updated": result.updated,
                },
            )
    except _Rollback:
        pass
    except ImportRejected as exc:
        importer.problems.extend(exc.errors)
    return importer.result(written=True, notices=file_notices(info.facts.encoding))


def inventory_import(
    *,
    organization: Organization,
    handle: IO[bytes],
    filename: str,
    size: int,
    kind: str | None = None,
    file_format: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate a whole file (`dry_run`), or import it: the command line's import (the app and the API go through
    import jobs, `import_jobs`, whose two passes are apart: a person confirms in between).

    The import reads the file once: `apply_file` checks every row and stages the checked ones in one transaction,
    which any problem rolls back after the whole file has been read, so every problem is still listed and nothing
    is half-written, without converting and checking every cell twice.

    Raises `ImportRejected` / `TooLarge` for a file that cannot be read at all; returns the problems of one that
    can (``result.errors``, ``result.error_count``; ``result.as_error()`` is them as an `Invalid`).
    """
    info = import_file_inspect(handle=handle, filename=filename, size=size, kind=kind, file_format=file_format)
    if dry_run:
        validated: Any = (lambda n: progress("validated", n)) if progress else None
        return validate_file(organization, handle, info, progress=validated)
    imported: Any = (lambda n: progress("imported", n)) if progress else None
    return apply_file(organization, handle, info, progress=imported)
