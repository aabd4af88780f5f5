"""Field rules every app shares: names and free text that show the same as what is stored, numbers that are finite.

Set on the model fields (so the forms, the API, the import and the admin all apply them with the same message):

- :func:`validate_name` on names and titles: no control characters (a line break, a NUL, an escape) and no
  bidirectional controls (``U+202E`` makes ``"rtl\\u202egpj.exe"`` show as ``rtlexe.jpg``), no zero-width characters;
- :func:`validate_text` on notes and other free text: line breaks and tabs are fine, the rest as for names;
  free text also has a length limit (``TEXT_MAX_LENGTH``: Django's ``TextField`` checks none by itself);
- :func:`validate_country_code` on ISO 3166-1 country codes (:func:`country_code` gives the stored spelling);
- :func:`validate_currency_code` on ISO 4217 currency codes (:func:`currency_code` gives the stored spelling);
- :func:`validate_finite` on float fields: no NaN, no infinity (they cannot be stored as JSON and break every sum);
- :func:`validate_finite_json` on JSON fields: no NaN or infinity at any depth;
- :data:`validate_web_address` on links people give (evidence): an ``http`` or ``https`` address, nothing else
  (Django's ``URLField`` alone also takes ``ftp``; a ``javascript:`` link or a file share is refused by both).
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.deconstruct import deconstructible

__all__ = [
    "COUNTRY_CODE_MESSAGE",
    "CURRENCY_CODE_MESSAGE",
    "NOTES",
    "TEXT_MAX_LENGTH",
    "country_code",
    "currency_code",
    "refuses_any",
    "validate_country_code",
    "validate_currency_code",
    "validate_finite",
    "validate_finite_json",
    "validate_name",
    "validate_text",
    "validate_web_address",
]

#: Notes, descriptions and other free text people type.
TEXT_MAX_LENGTH = 5000

# Bidirectional embeddings, overrides and isolates, and the marks that change the order text is shown in.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_TEXT_WHITESPACE = frozenset("\n\r\t")


def _refused_class(allowed: frozenset[str]) -> re.Pattern[str]:
    """One character class of every refused character but ``allowed``: Unicode's control characters (category Cc:
    U+0000-U+001F, U+007F-U+009F) and surrogates (Cs: U+D800-U+DFFF), `_BIDI` and `_INVISIBLE`. A regular
    expression finds the first in C: an import checks seven names a row (100,000 rows: 1.2 s -> ~0.05 s)."""
    ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), *((ord(c), ord(c)) for c in _BIDI | _INVISIBLE)]
    codes = sorted(code for low, high in ranges for code in range(low, high + 1) if chr(code) not in allowed)
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in runs) + "]")


_NAME_REFUSED = _refused_class(frozenset())
_TEXT_REFUSED = _refused_class(_TEXT_WHITESPACE)


def _refused(value: str, *, pattern: re.Pattern[str]) -> str | None:
    """What the first refused character of ``value`` is, in words; None when there is none."""
    found = pattern.search(value)
    if found is None:
        return None
    char = found.group()
    if char in _BIDI:
        return "a character that reverses the text's direction"
    if char in _INVISIBLE:
        return "an invisible character"
    return "a control character"


def validate_name(value: Any) -> None:
    """A name shows as it is stored: no control, invisible or text-direction characters."""
    if not isinstance(value, str) or not value:
        return
    what = _refused(value, pattern=_NAME_REFUSED)
    if what is not None:
        raise ValidationError(f"Remove {what} from the name.", code="invalid_characters")


def validate_text(value: Any) -> None:
    """Free text: line breaks and tabs are fine; no other control character, no text-direction character."""
    if not isinstance(value, str) or not value:
        return
    what = _refused(value, pattern=_TEXT_REFUSED)
    if what is not None:
        raise ValidationError(f"Remove {what} from the text.", code="invalid_characters")


CURRENCY_CODE_MESSAGE = "Enter the three-letter ISO currency code, e.g. EUR."
COUNTRY_CODE_MESSAGE = "Enter the two-letter ISO country code, e.g. DE."
_CURRENCY = re.compile(r"\s*[A-Za-z]{3}\s*")
_COUNTRY = re.compile(r"\s*[A-Za-z]{2}\s*")


@functools.cache
def _assigned(kind: str) -> frozenset[str]:
    """The codes ISO assigns, from pycountry's copy of the ISO lists (Debian's iso-codes): ISO 4217 currencies
    ("currencies") or ISO 3166-1 alpha-2 countries ("countries")."""
    import pycountry

    if kind == "currencies":
        return frozenset(currency.alpha_3 for currency in pycountry.currencies)
    return frozenset(country.alpha_2 for country in pycountry.countries)


_NOT_ISO_HINTS = {"UK": "the United Kingdom is GB", "EL": "Greece is GR", "EU": "name a member state"}
"""Codes people write for a country that ISO 3166-1 gives another code (or none)."""


def _iso_code(value: Any, pattern: re.Pattern[str], message: str, kind: str) -> str:
    """``value`` in capitals without surrounding spaces when ``pattern`` (Latin letters) takes it whole and ISO
    assigns it (`_assigned`); Django's ``ValidationError`` with ``message`` otherwise ("ÄBC" and "aß" too:
    ``str.isalpha`` and ``upper`` would let them through; "ZZZ" and "XX" are letters no ISO list has)."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(message, code="invalid")
    code = value.strip().upper()
    if code not in _assigned(kind):
        hint = _NOT_ISO_HINTS.get(code) if kind == "countries" else None
        what = "an ISO 4217 currency" if kind == "currencies" else "an ISO 3166-1 country"
        raise ValidationError(
            f"{code} is not {what} code{f' ({hint})' if hint else ''}. {message}", code="unknown_code"
        )
    return code


