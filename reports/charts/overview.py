"""Overview figures of a scored assessment: the readiness index gauge (1), the area radar (2) and the area bars
against target (3)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from assessments.scoring import LEVEL_WIDTH, level_for_score, level_label

from .common import (
    BLACK,
    BLUE,
    GREEN,
    HEIGHT,
    LEVEL_COLOURS,
    LEVEL_NAMES,
    NOT_SCORED,
    ORANGE,
    SCORE_AXIS,
    VERMILLION,
    Chart,
    Table,
    _empty,
    _fmt,
    _layout,
    _score,
    _short,
    _tint,
)
from .inputs import AreaScore

# --------------------------------------------------------------------------------------------------
# 1. Readiness index
# --------------------------------------------------------------------------------------------------


def readiness_indicator(
    index: float | None, level: int | None, previous_index: float | None, previous_title: str | None = None
) -> Chart:
    """Gauge of the readiness index (0-100) with the five level bands and the change since the previous one, the
    assessment ``previous_title`` (of the same scope, `reports.selectors.previous_result_id`), named under it."""
    name, title = "readiness-index", "Readiness index"
    how = "The black bar shows the index on 0-100; each coloured band is a maturity level; the arrow is the change."
    columns = (
        "Readiness index (0-100)",
        "Maturity level (1-5)",
        "Level name",
        "Previous index (0-100)",
        "Change (points)",
        "Compared with",
    )
    if index is None:
        return _empty(name, title, how, columns, "Submit an assessment to get a readiness index.")
    value = _score(index)
    previous = _score(previous_index)
    if level is None:
        level = int(level_for_score(min(100.0, max(0.0, index))))
    heading = level_label(level)
    change = None if previous is None else _score(value - previous)
    compared = (previous_title or "the previous assessment") if previous is not None else None
    if compared is not None:
        how += f" The change is since {compared}, the last earlier one of the same scope."
    else:
        how += " No earlier assessment of the same scope, so no change is shown."
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
        domain={"x": [0, 1], "y": [0.16, 1] if compared else [0, 1]},
    )
    figure = _layout(go.Figure(indicator), title, height=360)
    if compared is not None:
        # the arrow's change says what it is compared with, on the page and in the PDF alike
        figure.add_annotation(
            text=f"Change since {html.escape(_short(compared, 48))}",
            x=0.5,
            y=0,
            xref="paper",
            yref="paper",
            xanchor="center",
            yanchor="bottom",
            showarrow=False,
            font={"size": 13},
        )
    table = Table(columns, ((value, level, LEVEL_NAMES.get(level), previous, change, compared),))
    return Chart(name, title, how, figure, table)


# --------------------------------------------------------------------------------------------------
# 2-3. Area scores
# --------------------------------------------------------------------------------------------------


def area_radar(areas: Sequence[AreaScore], previous_title: str | None = None) -> Chart:
    """Radar of the area scores (0-100): current, target and, when there is one, the previous assessment (of the
    same scope, ``previous_title``), named in the legend."""
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
    compared = previous_title or "the previous assessment"
    if has_previous:
        how += f" The dotted line is {compared}, the last earlier assessment of the same scope."
        series.append((f"Previous: {html.escape(_short(compared, 32))}", previous, ORANGE, "dot", "none"))
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
        height=440,
        # The legend at the bottom of the figure (container coordinates), under the lowest spoke's label: on top it
        # covered the first spoke's ("Hardware Limitations" read "nitations"), which points straight up.
        legend={"yref": "container", "y": 0, "yanchor": "bottom", "x": 0.5, "xanchor": "center"},
        margin={"b": 90},
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
        columns.append(f"Previous: {compared} (0-100)")
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
    labels = [
        f"{'0' if score == 0 else _fmt(score)} · {area.high_risks} high, {area.medium_risks} medium risks"
        for score, area in zip(scores, areas, strict=True)
    ]
    # A bar of length 0 carries no text in plotly: a 0 score's label is written at the axis, as "not scored" is.
    texts = ["" if score == 0 else label for score, label in zip(scores, labels, strict=True)]
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
    for area, score, label in zip(areas, scores, labels, strict=True):
        if score is None or score == 0:
            text = NOT_SCORED if score is None else label
            figure.add_annotation(x=0, y=area.name, text=text, xanchor="left", xshift=6, showarrow=False)
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
