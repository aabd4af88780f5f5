"""The charts of a report: the dashboards' own figures (so that a report and the pages agree), the roadmap's
timeline split into charts of a page each."""

from __future__ import annotations

import dataclasses

from assessments.models import Assessment

from ..charts import Chart, roadmap_gantt, schedule_bars

ASSESSMENT_CHARTS = ("indicator", "radar", "area_bars", "heatmap", "self_vs_evidence", "answers_by_source", "gantt")
INVENTORY_CHARTS = ("accelerators", "capacity", "power", "energy")


GANTT_ROWS_PER_CHART = 30
"""Roadmap items per timeline chart in a PDF: a longer roadmap is drawn as several charts (``gantt``,
``gantt_2``, ...), each a page at most, instead of one chart squeezed into a page."""


def report_charts(*, assessment: Assessment) -> dict[str, Chart]:
    """The dashboards' charts of the assessment and of the inventory in its scope (the same figure functions,
    so that the report and the pages agree): keys of `ASSESSMENT_CHARTS` and `INVENTORY_CHARTS`, the timeline
    split by `GANTT_ROWS_PER_CHART`."""
    from .. import dashboards  # the dashboards import this app's selectors: import at call time

    charts = dict(dashboards.assessment_charts(assessment=assessment))
    charts.update(dashboards.inventory_charts(organization=assessment.organization, scope=assessment.analysis_scope))
    parts = gantt_parts(assessment=assessment)
    if parts:
        del charts["gantt"]
        charts.update({"gantt" if n == 1 else f"gantt_{n}": part for n, part in enumerate(parts, start=1)})
    return charts


def gantt_parts(*, assessment: Assessment, rows: int = GANTT_ROWS_PER_CHART) -> list[Chart]:
    """The roadmap timeline in charts of at most ``rows`` items, scheduled together (the same months as the
    dashboard's one chart); [] when one chart holds them all."""
    from .. import selectors as dashboard_selectors

    entries = dashboard_selectors.roadmap_entries(assessment=assessment)
    if len(entries) <= rows:
        return []
    bars = sorted(schedule_bars(entries), key=lambda bar: bar.rank)
    parts = []
    for start in range(0, len(bars), rows):
        chunk = bars[start : start + rows]
        chart = roadmap_gantt(chunk)
        title = f"{chart.title}, items #{chunk[0].rank} to #{chunk[-1].rank}"
        chart.figure.update_layout(title_text=title)
        parts.append(dataclasses.replace(chart, title=title))
    return parts
