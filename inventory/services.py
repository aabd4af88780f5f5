"""Writes of the inventory: bulk import, export, and discovery of a server's GPUs from `nvidia-smi`.

Bulk import runs in two passes over the file, both in chunks (`INVENTORY_IMPORT_CHUNK_SIZE` rows):

1. validate: convert every cell, resolve related rows by name (sites of the organization, the catalog visible
   to it), look up the natural keys of existing rows (one query per chunk, never one per row), find repeated
   keys; collect every problem (the first `INVENTORY_IMPORT_MAX_ERRORS` are listed, all are counted);
2. apply, only when the first pass found nothing: the same checks again (the data may have changed since), and
   `bulk_create` / `bulk_update` per chunk, all in one transaction; any problem rolls everything back.

A CSV file is streamed line by line; a JSON/YAML document is loaded, but model instances exist only for one
chunk at a time. Files whose estimated row count exceeds `INVENTORY_IMPORT_ASYNC_ROWS` are handled by Celery
tasks (`inventory.tasks`), which report progress on the `ImportJob`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Model
from django.utils import timezone

from accounts.models import Organization
from accounts.services import organization_data_changed

from . import selectors
from .capacity import DEFAULT_SERVER_OVERHEAD_FACTOR
from .exporting import csv_chunks, json_chunks, yaml_chunks
from .importing import (
    INVENTORY,
    KINDS,
    SPECS,
    CellError,
    Document,
    ImportRejected,
    KindSpec,
    Problem,
    RawRow,
    TextFacts,
    check_columns,
    check_size,
    check_text,
    convert_cell,
    csv_rows,
    document_lists,
    format_of,
    kind_from_filename,
    load_document,
    normalize_kind,
    read_text,
    reject,
)
from .models import AcceleratorType, ImportJob, ImportStatus, Server, ServerStatus, Site
from .nvidia_smi import COMMAND as NVIDIA_SMI_COMMAND
from .nvidia_smi import parse as parse_nvidia_smi

logger = logging.getLogger(__name__)

UPDATE_GROUPS = 10  # at most this many distinct changes in a chunk: one UPDATE each
UPDATE_BATCH = 250  # rows per bulk_update statement otherwise
RELATION_FIELDS = {"site": "site_id", "accelerator_type": "accelerator_type_id", "model_profile": "model_profile_id"}
RELATION_LABELS = {"site": "site", "accelerator_type": "accelerator type", "model_profile": "model profile"}


def import_setting(name: str) -> int:
    defaults = {
        "INVENTORY_IMPORT_MAX_BYTES": 25 * 1024 * 1024,
        "INVENTORY_IMPORT_ASYNC_ROWS": 2000,
        "INVENTORY_IMPORT_CHUNK_SIZE": 1000,
        "INVENTORY_IMPORT_MAX_ERRORS": 500,
        "INVENTORY_IMPORT_PREVIEW_ROWS": 10,
        "INVENTORY_NVIDIA_SMI_MAX_BYTES": 1024 * 1024,
    }
    return int(getattr(settings, name, defaults[name]))


# --- problems -------------------------------------------------------------------------------------------------


class ProblemList:
    """Every problem counted, the first `cap` kept."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(Problem(row, column, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem.row, problem.column, problem.message)

    def __bool__(self) -> bool:
        return self.total > 0


def errors_as_json(problems: list[Problem], total: int) -> list[dict[str, Any]]:
    """Problems as stored on an `ImportJob`: `{row, column, message}`, then a summary entry if some were left out."""
    errors = [p.as_dict() for p in problems]
    if total > len(problems):
        errors.append(
            {
                "row": None,
                "column": None,
                "message": f"{total} problems in total; the first {len(problems)} are listed.",
                "total": total,
            }
        )
    return errors


def job_errors(job: ImportJob) -> tuple[list[dict[str, Any]], int]:
    """A job's listed problems (without the summary entry) and their total count."""
    errors = list(job.errors or [])
    if errors and "total" in errors[-1]:
        total = int(errors.pop()["total"])
        return errors, total
    return errors, len(errors)


# --- names of related rows ------------------------------------------------------------------------------------

AMBIGUOUS = -1


