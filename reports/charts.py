"""InfraReady dashboard figures: plain typed data in, a :class:`Chart` (Plotly figure + data table) out.

Pure Python 3.11 and Plotly, no Django import: views and the PDF renderer build the input dataclasses from the
database and call one function per figure. The catalogue, with what each chart shows and how to read it, is in
``docs/dashboards.md``.

Every chart has a title, axis titles with units, hover details, colours from the Okabe-Ito colour-blind-safe
palette (:data:`PALETTE`), the ``plotly_white`` template, no fixed width (pages are responsive), a one-sentence
"how to read this" and a :class:`Table` with the same numbers as the figure (for readers who prefer numbers and
for the CSV download). When there is nothing to draw, ``figure`` is ``None`` and ``empty`` says what to do next.

Displayed numbers are rounded once, here, and the figure and the table use the same rounded values: scores to
one decimal (:func:`assessments.scoring.round_score`, half away from zero), others as their unit needs.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from assessments.roadmap import effort_cost
from assessments.scoring import (
    CONTRADICTION_THRESHOLD,
    LEVEL_WIDTH,
    MaturityLevel,
    level_for_score,
    level_label,
    round_score,
)

__all__ = [
    "AREA_PALETTE",
    "LEVEL_NAMES",
    "MAX_VISIBLE_AREA_LINES",
    "MONTHS_PER_UNIT",
    "PALETTE",
    "PHASE_WINDOWS",
    "AcceleratorCount",
    "AreaScore",
    "Chart",
    "RoadmapBar",
    "RoadmapEntry",
    "SiteEnergy",
    "SitePower",
    "SourceCount",
    "SubareaScore",
    "Table",
    "TrendPoint",
    "WorkloadDemand",
    "accelerators_by_site",
    "answers_by_source",
    "area_bars",
    "area_radar",
    "capacity_vs_demand",
    "category_colours",
    "energy_cost_carbon",
    "power_vs_capacity",
    "readiness_indicator",
    "roadmap_gantt",
    "schedule_bars",
    "self_vs_evidence",
    "subarea_heatmap",
    "trend",
]

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
    """A measure rounded to ``digits`` decimals (a whole number for 0 digits); ``None`` stays ``None``."""
    if value is None:
        return None
    return round(float(value)) if digits == 0 else round(float(value), digits)


NOT_SCORED = "not scored"


def _fmt(value: float | None, spec: str = ".1f", none: str = NOT_SCORED) -> str:
    return none if value is None else format(value, spec)


def _layout(figure: go.Figure, title: str, *, height: int = HEIGHT, **extra: Any) -> go.Figure:
    """Apply what every chart shares: title, template, margins, responsive width, legend on top."""
    figure.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left"},
        template="plotly_white",
        autosize=True,
        height=height,
        margin=dict(MARGIN),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        hoverlabel={"align": "left"},
    )
    if extra:
        figure.update_layout(**extra)  # merged into the defaults above (a legend or margin is updated, not replaced)
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


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------

Phase = Literal["now", "next", "later"]
Effort = Literal["S", "M", "L"]


@dataclass(frozen=True)
class AreaScore:
    """One area of a scored assessment. Scores are 0-100; ``target`` is the lowest score of the target level
    (``20 * (L - 1)``); ``previous`` the score in the previous assessment; ``self_score`` and ``evidence_score``
    the self-assessed and inventory-evidence scores; ``contradiction`` when they differ by more than 30 points."""

    area_id: str
    name: str
    score: float | None
    target: float | None = None
    previous: float | None = None
    self_score: float | None = None
    evidence_score: float | None = None
    contradiction: bool = False
    high_risks: int = 0
    medium_risks: int = 0
    level: int | None = None


@dataclass(frozen=True)
class SubareaScore:
    """One sub-area; ``position`` orders the sub-areas inside their area (only the order matters)."""

    area_name: str
    subarea_name: str
    score: float | None
    position: int


@dataclass(frozen=True)
class SourceCount:
    """How the questions of one area were answered, in questions."""

    area_name: str
    self_reported: int
    from_inventory: int
    not_applicable: int
    unanswered: int


@dataclass(frozen=True)
class AcceleratorCount:
    """Accelerators of one type at one site; ``memory_gb`` is the total memory of these ``count`` devices."""

    site: str
    accelerator: str
    count: int
    memory_gb: float


@dataclass(frozen=True)
class WorkloadDemand:
    """What a workload needs and what its pool (or the fleet) has; ``fits`` is the capacity model's verdict."""

    workload: str
    memory_needed_gb: float
    memory_available_gb: float
    compute_needed_tflops: float
    compute_available_tflops: float
    fits: bool


@dataclass(frozen=True)
class SitePower:
    """Power of one site in kW: IT draw, facility draw (IT x PUE), and the site's power capacity if known."""

    site: str
    it_kw: float
    facility_kw: float
    capacity_kw: float | None = None


@dataclass(frozen=True)
class SiteEnergy:
    """Monthly energy, cost (in the site's ``currency``) and carbon of one site, with its PUE and grid intensity
    (gCO2e/kWh)."""

    site: str
    currency: str
    it_kwh_month: float
    facility_kwh_month: float
    cost_month: float | None
    tco2_month: float | None
    pue: float | None
    grid_g_per_kwh: float | None


@dataclass(frozen=True)
class RoadmapEntry:
    """A roadmap item before scheduling: ``status`` is its display label ("Open", "In progress", "Done", ...)."""

    rank: int
    title: str
    area_name: str
    phase: Phase
    status: str
    effort: Effort


@dataclass(frozen=True)
class RoadmapBar:
    """A scheduled roadmap item: its bar runs from ``start_month`` to ``end_month`` (months from now)."""

    rank: int
    title: str
    area_name: str
    phase: Phase
    status: str
    effort: Effort
    start_month: float
    end_month: float


