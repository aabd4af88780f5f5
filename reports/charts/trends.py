"""Trend figure: the readiness index and the area scores of every scored assessment over time (12)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from .common import BLACK, SCORE_AXIS, Chart, Table, _empty, _layout, _score, _short, category_colours
from .inputs import WHOLE_ORGANIZATION_KEY, TrendPoint

MAX_VISIBLE_AREA_LINES = 6
"""With more areas than this, area lines start hidden (click their legend entry to show them)."""


SCOPED_INDEX_STYLES = (("dash", "diamond"), ("dot", "square"), ("dashdot", "triangle-up"), ("longdash", "x"))
"""Line dash and marker of each scoped index line after the whole organization's solid one, in turn."""


def _scopes(points: Sequence[TrendPoint]) -> list[tuple[str, str]]:
    """(key, words) of each scope among the points: the whole organization first, then by name."""
    scopes = {point.scope_key: point.scope for point in points}
    return sorted(scopes.items(), key=lambda item: (item[0] != WHOLE_ORGANIZATION_KEY, item[1].lower(), item[0]))


def trend(points: Sequence[TrendPoint]) -> Chart:
    """The readiness index (thick black line) and each area's score (thin lines) across assessments; one index
    line per scope (the whole organization's first, solid; each scope of some sites dashed, named by them), since
    only assessments of one scope compare. Area lines are those of the first scope's assessments."""
    name, title = "trend", "Readiness over time"
    how = "The thick line is the readiness index at each assessment; thin lines are areas (click the legend)."
    ordered = sorted(points, key=lambda point: point.date)
    scopes = _scopes(ordered)
    first_key, first_scope = scopes[0] if scopes else (WHOLE_ORGANIZATION_KEY, "")
    first = [point for point in ordered if point.scope_key == first_key]
    area_names = list(dict.fromkeys(area for point in ordered for area in point.areas))
    columns = (
        "Assessment",
        "Scope",
        "Date",
        "Readiness index (0-100)",
        *(f"{area} (0-100)" for area in area_names),
    )
    has_data = any(
        point.index is not None or any(score is not None for score in point.areas.values()) for point in ordered
    )
    if not has_data:
        message = "Submit an assessment to start the trend; each new assessment adds a point."
        return _empty(name, title, how, columns, message)
    if len(scopes) > 1:
        first_words = "the whole organization" if first_key == WHOLE_ORGANIZATION_KEY else first_scope
        how = (
            "Each scope has its own readiness index line, as only assessments of the same scope compare: the solid "
            f"line is {first_words}, each dashed line another scope (named in the legend); thin lines are the areas "
            f"of {first_words} (click the legend)."
        )
    figure = go.Figure()
    for n, (key, words) in enumerate(scopes):
        line = [point for point in ordered if point.scope_key == key]
        dash, symbol = ("solid", "circle") if n == 0 else SCOPED_INDEX_STYLES[(n - 1) % len(SCOPED_INDEX_STYLES)]
        label = "Readiness index" if len(scopes) == 1 else f"Readiness index: {_short(words, 40)}"
        figure.add_trace(
            go.Scatter(
                x=[point.date for point in line],
                y=[_score(point.index) for point in line],
                name=html.escape(label),
                mode="lines+markers" if len(line) > 1 else "markers",
                line={"color": BLACK, "width": 4 if n == 0 else 2.5, "dash": dash},
                marker={"color": BLACK, "size": 10 if n == 0 else 9, "symbol": symbol},
                customdata=[[point.label, point.scope] for point in line],
                hovertemplate="<b>%{customdata[0]}</b> (%{x|%d %b %Y})<br>Scope: %{customdata[1]}<br>"
                "Readiness index: %{y:.1f} / 100<extra></extra>",
            )
        )
    colours = category_colours(area_names)
    hidden = len(area_names) > MAX_VISIBLE_AREA_LINES
    mode = "lines+markers" if len(first) > 1 else "markers"
    labels = [point.label for point in first]
    for area in area_names:
        figure.add_trace(
            go.Scatter(
                x=[point.date for point in first],
                y=[_score(point.areas.get(area)) for point in first],
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
        (
            point.label,
            point.scope,
            point.date.isoformat(),
            _score(point.index),
            *(_score(point.areas.get(area)) for area in area_names),
        )
        for point in ordered
    )
    return Chart(name, title, how, figure, Table(columns, rows))
