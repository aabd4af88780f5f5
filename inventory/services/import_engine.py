"""The import engine: rows of a file, chunk by chunk, checked and (on the write pass) saved in bulk.

For each chunk (`INVENTORY_IMPORT_CHUNK_SIZE` rows of one kind): every cell is converted and checked with its
model field's validators (`inventory.importing.cells`), related rows are resolved by name (sites of the
organization, the catalog visible to it; one query per chunk), the natural keys of existing rows are looked up
(one query per chunk, never one per row), repeated keys are found, and each row goes through its model's row
rules (`inventory.validators`, what ``Model.clean()`` runs). No model instance is validated row by row with
``full_clean``: the same validators and rules, called directly, keep a 10,000-row file fast.

Every problem is an `ErrorItem` with the row and column; the first `INVENTORY_IMPORT_MAX_ERRORS` are kept and all
are counted. On the write pass, the checked rows of each chunk go into a staging table (PostgreSQL ``COPY``,
SQLite ``executemany``) and each kind is merged into its table in two statements once its last chunk is in
(`import_writer.StagedWriter`): no model instance is built for a new row.

A CSV chunk is converted column by column by a plan made once per kind and header (`_ColumnPlan`): each column
of the chunk at once when all its cells are the common valid case (`inventory.importing.columns`), else cell by
cell; a row with any cell the fast readings do not take goes through the generic conversion, which words the
problem. A chunk's existing rows are found by their natural keys in one query with one parameter per key column
(`config.lookups.AnyOf`: an array on PostgreSQL, a JSON list on SQLite), not one placeholder per row. A key column
the model compares whatever its case (`folded_key`: a server's hostname) is compared in lower case, in the file
(repeated keys) and in that one query (``LOWER(hostname)``, which the unique constraint's index serves).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.db.models.functions import Lower

from accounts.models import Organization
from config.errors import ErrorItem, Invalid, items_from_django
from config.lookups import AnyOf

from .. import selectors
from ..importing import (
    SPECS,
    Column,
    ImportRejected,
    KindSpec,
    RawRow,
    check_columns,
    column_cells,
    convert_cell,
    fast_cell,
)
from ..importing.cells import fast_reading
from .catalog_names import AMBIGUOUS, Catalog
from .import_writer import StagedWriter

RELATION_FIELDS = {"site": "site_id", "accelerator_type": "accelerator_type_id", "model_profile": "model_profile_id"}
RELATION_LABELS = {"site": "site", "accelerator_type": "accelerator type", "model_profile": "model profile"}
SETTINGS = {
    "INVENTORY_IMPORT_MAX_BYTES": 25 * 1024 * 1024,
    "INVENTORY_IMPORT_ASYNC_ROWS": 2000,
    "INVENTORY_IMPORT_CHUNK_SIZE": 1000,
    "INVENTORY_IMPORT_MAX_ERRORS": 500,
    "INVENTORY_IMPORT_PREVIEW_ROWS": 10,
    "INVENTORY_NVIDIA_SMI_MAX_BYTES": 1024 * 1024,
}


def import_setting(name: str) -> int:
    return int(getattr(settings, name, SETTINGS[name]))


class ErrorList:
    """Every problem counted, the first `cap` kept."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[ErrorItem] = []
        self.total = 0

    def add(self, item: ErrorItem) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(item)

    def extend(self, items: Iterable[ErrorItem]) -> None:
        for item in items:
            self.add(item)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class ImportResult:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)  # the first ones listed
    error_count: int = 0  # all of them
    preview: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False
    kind: str | None = None  # the one kind of the file, or None for a mapping of several
    notices: list[str] = field(default_factory=list)  # what a person should know of how the file was read

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def errors_json(self) -> list[dict[str, Any]]:
        """The listed problems as the API shows them (``error_count`` says how many there are in all)."""
        return [item.as_dict() for item in self.errors]

    def as_error(self) -> Invalid:
        return Invalid(self.errors, total=self.error_count)