@dataclass(frozen=True)
class TrendPoint:
    """One scored assessment on the timeline: readiness index and area scores (area name -> score)."""

    label: str
    date: datetime.date
    index: float | None
    areas: Mapping[str, float | None] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# 1. Readiness index
# --------------------------------------------------------------------------------------------------


def readiness_indicator(index: float | None, level: int | None, previous_index: float | None) -> Chart:
    """Gauge of the readiness index (0-100) with the five level bands and the change since the previous one."""
    name, title = "readiness-index", "Readiness index"
    how = "The black bar shows the index on 0-100; each coloured band is a maturity level; the arrow is the change."
    columns = (
        "Readiness index (0-100)",
        "Maturity level (1-5)",
        "Level name",
        "Previous index (0-100)",
        "Change (points)",
    )
    if index is None:
        return _empty(name, title, how, columns, "Submit an assessment to get a readiness index.")
    value = _score(index)
    previous = _score(previous_index)
    if level is None:
        level = int(level_for_score(min(100.0, max(0.0, index))))
    heading = level_label(level)
    change = None if previous is None else _score(value - previous)
    indicator = go.Indicator(
        mode="gauge+number+delta" if previous is not None else "gauge+number",
        value=value,
        number={"valueformat": ".1f", "suffix": " / 100"},
        delta=(
            {
                "reference": previous,
                "valueformat": ".1f",
                "increasing": {"color": GREEN},
                "decreasing": {"color": VERMILLION},
            }
            if previous is not None
            else None
        ),
        title={"text": f"Level {heading}<br><span style='font-size:0.8em'>{SCORE_AXIS}</span>"},
        gauge={
            "axis": {"range": [0, 100], "tickvals": [0, 20, 40, 60, 80, 100]},
            "bar": {"color": BLACK, "thickness": 0.3},
            "steps": [
                {"range": [LEVEL_WIDTH * (i - 1), LEVEL_WIDTH * i], "color": _tint(LEVEL_COLOURS[i - 1], 0.35)}
                for i in range(1, 6)
            ],
        },
        domain={"x": [0, 1], "y": [0, 1]},
    )
    figure = _layout(go.Figure(indicator), title, height=360)
    table = Table(columns, ((value, level, LEVEL_NAMES.get(level), previous, change),))
    return Chart(name, title, how, figure, table)


# --------------------------------------------------------------------------------------------------
# 2-3. Area scores
# --------------------------------------------------------------------------------------------------


def area_radar(areas: Sequence[AreaScore]) -> Chart:
    """Radar of the area scores (0-100): current, target and, when there is one, the previous assessment."""
    name, title = "area-radar", "Area scores"
    how = "Each spoke is an area; the further out, the more ready. The dashed line is the target."
    if not any(area.score is not None for area in areas):
        columns = ("Area", "Score (0-100)", "Level (1-5)", "Target (0-100)")
        return _empty(name, title, how, columns, "Submit an assessment to see the score of each area.")
    names = [area.name for area in areas]
    current = [_score(area.score) for area in areas]
    target = [_score(area.target) for area in areas]
    previous = [_score(area.previous) for area in areas]
    has_target = any(value is not None for value in target)
    has_previous = any(value is not None for value in previous)

    def closed(values: list[Any]) -> list[Any]:
        return [*values, values[0]]  # repeat the first spoke so the outline closes

    levels = [level_label(area.level, none=NOT_SCORED) for area in areas]
    figure = go.Figure()
    series = [("Current", current, BLUE, "solid", "toself")]
    if has_target:
        series.append(("Target", target, BLACK, "dash", "none"))
    if has_previous:
        series.append(("Previous", previous, ORANGE, "dot", "none"))
    for label, values, colour, dash, fill in series:
        figure.add_trace(
            go.Scatterpolar(
                r=closed(values),
                theta=closed(names),
                name=label,
                mode="lines+markers",
                fill=fill,
                fillcolor=_tint(colour, 0.15) if fill == "toself" else None,
                line={"color": colour, "dash": dash, "width": 2},
                marker={"color": colour, "size": 6},
                customdata=closed(levels),
                hovertemplate=f"<b>%{{theta}}</b><br>{label}: %{{r:.1f}} / 100<br>Current level %{{customdata}}"
                "<extra></extra>",
            )
        )
    _layout(
        figure,
        title,
        height=420,
        polar={
            # a horizontal radial axis, labels below and title above it: neither crosses the other
            "radialaxis": {
                "range": [0, 100],
                "title": {"text": SCORE_AXIS, "font": {"size": 11}},
                "tickvals": [0, 20, 40, 60, 80, 100],
                "angle": 0,
                "tickangle": 0,
                "side": "counterclockwise",
                "tickfont": {"size": 10},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90},
        },
    )
    columns = ["Area", "Score (0-100)", "Level (1-5)"]
    if has_target:
        columns.append("Target (0-100)")
    if has_previous:
        columns.append("Previous (0-100)")
    rows = []
    for i, area_name in enumerate(names):
        row = [area_name, current[i], areas[i].level]
        if has_target:
            row.append(target[i])
        if has_previous:
            row.append(previous[i])
        rows.append(tuple(row))
    return Chart(name, title, how, figure, Table(tuple(columns), tuple(rows)))