class _NameIndex:
    """Catalog entries by name, case-insensitively; an organization's private entry wins over a shared one."""

    def __init__(self) -> None:
        self._private: dict[str, set[int]] = defaultdict(set)
        self._shared: dict[str, set[int]] = defaultdict(set)

    def add(self, name: str, pk: int, *, private: bool) -> None:
        key = " ".join(name.split()).lower()
        if key:
            (self._private if private else self._shared)[key].add(pk)

    def resolve(self, name: str) -> int | None:
        key = " ".join(name.split()).lower()
        for candidates in (self._private.get(key), self._shared.get(key)):
            if candidates:
                return next(iter(candidates)) if len(candidates) == 1 else AMBIGUOUS
        return None


class Catalog:
    """The accelerator types and model profiles an organization may use, resolvable by the names users write:
    the model ("H100 SXM"), vendor and model ("NVIDIA H100 SXM"), or what nvidia-smi prints."""

    def __init__(self, organization: Organization) -> None:
        self.accelerators = _NameIndex()
        self.accelerator_names: dict[int, list[str]] = {}
        for entry in selectors.accelerator_types_for(organization=organization).order_by("pk"):
            names = [entry.model, f"{entry.vendor} {entry.model}", *(entry.nvidia_smi_names or [])]
            self.accelerator_names[entry.pk] = names
            for name in names:
                self.accelerators.add(name, entry.pk, private=not entry.is_shared)
        self.profiles = _NameIndex()
        self.profile_names: dict[int, str] = {}
        for profile in selectors.model_profiles_for(organization=organization).order_by("pk"):
            self.profile_names[profile.pk] = profile.name
            self.profiles.add(profile.name, profile.pk, private=not profile.is_shared)

    def resolve(self, relation: str, name: str) -> int | None:
        return (self.accelerators if relation == "accelerator_type" else self.profiles).resolve(name)

    def accelerator_export_name(self, pk: int | None) -> str | None:
        """The shortest name that imports back to the same entry: the model, else vendor and model."""
        if pk is None:
            return None
        names = self.accelerator_names.get(pk)
        if not names:
            return None
        return next((n for n in names if self.accelerators.resolve(n) == pk), names[1])

    def profile_export_name(self, pk: int | None) -> str | None:
        return self.profile_names.get(pk) if pk is not None else None


# --- reading files ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportFile:
    """What an upload is, decided before parsing: format, kind (None: from a JSON/YAML mapping), row estimate."""

    file_format: str
    kind: str | None
    facts: TextFacts


def import_file_inspect(
    *, handle: IO[bytes], filename: str, size: int, kind: str | None = None, file_format: str | None = None
) -> ImportFile:
    """Refuse a file that cannot be imported at all (size first, before anything is read). Raises ImportRejected."""
    check_size(size, import_setting("INVENTORY_IMPORT_MAX_BYTES"))
    fmt = format_of(filename, file_format)
    chosen = normalize_kind(kind) or kind_from_filename(filename)
    if fmt == "csv":
        if chosen == INVENTORY:
            raise reject(
                "A CSV file holds one kind of row: choose sites, servers, storage, networks, cloud or workloads."
            )
        if chosen is None:
            raise reject(
                "Which kind of rows is this? Name the file after the kind (e.g. servers.csv) or choose the kind."
            )
    facts = check_text(handle)
    return ImportFile(file_format=fmt, kind=None if chosen == INVENTORY else chosen, facts=facts)


def _open_rows(handle: IO[bytes], info: ImportFile) -> tuple[Iterator[RawRow], int | None]:
    """The rows of a file and, when known without reading them all, their number."""
    if info.file_format == "csv":
        assert info.kind is not None
        return csv_rows(handle, info.kind), None
    document: Document = document_lists(
        load_document(read_text(handle), info.file_format), kind=info.kind, file_format=info.file_format
    )
    return document.rows(), document.total


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[tuple[str, list[RawRow]]]:
    """Consecutive rows of one kind, at most `size` at a time."""
    chunk: list[RawRow] = []
    for row in rows:
        if chunk and (len(chunk) >= size or row.kind != chunk[0].kind):
            yield chunk[0].kind, chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk[0].kind, chunk


