"""Roadmap figures: placing the items on a 0-12 month timeline (``schedule_bars``) and the Gantt chart (11)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import plotly.graph_objects as go

from assessments.roadmap import effort_cost

from .common import BLACK, HEIGHT, SKY_BLUE, Chart, Table, _empty, _layout, _short, _tint, category_colours
from .inputs import RoadmapBar, RoadmapEntry

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
