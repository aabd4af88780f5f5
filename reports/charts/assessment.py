"""Assessment detail figures: sub-area heatmap (4), self-assessment against inventory evidence (5) and where the
answers come from (6)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from assessments.scoring import CONTRADICTION_THRESHOLD

from .common import (
    GREEN,
    HEIGHT,
    ORANGE,
    PURPLE,
    SCORE_AXIS,
    SKY_BLUE,
    VERMILLION,
    Chart,
    Table,
    _empty,
    _fmt,
    _layout,
    _score,
)
from .inputs import AreaScore, SourceCount, SubareaScore

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
