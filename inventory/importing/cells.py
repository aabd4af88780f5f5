"""One cell of an import file: from what the file holds to the Python value of its model field.

A cell is *read* here (text to a number, a date, a choice: the file's own formats, with messages about the cell,
e.g. "'lots' is not a whole number."), then *checked* with its model field's validators, the very rules forms,
the API and the admin apply (``inventory.validators``; e.g. "Enter a value above 0."). The conversion is decided
once per column, since a file has many rows. A bad cell raises Django's ``ValidationError``; the importer places
it at its row and column.

CSV export neutralizes text a spreadsheet would run as a formula with a leading ``'`` (`neutralize`); reading a
CSV cell undoes it (`unneutralize`), so an export imports back to the same text.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db import models

from config.fields import WordedDecimalField, storage_limit

from .specs import Column, KindSpec

# A cell that a spreadsheet would run as a formula starts with one of these; CSV export prefixes a quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALIZED = re.compile(r"^'+[=+\-@\t\r]")  # quotes before a trigger: the export added one
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
# What people write in a number or date cell that has no value: read as an empty cell.
PLACEHOLDERS = frozenset({"n/a", "na", "-", "–", "—", "tbd", "?"})
# What a spreadsheet writes for a formula that failed: refused, never read as text or as nothing.
SPREADSHEET_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
# English, and the words German and French Excel write for TRUE and FALSE in a CSV file.
_TRUE = {"true", "t", "yes", "y", "1", "wahr", "ja", "vrai", "oui"}
_FALSE = {"false", "f", "no", "n", "0", "falsch", "nein", "faux", "non"}
REQUIRED = "This field is required."  # Django's and DRF's word for it


class UnsavedFormula:
    """A workbook's formula cell saved without its value (`workbooks`): any reading of it is this problem."""

    def __init__(self, message: str) -> None:
        self.message = message


def _refuse_unsaved(value: Any) -> None:
    if isinstance(value, UnsavedFormula):
        raise ValidationError(value.message, code="invalid")


def unneutralize(value: str) -> str:
    """Undo CSV export's formula guard: one leading quote before `= + - @ tab CR` is dropped."""
    return value[1:] if _NEUTRALIZED.match(value) else value


def neutralize(value: str) -> str:
    """A text cell a spreadsheet would evaluate (or that starts with quotes before such a character) gets a `'`."""
    return "'" + value if _NEEDS_QUOTE.match(value) else value


def _bad(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def shown(value: Any) -> str:
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


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _bad(f"{shown(value)} is not a number.")
    return str(value).strip()


# Digits grouped by a space (also the no-break spaces spreadsheets write) or an apostrophe (Swiss): `1 024`.
_SPACE_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(?!\d))")
_GROUPED = {mark: re.compile(rf"[+-]?[1-9]\d{{0,2}}(?:{re.escape(mark)}\d{{3}})+") for mark in ".,"}


def number_text(value: str, *, decimal_mark: str | None) -> str:
    """A number as a spreadsheet writes it in a CSV cell -> Python's spelling, or the text unchanged when it is not
    a number (the reading then refuses it). ``decimal_mark``: `,` in a file with `;` between cells (European Excel
    and LibreOffice: `1,35`, a dot groups thousands), `.` in a comma file (a comma groups thousands: `"1,024.5"`),
    None when the file does not say (tab-separated). Spaces grouping thousands are dropped (`1 024`). With both
    marks the last one is the decimal mark (`1.024,5`, `1,024.5`). The other mark alone is read as decimals when it
    cannot be thousands (`1,35` in a comma file), and refused when it can be either (`1.024` in a `;` file,
    `"1,024"` in a comma file): 1024 or 1.024 is the user's to say, never a guess."""
    text = _SPACE_GROUPS.sub("", value.strip())
    dots, commas = text.count("."), text.count(",")
    if dots and commas:  # both: the last is the decimal mark, the other groups thousands
        last = max(text.rfind("."), text.rfind(","))
        group = "," if text[last] == "." else "."
        whole, decimals = text[:last], text[last + 1 :]
        if _GROUPED[group].fullmatch(whole) and decimals.isdigit():
            return f"{whole.replace(group, '')}.{decimals}"
        return text
    if not dots and not commas:
        return text
    sign = "." if dots else ","
    if sign == decimal_mark and (text.count(sign) == 1 or not _GROUPED[sign].fullmatch(text)):
        return text.replace(sign, ".")  # several of them can only group thousands: below
    if not _GROUPED[sign].fullmatch(text):  # not thousands: one mark is decimals
        return text.replace(sign, ".") if text.count(sign) == 1 else text
    if text.count(sign) > 1:
        return text.replace(sign, "")
    grouped, decimal = text.replace(sign, ""), text.replace(sign, ".")
    if decimal_mark is None:
        how = f"{decimal}0 (a fourth decimal: a tab-separated file does not say which mark is decimal)"
    else:
        separator = ";" if decimal_mark == "," else ","
        how = (
            f"{decimal.replace('.', decimal_mark)} ({decimal_mark!r} marks decimals in a file whose cells are "
            f"separated by {separator!r})"
        )
    raise _bad(
        f"{shown(value)} could be {grouped} or {decimal}: write {grouped} (no thousands separator) or {how}.",
        "ambiguous",
    )


