"""What every chart shares: the Okabe-Ito palette, level names and colours, the layout (template, margins,
legend), rounding and formatting helpers, and the ``Chart`` / ``Table`` results with their formula-safe CSV."""

from __future__ import annotations

import copy
import csv
import functools
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from assessments.scoring import MaturityLevel, round_score
from inventory.capacity import format_column
from inventory.rounding import round_half_away

# --------------------------------------------------------------------------------------------------
# Palette, levels, layout
# --------------------------------------------------------------------------------------------------

ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"

PALETTE: tuple[str, ...] = (ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, BLACK)
"""Okabe-Ito, "Color Universal Design" (Okabe & Ito 2008): distinguishable with every common colour-vision
deficiency. Every colour of every chart comes from here (or is a transparent tint of one, or a neutral grey)."""

AREA_PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW)
"""Colours for categories (areas, currencies, accelerator types): black is kept for the readiness index and
reference marks, yellow comes last because it is faint on white."""

NEUTRAL = "#EEEEEE"
"""Background of grouping boxes (treemap root and sites): not a data colour."""

LEVEL_NAMES: Mapping[int, str] = {level.value: level.label for level in MaturityLevel}
"""1 Initial, 2 Developing, 3 Defined, 4 Managed, 5 Optimized (from :class:`assessments.scoring.MaturityLevel`)."""

LEVEL_COLOURS: tuple[str, ...] = (VERMILLION, ORANGE, YELLOW, SKY_BLUE, GREEN)
"""Band colours of the gauge, level 1 to 5 (drawn as light tints)."""

HEIGHT = 380
MARGIN: Mapping[str, int] = {"l": 60, "r": 30, "t": 90, "b": 60}
LEGEND_BELOW: Mapping[str, Any] = {"yanchor": "top", "y": -0.3}
"""Legend under the plot, for charts with subplot titles where a legend on top would cover them."""
MARGIN_BELOW: Mapping[str, int] = {"t": 80, "b": 130}
SCORE_AXIS = "Score (0-100)"


def category_colours(categories: Iterable[str], palette: Sequence[str] = AREA_PALETTE) -> dict[str, str]:
    """Colour of each category, stable: the distinct names sorted (case-insensitively), then the palette in turn.

    The same set of names always gets the same colours whatever order they come in, so an area keeps its colour
    from one chart to the next on a page. With more names than colours the palette repeats.
    """
    names = sorted(set(categories), key=lambda name: (name.casefold(), name))
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def _tint(colour: str, alpha: float) -> str:
    """A palette colour as ``rgba(...)`` with transparency ``alpha`` (0-1)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _score(value: float | None) -> float | None:
    """A 0-100 score rounded to one decimal for display (half away from zero); ``None`` stays ``None``."""
    return round_score(value)


def _num(value: float | None, digits: int) -> float | int | None:
    """A measure rounded to ``digits`` decimals (a whole number for 0 digits), half away from zero on its decimal
    spelling, as scores (``round_score``) and money (``inventory.money.format_money``) are: 0.125 -> 0.13, 2.5 -> 3,
    0.35 -> 0.4. Python's ``round`` rounds half to even on the binary value (0.12, 2, 0.3), so a chart's table
    would disagree with the page beside it in the last digit. ``None`` stays ``None``."""
    if value is None:
        return None
    if not math.isfinite(float(value)):
        return float(value)
    rounded = round_half_away(float(value), digits)
    return int(rounded) if digits == 0 else rounded


NOT_SCORED = "not scored"


def _fmt(value: float | None, spec: str = ".1f", none: str = NOT_SCORED) -> str:
    return none if value is None else format(value, spec)


def _short(text: str, limit: int = 42) -> str:
    """A name cut to ``limit`` characters with an ellipsis, for legends and labels."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def readable(value: float | None, unit: str, none: str = "unknown") -> str:
    """``value`` with its unit as people read it, for chart labels and hover text: whole numbers from 100 up
    ("5,520 GB", "68,241 TFLOPS"), one decimal from 10 ("35.3 kW"), three significant digits below ("8 kW",
    "2.15 kW"), never a trailing ".0". Tables keep their plain rounded numbers."""
    if value is None:
        return none
    number = float(value)
    if abs(number) >= 100:
        text = f"{number:,.0f}"
    elif abs(number) >= 10:
        text = f"{number:,.1f}"
    else:
        text = f"{number:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text} {unit}" if unit else text


