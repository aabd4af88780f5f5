"""Trend figure: the readiness index and the area scores of every scored assessment over time (12)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from .common import BLACK, SCORE_AXIS, Chart, Table, _empty, _layout, _score, category_colours
from .inputs import TrendPoint

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