def _preview_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def chunks(rows: Iterator[RawRow], size: int) -> Iterator[tuple[str, list[RawRow]]]:
    """Consecutive rows of one kind, at most `size` at a time."""
    chunk: list[RawRow] = []
    for row in rows:
        if chunk and (len(chunk) >= size or row.kind != chunk[0].kind):
            yield chunk[0].kind, chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk[0].kind, chunk


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    valid: bool
    key: tuple[Any, ...] | None = None


_NUMBERS = ("decimal", "float", "integer")
_SLOW = object()  # a cell the fast readings do not take: its row is converted the generic way


class _ColumnPlan:
    """The fast conversion of the CSV rows of one kind and header, column by column: `column_cells` for a whole
    column of the chunk, else cell by cell (`fast_cell`, else `convert_cell`; once per distinct cell). A cell
    neither takes marks its row: that row is converted the generic way, which words its problems."""

    def __init__(self, spec: KindSpec, header: tuple[str, ...], *, decimal_mark: str | None = ".") -> None:
        self.names: list[str] = []
        self.readers: list[tuple[Callable[[list[str]], list[Any]] | None, Callable[[str], Any]]] = []
        for name in header:
            column = spec.by_name.get(name)
            if column is None:
                continue
            one = fast_cell(spec, column)
            whole = column_cells(spec, column)
            if decimal_mark != "." and column.relation is None and fast_reading(spec.model_field(name)) in _NUMBERS:
                # A `;` or tab file's numbers are read as spreadsheets write them (`1,35`; `1.024` is refused).
                whole, one = None, None
            if one is None:

                def one(value: str, spec: KindSpec = spec, column: Column = column) -> Any:
                    return convert_cell(spec, column, value, from_csv=True, decimal_mark=decimal_mark)

            self.names.append(name)
            self.readers.append((whole, one))

    def convert(self, raws: list[RawRow]) -> tuple[list[list[Any]], set[int]]:
        """The chunk's values column by column, and the positions of the rows to convert the generic way."""
        slow: set[int] = set()
        columns: list[list[Any]] = []
        for name, (whole, one) in zip(self.names, self.readers, strict=True):
            cells = [raw.values[name] for raw in raws]
            if whole is not None:
                try:
                    columns.append(whole(cells))
                    continue
                except Exception:  # noqa: BLE001, S110 - any surprise: cell by cell; the generic conversion words it
                    pass
            known: dict[str, Any] = {}
            values: list[Any] = []
            for position, cell in enumerate(cells):
                value = known.get(cell, _SLOW)
                if value is _SLOW and cell not in known:
                    try:
                        value = one(cell)
                    except Exception:  # noqa: BLE001 - as above
                        value = _SLOW
                    known[cell] = value
                if value is _SLOW:
                    slow.add(position)
                values.append(value)
            columns.append(values)
        return columns, slow


