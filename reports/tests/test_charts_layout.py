"""The shared layout is applied in one step (``_layout``) and gives what plotly's ``update_layout`` would give."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

from reports.charts.common import LEGEND_BELOW, MARGIN, MARGIN_BELOW, _layout


def _the_slow_way(figure: go.Figure, title: str, height: int, **extra: object) -> go.Figure:
    """What ``_layout`` did before it was made fast: plotly's validated ``update_layout``, twice."""
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
        figure.update_layout(**extra)
    return figure


def _subplots() -> go.Figure:
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Memory (GB)", "Compute (TFLOPS)"))
    figure.add_trace(go.Bar(x=["a"], y=[1], name="needed"), row=1, col=1)
    figure.add_trace(go.Bar(x=["a"], y=[2], name="available"), row=1, col=2)
    figure.update_yaxes(title_text="GB", rangemode="tozero", row=1, col=1)
    return figure


def _canonical(figure: go.Figure) -> str:
    return json.dumps(json.loads(pio.to_json(figure, validate=False)), sort_keys=True)


def test_layout_equals_update_layout_with_subplots_and_merged_extras():
    extra = {"barmode": "group", "legend": dict(LEGEND_BELOW), "margin": dict(MARGIN_BELOW)}
    fast = _layout(_subplots(), "Demand", height=420, **extra)
    slow = _the_slow_way(_subplots(), "Demand", 420, **extra)
    assert _canonical(fast) == _canonical(slow)
    # the extras were merged into the defaults, not put in their place
    assert fast.layout.margin.l == MARGIN["l"]
    assert fast.layout.margin.b == MARGIN_BELOW["b"]
    assert fast.layout.legend.orientation == "h"
    assert fast.layout.legend.y == LEGEND_BELOW["y"]
    assert [a.text for a in fast.layout.annotations] == ["Memory (GB)", "Compute (TFLOPS)"]


def test_layout_equals_update_layout_for_a_plain_figure():
    def figure() -> go.Figure:
        return go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))

    extra = {"xaxis": {"title": {"text": "Score"}, "range": [0, 100]}, "yaxis": {"autorange": "reversed"}}
    assert _canonical(_layout(figure(), "Bars", height=380, **extra)) == _canonical(
        _the_slow_way(figure(), "Bars", 380, **extra)
    )


def test_each_figure_has_its_own_template():
    first = _layout(go.Figure(), "One")
    second = _layout(go.Figure(), "Two")
    first.layout.template.layout.font.size = 30  # changing one figure's template leaves the others alone
    assert second.layout.template == pio.templates["plotly_white"]
    assert pio.templates["plotly_white"].layout.font.size != 30


def test_layout_still_validates():
    with pytest.raises(ValueError, match="no_such_property"):
        _layout(go.Figure(), "Bad", xaxis={"no_such_property": 1})