def area_bars(areas: Sequence[AreaScore]) -> Chart:
    """Horizontal bars of the area scores with a mark at each target and the risk counts."""
    name, title = "area-bars", "Area scores against target"
    how = "Each bar is an area's score out of 100; the black tick is its target; the text counts its risks."
    columns = (
        "Area",
        "Score (0-100)",
        "Level (1-5)",
        "Target (0-100)",
        "Gap to target (points)",
        "High risks (count)",
        "Medium risks (count)",
    )
    if not any(area.score is not None for area in areas):
        return _empty(name, title, how, columns, "Submit an assessment to see the score of each area.")
    names = [area.name for area in areas]
    scores = [_score(area.score) for area in areas]
    targets = [_score(area.target) for area in areas]
    gaps = [
        None if score is None or target is None else _score(max(0.0, target - score))
        for score, target in zip(scores, targets, strict=True)
    ]
    texts = [
        f"{_fmt(score)} · {area.high_risks} high, {area.medium_risks} medium risks"
        for score, area in zip(scores, areas, strict=True)
    ]
    customdata = [
        [
            level_label(area.level, none=NOT_SCORED),
            _fmt(target, none="none"),
            _fmt(gap, none="-"),
            area.high_risks,
            area.medium_risks,
        ]
        for area, target, gap in zip(areas, targets, gaps, strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=scores,
            y=names,
            orientation="h",
            name="Score",
            marker={"color": BLUE},
            text=texts,
            textposition="auto",
            insidetextanchor="start",
            customdata=customdata,
            hovertemplate="<b>%{y}</b><br>Score: %{x:.1f} / 100 (level %{customdata[0]})"
            "<br>Target: %{customdata[1]}<br>Gap: %{customdata[2]} points"
            "<br>Risks: %{customdata[3]} high, %{customdata[4]} medium<extra></extra>",
        )
    )
    if any(target is not None for target in targets):
        figure.add_trace(
            go.Scatter(
                x=targets,
                y=names,
                mode="markers",
                name="Target",
                marker={"symbol": "line-ns-open", "size": 22, "color": BLACK, "line": {"width": 3, "color": BLACK}},
                hovertemplate="<b>%{y}</b><br>Target: %{x:.1f} / 100<extra></extra>",
            )
        )
    for area, score in zip(areas, scores, strict=True):
        if score is None:
            figure.add_annotation(x=0, y=area.name, text=NOT_SCORED, xanchor="left", xshift=6, showarrow=False)
    _layout(
        figure,
        title,
        height=max(HEIGHT, 60 * len(areas) + 150),
        xaxis={"title": {"text": SCORE_AXIS}, "range": [0, 100]},
        yaxis={"title": {"text": "Area"}, "autorange": "reversed", "automargin": True},
    )
    rows = tuple(
        (area.name, score, area.level, target, gap, area.high_risks, area.medium_risks)
        for area, score, target, gap in zip(areas, scores, targets, gaps, strict=True)
    )
    return Chart(name, title, how, figure, Table(columns, rows))


# --------------------------------------------------------------------------------------------------
# 4. Sub-areas
# --------------------------------------------------------------------------------------------------


def subarea_heatmap(subareas: Sequence[SubareaScore]) -> Chart:
    """Heatmap of sub-area scores: one row per area, one column per sub-area position within its area."""
    name, title = "subarea-heatmap", "Sub-area scores"
    how = "Each cell is a sub-area, darker is lower; blank cells are not scored (unanswered or not applicable)."
    columns = ("Area", "Sub-area", "Position in area", "Score (0-100)")
    if not subareas:
        return _empty(name, title, how, columns, "Submit an assessment to see the score of each sub-area.")
    by_area: dict[str, list[SubareaScore]] = {}
    for sub in subareas:
        by_area.setdefault(sub.area_name, []).append(sub)
    for subs in by_area.values():
        subs.sort(key=lambda sub: sub.position)
    width = max(len(subs) for subs in by_area.values())
    x = [f"Sub-area {i}" for i in range(1, width + 1)]
    y = list(by_area)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    rows = []
    for area_name, subs in by_area.items():
        z_row: list[float | None] = [None] * width
        text_row = [""] * width
        for i, sub in enumerate(subs):
            score = _score(sub.score)
            z_row[i] = score
            text_row[i] = f"{sub.subarea_name}<br>{_fmt(score)}"
            rows.append((area_name, sub.subarea_name, i + 1, score))
        z.append(z_row)
        text.append(text_row)
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            colorscale="Cividis",
            zmin=0,
            zmax=100,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": SCORE_AXIS}},
            hovertemplate="<b>%{y}</b> · %{x}<br>%{text}<extra></extra>",
        )
    )
    _layout(
        figure,
        title,
        height=max(HEIGHT, 55 * len(y) + 150),
        xaxis={"title": {"text": "Sub-area (order within the area)"}, "side": "bottom"},
        yaxis={"title": {"text": "Area"}, "autorange": "reversed", "automargin": True},
    )
    return Chart(name, title, how, figure, Table(columns, tuple(rows)))


# --------------------------------------------------------------------------------------------------
# 5-6. Evidence and sources
# --------------------------------------------------------------------------------------------------


