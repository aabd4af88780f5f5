"""Change history of the tracked models (django-simple-history), read and written one way for every app.

- `history_record_bulk`: the history of rows written with bulk statements (which send no signals), one INSERT for
  all of them, so a bulk write stays a fixed number of queries. Single saves and deletes record themselves
  (simple_history's signals; the author is the request's user, `HistoryRequestMiddleware`).
- `history_entries`: an object's history in words: when, who, what (created, changed, deleted) and, per field,
  the value before and after, as people read it (labels, choices' names, related rows' names, yes/no).
  A fixed number of queries: the history rows with their authors, then one per kind of related row named.
- `history_csv`: the same as CSV (one row per field changed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.models import HistoricalRecords

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


class InheritedHistoricalRecords(HistoricalRecords):
    """``HistoricalRecords(inherit=True)`` on an abstract base whose ``excluded_fields`` apply to the subclasses
    that have them: a name a subclass lacks is left out of its historical model (simple_history would otherwise
    fail reading a deleted row's last state, `HistoricalChanges.instance`).

    With ``unindexed_relations``, the historical model indexes none of the tracked model's relations (its site, its
    catalog entries, its organization): a history is read by the object's ``id`` (`history_entries`), never by a
    relation, and the historical copies of relations have no database constraint to check either. Each index
    costs every write of a history row, and an import of 100,000 servers writes 100,000 of them.
    """

    def __init__(self, *args: Any, unindexed_relations: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unindexed_relations = unindexed_relations

    def create_history_model(self, model: type[models.Model], inherited: bool) -> type[models.Model]:
        configured, unindexed = self.excluded_fields, self.no_db_index
        names = {field.name for field in model._meta.local_fields}
        self.excluded_fields = [name for name in configured if name in names]
        if self.unindexed_relations:
            relations = [field.name for field in model._meta.local_fields if field.is_relation]
            self.no_db_index = [*unindexed, *relations]
        try:
            return super().create_history_model(model, inherited)
        finally:
            self.excluded_fields, self.no_db_index = configured, unindexed


HIDDEN_FIELDS = {"id", "organization", "updated", "created"}


def history_record_bulk(
    model: type[models.Model],
    changed: Sequence[models.Model] = (),
    *,
    created: Sequence[models.Model] = (),
    deleted: Sequence[models.Model] = (),
    user: Any = None,
    reason: str = "",
) -> None:
    """Record the history of rows written in bulk, in one statement (none when there is nothing to record).

    ``changed``: rows updated (or upserted); ``created``: rows inserted; ``deleted``: rows about to be deleted (read
    before the delete). Every row must have its primary key.
    """
    history = model.history.model  # type: ignore[attr-defined]
    now = timezone.now()
    fields = [field.attname for field in history.tracked_fields]
    rows = []
    for kind, objs in (("+", created), ("~", changed), ("-", deleted)):
        for obj in objs:
            rows.append(
                history(
                    history_date=now,
                    history_user=getattr(obj, "_history_user", None) or user,
                    history_change_reason=reason,
                    history_type=kind,
                    **{name: getattr(obj, name) for name in fields},
                )
            )
    if rows:
        history.objects.bulk_create(rows)


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One change of an object: when, by whom, what, and the fields it changed (all fields, for a creation)."""

    when: datetime
    who: str
    action: str
    reason: str
    changes: tuple[FieldChange, ...]
    subject: str = ""

    @property
    def summary(self) -> str:
        if self.action != "changed":
            return self.action.capitalize()
        if not self.changes:
            return "Saved without changes"
        return "Changed " + ", ".join(change.label for change in self.changes)


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return "InfraReady" if record.history_change_reason else "unknown"
    return user.get_full_name() or user.get_username()


def _shown(field: models.Field, value: Any, names: dict[tuple[type, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), "(removed)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def history_entries(
    model: type[models.Model],
    records: QuerySet[Any] | None = None,
    *,
    pk: Any = None,
    subject: Callable[[Any], str] | None = None,
    hidden: Iterable[str] = (),
    newest_first: bool = True,
    shown: Callable[[str, Any, Any], str | None] | None = None,
) -> list[HistoryEntry]:
    """The history of ``model``'s object ``pk`` (or of the historical ``records`` given, several objects at once:
    each record is compared with the one before it *of the same object*) in words. ``subject(record)`` names the
    object an entry is about (e.g. its question), for lists of several objects. ``shown(field name, value,
    record)`` writes a value the app knows better (money with its record's currency), or None for the rule here."""
    if records is None:
        records = model.history.filter(id=pk)  # type: ignore[attr-defined]
    rows = list(records.select_related("history_user").order_by("history_date", "history_id"))
    skip = HIDDEN_FIELDS | set(hidden)
    fields = [f for f in model.history.model.tracked_fields if f.name not in skip]  # type: ignore[attr-defined]
    wanted: dict[type, set[Any]] = {}
    for record in rows:
        for field in fields:
            if field.is_relation and field.related_model is not None:
                value = getattr(record, field.attname)
                if value is not None:
                    wanted.setdefault(field.related_model, set()).add(value)
    names = {
        (related, key): str(obj)
        for related, keys in wanted.items()
        for key, obj in related._default_manager.in_bulk(list(keys)).items()
    }
    entries: list[HistoryEntry] = []
    last: dict[Any, Any] = {}

    def written(field: models.Field, value: Any, record: Any) -> str:
        text = None if shown is None or value is None or value == "" else shown(field.name, value, record)
        return _shown(field, value, names) if text is None else text

    for record in rows:
        key = subject(record) if subject is not None else record.id
        before = last.get(key)
        if before is not None and before.history_type == "-":
            before = None
        changes = []
        for field in fields:
            new = getattr(record, field.attname)
            old = None if before is None else getattr(before, field.attname)
            if before is not None and old == new:
                continue
            if (before is None or record.history_type == "-") and (new is None or new == ""):
                continue
            if record.history_type == "-":
                changes.append(FieldChange(field.name, _label(field), written(field, new, record), "—"))
                continue
            changes.append(
                FieldChange(
                    field.name,
                    _label(field),
                    "—" if before is None else written(field, old, before),
                    written(field, new, record),
                )
            )
        action = ACTIONS.get(record.history_type, "changed")
        if before is None and action == "changed":
            action = "created"
        entries.append(
            HistoryEntry(
                record.history_date,
                _who(record),
                action,
                record.history_change_reason or "",
                tuple(changes),
                "" if subject is None else str(key),
            )
        )
        last[key] = record
    return entries[::-1] if newest_first else entries


def _label(field: models.Field) -> str:
    text = str(field.verbose_name)
    return text[:1].upper() + text[1:]


def history_csv(entries: Iterable[HistoryEntry], *, subject: str = "") -> str:
    """One CSV row per field changed (one row for a change without fields): when, who, action, field, before, after."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["object", "when (UTC)", "who", "action", "field", "before", "after", "reason"])
    for entry in entries:
        when = entry.when.strftime("%Y-%m-%d %H:%M:%S")
        for change in entry.changes or (FieldChange("", "", "", ""),):
            writer.writerow(
                [
                    entry.subject or subject,
                    when,
                    entry.who,
                    entry.action,
                    change.label,
                    change.before,
                    change.after,
                    entry.reason,
                ]
            )
    return out.getvalue()