def wrapped(text: str, width: int = 16) -> str:
    """``text`` broken into lines of at most ``width`` characters (``<br>``) at spaces, and after the hyphen of
    a hyphenated word, for a tick label that would otherwise be drawn slanted over its neighbours; a longer
    single word stays whole."""
    pieces = [piece for word in text.split() for piece in _hyphen_pieces(word)]
    lines: list[str] = []
    for piece, glued in pieces:
        joined = lines[-1] + ("" if glued else " ") + piece if lines else piece
        if lines and len(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(piece)
    return "<br>".join(lines)


def _hyphen_pieces(word: str) -> list[tuple[str, bool]]:
    """``word`` split after each inner hyphen: ("Maintenance-", False), ("manual", True) (glued to the last)."""
    parts = word.split("-")
    pieces = [part + "-" for part in parts[:-1]] + [parts[-1]]
    return [(piece, i > 0) for i, piece in enumerate(piece for piece in pieces if piece)]


TEMPLATE = "plotly_white"


@functools.cache
def _template() -> dict[str, Any]:
    """The ``plotly_white`` template as a plain dict, validated once per process (when plotly loads it)."""
    return pio.templates[TEMPLATE].to_plotly_json()


def _merged(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``changes`` the way ``update_layout`` does: nested dicts merged, other values replaced."""
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merged(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _layout(figure: go.Figure, title: str, *, height: int = HEIGHT, **extra: Any) -> go.Figure:
    """Apply what every chart shares: title, template, margins, responsive width, legend on top.

    ``extra`` is merged into these defaults (a legend or margin is updated, not replaced), as ``update_layout``
    would. The layout is built as one dict and validated once; the ``plotly_white`` template, validated when
    plotly loaded it, is set as a plain dict with validation off, as plotly itself sets the default template
    (``BaseFigure._initialize_layout_template``). ``update_layout(template="plotly_white", ...)`` deep-copied the
    template through its validators and ran plotly's update machinery (~15-30 ms a chart: 40-48 % of a cold
    dashboard); this costs ~1.5 ms.
    """
    # What subplots, annotations and axis updates set so far (the layout's own props, as ``to_plotly_json`` reads
    # them), without plotly's default template: deep-copying it is slow and it is replaced anyway.
    set_so_far = figure.layout._props or {}
    layout = {key: copy.deepcopy(value) for key, value in set_so_far.items() if key != "template"}
    _merged(
        layout,
        {
            "title": {"text": title, "x": 0.01, "xanchor": "left"},
            "autosize": True,
            "height": height,
            "margin": dict(MARGIN),
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
            "hoverlabel": {"align": "left"},
        },
    )
    _merged(layout, extra)
    figure.layout = go.Layout(layout)
    figure.layout._validate = False
    try:
        figure.layout.template = copy.deepcopy(_template())  # each figure its own copy: a plain-dict deep copy
    finally:
        figure.layout._validate = figure._validate
    return figure


# --------------------------------------------------------------------------------------------------
# Chart and table
# --------------------------------------------------------------------------------------------------

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """The numbers of a chart: header labels with units, and rows of plain values in the same order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = ()

    @property
    def shown_rows(self) -> list[tuple[Any, ...]]:
        """The rows as pages and the PDF show them: each column's numbers with one number of decimals and
        thousands grouped (`capacity.format_column`); the CSV keeps the plain values."""
        columns = [format_column(list(column)) for column in zip(*self.rows, strict=True)]
        return [tuple(row) for row in zip(*columns, strict=True)] if columns else []


@dataclass(frozen=True, eq=False)
class Chart:
    """One dashboard figure with its table; ``figure`` is ``None`` and ``empty`` says what to do when empty."""

    name: str
    title: str
    how_to_read: str
    figure: go.Figure | None
    table: Table
    empty: str | None = None

    def to_json(self) -> str:
        """The figure as JSON for ``Plotly.newPlot`` (data and layout), ``""`` when there is nothing to draw."""
        if self.figure is None:
            return ""
        return pio.to_json(self.figure, validate=False)

    def csv(self) -> str:
        """The table as CSV. ``None`` is an empty cell; text starting with ``= + - @``, a tab or a carriage
        return gets a leading ``'`` so a spreadsheet does not run it as a formula (numbers are left alone)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_csv_cell(column) for column in self.table.columns])
        writer.writerows([_csv_cell(cell) for cell in row] for row in self.table.rows)
        return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _empty(name: str, title: str, how_to_read: str, columns: Sequence[str], message: str) -> Chart:
    return Chart(name, title, how_to_read, None, Table(tuple(columns)), empty=message)