def self_vs_evidence(areas: Sequence[AreaScore]) -> Chart:
    """Grouped bars: self-assessed against inventory-evidence score per area, contradictions flagged."""
    name, title = "self-vs-evidence", "Self-assessment against inventory evidence"
    flag = f"⚠ differs by >{CONTRADICTION_THRESHOLD:g} points"
    how = f"Two bars per area: what was answered and what the inventory shows; {flag} means check the answers."
    columns = (
        "Area",
        "Self-assessed (0-100)",
        "Evidence (0-100)",
        "Difference (points)",
        "Contradiction",
    )
    checked = [area for area in areas if area.evidence_score is not None]
    if not checked:
        message = "Add sites, servers and workloads in Inventory, then submit an assessment to check it."
        return _empty(name, title, how, columns, message)
    names = [area.name for area in checked]
    self_scores = [_score(area.self_score) for area in checked]
    evidence = [_score(area.evidence_score) for area in checked]
    differences = [
        None if mine is None or theirs is None else _score(mine - theirs)
        for mine, theirs in zip(self_scores, evidence, strict=True)
    ]
    flags = ["yes" if area.contradiction else "no" for area in checked]
    hover = "<b>%{x}</b><br>{label}: %{y:.1f} / 100<br>Difference: %{customdata[0]} points<br>%{customdata[1]}"
    customdata = [
        [_fmt(difference, "+.1f", "-"), flag if area.contradiction else "consistent"]
        for difference, area in zip(differences, checked, strict=True)
    ]
    figure = go.Figure()
    for label, values, colour in (("Self-assessed", self_scores, SKY_BLUE), ("Evidence", evidence, GREEN)):
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=label,
                marker={"color": colour},
                customdata=customdata,
                hovertemplate=hover.replace("{label}", label) + "<extra></extra>",
            )
        )
    for area, mine, theirs in zip(checked, self_scores, evidence, strict=True):
        if area.contradiction:
            figure.add_annotation(
                x=area.name,
                y=max(value for value in (mine, theirs, 0.0) if value is not None),
                text=flag,
                showarrow=False,
                yanchor="bottom",
                yshift=4,
                font={"color": VERMILLION},
            )
    _layout(
        figure,
        title,
        barmode="group",
        xaxis={"title": {"text": "Area"}, "automargin": True},
        yaxis={"title": {"text": SCORE_AXIS}, "range": [0, 112], "tickvals": [0, 20, 40, 60, 80, 100]},
    )
    rows = tuple(
        (area.name, mine, theirs, difference, flag_)
        for area, mine, theirs, difference, flag_ in zip(
            checked, self_scores, evidence, differences, flags, strict=True
        )
    )
    return Chart(name, title, how, figure, Table(columns, rows))


_SOURCES = (
    ("Self-reported", "self_reported", SKY_BLUE),
    ("From the inventory", "from_inventory", GREEN),
    ("Not applicable", "not_applicable", PURPLE),
    ("Unanswered", "unanswered", ORANGE),
)


def answers_by_source(counts: Sequence[SourceCount]) -> Chart:
    """Stacked horizontal bars: the questions of each area by where their answer comes from."""
    name, title = "answers-by-source", "Where the answers come from"
    how = "Each bar is an area's questions: the more green (from the inventory), the better grounded its score."
    columns = (
        "Area",
        *(f"{label} (questions)" for label, _, _ in _SOURCES),
        "Total (questions)",
    )
    totals = [sum(getattr(count, attribute) for _, attribute, _ in _SOURCES) for count in counts]
    if not any(totals):
        return _empty(name, title, how, columns, "Start an assessment to see where its answers come from.")
    names = [count.area_name for count in counts]
    figure = go.Figure()
    for label, attribute, colour in _SOURCES:
        values = [getattr(count, attribute) for count in counts]
        figure.add_trace(
            go.Bar(
                x=values,
                y=names,
                orientation="h",
                name=label,
                marker={"color": colour},
                customdata=totals,
                hovertemplate=f"<b>%{{y}}</b><br>{label}: %{{x}} of %{{customdata}} questions<extra></extra>",
            )
        )
    _layout(
        figure,
        title,
        height=max(HEIGHT, 45 * len(counts) + 150),
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"title": {"text": "Questions (count)"}},
        yaxis={"title": {"text": "Area"}, "autorange": "reversed", "automargin": True},
    )
    rows = tuple(
        (count.area_name, *(getattr(count, attribute) for _, attribute, _ in _SOURCES), total)
        for count, total in zip(counts, totals, strict=True)
    )
    return Chart(name, title, how, figure, Table(columns, rows))


# --------------------------------------------------------------------------------------------------
# 7-10. Inventory
# --------------------------------------------------------------------------------------------------