# --- the import engine ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    kind: str | None = None  # the one kind of the file, or None for a mapping of several

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def errors_json(self) -> list[dict[str, Any]]:
        return errors_as_json(self.errors, self.error_count)


def _preview_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    valid: bool
    key: tuple[Any, ...] | None = None


_Changes = dict[tuple[tuple[str, Any], ...], list[Any]]  # a change (column values) -> the rows it applies to


class _Importer:
    """Validates (and, with `write`, saves) rows chunk by chunk; state spans chunks (repeated keys, counts)."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.catalog = Catalog(organization)
        self.chunk_size = import_setting("INVENTORY_IMPORT_CHUNK_SIZE")
        self.preview_rows = import_setting("INVENTORY_IMPORT_PREVIEW_ROWS")
        self.problems = ProblemList(import_setting("INVENTORY_IMPORT_MAX_ERRORS"))
        self.seen: dict[str, dict[tuple[Any, ...], int]] = defaultdict(dict)
        self.document_sites: set[str] = set()  # site names this file defines (a mapping's `sites`)
        self.by_kind: dict[str, dict[str, int]] = {}
        self.preview: list[dict[str, Any]] = []
        self.rows = 0
        self.kinds: set[str] = set()

    def run(self, rows: Iterator[RawRow], *, write: bool, progress: Callable[[int], None] | None = None) -> None:
        try:
            for kind, chunk in _chunks(rows, self.chunk_size):
                self.kinds.add(kind)
                self._chunk(SPECS[kind], chunk, write=write)
                self.rows += len(chunk)
                if progress is not None:
                    progress(self.rows)
        except ImportRejected as exc:
            self.problems.extend(exc.problems)

    def result(self, *, written: bool) -> ImportResult:
        created = sum(c["created"] for c in self.by_kind.values())
        updated = sum(c["updated"] for c in self.by_kind.values())
        return ImportResult(
            total_rows=self.rows,
            created=created,
            updated=updated,
            by_kind=self.by_kind,
            errors=self.problems.items,
            error_count=self.problems.total,
            preview=self.preview,
            written=written and not self.problems,
            kind=next(iter(self.kinds)) if len(self.kinds) == 1 else None,
        )

    # One chunk ------------------------------------------------------------------------------------------------

    def _convert(self, spec: KindSpec, raw: RawRow, found: list[Problem]) -> _Row:
        if "__cells__" in raw.values:
            found.append(Problem(raw.number, None, raw.values["__cells__"]))
            return _Row(raw.number, {}, valid=False)
        valid = True
        if not raw.from_csv:
            column_problems = check_columns(spec, list(raw.values), row=raw.number)
            if column_problems:
                found.extend(column_problems)
                valid = False
        values: dict[str, Any] = {}
        for name, cell in raw.values.items():
            column = spec.by_name.get(name)
            if column is None:
                continue
            try:
                values[name] = convert_cell(spec, column, cell, from_csv=raw.from_csv)
            except CellError as exc:
                found.append(Problem(raw.number, name, str(exc)))
                valid = False
        row = _Row(raw.number, values, valid)
        if all(values.get(k) not in (None, "") for k in spec.key):
            row.key = tuple(values[k] for k in spec.key)
        return row

    def _site_ids(self, rows: list[_Row]) -> dict[str, int]:
        names = {r.values["site"] for r in rows if r.values.get("site")}
        if not names:
            return {}
        return dict(Site.objects.filter(organization=self.organization, name__in=names).values_list("name", "id"))

    def _existing(self, spec: KindSpec, rows: list[_Row]) -> dict[tuple[Any, ...], Model]:
        keys = [r.key for r in rows if r.key is not None]
        if not keys:
            return {}
        queryset = spec.model.objects.filter(organization=self.organization)
        for position, column in enumerate(spec.key):
            path = "site__name" if column == "site" else column
            queryset = queryset.filter(**{f"{path}__in": {k[position] for k in keys}})
        if "site" in spec.key:
            queryset = queryset.annotate(_site_name=F("site__name"))

        def key_of(obj: Model) -> tuple[Any, ...]:
            return tuple(obj._site_name if c == "site" else getattr(obj, c) for c in spec.key)  # type: ignore[attr-defined]

        return {key_of(obj): obj for obj in queryset}

    def _chunk(self, spec: KindSpec, raws: list[RawRow], *, write: bool) -> None:
        found: list[Problem] = []  # this chunk's problems, listed by row at the end

        def problem(row: int, column: str | None, message: str) -> None:
            found.append(Problem(row, column, message))

        rows = [self._convert(spec, raw, found) for raw in raws]
        label = spec.key[-1]
        seen = self.seen[spec.kind]
        for row in rows:
            if row.key is None:
                continue
            if row.key in seen:
                shown = " / ".join(str(part) for part in row.key)
                problem(
                    row.number, label, f"{shown!r} appears more than once in the file (first on row {seen[row.key]})."
                )
                row.valid = False
            else:
                seen[row.key] = row.number
            if spec.kind == "sites":
                self.document_sites.add(row.values["name"])

        site_ids = self._site_ids(rows) if "site" in spec.by_name else {}
        resolved: list[dict[str, int | None]] = []
        for row in rows:
            ids: dict[str, int | None] = {}
            for name, column in spec.by_name.items():
                if column.relation is None or name not in row.values:
                    continue
                value = row.values[name]
                if value is None:
                    ids[name] = None
                elif column.relation == "site":
                    ids[name] = site_ids.get(value)
                    if ids[name] is None and value not in self.document_sites:
                        problem(row.number, name, f"unknown site {value!r}.")
                        row.valid = False
                else:
                    pk = self.catalog.resolve(column.relation, value)
                    what = RELATION_LABELS[column.relation]
                    if pk is None:
                        problem(row.number, name, f"unknown {what} {value!r}.")
                        row.valid = False
                    elif pk == AMBIGUOUS:
                        problem(row.number, name, f"{value!r} names several {what}s; write the vendor and model.")
                        row.valid = False
                    ids[name] = pk
            resolved.append(ids)

        existing = self._existing(spec, rows)
        counts = self.by_kind.setdefault(spec.kind, {"created": 0, "updated": 0})
        new_objects: list[Model] = []
        changed: list[Model] = []
        update_fields: set[str] = set()
        same_change: _Changes = defaultdict(list)
        for row, ids in zip(rows, resolved, strict=True):
            instance = existing.get(row.key) if row.key is not None else None
            if row.valid and spec.row_check is not None:
                for column, message in spec.row_check(self._merged(spec, row.values, instance)):
                    problem(row.number, column, message)
                    row.valid = False
            if not row.valid:
                continue
            counts["updated" if instance is not None else "created"] += 1
            if len(self.preview) < self.preview_rows:
                self.preview.append(
                    {
                        "row": row.number,
                        "kind": spec.kind,
                        "action": "update" if instance is not None else "create",
                        "values": {k: _preview_value(v) for k, v in row.values.items()},
                    }
                )
            if not write or found or self.problems:
                continue
            fields = self._model_values(spec, row.values, ids)
            if instance is None:
                new_objects.append(spec.model(organization=self.organization, **fields))
            else:
                diff = {a: v for a, v in fields.items() if getattr(instance, a) != v}
                if diff:
                    for attname, value in diff.items():
                        setattr(instance, attname, value)
                    changed.append(instance)
                    update_fields.update(diff)
                    same_change[tuple(sorted(diff.items()))].append(instance.pk)
        found.sort(key=lambda p: p.row or 0)  # stable: a row's problems stay in the order they were found
        self.problems.extend(found)
        if write and not self.problems:
            if new_objects:
                spec.model.objects.bulk_create(new_objects, batch_size=self.chunk_size)
            if changed:
                self._update(spec, changed, update_fields, same_change)

    @staticmethod
    def _update(
        spec: KindSpec,
        changed: list[Model],
        fields: set[str],
        same_change: dict[tuple[tuple[str, Any], ...], list[Any]],
    ) -> None:
        """Rows changed the same way (a column set to one value) take one UPDATE per change; varied changes go
        through `bulk_update`, whose CASE expressions grow with the batch: small batches are much faster."""
        if len(same_change) <= UPDATE_GROUPS:
            for change, pks in same_change.items():
                spec.model.objects.filter(pk__in=pks).update(**dict(change))
            return
        names = sorted(f.removesuffix("_id") if f.endswith("_id") else f for f in fields)
        spec.model.objects.bulk_update(changed, names, batch_size=UPDATE_BATCH)

    @staticmethod
    def _model_values(spec: KindSpec, values: dict[str, Any], ids: dict[str, int | None]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name, value in values.items():
            column = spec.by_name[name]
            if column.relation is not None:
                fields[RELATION_FIELDS[column.relation]] = ids.get(name)
            else:
                fields[name] = value
        return fields

    @staticmethod
    def _merged(spec: KindSpec, values: dict[str, Any], instance: Model | None) -> dict[str, Any]:
        """The row as it will be saved: its cells, else the existing row's values, else the model's defaults."""
        merged: dict[str, Any] = {}
        for column in spec.columns:
            if column.name in values:
                merged[column.name] = values[column.name]
            elif instance is not None:
                attname = RELATION_FIELDS[column.relation] if column.relation else column.name
                merged[column.name] = getattr(instance, attname)
            elif column.relation is None:
                model_field = spec.model_field(column.name)
                merged[column.name] = model_field.get_default() if model_field.has_default() else None
        return merged


class _Rollback(Exception):
    pass


class _ProgressOutsideTransaction:
    """Writes a job's progress while the import transaction is open, on a connection of its own, so that status
    requests see it. SQLite allows one writer at a time: there progress is written only between passes."""

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.connection = None
        if connection.vendor != "sqlite":
            try:
                self.connection = connections.create_connection("default")
            except Exception:  # progress is a nicety: never fail an import for it
                logger.warning("no side connection for import progress", exc_info=True)

    def __call__(self, processed: int) -> None:
        if self.connection is None:
            return
        try:
            table = ImportJob._meta.db_table
            pk = ImportJob._meta.pk.get_db_prep_value(self.job_id, self.connection)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.connection.ops.quote_name(table)} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                    [processed, pk],
                )
        except DatabaseError:
            logger.warning("could not record import progress", exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _validate(organization: Organization, handle: IO[bytes], info: ImportFile, progress: Any = None) -> ImportResult:
    importer = _Importer(organization)
    try:
        rows, _ = _open_rows(handle, info)
        importer.run(rows, write=False, progress=progress)
    except ImportRejected as exc:
        importer.problems.extend(exc.problems)
    return importer.result(written=False)


def _apply(organization: Organization, handle: IO[bytes], info: ImportFile, progress: Any = None) -> ImportResult:
    """The write pass: everything in one transaction, rolled back on any problem."""
    importer = _Importer(organization)
    try:
        with transaction.atomic():
            rows, _ = _open_rows(handle, info)
            importer.run(rows, write=True, progress=progress)
            if importer.problems:
                raise _Rollback
            organization_data_changed(organization_id=organization.pk)  # bulk writes send no signals
    except _Rollback:
        pass
    except ImportRejected as exc:
        importer.problems.extend(exc.problems)
    return importer.result(written=True)


# --- import from the command line ----------------------------------------------------------------------------


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
    """Validate a whole file, then (unless `dry_run` or a problem was found) import it in one transaction.

    Raises ImportRejected for a file that cannot be read at all; returns the problems of one that can.
    """
    info = import_file_inspect(handle=handle, filename=filename, size=size, kind=kind, file_format=file_format)
    result = _validate(organization, handle, info, progress=(lambda n: progress("validated", n)) if progress else None)
    if not result.ok or dry_run:
        return result
    return _apply(organization, handle, info, progress=(lambda n: progress("imported", n)) if progress else None)


# --- import jobs (the app and the API) ------------------------------------------------------------------------


def import_job_create(
    *,
    organization: Organization,
    user: Any,
    upload: UploadedFile,
    kind: str | None = None,
    file_format: str | None = None,
) -> ImportJob:
    """Check an uploaded file (size first) and store it as a job waiting for validation. Raises ImportRejected."""
    filename = (upload.name or "").rsplit("/", 1)[-1][:255]
    upload.seek(0)
    info = import_file_inspect(
        handle=upload, filename=filename, size=upload.size or 0, kind=kind, file_format=file_format
    )
    upload.seek(0)
    return ImportJob.objects.create(
        organization=organization,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        filename=filename,
        file_format=info.file_format,
        kind=info.kind or INVENTORY,
        payload=upload,
        status=ImportStatus.VALIDATING,
        total_rows=info.facts.estimated_rows,
    )


def _job_info(job: ImportJob) -> ImportFile:
    return ImportFile(
        file_format=job.file_format, kind=None if job.kind == INVENTORY else job.kind, facts=TextFacts(0, 0)
    )


def _finish(job: ImportJob, *, status: str, result: ImportResult | None = None, message: str | None = None) -> None:
    job.status = status
    if result is not None:
        job.total_rows = result.total_rows
        job.processed_rows = result.total_rows
        job.created_count = result.created
        job.updated_count = result.updated
        job.errors = result.errors_json()
        job.preview = result.preview
    if message is not None:
        job.errors = [{"row": None, "column": None, "message": message}]
    if status in (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED):
        job.finished = timezone.now()
    job.save()
    if status in (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED) and job.payload:
        # The upload is only needed until the import ends.
        try:
            job.payload.delete(save=True)
        except OSError:
            logger.warning("could not delete the upload of import %s", job.pk, exc_info=True)


def _job_progress(job: ImportJob) -> Callable[[int], None]:
    def record(processed: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)

    return record


UNEXPECTED = "The import stopped on an unexpected error; nothing was written. Please report it."


def import_job_validate(*, job: ImportJob) -> ImportJob:
    """First pass: every problem, or READY with a preview and the counts of new and updated rows."""
    if job.status != ImportStatus.VALIDATING:
        return job
    try:
        with job.payload.open("rb") as handle:
            result = _validate(job.organization, handle, _job_info(job), progress=_job_progress(job))
    except Exception:
        logger.exception("validating import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, message=UNEXPECTED)
        return job
    _finish(job, status=ImportStatus.READY if result.ok else ImportStatus.INVALID, result=result)
    return job


def import_job_claim(*, job: ImportJob) -> bool:
    """READY -> RUNNING, once: a second confirmation (double click, two tabs) finds nothing to claim."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
        status=ImportStatus.RUNNING, processed_rows=0
    )
    if claimed:
        job.status, job.processed_rows = ImportStatus.RUNNING, 0
    return bool(claimed)


