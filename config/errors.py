"""One error contract for the whole project: the domain exceptions services raise, and the items they carry.

Services refuse what breaks a business rule by raising a :class:`DomainError` (or one of its kinds below). Each
error carries one or more :class:`ErrorItem`: a stable ``code``, a ``message`` a person reads, and where it happened
(``field``: a dotted path into the input, ``index``: a position in a list of inputs, ``row`` and ``column``: a cell
of an uploaded file). Positions are never encoded into message strings: callers that show them (a form, the import
page, the command line) read them from the item.

The API turns every error, these and Django's and DRF's own, into one JSON shape (``config.api_errors``)::

    {"errors": [{"code": "invalid", "message": "...", "field": "title"}], "error_count": 1}

``error_count`` is how many problems were found; it is larger than ``len(errors)`` when a long list was capped.
HTML views map the same exceptions onto their forms with :func:`add_to_form`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError

__all__ = [
    "Conflict",
    "DomainError",
    "ErrorItem",
    "Invalid",
    "TooLarge",
    "Unavailable",
    "add_to_form",
    "still_referred",
    "items_from_django",
    "items_from_detail",
]

WHERE = ("field", "index", "section", "row", "column")


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One problem: what is wrong (``code``, ``message``) and where (``field``, ``index``, ``section``, ``row``,
    ``column``; ``section`` is the list of a JSON/YAML import document the row is in: "sites", "servers"...)."""

    message: str
    code: str = "invalid"
    field: str | None = None
    index: int | None = None
    section: str | None = None
    row: int | None = None
    column: str | None = None
    current: Mapping[str, Any] | None = None
    """The record as it now is, when the request conflicts with a newer version of it (a stale answer's 409)."""
    yours: str | None = None
    """With ``current``: what the request asked for, in words, as ``current["shown"]`` words the record (a stale
    answer's 409: "€166/month" beside "€202/month"), so that both sides of a conflict read alike."""

    def as_dict(self) -> dict[str, Any]:
        """The item as the API shows it: ``code`` and ``message``, the positions it has, and ``current`` and
        ``yours`` if any."""
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        for name in WHERE:
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.current is not None:
            data["current"] = dict(self.current)
        if self.yours is not None:
            data["yours"] = self.yours
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ErrorItem:
        return cls(
            message=str(data.get("message", "")),
            code=str(data.get("code") or "invalid"),
            **{name: data.get(name) for name in WHERE},
            current=data.get("current"),
            yours=data.get("yours"),
        )

    @property
    def where(self) -> str:
        """Where it happened, in words: ``"row 3, column power_w"``, ``"servers, row 1, column site"``, ``"item 2,
        value"``; empty if nowhere."""
        parts = [self.section] if self.section else []
        if self.index is not None:
            parts.append(f"item {self.index + 1}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.field and self.field != self.column:
            parts.append(self.field)
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DomainError(Exception):
    """A request a business rule refuses. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        errors: str | ErrorItem | Iterable[ErrorItem] = "",
        *,
        code: str | None = None,
        field: str | None = None,
        index: int | None = None,
        row: int | None = None,
        column: str | None = None,
        total: int | None = None,
    ) -> None:
        if isinstance(errors, str):
            items: tuple[ErrorItem, ...] = (
                ErrorItem(errors, code or self.code, field=field, index=index, row=row, column=column),
            )
        elif isinstance(errors, ErrorItem):
            items = (errors,)
        else:
            items = tuple(errors)
        if not items:
            raise ValueError("a DomainError needs at least one error")
        self.errors = items
        self.total = max(total or 0, len(items))
        super().__init__("; ".join(str(item) for item in items))

    @property
    def messages(self) -> list[str]:
        """Each item in words, its position first (for the command line and flash messages)."""
        return [str(item) for item in self.errors]

    def __iter__(self) -> Iterator[ErrorItem]:
        return iter(self.errors)

    def as_validation_error(self) -> DjangoValidationError:
        """Django's ``ValidationError`` by field, for forms that must raise one (the admin's ``clean``)."""
        by_field: dict[str, list[DjangoValidationError]] = {}
        for item in self.errors:
            name = item.field if item.field and item.index is None and item.row is None else NON_FIELD_ERRORS
            by_field.setdefault(name, []).append(DjangoValidationError(item.message, code=item.code))
        return DjangoValidationError(by_field)

    def at(self, **where: Any) -> DomainError:
        """The same error, each item placed at ``where`` unless it already says (e.g. ``index=3``)."""
        items = [replace(item, **{k: v for k, v in where.items() if getattr(item, k) is None}) for item in self.errors]
        return type(self)(items, total=self.total)


class Invalid(DomainError):
    """The input breaks a rule (400)."""


class Forbidden(DomainError):
    """The member may not do this to this record (403): another member's comment, say."""

    status = 403
    code = "permission_denied"