def accelerators_by_site(counts: Sequence[AcceleratorCount]) -> Chart:
    """Treemap Fleet -> site -> accelerator type, sized by the number of accelerators, coloured by type."""
    name, title = "accelerators-by-site", "Accelerators by site"
    how = "Each box is a group of accelerators, sized by how many there are; click a site to zoom in."
    columns = ("Site", "Accelerator", "Accelerators (count)", "Memory (GB)")
    grouped: dict[tuple[str, str], list[float]] = {}
    for item in counts:
        if item.count > 0:
            total = grouped.setdefault((item.site, item.accelerator), [0, 0.0])
            total[0] += item.count
            total[1] += item.memory_gb
    if not grouped:
        message = "Add servers with accelerators in Inventory to see where your accelerators are."
        return _empty(name, title, how, columns, message)
    colours = category_colours(accelerator for _, accelerator in grouped)
    sites: dict[str, list[float]] = {}
    for (site, _), (count, memory) in grouped.items():
        total = sites.setdefault(site, [0, 0.0])
        total[0] += count
        total[1] += memory
    fleet_count = sum(int(count) for count, _ in sites.values())
    fleet_memory = sum(memory for _, memory in sites.values())
    ids, labels, parents, values, memories, node_colours = ["fleet"], ["Fleet"], [""], [fleet_count], [], [NEUTRAL]
    memories.append(_num(fleet_memory, 1))
    for site, (count, memory) in sites.items():
        ids.append(f"site/{site}")
        labels.append(site)
        parents.append("fleet")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(NEUTRAL)
    rows = []
    for (site, accelerator), (count, memory) in grouped.items():
        ids.append(f"site/{site}/{accelerator}")
        labels.append(accelerator)
        parents.append(f"site/{site}")
        values.append(int(count))
        memories.append(_num(memory, 1))
        node_colours.append(colours[accelerator])
        rows.append((site, accelerator, int(count), _num(memory, 1)))
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": node_colours},
            customdata=memories,
            texttemplate="<b>%{label}</b><br>%{value} accelerators",
            hovertemplate="<b>%{label}</b><br>%{value} accelerators<br>%{customdata:,.1f} GB memory"
            "<br>%{percentRoot:.0%} of the fleet<extra></extra>",
        )
    )
    _layout(figure, title, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return Chart(name, title, how, figure, Table(columns, tuple(rows)))


def capacity_vs_demand(workloads: Sequence[WorkloadDemand]) -> Chart:
    """Two panels of grouped bars per workload: memory (GB) and compute (TFLOPS), needed against available."""
    name, title = "capacity-vs-demand", "Workload demand against capacity"
    how = "In each panel, a needed bar taller than its available bar is a shortfall (labelled with its size)."
    columns = (
        "Workload",
        "Memory needed (GB)",
        "Memory available (GB)",
        "Compute needed (TFLOPS)",
        "Compute available (TFLOPS)",
        "Fits",
    )
    if not workloads:
        message = "Add a workload in Inventory to compare what it needs with the capacity you have."
        return _empty(name, title, how, columns, message)
    names = [w.workload for w in workloads]
    fits = ["yes" if w.fits else "no" for w in workloads]
    memory_needed = [_num(w.memory_needed_gb, 1) for w in workloads]
    memory_available = [_num(w.memory_available_gb, 1) for w in workloads]
    compute_needed = [_num(w.compute_needed_tflops, 1) for w in workloads]
    compute_available = [_num(w.compute_available_tflops, 1) for w in workloads]
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Memory (GB)", "Compute (TFLOPS)"), horizontal_spacing=0.14)
    panels = (
        (1, "GB", "Memory", memory_needed, memory_available),
        (2, "TFLOPS", "Compute", compute_needed, compute_available),
    )
    for col, unit, measure, needed, available in panels:
        customdata = [[n, a, f] for n, a, f in zip(needed, available, fits, strict=True)]
        shortfall = [
            f"short by {n - a:,.1f} {unit}" if n is not None and a is not None and n > a else ""
            for n, a in zip(needed, available, strict=True)
        ]
        hover = (
            f"<b>%{{x}}</b><br>{measure} needed: %{{customdata[0]:,.1f}} {unit}"
            f"<br>{measure} available: %{{customdata[1]:,.1f}} {unit}<br>Fits (model's verdict): %{{customdata[2]}}"
            "<extra></extra>"
        )
        for label, values, colour, text in (
            ("Needed", needed, VERMILLION, shortfall),
            ("Available", available, GREEN, None),
        ):
            figure.add_trace(
                go.Bar(
                    x=names,
                    y=values,
                    name=label,
                    legendgroup=label,
                    showlegend=col == 1,
                    marker={"color": colour},
                    text=text,
                    textposition="outside",
                    constraintext="none",
                    cliponaxis=False,
                    customdata=customdata,
                    hovertemplate=hover,
                ),
                row=1,
                col=col,
            )
        figure.update_yaxes(title_text=f"{measure} ({unit})", rangemode="tozero", row=1, col=col)
        figure.update_xaxes(title_text="Workload", automargin=True, row=1, col=col)
    _layout(figure, title, height=420, barmode="group", legend=dict(LEGEND_BELOW), margin=dict(MARGIN_BELOW))
    rows = tuple(zip(names, memory_needed, memory_available, compute_needed, compute_available, fits, strict=True))
    return Chart(name, title, how, figure, Table(columns, rows))


def _headroom_pct(facility_kw: float, capacity_kw: float | None) -> float | None:
    """Share of the site's power capacity left after its facility draw, in % (negative when over capacity)."""
    if capacity_kw is None or capacity_kw <= 0:
        return None
    return round(100.0 * (capacity_kw - facility_kw) / capacity_kw, 1)


def power_vs_capacity(sites: Sequence[SitePower]) -> Chart:
    """Grouped bars of IT and facility power per site, with the site's power capacity as a mark."""
    name, title = "power-vs-capacity", "Power draw against site capacity"
    how = "The facility bar (IT power times PUE) should stay below the site's capacity mark; hover for headroom."
    columns = ("Site", "IT power (kW)", "Facility power (kW)", "Capacity (kW)", "Headroom (% of capacity)")
    drawable = [
        site for site in sites if site.it_kw or site.facility_kw or (site.capacity_kw is not None and site.capacity_kw)
    ]
    if not drawable:
        message = "Add a site with its power capacity and servers in Inventory to compare draw with capacity."
        return _empty(name, title, how, columns, message)
    names = [site.site for site in drawable]
    it_kw = [_num(site.it_kw, 1) for site in drawable]
    facility_kw = [_num(site.facility_kw, 1) for site in drawable]
    capacity = [_num(site.capacity_kw, 1) for site in drawable]
    headroom = [_headroom_pct(site.facility_kw, site.capacity_kw) for site in drawable]
    customdata = [
        [_fmt(cap, ",.1f", "unknown"), _fmt(room, ".1f", "unknown")]
        for cap, room in zip(capacity, headroom, strict=True)
    ]
    hover = (
        "<b>%{x}</b><br>{label}: %{y:,.1f} kW<br>Capacity: %{customdata[0]} kW"
        "<br>Headroom: %{customdata[1]} % of capacity<extra></extra>"
    )
    figure = go.Figure()
    for label, values, colour in (("IT power", it_kw, BLUE), ("Facility power", facility_kw, SKY_BLUE)):
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                name=label,
                marker={"color": colour},
                customdata=customdata,
                hovertemplate=hover.replace("{label}", label),
            )
        )
    if any(value is not None for value in capacity):
        figure.add_trace(
            go.Scatter(
                x=names,
                y=capacity,
                mode="markers",
                name="Capacity",
                marker={"symbol": "line-ew-open", "size": 40, "color": VERMILLION, "line": {"width": 3}},
                customdata=customdata,
                hovertemplate="<b>%{x}</b><br>Capacity: %{y:,.1f} kW<br>Headroom: %{customdata[1]} % of capacity"
                "<extra></extra>",
            )
        )
    _layout(
        figure,
        title,
        barmode="group",
        xaxis={"title": {"text": "Site"}, "automargin": True},
        yaxis={"title": {"text": "Power (kW)"}, "rangemode": "tozero"},
    )
    rows = tuple(zip(names, it_kw, facility_kw, capacity, headroom, strict=True))
    return Chart(name, title, how, figure, Table(columns, rows))


