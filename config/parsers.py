"""The API's JSON parser: DRF's, with what a hostile body must not reach.

- Nesting is limited (``MAX_DEPTH`` levels of arrays and objects): Python's decoder recurses, and a body nested
  100,000 deep ends in a ``RecursionError`` (a 500) instead of a 400.
- Numbers are finite: ``1e400`` decodes to infinity and ``NaN``/``Infinity`` are not JSON (DRF refuses them too);
  neither can be stored in a JSON column or summed.

Both are a 400 in the one error shape (``config.api_errors``), code ``parse_error``.
"""

from __future__ import annotations

import codecs
import json
import math
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

__all__ = ["MAX_DEPTH", "SafeJSONParser", "depth_exceeds", "loads"]

MAX_DEPTH = 32


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"The number {text[:20]} is too large.")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows.")


def depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit` (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads(text: str) -> Any:
    """Decode JSON text as the API does; ``ValueError`` for what it refuses."""
    if depth_exceeds(text):
        raise ValueError(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError as exc:  # pragma: no cover (depth_exceeds stops it first)
        raise ValueError("The JSON is nested too deep.") from exc


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