class Conflict(DomainError):
    """The input is valid but the current state refuses it (409): a record in use, a job already running."""

    status = 409
    code = "conflict"


class TooLarge(DomainError):
    """The input is larger than the installation accepts (413)."""

    status = 413
    code = "too_large"


class Unavailable(DomainError):
    """A service the request needs is down (503): the broker, an outside system. Nothing was changed."""

    status = 503
    code = "unavailable"


# --- conversions ------------------------------------------------------------------------------------------------


def _join(prefix: str | None, key: str) -> str | None:
    if key in (NON_FIELD_ERRORS, "non_field_errors", "detail"):
        return prefix
    return f"{prefix}.{key}" if prefix else key


def items_from_django(error: DjangoValidationError, *, field: str | None = None) -> list[ErrorItem]:
    """Django's ``ValidationError`` (a message, a list, or a dict by field) as items; ``field`` prefixes paths."""
    if hasattr(error, "error_dict"):
        items = []
        for name, errors in error.error_dict.items():
            for sub in errors:
                items.extend(items_from_django(sub, field=_join(field, name)))
        return items
    items = []
    for sub in error.error_list:
        message = sub.message % sub.params if sub.params else sub.message
        items.append(ErrorItem(str(message), sub.code or "invalid", field=field))
    return items


T = TypeVar("T")


def checked(read: Callable[[Any], T], value: Any, *, code: str, field: str) -> T:
    """``read(value)`` (a rule that gives the stored value or raises Django's ``ValidationError``: `currency_code`),
    its refusal as `Invalid` at ``field`` with the service's ``code`` and the rule's own message."""
    try:
        return read(value)
    except DjangoValidationError as error:
        raise Invalid(error.messages[0], code=code, field=field) from None


def items_from_detail(detail: Any, *, field: str | None = None, index: int | None = None) -> list[ErrorItem]:
    """DRF's error detail (nested dicts and lists of ``ErrorDetail``) flattened into items.

    A dict's keys become dotted ``field`` paths; a list of dicts (a list input, ``many=True``) gives each its
    ``index`` (the first list level) or a ``[n]`` path step (deeper levels).
    """
    if isinstance(detail, Mapping):
        items = []
        for key, value in detail.items():
            if str(key).isdigit():  # a list input's errors keyed by position (DRF's ListSerializer)
                if index is None and field is None:
                    items.extend(items_from_detail(value, index=int(key)))
                else:
                    items.extend(items_from_detail(value, field=f"{field or ''}[{key}]", index=index))
                continue
            items.extend(items_from_detail(value, field=_join(field, str(key)), index=index))
        return items
    if isinstance(detail, list | tuple):
        items = []
        for position, value in enumerate(detail):
            if isinstance(value, Mapping | list | tuple):
                if index is None and field is None:
                    items.extend(items_from_detail(value, index=position))
                else:
                    items.extend(items_from_detail(value, field=f"{field or ''}[{position}]", index=index))
            else:
                items.extend(items_from_detail(value, field=field, index=index))
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [ErrorItem(str(detail), str(code), field=field, index=index)]


def add_to_form(
    form: Any, error: DomainError | DjangoValidationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a domain error on a Django form: on its field where the form has that field, else above the form.

    ``aliases`` maps a service's field name to the form's (``{"owner_id": "owner"}``).
    """
    items = error.errors if isinstance(error, DomainError) else items_from_django(error)
    aliases = aliases or {}
    for item in items:
        name = aliases.get(item.field or "", item.field)
        if name and name in form.fields and item.index is None and item.row is None:
            form.add_error(name, item.message)
        else:
            form.add_error(None, str(item))


def still_referred(error: Exception, what: object | None = None) -> Conflict:
    """A deletion Django's ``on_delete=PROTECT`` (or ``RESTRICT``) refused, as a 409 that says what refers to it:
    "“Frankfurt” cannot be deleted: 3 servers still refer to it; delete or move them first."."""
    protected = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", None) or ()
    counts: dict[Any, int] = {}
    for obj in protected:
        counts[obj._meta] = counts.get(obj._meta, 0) + 1
    parts = [f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}" for meta, n in counts.items()]
    subject = f"“{what}”" if what is not None else "It"
    refers = f"{', '.join(parts)} still refer to it" if parts else "other rows still refer to it"
    return Conflict(f"{subject} cannot be deleted: {refers}; delete or move them first.", code="still_referred")