def currency_code(value: Any) -> str:
    """``value`` as an ISO 4217 code: three Latin letters, in capitals (" eur " -> "EUR"), else ``ValidationError``."""
    return _iso_code(value, _CURRENCY, CURRENCY_CODE_MESSAGE, "currencies")


def country_code(value: Any) -> str:
    """``value`` as an ISO 3166-1 alpha-2 code ("de" -> "DE"), or "" when empty; ``ValidationError`` for anything
    else ("ÄB", "12")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return _iso_code(value, _COUNTRY, COUNTRY_CODE_MESSAGE, "countries")


def validate_country_code(value: Any) -> None:
    """ISO 3166-1 alpha-2. A field that stores it fixes case and spaces (`config.fields.UpperCaseCodeField`)."""
    if value:
        _iso_code(value, _COUNTRY, COUNTRY_CODE_MESSAGE, "countries")


def validate_currency_code(value: Any) -> None:
    """ISO 4217. A field that stores it fixes case and spaces (`config.fields.UpperCaseCodeField`)."""
    if value:
        _iso_code(value, _CURRENCY, CURRENCY_CODE_MESSAGE, "currencies")


def refuses_any(validator: Any, values: list[str]) -> bool | None:
    """Whether ``validator`` (`validate_name` or `validate_text`) refuses any of ``values``, in one search of them
    joined by a space (a character neither refuses); ``None`` for another validator. For a column of an import
    file: the validator itself then says which cell and why."""
    pattern = _NAME_REFUSED if validator is validate_name else _TEXT_REFUSED if validator is validate_text else None
    if pattern is None:
        return None
    return pattern.search(" ".join(values)) is not None


#: A link a person gives (evidence): an http(s) web address. An instance of Django's own validator, so migrations
#: write it out as such.
validate_web_address = URLValidator(
    schemes=["http", "https"], message="Enter a web address that starts with https:// (or http://)."
)


def validate_finite(value: Any) -> None:
    """A number, not NaN or infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError("Enter a finite number.", code="not_finite")


def _has_non_finite(value: Any, depth: int = 0) -> bool:
    if depth > 64:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_non_finite(v, depth + 1) for v in value)
    return False


def validate_finite_json(value: Any) -> None:
    """JSON holds finite numbers only, and is at most 64 levels deep."""
    if _has_non_finite(value):
        raise ValidationError(
            "Enter finite numbers only (no NaN or infinity), nested at most 64 levels.", code="not_finite"
        )


@deconstructible(path="config.validators.TextLength")
class TextLength(MaxLengthValidator):
    """The length limit of free text (a ``TextField`` checks none by itself)."""

    message = "Keep this under %(limit_value)d characters (it has %(show_value)d)."


NOTES = [TextLength(TEXT_MAX_LENGTH), validate_text]


ID_MAX = 2**63 - 1
"""The largest id a database row can have (a signed 64-bit integer on PostgreSQL and SQLite): an id beyond it is
refused as out of range, before it reaches a query it would overflow."""


def id_field(**kwargs: Any) -> Any:
    """A DRF integer field for an id in a request body: from 1 to `ID_MAX`, so that no id overflows a query."""
    from rest_framework import serializers

    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)