class Importer:
    """Validates (and, with `write`, saves) rows chunk by chunk; state spans chunks (repeated keys, counts)."""

    writers: dict[str, StagedWriter]

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.catalog = Catalog(organization)
        self.chunk_size = import_setting("INVENTORY_IMPORT_CHUNK_SIZE")
        self.preview_rows = import_setting("INVENTORY_IMPORT_PREVIEW_ROWS")
        self.problems = ErrorList(import_setting("INVENTORY_IMPORT_MAX_ERRORS"))
        self.seen: dict[str, dict[tuple[Any, ...], int]] = defaultdict(dict)
        self.document_sites: set[str] = set()  # site names this file defines (a mapping's `sites`)
        self.by_kind: dict[str, dict[str, int]] = {}
        self.preview: list[dict[str, Any]] = []
        self.rows = 0
        self.kinds: set[str] = set()
        self.writers = {}
        self._plans: dict[tuple[str, tuple[str, ...], bool], _ColumnPlan] = {}
        self._kind_defaults: dict[str, dict[str, Any]] = {}
        self._had_rows: dict[str, bool] = {}  # kind -> whether the organization had rows of it (`_existing`)

    def run(self, rows: Iterator[RawRow], *, write: bool, progress: Callable[[int], None] | None = None) -> None:
        previous: str | None = None
        try:
            for kind, chunk in chunks(rows, self.chunk_size):
                if write and previous is not None and kind != previous:
                    self._merge(previous)  # later kinds name its rows (servers at the file's sites)
                previous = kind
                self.kinds.add(kind)
                self._chunk(SPECS[kind], chunk, write=write)
                self.rows += len(chunk)
                if progress is not None:
                    progress(self.rows)
            if write and previous is not None:
                self._merge(previous)
        except ImportRejected as exc:
            self.problems.extend(exc.errors)

    def _merge(self, kind: str) -> None:
        writer = self.writers.pop(kind, None)
        if writer is not None and not self.problems:
            writer.merge()

    def _writer(self, spec: KindSpec) -> StagedWriter:
        writer = self.writers.get(spec.kind)
        if writer is None:
            attnames = [RELATION_FIELDS[c.relation] if c.relation else c.name for c in spec.columns]
            writer = self.writers[spec.kind] = StagedWriter(spec.model, self.organization, attnames)
        return writer

    def result(self, *, written: bool, notices: list[str] | None = None) -> ImportResult:
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
            notices=list(notices or []),
        )

    # One chunk ------------------------------------------------------------------------------------------------

    def _convert_all(
        self, spec: KindSpec, raws: list[RawRow], found: list[ErrorItem]
    ) -> tuple[list[_Row], dict[str, list[Any]] | None]:
        """The chunk's rows converted: a CSV chunk column by column (`_ColumnPlan`), its rows with a cell the fast
        readings do not take and every other row one by one (`_convert`). With the rows, the chunk's columns (name
        -> values) when every row was converted column by column, else None."""
        first = raws[0]
        if not all(raw.from_csv and raw.problem is None for raw in raws):
            return [self._convert(spec, raw, found) for raw in raws], None
        header = tuple(first.values)  # every row of a CSV file has the header's columns
        plan = self._plans.get((spec.kind, header, first.decimal_mark))
        if plan is None:
            plan = self._plans[spec.kind, header, first.decimal_mark] = _ColumnPlan(
                spec, header, decimal_mark=first.decimal_mark
            )
        columns, slow = plan.convert(raws)
        names = plan.names
        # Key columns are required; a folded one (a hostname) is compared in lower case, a column at once.
        keys = zip(
            *(
                [v.lower() if isinstance(v, str) else v for v in columns[names.index(name)]]
                if fold
                else columns[names.index(name)]
                for name, fold in zip(spec.key, spec.folded, strict=True)
            ),
            strict=True,
        )
        rows: list[_Row] = []
        for position, (raw, cells, key) in enumerate(zip(raws, zip(*columns, strict=True), keys, strict=True)):
            if position in slow:
                rows.append(self._convert(spec, raw, found))
            else:
                whole = None not in key and "" not in key
                rows.append(_Row(raw.number, dict(zip(names, cells, strict=True)), True, key if whole else None))
        return rows, None if slow else dict(zip(names, columns, strict=True))

    def _convert(self, spec: KindSpec, raw: RawRow, found: list[ErrorItem]) -> _Row:
        """One row, the generic way: every problem of every cell, worded."""
        if raw.problem is not None:
            found.append(ErrorItem(raw.problem, "invalid", row=raw.number))
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
                values[name] = convert_cell(spec, column, cell, from_csv=raw.from_csv, decimal_mark=raw.decimal_mark)
            except ValidationError as exc:
                found.extend(replace(item, row=raw.number, column=name) for item in items_from_django(exc))
                valid = False
        row = _Row(raw.number, values, valid)
        if all(values.get(k) not in (None, "") for k in spec.key):
            row.key = spec.key_of(tuple(values[k] for k in spec.key))
        return row

    def _site_ids(self, rows: list[_Row]) -> dict[str, int]:
        names = {r.values["site"] for r in rows if r.values.get("site")}
        if not names:
            return {}
        return dict(
            selectors.sites_for(organization=self.organization).filter(name__in=names).values_list("name", "id")
        )

    def _existing(self, spec: KindSpec, rows: list[_Row]) -> dict[tuple[Any, ...], Model]:
        """The rows already saved under the chunk's natural keys, in one query with one parameter per key column;
        none, without a query per chunk, when the organization had no row of the kind at its first chunk (a first
        import: the file's own rows are only in the staging table until the kind's last chunk is in)."""
        keys = {r.key for r in rows if r.key is not None}
        if not keys:
            return {}
        queryset = spec.model.objects.filter(organization=self.organization)
        if spec.kind not in self._had_rows:
            self._had_rows[spec.kind] = queryset.exists()
        if not self._had_rows[spec.kind]:
            return {}
        for position, (column, fold) in enumerate(zip(spec.key, spec.folded, strict=True)):
            path = F("site__name" if column == "site" else column)
            queryset = queryset.filter(AnyOf(Lower(path) if fold else path, {key[position] for key in keys}))
        if "site" in spec.key:
            queryset = queryset.annotate(_site_name=F("site__name"))

        def key_of(obj: Model) -> tuple[Any, ...]:
            values = tuple(obj._site_name if c == "site" else getattr(obj, c) for c in spec.key)  # type: ignore[attr-defined]
            return spec.key_of(values)

        return {key_of(obj): obj for obj in queryset}

    def _repeats(self, spec: KindSpec, rows: list[_Row], found: list[ErrorItem]) -> None:
        label = spec.key[-1]
        seen = self.seen[spec.kind]
        for row in rows:
            if row.key is None:
                continue
            if row.key in seen:
                shown = " / ".join(str(row.values.get(part, "")) for part in spec.key)  # as written
                message = f"{shown!r} appears more than once in the file (first on row {seen[row.key]})."
                found.append(ErrorItem(message, "duplicate", row=row.number, column=label))
                row.valid = False
            else:
                seen[row.key] = row.number
            if spec.kind == "sites":
                self.document_sites.add(row.values["name"])

    def _resolve(self, spec: KindSpec, rows: list[_Row], found: list[ErrorItem]) -> list[dict[str, int | None]]:
        """The ids of the related rows each row names: sites of the organization (or of this file), the catalog."""
        site_ids = self._site_ids(rows) if "site" in spec.by_name else {}
        relations = [(name, column.relation) for name, column in spec.by_name.items() if column.relation]
        named: dict[tuple[str, str], int | None] = {}  # a chunk names a few catalog entries many times
        resolved: list[dict[str, int | None]] = []
        for row in rows:
            ids: dict[str, int | None] = {}
            for name, relation in relations:
                if name not in row.values:
                    continue
                value = row.values[name]
                if value is None:
                    ids[name] = None
                    continue
                if relation == "site":
                    ids[name] = site_ids.get(value)
                    if ids[name] is None and value not in self.document_sites:
                        found.append(ErrorItem(f"unknown site {value!r}.", "unknown", row=row.number, column=name))
                        row.valid = False
                    continue
                if (relation, value) not in named:
                    named[relation, value] = self.catalog.resolve(relation, value)
                pk = named[relation, value]
                what = RELATION_LABELS[relation]
                if pk is None:
                    found.append(ErrorItem(f"unknown {what} {value!r}.", "unknown", row=row.number, column=name))
                    row.valid = False
                elif pk == AMBIGUOUS:
                    message = f"{value!r} names several {what}s; write the vendor and model."
                    found.append(ErrorItem(message, "ambiguous", row=row.number, column=name))
                    row.valid = False
                ids[name] = pk
            resolved.append(ids)
        return resolved

    def _chunk(self, spec: KindSpec, raws: list[RawRow], *, write: bool) -> None:
        found: list[ErrorItem] = []  # this chunk's problems, listed by row at the end
        rows, columns = self._convert_all(spec, raws, found)
        self._repeats(spec, rows, found)
        resolved = self._resolve(spec, rows, found)
        existing = self._existing(spec, rows)
        counts = self.by_kind.setdefault(spec.kind, {"created": 0, "updated": 0})
        staged: list[tuple[Any, dict[str, Any]]] = []
        defaults = self._defaults(spec)
        # A chunk of new rows converted column by column is staged as its columns (`StagedWriter.stage_new`)
        by_column = write and columns is not None and not existing
        for row, ids in zip(rows, resolved, strict=True):
            instance = existing.get(row.key) if row.key is not None else None
            if row.valid:
                merged = {**defaults, **row.values} if instance is None else self._merged(spec, row.values, instance)
                for item in spec.row_rules(merged):  # the model's clean() rules
                    found.append(replace(item, row=row.number, column=item.field, field=None))
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
            if not write or found or self.problems or by_column:
                continue
            fields = self._model_values(spec, row.values, ids)
            if instance is None:
                staged.append((None, fields))
            else:  # an update carries every column of the kind: the file's cells, else what the row holds
                current = {a: getattr(instance, a) for a in self._writer(spec).updatable}
                kept = {name: getattr(instance, name) for name in getattr(spec.model, "folded_key", ())}
                staged.append((instance.pk, {**current, **fields, **kept}))  # a hostname keeps its stored spelling
        found.sort(key=lambda item: item.row or 0)  # stable: a row's problems stay in the order they were found
        if raws[0].sheet is not None:  # a workbook numbers rows on each of its sheets: say which sheet
            found = [replace(item, section=raws[0].sheet) for item in found]
        elif not raws[0].from_csv:  # a JSON/YAML document numbers rows in each of its lists: say which list
            found = [replace(item, section=spec.kind) for item in found]
        self.problems.extend(found)
        if not write or self.problems:
            return
        if by_column and columns is not None:  # by_column implies columns; said for the type checker
            self._writer(spec).stage_new(self._model_columns(spec, columns, resolved), len(rows))
        else:
            self._writer(spec).stage(staged)

    @staticmethod
    def _model_columns(
        spec: KindSpec, columns: dict[str, list[Any]], resolved: list[dict[str, int | None]]
    ) -> dict[str, list[Any]]:
        """`_model_values` for a chunk's columns: the relations' ids in place of their names."""
        fields = {}
        for name, values in columns.items():
            relation = spec.by_name[name].relation
            if relation is None:
                fields[name] = values
            else:
                fields[RELATION_FIELDS[relation]] = [ids[name] for ids in resolved]
        return fields

    @staticmethod
    def _model_values(spec: KindSpec, values: dict[str, Any], ids: dict[str, int | None]) -> dict[str, Any]:
        fields = dict(values)
        for name in ids:  # the relations the row names: their ids, by the model's attribute
            del fields[name]
            fields[RELATION_FIELDS[spec.by_name[name].relation]] = ids[name]  # type: ignore[index]
        return fields

    @staticmethod
    def _merged(spec: KindSpec, values: dict[str, Any], instance: Model) -> dict[str, Any]:
        """An updated row as it will be saved: its cells, else the existing row's values. (A new row: its cells,
        else the model's defaults, `_defaults`.)"""
        merged: dict[str, Any] = {}
        for column in spec.columns:
            if column.name in values:
                merged[column.name] = values[column.name]
            else:
                attname = RELATION_FIELDS[column.relation] if column.relation else column.name
                merged[column.name] = getattr(instance, attname)
        return merged

    def _defaults(self, spec: KindSpec) -> dict[str, Any]:
        """What a new row holds in the columns its file leaves out (relations: nothing), once per kind."""
        defaults = self._kind_defaults.get(spec.kind)
        if defaults is None:
            defaults = self._kind_defaults[spec.kind] = {}
            for column in spec.columns:
                if column.relation is None:
                    model_field = spec.model_field(column.name)
                    defaults[column.name] = model_field.get_default() if model_field.has_default() else None
        return defaults
