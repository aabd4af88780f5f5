"""How a report spells numbers and text: scores, counts, model figures, quoted text, links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from assessments.results import score_text
from inventory.capacity import format_value

WHY_LENGTH = 120
"""Characters of an action's *why* the summary quotes."""

__all__ = ["WHY_LENGTH", "for_print", "number_text", "plural", "safe_link", "score_text", "shorten"]

INTERACTIVE = re.compile(r"\b(click|clicks|clicking|hover|hovering|tap|zoom)\b", re.IGNORECASE)
"""Words that ask for a mouse or a finger: a printed page has neither."""


def for_print(text: str) -> str:
    """``text`` without what only a screen can do: a parenthesis or a clause (between ``;`` or sentence ends)
    that asks to click, hover, tap or zoom is left out ("...; hover for headroom." -> "...")."""
    text = re.sub(r"\s*\([^()]*\)", lambda m: "" if INTERACTIVE.search(m.group()) else m.group(), text)
    sentences = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        clauses = [c for c in sentence.rstrip(".!?").split(";") if c.strip() and not INTERACTIVE.search(c)]
        if clauses:
            sentences.append(";".join(clauses).strip() + (sentence[-1] if sentence[-1:] in ".!?" else "."))
    return " ".join(sentences)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def shorten(text: str, limit: int = WHY_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def number_text(value: Any) -> str:
    """A model figure as people read it: thousands separated, at most three decimals, powers of ten for the
    very large as the capacity figures write them (`format_value`: 2.17 x 10²⁰), three significant digits for the
    very small."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value and abs(value) >= 1e9:
        return format_value(value)
    if value and abs(value) < 1e-3:
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def safe_link(url: str) -> str:
    """``url`` when it is a plain http(s) link a reader may follow, else "" (shown as text only)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else ""