def to_int(value: Any, *, written: Any = None) -> int:
    """`value` as a whole number; `written` is the cell as the file wrote it, when `value` is its reading."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _number_text(value)
    cell = value if written is None else written
    try:
        return int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            raise _bad(f"{shown(cell)} is not a whole number.") from None
        if not as_float.is_integer():
            raise _bad(f"{shown(cell)} is not a whole number.") from None
        return int(as_float)


def to_float(value: Any, *, written: Any = None) -> float:
    cell = value if written is None else written
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(_number_text(value))
        except ValueError:
            raise _bad(f"{shown(cell)} is not a number.") from None
    if not math.isfinite(number):
        raise _bad(f"{shown(cell)} is not a finite number.")
    return number


def to_decimal(value: Any, *, written: Any = None) -> Decimal:
    cell = value if written is None else written
    try:
        number = Decimal(_number_text(value))
    except InvalidOperation:
        raise _bad(f"{shown(cell)} is not a number.") from None
    if not number.is_finite():
        raise _bad(f"{shown(cell)} is not a finite number.")
    return number


def _percent_scale(model_field: models.Field) -> Decimal | None:
    """What `45%` in a cell of the field is: 45 in a percent column (`renewable_share_pct`), 0.45 in a fraction
    (a field at most 1: `assumed_mfu`), None (refused) elsewhere."""
    if model_field.name.endswith("_pct"):
        return Decimal(1)
    for check in model_field.validators:
        top = getattr(check, "at_most", None)
        if top is None and isinstance(check, django_validators.MaxValueValidator):
            top = check.limit_value
        if isinstance(top, int | float | Decimal) and top <= 1:
            return Decimal("0.01")
    return None


def _spreadsheet_number(read: Callable[..., Any], model_field: models.Field) -> Converter:
    """A number reader for a cell: a CSV cell's text is first read as spreadsheets write numbers (`number_text`;
    a percentage `45%` where the field is a percent or a fraction), and a problem quotes the cell as written."""
    scale = _percent_scale(model_field)

    def number(value: Any, from_csv: bool, decimal_mark: str | None) -> Any:
        if from_csv and isinstance(value, str):
            text = number_text(value.strip().removesuffix("%"), decimal_mark=decimal_mark)
            if value.strip().endswith("%"):
                if scale is None:
                    raise _bad(
                        f"{shown(value)} is a percentage: {model_field.verbose_name} is a number (write it without %)."
                    )
                try:
                    text = str(Decimal(text.strip()) * scale)
                except InvalidOperation:
                    raise _bad(f"{shown(value)} is not a number.") from None
            return read(text, written=value)
        return read(value)

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
    raise _bad(f"{shown(value)} is not true or false.")


_DAY_MONTH = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[./](\d{1,2})[./](\d{1,2})")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_hint(text: str) -> str:
    """What to write instead of a date in another spelling: never a guess between day and month."""
    if match := _DAY_MONTH.fullmatch(text):
        first, second, year = map(int, match.groups())
        day_first, month_first = _iso(year, second, first), _iso(year, first, second)
        if day_first and month_first and day_first != month_first:
            return f" Write {day_first} if it is day/month/year, {month_first} if it is month/day/year."
        if day_first or month_first:
            return f" Write {day_first or month_first}."
    if (match := _YEAR_FIRST.fullmatch(text)) and (iso := _iso(*map(int, match.groups()))):
        return f" Write {iso}."
    if text.isdigit() and 20000 <= int(text) <= 80000:  # a date cell saved as its number
        from openpyxl.utils.datetime import from_excel  # as the workbooks read date serials (`workbooks`)

        serial = from_excel(int(text)).date().isoformat()
        return f" If it is a spreadsheet's date number, it is {serial}: write that."
    return ""


def to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    hint = ""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            hint = _date_hint(value.strip())
        try:  # a date and time as databases and scripts export them (`2026-03-01 00:00:00`): the date written
            return datetime.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise _bad(f"{shown(value)} is not a date (YYYY-MM-DD).{hint}")


def to_text(value: Any, *, from_csv: bool) -> str:
    if value.__class__ is str:
        # Surrounding spaces go (as in the app's forms); a cell that export guarded against formulas keeps its
        # exact text. Tabs and line breaks are kept, so that whatever a field holds survives a round trip.
        guarded = from_csv and value[:1] == "'" and _NEUTRALIZED.match(value) is not None
        return value[1:] if guarded else value.strip(" ")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _bad(f"{shown(value)} is not text.")
    return str(value)


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


Converter = Callable[[Any, bool, str | None], Any]  # (value, from_csv, decimal_mark)
_CONVERTERS: dict[tuple[str, str], Converter] = {}
# Checks that forms and DRF make on the field itself (limits of the column) come before the model's own rules.
_FRAMEWORK_LIMITS = (
    django_validators.MinValueValidator,
    django_validators.MaxValueValidator,
    django_validators.MaxLengthValidator,
    django_validators.DecimalValidator,
)


def _reader(model_field: models.Field) -> Converter:
    """The file's value -> the field's Python type (and a choice by its value or label)."""
    if model_field.choices:
        lookup = choice_lookup(model_field)
        options = ", ".join(str(choice) for choice, _ in model_field.choices)

        def choice(value: Any, from_csv: bool, decimal_mark: str | None) -> Any:
            found = lookup.get(value.strip().lower()) if isinstance(value, str) else None
            if found is None:
                raise _bad(f"{shown(value)} is not one of {options}.", "invalid_choice")
            return found

        return choice
    if isinstance(model_field, models.BooleanField):
        return lambda value, from_csv, decimal_mark: to_bool(value)
    if isinstance(model_field, models.DateField):
        return lambda value, from_csv, decimal_mark: to_date(value)
    if isinstance(model_field, models.DecimalField):
        return _spreadsheet_number(to_decimal, model_field)
    if isinstance(model_field, models.FloatField):
        return _spreadsheet_number(to_float, model_field)
    if isinstance(model_field, models.IntegerField):
        return _spreadsheet_number(to_int, model_field)
    if type(model_field).to_python is not models.CharField.to_python:  # the field normalizes (e.g. ISO codes)
        normalize = model_field.to_python
        return lambda value, from_csv, decimal_mark: normalize(to_text(value, from_csv=from_csv))
    return lambda value, from_csv, decimal_mark: to_text(value, from_csv=from_csv)


def _quick(check: Callable[[Any], None]) -> Callable[[Any], None]:
    """A column limit that costs a comparison when the value is within it; the validator itself (its message)
    runs only when the value is not. A file has many cells."""
    limit = getattr(check, "limit_value", None)
    if callable(limit) or limit is None:
        return check
    if isinstance(check, django_validators.MaxLengthValidator):
        return lambda value: check(value) if len(value) > limit else None
    if isinstance(check, django_validators.MaxValueValidator):
        return lambda value: check(value) if value > limit else None
    if isinstance(check, django_validators.MinValueValidator):
        return lambda value: check(value) if value < limit else None
    return check


def _database_range(model_field: models.Field, check: Callable[[Any], None]) -> bool:
    """Whether ``check`` is the storage range of an integer column on this database (`config.fields.storage_limit`)."""
    if not isinstance(check, django_validators.MinValueValidator | django_validators.MaxValueValidator):
        return False
    return storage_limit(model_field, check.limit_value)


def field_checks(model_field: models.Field) -> list[Callable[[Any], None]]:
    """The field's validators as forms and the API run them: the column's limits first, then the model's rules,
    then the database's integer range (the model's own bounds are narrower and say more: "between 0 and 1,024",
    not "less than or equal to 32767"; the same message on every database)."""
    checks = sorted(
        model_field.validators,
        key=lambda check: (_database_range(model_field, check), not isinstance(check, _FRAMEWORK_LIMITS)),
    )
    return [_worded(model_field, _quick(check)) for check in checks]


def _worded(model_field: models.Field, check: Callable[[Any], None]) -> Callable[[Any], None]:
    """``check`` saying its problem in the field's own words where the field words it
    (`config.fields.WordedDecimalField.worded`: the digits of a decimal column read as its range), as the model's
    ``run_validators`` does for forms and the API."""
    if not isinstance(model_field, WordedDecimalField) or not isinstance(check, django_validators.DecimalValidator):
        return check

    def run(value: Any) -> None:
        try:
            check(value)
        except ValidationError as error:
            raise model_field.worded(error) from None

    return run


def _build_converter(spec: KindSpec, column: Column) -> Converter:
    if column.relation is not None:
        required = column.required

        def relation(value: Any, from_csv: bool, decimal_mark: str | None) -> Any:
            _refuse_unsaved(value)
            if is_empty(value):
                if required:
                    raise _bad(REQUIRED, "required")
                return None
            return to_text(value, from_csv=from_csv)

        return relation
    model_field = spec.model_field(column.name)
    empty = empty_value(model_field)
    read = _reader(model_field)
    checks = field_checks(model_field)
    placeholders = PLACEHOLDERS if fast_reading(model_field) in ("decimal", "float", "integer", "date") else ()

    def cell(value: Any, from_csv: bool, decimal_mark: str | None) -> Any:
        _refuse_unsaved(value)
        if isinstance(value, str):
            word = value.strip()
            if word.upper() in SPREADSHEET_ERRORS:
                raise _bad(
                    f"{shown(value)} is a spreadsheet's error (a formula that failed): correct the formula or type "
                    "the value."
                )
            if word.lower() in placeholders:
                value = ""
        if is_empty(value):
            if empty is _EMPTY:
                raise _bad(REQUIRED, "required")
            return empty
        result = read(value, from_csv, decimal_mark)
        for check in checks:  # the first broken rule is the cell's message, as in a form
            check(result)
        return result

    return cell


def convert_cell(spec: KindSpec, column: Column, value: Any, *, from_csv: bool, decimal_mark: str | None = ".") -> Any:
    """The Python value of one cell, or Django's ``ValidationError``. Relation cells stay names (text); the import
    service resolves them. ``decimal_mark``: a CSV file with `;` between cells (`number_text`)."""
    key = (spec.kind, column.name)
    converter = _CONVERTERS.get(key)
    if converter is None:
        converter = _CONVERTERS[key] = _build_converter(spec, column)
    return converter(value, from_csv, decimal_mark)


class NotFast(Exception):
    """The fast reading of a CSV cell does not apply: the generic conversion (`convert_cell`) decides."""


def choice_lookup(model_field: models.Field) -> dict[str, Any]:
    """The field's choices by their value or their label, lower-cased (a value wins over another choice's label)."""
    lookup: dict[str, Any] = {}
    for choice, label in model_field.choices or ():
        lookup.setdefault(str(label).lower(), choice)
        lookup[str(choice).lower()] = choice
    return lookup


BOOLEAN_WORDS: dict[str, bool] = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def fast_reading(model_field: models.Field) -> str | None:
    """How a CSV cell of the field is read in the common case: "choice", "boolean", "date", "decimal", "float",
    "integer" or "text"; ``None`` when the field normalizes its text itself (ISO codes: the generic reading).
    `_fast_reader` reads one cell that way, `columns` a whole column."""
    if model_field.choices:
        return "choice"
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        return "date"
    if isinstance(model_field, models.DecimalField):
        return "decimal"
    if isinstance(model_field, models.FloatField):
        return "float"
    if isinstance(model_field, models.IntegerField):
        return "integer"
    if type(model_field).to_python is not models.CharField.to_python:
        return None
    return "text"


def _fast_decimal(value: str) -> Decimal:
    number = Decimal(value.strip())
    if not number.is_finite():
        raise NotFast
    return number


def _fast_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise NotFast
    return number


def _fast_reader(model_field: models.Field) -> Callable[[str], Any] | None:
    """What `_reader` gives for a CSV cell (text) in the common case, at the cost of one call; ``None`` for fields
    whose reading has no fast form. Anything unusual raises (``NotFast``, ``ValueError``...)."""
    reading = fast_reading(model_field)
    if reading in ("choice", "boolean"):
        words = choice_lookup(model_field) if reading == "choice" else BOOLEAN_WORDS
        return lambda value: words[value.strip().lower()]
    readers: dict[str | None, Callable[[str], Any] | None] = {
        "date": lambda value: datetime.date.fromisoformat(value.strip()),
        "decimal": _fast_decimal,
        "float": _fast_float,
        "integer": int,
        "text": _fast_text,
        None: None,
    }
    return readers[reading]


def _fast_text(value: str) -> str:
    if value[:1] in ("'", "#"):  # maybe a formula guard from CSV export, or a spreadsheet's error: the generic
        raise NotFast  # reading knows
    return value.strip(" ")


def fast_cell(spec: KindSpec, column: Column) -> Callable[[str], Any] | None:
    """The value of a CSV cell of ``column`` when it is the common, valid case; raises (anything) otherwise, and
    then `convert_cell` gives the value or the problem. The same reading and the same validators, in one call."""
    if column.relation is not None:
        required = column.required

        def relation(value: str) -> Any:
            if not value.strip():
                if required:
                    raise NotFast
                return None
            return _fast_text(value)

        return relation
    model_field = spec.model_field(column.name)
    read = _fast_reader(model_field)
    if read is None:
        return None
    empty = empty_value(model_field)
    checks = field_checks(model_field)

    def cell(value: str) -> Any:
        if not value.strip():
            if empty is _EMPTY:
                raise NotFast
            return empty
        result = read(value)
        for check in checks:
            check(result)
        return result

    return cell