def import_job_apply(*, job: ImportJob) -> ImportJob:
    """Second pass of a claimed (RUNNING) job: validate again and write, all or nothing."""
    if job.status != ImportStatus.RUNNING:
        return job
    progress = _ProgressOutsideTransaction(job.pk)
    try:
        with job.payload.open("rb") as handle:
            result = _apply(job.organization, handle, _job_info(job), progress=progress)
    except DatabaseError:
        logger.exception("import %s was refused by the database", job.pk)
        _finish(
            job,
            status=ImportStatus.FAILED,
            message="The database refused the rows (did someone change the inventory at the same time?); "
            "nothing was written. Try again.",
        )
        return job
    except Exception:
        logger.exception("import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, message=UNEXPECTED)
        return job
    finally:
        progress.close()
    _finish(job, status=ImportStatus.DONE if result.ok else ImportStatus.INVALID, result=result)
    return job


def import_job_is_large(job: ImportJob) -> bool:
    return job.total_rows > import_setting("INVENTORY_IMPORT_ASYNC_ROWS")


def _dispatch(task: Any, job: ImportJob, *args: Any) -> None:
    result = task.delay(str(job.pk), *args)
    ImportJob.objects.filter(pk=job.pk).update(task_id=result.id or "")
    job.refresh_from_db()


def import_job_start(*, job: ImportJob, confirm: bool = False) -> ImportJob:
    """Validate a new job (and with `confirm`, import it when valid): here for a small file, else in a task."""
    from . import tasks

    if import_job_is_large(job):
        _dispatch(tasks.import_job_process, job, confirm)
        return job
    return import_job_process(job=job, confirm=confirm)


def import_job_process(*, job: ImportJob, confirm: bool = False) -> ImportJob:
    import_job_validate(job=job)
    if confirm and job.status == ImportStatus.READY and import_job_claim(job=job):
        import_job_apply(job=job)
    return job


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Import a validated (READY) job: here for a small file, else in a task. Idempotent."""
    from . import tasks

    if not import_job_claim(job=job):
        return job
    if import_job_is_large(job):
        _dispatch(tasks.import_job_apply, job)
        return job
    return import_job_apply(job=job)


# --- export ---------------------------------------------------------------------------------------------------

_SELECTORS = {
    "sites": selectors.sites_for,
    "servers": selectors.servers_for,
    "storage": selectors.storage_systems_for,
    "networks": selectors.network_fabrics_for,
    "cloud": selectors.cloud_capacity_for,
    "workloads": selectors.workloads_for,
}


def _export_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def export_rows(*, organization: Organization, kind: str, catalog: Catalog | None = None) -> Iterator[dict[str, Any]]:
    """The organization's rows of `kind` as import reads them back (related rows by name), streamed."""
    spec = SPECS[kind]
    catalog = catalog or Catalog(organization)
    queryset = _SELECTORS[kind](organization=organization).order_by(*_export_order(spec))
    for obj in queryset.iterator(chunk_size=2000):
        row: dict[str, Any] = {}
        for column in spec.columns:
            if column.relation == "site":
                row[column.name] = obj.site.name
            elif column.relation == "accelerator_type":
                row[column.name] = catalog.accelerator_export_name(obj.accelerator_type_id)
            elif column.relation == "model_profile":
                row[column.name] = catalog.profile_export_name(obj.model_profile_id)
            else:
                row[column.name] = _export_value(getattr(obj, column.name))
        yield row


def _export_order(spec: KindSpec) -> list[str]:
    return ["site__name" if c == "site" else c for c in spec.key]


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    chunks: Iterator[str]


def inventory_export(*, organization: Organization, kind: str | None, file_format: str) -> Export:
    """An export file: CSV of one kind; JSON/YAML of one kind (a list) or of all (a mapping). Raises ImportRejected
    for an unknown kind or format, or CSV without a kind."""
    fmt = format_of("", file_format or "csv")
    chosen = normalize_kind(kind)
    if chosen is None or chosen == INVENTORY:
        if fmt == "csv":
            raise reject("CSV holds one kind per file: choose sites, servers, storage, networks, cloud or workloads.")
        chosen = None
    catalog = Catalog(organization)
    kinds = [chosen] if chosen else list(KINDS)
    lists = {k: export_rows(organization=organization, kind=k, catalog=catalog) for k in kinds}
    extension = "yaml" if fmt == "yaml" else fmt
    filename = f"{chosen or 'inventory'}.{extension}"
    if fmt == "csv":
        chunks = csv_chunks(SPECS[chosen].column_names, lists[chosen])  # type: ignore[index]
        content_type = "text/csv; charset=utf-8"
    elif fmt == "json":
        chunks = json_chunks(lists, mapping=chosen is None)
        content_type = "application/json"
    else:
        chunks = yaml_chunks(lists, mapping=chosen is None)
        content_type = "application/yaml; charset=utf-8"
    return Export(filename=f"{organization.slug}-{filename}", content_type=content_type, chunks=chunks)


# --- discovery from nvidia-smi --------------------------------------------------------------------------------


@dataclass
class Discovery:
    server: Server
    created: bool
    gpu_count: int
    accelerator_type: AcceleratorType
    notes: list[str] = field(default_factory=list)


def _smi_index(organization: Organization) -> tuple[_NameIndex, dict[int, AcceleratorType]]:
    index = _NameIndex()
    entries = {}
    for entry in selectors.accelerator_types_for(organization=organization).order_by("pk"):
        entries[entry.pk] = entry
        for name in entry.nvidia_smi_names or []:
            index.add(name.strip(), entry.pk, private=not entry.is_shared)
    return index, entries


def nvidia_smi_ingest(*, organization: Organization, site: str, hostname: str, text: str) -> Discovery:
    """Create or update the server `hostname` at `site` from nvidia-smi's CSV: accelerator type, count, driver and,
    unless the server's power was measured, power estimated from the GPUs' power limits. Raises ImportRejected
    with every problem (unknown GPU, mixed models, unreadable line, unknown site); then nothing is written."""
    problems: list[Problem] = []
    site, hostname = (site or "").strip(), (hostname or "").strip()
    if not site:
        problems.append(Problem(None, "site", "the site's name is required."))
    if not hostname:
        problems.append(Problem(None, "hostname", "the server's hostname is required."))
    elif len(hostname) > Server._meta.get_field("hostname").max_length:
        problems.append(Problem(None, "hostname", "longer than 253 characters."))
    if len(text.encode()) > import_setting("INVENTORY_NVIDIA_SMI_MAX_BYTES"):
        raise reject("The nvidia-smi output is too large; send the CSV of one server.")
    site_obj = Site.objects.filter(organization=organization, name=site).first() if site else None
    if site and site_obj is None:
        problems.append(Problem(None, "site", f"unknown site {site!r}."))
    output = parse_nvidia_smi(text)
    problems.extend(Problem(p.line, p.field, p.message) for p in output.problems)
    index, entries = _smi_index(organization)
    models_found: dict[int, list[int]] = defaultdict(list)
    for gpu in output.gpus:
        pk = index.resolve(gpu.name)
        if pk is None:
            problems.append(
                Problem(
                    gpu.line,
                    "name",
                    f"unknown GPU {gpu.name!r}: no accelerator type in the catalog lists it among its nvidia-smi "
                    "names. Add a private accelerator type with this name.",
                )
            )
        elif pk == AMBIGUOUS:
            problems.append(Problem(gpu.line, "name", f"{gpu.name!r} is listed by several accelerator types."))
        else:
            models_found[pk].append(gpu.line)
    if len(models_found) > 1:
        described = "; ".join(
            f"{entries[pk]} (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"
            for pk, lines in models_found.items()
        )
        problems.append(
            Problem(None, "name", f"mixed GPU models in one server: {described}. A server has one accelerator type.")
        )
    if problems:
        raise ImportRejected(problems)
    assert site_obj is not None
    (pk,) = models_found
    accelerator = entries[pk]
    gpus = output.gpus
    driver = next((g.driver_version for g in gpus if g.driver_version), "")[:40]
    limits = [g.power_limit_w if g.power_limit_w is not None else accelerator.tdp_w for g in gpus]
    notes: list[str] = []
    with transaction.atomic():
        server = Server.objects.select_for_update().filter(organization=organization, hostname=hostname).first()
        created = server is None
        if server is None:
            server = Server(organization=organization, hostname=hostname, status=ServerStatus.ACTIVE)
        elif server.site_id != site_obj.pk:
            notes.append(f"moved from site {server.site.name!r} to {site_obj.name!r}.")
        server.site = site_obj
        server.accelerator_type = accelerator
        server.accelerator_count = len(gpus)
        server.gpu_driver_version = driver
        if server.power_measured and server.power_w is not None:
            notes.append(f"power_w kept: {server.power_w} W was measured.")
        elif any(limit is None for limit in limits):
            notes.append("power_w not estimated: nvidia-smi gave no power limit and the catalog no TDP.")
        else:
            total = sum(float(limit) for limit in limits)  # type: ignore[arg-type]
            server.power_w = round(total * DEFAULT_SERVER_OVERHEAD_FACTOR)
            server.power_measured = False
            notes.append(
                f"power_w estimated as {server.power_w} W: the GPUs' power limits ({total:g} W) times the server "
                f"overhead factor {DEFAULT_SERVER_OVERHEAD_FACTOR:.2f}; not measured (power_measured is false)."
            )
        server.save()
    return Discovery(server=server, created=created, gpu_count=len(gpus), accelerator_type=accelerator, notes=notes)


__all__ = [
    "NVIDIA_SMI_COMMAND",
    "Catalog",
    "Discovery",
    "Export",
    "ImportRejected",
    "ImportResult",
    "import_job_confirm",
    "import_job_create",
    "import_job_start",
    "inventory_export",
    "inventory_import",
    "nvidia_smi_ingest",
]