def energy_cost_carbon(sites: Sequence[SiteEnergy]) -> Chart:
    """Three panels per site and month: energy (IT + PUE overhead), cost (in each site's currency), carbon."""
    name, title = "energy-cost-carbon", "Energy, cost and carbon per month"
    how = (
        "Energy: the light part is the PUE overhead on top of IT; cost is in each site's own currency (never added); "
        "carbon grows with the grid's intensity."
    )
    columns = (
        "Site",
        "IT energy (kWh/month)",
        "PUE overhead (kWh/month)",
        "Facility energy (kWh/month)",
        "PUE",
        "Cost (per month)",
        "Currency",
        "Grid intensity (gCO2e/kWh)",
        "Carbon (tCO2e/month)",
    )
    if not sites:
        message = "Add a site with its PUE, electricity price and grid intensity, and servers, in Inventory."
        return _empty(name, title, how, columns, message)
    names = [site.site for site in sites]
    it_kwh = [_num(site.it_kwh_month, 0) for site in sites]
    facility_kwh = [_num(site.facility_kwh_month, 0) for site in sites]
    overhead = [_num(max(0.0, site.facility_kwh_month - site.it_kwh_month), 0) for site in sites]
    pue = [_num(site.pue, 2) for site in sites]
    grid = [_num(site.grid_g_per_kwh, 0) for site in sites]
    cost = [_num(site.cost_month, 2) for site in sites]
    carbon = [_num(site.tco2_month, 2) for site in sites]
    currencies = list(dict.fromkeys(site.currency for site in sites))
    currency_colours = category_colours(currencies, (ORANGE, VERMILLION, PURPLE, YELLOW, BLACK))

    figure = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("Energy (kWh/month)", "Cost per month", "Carbon (tCO2e/month)"),
        horizontal_spacing=0.1,
    )
    energy_data = [[_fmt(p, ".2f", "unknown"), f] for p, f in zip(pue, facility_kwh, strict=True)]
    for label, values, base, colour in (
        ("IT energy", it_kwh, None, BLUE),
        ("PUE overhead (cooling, losses)", overhead, it_kwh, SKY_BLUE),
    ):
        figure.add_trace(
            go.Bar(
                x=names,
                y=values,
                base=base,
                name=label,
                marker={"color": colour},
                offsetgroup="energy",
                customdata=energy_data,
                hovertemplate=f"<b>%{{x}}</b><br>{label}: %{{y:,.0f}} kWh/month<br>PUE %{{customdata[0]}}"
                "<br>Facility: %{customdata[1]:,.0f} kWh/month<extra></extra>",
            ),
            row=1,
            col=1,
        )
    # One trace per currency holding only its own sites, all in one bar slot: amounts in different currencies
    # are never added, not even visually by stacking. Each site's tick label names its currency.
    for currency in currencies:
        indices = [i for i, site in enumerate(sites) if site.currency == currency]
        figure.add_trace(
            go.Bar(
                x=[names[i] for i in indices],
                y=[cost[i] for i in indices],
                name=f"Cost ({currency})",
                marker={"color": currency_colours[currency]},
                offsetgroup="cost",
                hovertemplate=f"<b>%{{x}}</b><br>Cost: %{{y:,.2f}} {currency}/month<extra></extra>",
            ),
            row=1,
            col=2,
        )
    figure.add_trace(
        go.Bar(
            x=names,
            y=carbon,
            name="Carbon",
            marker={"color": GREEN},
            offsetgroup="carbon",
            customdata=[[_fmt(g, ",.0f", "unknown"), f] for g, f in zip(grid, facility_kwh, strict=True)],
            hovertemplate="<b>%{x}</b><br>Carbon: %{y:,.2f} tCO2e/month<br>Grid intensity: %{customdata[0]} gCO2e/kWh"
            "<br>on %{customdata[1]:,.0f} kWh/month<extra></extra>",
        ),
        row=1,
        col=3,
    )
    cost_axis = f"Cost ({currencies[0]}/month)" if len(currencies) == 1 else "Cost per month (site's currency)"
    ticks = (
        (1, "Energy (kWh/month)", [f"{n}<br>PUE {_fmt(p, '.2f', '?')}" for n, p in zip(names, pue, strict=True)]),
        (2, cost_axis, [f"{site.site}<br>{site.currency}" for site in sites]),
        (3, "Carbon (tCO2e/month)", [f"{n}<br>{_fmt(g, ',.0f', '?')} g/kWh" for n, g in zip(names, grid, strict=True)]),
    )
    for col, axis_title, ticktext in ticks:
        figure.update_yaxes(title_text=axis_title, rangemode="tozero", row=1, col=col)
        figure.update_xaxes(
            title_text="Site",
            automargin=True,
            categoryorder="array",
            categoryarray=names,
            tickvals=names,
            ticktext=ticktext,
            row=1,
            col=col,
        )
    _layout(figure, title, height=440, barmode="group", legend=dict(LEGEND_BELOW), margin=dict(MARGIN_BELOW))
    rows = tuple(
        (s.site, it_kwh[i], overhead[i], facility_kwh[i], pue[i], cost[i], s.currency, grid[i], carbon[i])
        for i, s in enumerate(sites)
    )
    return Chart(name, title, how, figure, Table(columns, rows))


# --------------------------------------------------------------------------------------------------
# 11. Roadmap
# --------------------------------------------------------------------------------------------------

PHASE_WINDOWS: Mapping[str, tuple[int, int]] = {"now": (0, 3), "next": (3, 6), "later": (6, 12)}
"""Months from now covered by each roadmap phase (as in ``docs/roadmap.md``)."""

MONTHS_PER_UNIT = Fraction(1, 2)
"""Pace of one effort unit (S 1, M 2, L 4): the Now budget of 6 units spread over its 3 months."""

_PHASE_LABELS = {"now": "Now", "next": "Next", "later": "Later"}

_STATUS_PATTERNS = {"done": "/", "completed": "/", "in progress": ".", "dismissed": "x"}
"""Bar hatching by status label (case-insensitive); any other status (open, to do...) is a solid bar."""


def schedule_bars(items: Iterable[RoadmapEntry]) -> tuple[RoadmapBar, ...]:
    """Place each roadmap item on a 0-12 month timeline inside its phase's window; returned in rank order.

    Rule: a phase covers ``PHASE_WINDOWS[phase] = (start, end)`` months (Now 0-3, Next 3-6, Later 6-12). Its
    items, in rank order, are laid end to end from the phase's start, each as long as its effort cost ``c``
    (S 1, M 2, L 4 units) times the phase's month per unit::

        u = min(1/2, (end - start) / total units of the phase's items)
        start_i = start + u * (units of the items before it in the phase);  end_i = start_i + u * c_i

    Half a month per unit is the pace of the Now budget (6 units in 3 months); a phase holding more work than
    that is compressed to fit its window. So inside a phase bars never overlap, every bar lies within its
    phase's window, ``start < end <= 12``, and a phase's work never spills into the next. Exact arithmetic
    (fractions), converted to float at the end. ValueError for an unknown phase or effort.
    """
    entries = list(items)
    by_phase: dict[str, list[RoadmapEntry]] = {phase: [] for phase in PHASE_WINDOWS}
    for entry in entries:
        if entry.phase not in PHASE_WINDOWS:
            raise ValueError(f"item #{entry.rank}: phase must be now, next or later, got {entry.phase!r}")
        by_phase[entry.phase].append(entry)
    bars: list[RoadmapBar] = []
    for phase, phase_entries in by_phase.items():
        if not phase_entries:
            continue
        phase_entries.sort(key=lambda entry: entry.rank)  # stable: equal ranks keep their order
        costs = [effort_cost(entry.effort, f"item #{entry.rank}") for entry in phase_entries]
        start, end = PHASE_WINDOWS[phase]
        unit = min(MONTHS_PER_UNIT, Fraction(end - start, sum(costs)))
        cursor = Fraction(start)
        for entry, cost in zip(phase_entries, costs, strict=True):
            finish = cursor + unit * cost
            bars.append(
                RoadmapBar(
                    rank=entry.rank,
                    title=entry.title,
                    area_name=entry.area_name,
                    phase=entry.phase,
                    status=entry.status,
                    effort=entry.effort,
                    start_month=float(cursor),
                    end_month=float(finish),
                )
            )
            cursor = finish
    bars.sort(key=lambda bar: bar.rank)
    return tuple(bars)


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _window(phase: str) -> str:
    start, end = PHASE_WINDOWS[phase]
    return f"{start}-{end}"


def _status_pattern(status: str) -> str:
    return _STATUS_PATTERNS.get(status.strip().lower(), "")


def roadmap_gantt(bars: Sequence[RoadmapBar]) -> Chart:
    """Timeline of the roadmap: one row per item (rank 1 at the top), coloured by area, hatched by status.

    Traces: one bar trace per area (legend hidden, its legend entry is a plain swatch so hatching does not
    leak into it), then one legend-only swatch per area and one per hatched status present.
    """
    name, title = "roadmap-gantt", "Roadmap timeline"
    how = "Each bar is an item placed in its phase (Now, Next, Later); colour is its area, hatching its status."
    columns = ("Rank", "Item", "Area", "Phase", "Status", "Effort (S/M/L)", "Start (month)", "End (month)")
    if not bars:
        message = "Submit an assessment to get a roadmap; the items it suggests will be scheduled here."
        return _empty(name, title, how, columns, message)
    ordered = sorted(bars, key=lambda bar: bar.rank)
    area_names = [bar.area_name or "No area" for bar in ordered]
    colours = category_colours(area_names)
    labels = [f"#{bar.rank} {_short(bar.title)}" for bar in ordered]
    figure = go.Figure()
    areas = list(dict.fromkeys(area_names))
    for area in areas:
        indices = [i for i, bar_area in enumerate(area_names) if bar_area == area]
        members = [ordered[i] for i in indices]
        figure.add_trace(
            go.Bar(
                base=[round(bar.start_month, 2) for bar in members],
                x=[round(bar.end_month - bar.start_month, 2) for bar in members],
                y=[labels[i] for i in indices],
                orientation="h",
                name=area,
                legendgroup=area,
                showlegend=False,
                marker={
                    "color": colours[area],
                    "pattern": {
                        "shape": [_status_pattern(bar.status) for bar in members],
                        "fgcolor": BLACK,
                        "fgopacity": 0.6,
                    },
                },
                customdata=[
                    [
                        bar.title,
                        area,
                        f"{_PHASE_LABELS[bar.phase]} ({_window(bar.phase)} months)",
                        bar.status,
                        bar.effort,
                        round(bar.end_month, 2),
                    ]
                    for bar in members
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>Area: %{customdata[1]}<br>Phase: %{customdata[2]}"
                "<br>Status: %{customdata[3]}<br>Effort: %{customdata[4]}"
                "<br>Months %{base:.1f} to %{customdata[5]:.1f}<extra></extra>",
            )
        )
    # Legend entries: a plain swatch per area (toggles the area's bars), a hatched white swatch per status.
    for area in areas:
        figure.add_trace(
            go.Bar(
                x=[None],
                y=[labels[0]],
                orientation="h",
                name=area,
                legendgroup=area,
                marker={"color": colours[area]},
                hoverinfo="skip",
            )
        )
    statuses = dict.fromkeys(bar.status for bar in ordered if _status_pattern(bar.status))
    for status in statuses:
        figure.add_trace(
            go.Bar(
                x=[None],
                y=[labels[0]],
                orientation="h",
                name=status,
                legendgroup=f"status:{status}",
                marker={
                    "color": "#FFFFFF",
                    "line": {"color": BLACK, "width": 1},
                    "pattern": {"shape": _status_pattern(status), "fgcolor": BLACK},
                },
                hoverinfo="skip",
            )
        )
    shapes, annotations = [], []
    for i, (phase, (start, end)) in enumerate(PHASE_WINDOWS.items()):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": start,
                "x1": end,
                "y0": 0,
                "y1": 1,
                "fillcolor": _tint(SKY_BLUE, 0.08 if i % 2 == 0 else 0.2),
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "x": (start + end) / 2,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"<b>{_PHASE_LABELS[phase]}</b> ({start}-{end} months)",
                "showarrow": False,
            }
        )
    _layout(
        figure,
        title,
        height=max(HEIGHT, 28 * len(ordered) + 190),
        barmode="overlay",
        shapes=shapes,
        annotations=annotations,
        xaxis={"title": {"text": "Months from now"}, "range": [0, 12], "dtick": 1},
        yaxis={
            "title": {"text": "Roadmap item (by rank)"},
            "categoryorder": "array",
            "categoryarray": labels,
            "autorange": "reversed",
            "automargin": True,
        },
        legend={"yanchor": "top", "y": -0.18, "x": 0},
        margin={"b": 110},
    )
    rows = tuple(
        (
            bar.rank,
            bar.title,
            area,
            _PHASE_LABELS[bar.phase],
            bar.status,
            bar.effort,
            round(bar.start_month, 2),
            round(bar.end_month, 2),
        )
        for bar, area in zip(ordered, area_names, strict=True)
    )
    return Chart(name, title, how, figure, Table(columns, rows))


# --------------------------------------------------------------------------------------------------
# 12. Trend
# --------------------------------------------------------------------------------------------------

MAX_VISIBLE_AREA_LINES = 6
"""With more areas than this, area lines start hidden (click their legend entry to show them)."""


def trend(points: Sequence[TrendPoint]) -> Chart:
    """The readiness index (thick black line) and each area's score (thin lines) across assessments."""
    name, title = "trend", "Readiness over time"
    how = "The thick line is the readiness index at each assessment; thin lines are areas (click the legend)."
    ordered = sorted(points, key=lambda point: point.date)
    area_names = list(dict.fromkeys(area for point in ordered for area in point.areas))
    columns = ("Assessment", "Date", "Readiness index (0-100)", *(f"{area} (0-100)" for area in area_names))
    has_data = any(
        point.index is not None or any(score is not None for score in point.areas.values()) for point in ordered
    )
    if not has_data:
        message = "Submit an assessment to start the trend; each new assessment adds a point."
        return _empty(name, title, how, columns, message)
    dates = [point.date for point in ordered]
    labels = [point.label for point in ordered]
    mode = "lines+markers" if len(ordered) > 1 else "markers"
    index = [_score(point.index) for point in ordered]
    figure = go.Figure(
        go.Scatter(
            x=dates,
            y=index,
            name="Readiness index",
            mode=mode,
            line={"color": BLACK, "width": 4},
            marker={"color": BLACK, "size": 10},
            customdata=labels,
            hovertemplate="<b>%{customdata}</b> (%{x|%d %b %Y})<br>Readiness index: %{y:.1f} / 100<extra></extra>",
        )
    )
    colours = category_colours(area_names)
    hidden = len(area_names) > MAX_VISIBLE_AREA_LINES
    area_scores = {area: [_score(point.areas.get(area)) for point in ordered] for area in area_names}
    for area in area_names:
        figure.add_trace(
            go.Scatter(
                x=dates,
                y=area_scores[area],
                name=area,
                mode=mode,
                line={"color": colours[area], "width": 1.5},
                marker={"color": colours[area], "size": 6},
                visible="legendonly" if hidden else True,
                customdata=labels,
                hovertemplate=f"<b>%{{customdata}}</b> (%{{x|%d %b %Y}})<br>{area}: %{{y:.1f}} / 100<extra></extra>",
            )
        )
    _layout(
        figure,
        title,
        height=400,
        xaxis={"title": {"text": "Assessment date"}, "type": "date"},
        yaxis={"title": {"text": SCORE_AXIS}, "range": [0, 100], "tickvals": [0, 20, 40, 60, 80, 100]},
    )
    rows = tuple(
        (point.label, point.date.isoformat(), index[i], *(area_scores[area][i] for area in area_names))
        for i, point in enumerate(ordered)
    )
    return Chart(name, title, how, figure, Table(columns, rows))
