"""The dashboards' pages, built from `reports.selectors` and `reports.charts`, cached per organization.

Each builder returns what one page shows and caches it with `reports.cache.cached`, whose key holds the
organization's data version: any change of its inventory, results or roadmap makes the next view build afresh.

- `assessment_charts(assessment=)`: ``{"indicator", "radar", "area_bars", "heatmap", "self_vs_evidence",
  "answers_by_source", "gantt"}`` (`ASSESSMENT_CHARTS`); `assessment_dashboard` adds the readiness figures and
  the risk table. Cache entry ``assessment:<pk>``.
- `roadmap_chart(assessment=)`: the roadmap's Gantt chart (``roadmap:<pk>``; also on the roadmap page).
- `inventory_charts(organization=)`: ``{"accelerators", "capacity", "power", "energy"}`` (`INVENTORY_CHARTS`);
  `inventory_dashboard` adds the energy totals and every chart's figures with their calculation
  (`figure_sets`). Cache entry ``inventory``; the capacity analysis it reads is cached apart
  (`inventory.analysis.analysis_of`, shared with the capacity page).
- `trend_chart(organization=)`: readiness over every scored assessment (``trend``).
- `overview(organization=)` / `overview_charts`: the home page: the headline assessment's index, radar and bars
  (the last scored of the whole organization, else the last scored of any scope, its scope and answered share
  said in words: `Headline`), the trend, the first roadmap items (``overview``).

The charts come back as `CachedChart`: a `reports.charts.Chart` whose ``figure`` is the figure as a plain dict
(what ``Plotly.newPlot`` and `reports.chart_export.export_many` take; ``plotly.graph_objects.Figure(chart.figure)``
gives an object back) and whose ``to_json()`` is that dict as JSON. A dict unpickles in microseconds where a
``go.Figure`` is validated again (~10 ms per chart), so a warm page does no Plotly work at all.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Organization
from assessments import scoring
from assessments.models import Assessment
from assessments.results import RiskRow, StoredResult
from inventory import money
from inventory.analysis import WHOLE_ORGANIZATION, CapacitySummary, Scope, analyse, analysis_of
from inventory.capacity import Figure
from inventory.exchange.selectors import rate_table_for
from inventory.selectors import measured_window
from inventory.telemetry.selectors import utilization_by_host_day

from . import figure_sets, selectors
from .cache import cached
from .charts import (
    AreaScore,
    Chart,
    HostDayUtilization,
    ServerDay,
    TrendPoint,
    accelerators_by_site,
    answers_by_source,
    area_bars,
    area_radar,
    capacity_vs_demand,
    energy_cost_carbon,
    power_vs_capacity,
    readiness_indicator,
    roadmap_gantt,
    schedule_bars,
    self_vs_evidence,
    server_days,
    subarea_heatmap,
    trend,
    utilization_heatmap,
)
from .figure_sets import FigureGroup

ASSESSMENT_CHARTS = ("indicator", "radar", "area_bars", "heatmap", "self_vs_evidence", "answers_by_source", "gantt")
INVENTORY_CHARTS = ("accelerators", "capacity", "power", "energy")
"""The inventory dashboard's charts (and the report's). The dashboard data also carries ``utilization`` (the
measured utilization heatmap), shown on the energy page."""
OVERVIEW_CHARTS = ("indicator", "radar", "area_bars", "trend")


@dataclass(frozen=True, eq=False)
class CachedChart(Chart):
    """A chart as cached: ``figure`` is the figure's plain dict (``None`` when empty)."""

    def to_json(self) -> str:
        return "" if self.figure is None else json.dumps(self.figure, separators=(",", ":"))


def frozen(chart: Chart) -> CachedChart:
    """The chart with its figure as a plain dict, ready to cache."""
    if isinstance(chart, CachedChart):
        return chart
    figure = None if chart.figure is None else json.loads(chart.to_json())
    return CachedChart(chart.name, chart.title, chart.how_to_read, figure, chart.table, chart.empty)


# --------------------------------------------------------------------------------------------------
# One assessment
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentDashboard:
    charts: dict[str, CachedChart]
    readiness: selectors.Readiness
    risks: tuple[RiskRow, ...]


def assessment_dashboard(*, assessment: Assessment) -> AssessmentDashboard:
    """Charts, readiness and risks of one assessment (empty charts, saying what to do, until it is scored)."""
    return cached(assessment.organization, f"assessment:{assessment.pk}", lambda: _assessment_dashboard(assessment))


def assessment_charts(*, assessment: Assessment) -> dict[str, Chart]:
    """The assessment's charts by key: indicator, radar, area_bars, heatmap, self_vs_evidence, answers_by_source,
    gantt (see `ASSESSMENT_CHARTS`)."""
    return dict(assessment_dashboard(assessment=assessment).charts)


def _readiness_charts(readiness: selectors.Readiness, areas: list[AreaScore]) -> dict[str, Chart]:
    """The charts the assessment dashboard and the home page share: indicator, radar, area_bars."""
    return {
        "indicator": readiness_indicator(
            readiness.index, readiness.level, readiness.previous_index, readiness.previous_title
        ),
        "radar": area_radar(areas, readiness.previous_title),
        "area_bars": area_bars(areas),
    }


def _assessment_dashboard(assessment: Assessment) -> AssessmentDashboard:
    results = selectors.results_of(assessment=assessment)  # the typed result and the previous one, read once
    readiness = selectors.readiness_of(assessment=assessment, results=results)
    areas = selectors.area_scores(assessment=assessment, results=results)
    charts: dict[str, Chart] = {
        **_readiness_charts(readiness, areas),
        "heatmap": subarea_heatmap(selectors.subarea_scores(assessment=assessment, results=results)),
        "self_vs_evidence": self_vs_evidence(areas),
        "answers_by_source": answers_by_source(selectors.source_counts(assessment=assessment, results=results)),
        "gantt": roadmap_chart(assessment=assessment),
    }
    return AssessmentDashboard(
        charts={key: frozen(chart) for key, chart in charts.items()},
        readiness=readiness,
        risks=tuple(selectors.risk_rows(assessment=assessment, results=results)),
    )


def roadmap_chart(*, assessment: Assessment) -> Chart:
    """The Gantt chart of the assessment's current plan."""

    def build() -> CachedChart:
        entries = selectors.roadmap_entries(assessment=assessment)
        return frozen(roadmap_gantt(schedule_bars(entries)))

    return cached(assessment.organization, f"roadmap:{assessment.pk}", build)


def server_days_chart(measured: dict[str, Any]) -> CachedChart:
    """The chart of a server's measured days from its page's context (`inventory.detail_context`): each day's p95
    power (server, accelerators), utilization, and its rated power. Nothing is read: the page has the days."""

    def p95(figure: dict[str, Any] | None) -> float | None:
        return figure.get("p95") if figure else None

    days = [
        ServerDay(
            day=d["day"],
            server_power_p95_w=p95(d["server_power_w"]),
            accelerator_power_p95_w=p95(d["accelerator_power_w"]),
            utilization_mean_pct=(d["utilization_pct"] or {}).get("mean"),
            utilization_p95_pct=p95(d["utilization_pct"]),
        )
        for d in measured["telemetry_days"]
    ]
    window = measured["telemetry_window"]
    rated = measured["power_in_model"]["rated"] or None
    return frozen(server_days(days, rated_w=rated, window=f"{window['start']} to {window['end']}"))


# --------------------------------------------------------------------------------------------------
# Inventory, capacity and energy
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryDashboard:
    charts: dict[str, CachedChart]
    energy: selectors.EnergyTotals
    accelerators: int
    workloads: int
    not_analysed: tuple[str, ...]
    """Workloads the capacity model could not analyse (left out of the capacity chart)."""
    figures: dict[str, tuple[FigureGroup, ...]] = field(default_factory=dict)
    """Each chart's numbers with their calculation, by chart key (`INVENTORY_CHARTS`)."""
    energy_figures: dict[str, tuple[Figure, ...]] = field(default_factory=dict)
    """The energy cards' figures: facility, overhead, carbon, cost (`figure_sets.energy_figures`)."""


def inventory_dashboard(*, organization: Organization) -> InventoryDashboard:
    """Accelerators by site, capacity against demand, power and energy of the organization's fleet."""
    return cached(organization, "inventory", lambda: _inventory_dashboard(organization))


def inventory_charts(*, organization: Organization, scope: Scope | None = None) -> dict[str, Chart]:
    """The inventory's charts by key: accelerators, capacity, power, energy (see `INVENTORY_CHARTS`); over an
    assessment's ``scope`` (not cached) when it is not the whole organization."""
    if scope is not None and not scope.whole_organization:
        return dict(_inventory_dashboard(organization, analyse(organization=organization, scope=scope)).charts)
    return dict(inventory_dashboard(organization=organization).charts)


def _inventory_dashboard(organization: Organization, summary: CapacitySummary | None = None) -> InventoryDashboard:
    summary = summary or analysis_of(organization=organization)  # the capacity analysis, shared with the page
    counts = selectors.accelerator_counts(summary=summary)
    demands = selectors.workload_demands(summary=summary)
    energies = selectors.site_energies(summary=summary)
    charts = {
        "accelerators": accelerators_by_site(counts),
        "capacity": capacity_vs_demand(demands),
        "power": power_vs_capacity(selectors.site_powers(summary=summary)),
        "energy": energy_cost_carbon(energies),
        "utilization": utilization_chart(organization=organization),
    }
    analysed = {demand.workload for demand in demands}
    return InventoryDashboard(
        charts={key: frozen(chart) for key, chart in charts.items()},
        energy=selectors.energy_totals(
            energies=energies,
            currency=organization.reporting_currency or money.EUR,
            rates=lambda: rate_table_for(organization=organization),
        ),
        accelerators=sum(count.count for count in counts),
        workloads=len(summary.verdicts),
        not_analysed=tuple(v.workload.name for v in summary.verdicts if v.workload.name not in analysed),
        figures={
            "accelerators": figure_sets.accelerator_figures(summary=summary),
            "capacity": figure_sets.demand_figures(summary=summary),
            "power": figure_sets.site_figure_groups(
                summary=summary, names=("it_power_kw", "facility_power_kw", "power_headroom_kw")
            ),
            "energy": figure_sets.site_figure_groups(
                summary=summary,
                names=("energy_kwh_per_month", "cost_per_month", "grid_g_co2_per_kwh", "tco2_per_month"),
            ),
        },
        energy_figures=figure_sets.energy_figures(summary=summary),
    )


def utilization_chart(*, organization: Organization) -> Chart:
    """The measured utilization heatmap (hosts by day) over the measured window: one query."""
    start, end = measured_window()
    cells = [
        HostDayUtilization(row["host"], row["day"], row["mean_pct"], row["p95_pct"])
        for row in utilization_by_host_day(organization=organization, start=start, end=end)
    ]
    return utilization_heatmap(cells, window=f"{start:%d %b} to {end:%d %b %Y} (UTC days)")


# --------------------------------------------------------------------------------------------------
# Trend and overview
# --------------------------------------------------------------------------------------------------


def trend_chart(
    *, organization: Organization, scored: list | None = None, labels: dict[str, str] | None = None
) -> Chart:
    """Readiness index and area scores over every scored assessment of the organization (``scored``: its
    `selectors.scored_with_results`, and ``labels``: their `selectors.scope_labels`, when the caller has read
    them)."""
    return cached(
        organization,
        "trend",
        lambda: _trend(selectors.trend_points(organization=organization, scored=scored, labels=labels)),
    )


TREND_TICKS = 8
"""Up to this many assessment dates, the trend's date axis has a tick at each one."""


def _trend(points: list[TrendPoint]) -> CachedChart:
    """The trend chart, its date axis framed around the assessments: at least 15 days either side (a tenth of the
    span when longer), so that one assessment, or several on the same day, do not give an axis of milliseconds."""
    chart = frozen(trend(points))
    if chart.figure is not None:
        dates = sorted({point.date for point in points})
        pad = max(datetime.timedelta(days=15), (dates[-1] - dates[0]) / 10)
        axis = {"range": [(dates[0] - pad).isoformat(), (dates[-1] + pad).isoformat()]}
        if len(dates) <= TREND_TICKS:
            axis.update(tickvals=[day.isoformat() for day in dates], tickformat="%-d %b %Y")
        # What ``figure.update_xaxes(**axis)`` does, on the plain dict: plotly's update machinery costs ~10 ms.
        layout = chart.figure.setdefault("layout", {})
        for key in [key for key in layout if key.startswith("xaxis")] or ["xaxis"]:
            layout[key] = {**layout.get(key, {}), **axis}
    return chart


@dataclass(frozen=True)
class OtherAssessment:
    """A scored assessment of part of the organization, named beside the headline ("also scored since")."""

    pk: int
    title: str
    scope: str


@dataclass(frozen=True)
class Headline:
    """The assessment the home page headlines (`selectors.headline_with_results`) with what a reader needs to take
    its index for what it is: its scope and how much of it is answered."""

    pk: int
    title: str
    submitted: Any
    whole_organization: bool
    scope: str
    """Its scope in words (`selectors.scope_text`): "the whole organization", "2 of 5 sites (Berlin, Munich Lab)"."""
    answered: int
    total: int
    later: tuple[OtherAssessment, ...] = ()
    """Assessments of part of the organization scored after it (newest first, at most `LATER_SHOWN`)."""

    @property
    def answered_pct(self) -> int | None:
        """Share of its questions answered (N/A counts), as a whole percentage."""
        return scoring.percent(self.answered / self.total) if self.total else None

    @property
    def fully_answered(self) -> bool:
        return self.total > 0 and self.answered == self.total


LATER_SHOWN = 3
"""Assessments of part of the organization named beside a whole-organization headline, when scored after it."""


@dataclass(frozen=True)
class Overview:
    charts: dict[str, CachedChart]
    headline: Headline | None
    readiness: selectors.Readiness | None
    top_items: tuple[selectors.TopItem, ...]
    has_assessments: bool
    has_servers: bool


def overview(*, organization: Organization) -> Overview:
    """The home page: where the organization stands (its headline assessment, `selectors.headline_with_results`) and
    what to do next."""
    return cached(organization, "overview", lambda: _overview(organization))


def overview_charts(*, organization: Organization) -> dict[str, Chart]:
    """The home page's charts by key: indicator, radar, area_bars, trend (see `OVERVIEW_CHARTS`)."""
    return dict(overview(organization=organization).charts)


def _headline(
    headline: Assessment,
    result: StoredResult,
    scored: list[tuple[Assessment, StoredResult]],
    words: dict[str, selectors.ScopeWords],
    sites: int,
) -> Headline:
    """The headline assessment in words; ``sites``: the organization's. No query."""
    whole = headline.scope_key == WHOLE_ORGANIZATION.key
    later = []
    if whole and headline.submitted_at is not None:
        later = [
            OtherAssessment(assessment.pk, assessment.title, selectors.scope_text(words[assessment.scope_key], sites))
            for assessment, _ in reversed(scored)
            if assessment.scope_key != WHOLE_ORGANIZATION.key
            and assessment.submitted_at is not None
            and assessment.submitted_at > headline.submitted_at
        ]
    return Headline(
        pk=headline.pk,
        title=headline.title,
        submitted=headline.submitted_at,
        whole_organization=whole,
        scope=selectors.scope_text(words[headline.scope_key], sites),
        answered=result.answered,
        total=result.total,
        later=tuple(later[:LATER_SHOWN]),
    )


def _overview(organization: Organization) -> Overview:
    # Every scored assessment with its result, read once (two queries): the trend's points, and the headline with
    # the one it is compared with; their scopes in words (one query per kind of record the scoped ones name, none
    # when all cover the whole organization), for the trend and the headline.
    scored = selectors.scored_with_results(organization=organization)
    words = selectors.scope_words(assessments=[assessment for assessment, _ in scored])
    presence = selectors.inventory_presence(organization=organization)  # servers? how many sites? (one query)
    headline, results = selectors.headline_with_results(scored)
    if headline is not None:
        # Only what the home page shows: not the whole assessment dashboard (its sub-areas, sources, risks and
        # Gantt cost four queries and four figures more), which its own page builds and caches when visited.
        readiness = selectors.readiness_of(assessment=headline, results=results)
        areas = selectors.area_scores(assessment=headline, results=results)
        charts = {key: frozen(chart) for key, chart in _readiness_charts(readiness, areas).items()}
        top = tuple(selectors.top_roadmap_items(assessment=headline))
        summary = _headline(headline, results.current, scored, words, presence.sites)
    else:
        charts = {
            "indicator": frozen(readiness_indicator(None, None, None)),
            "radar": frozen(area_radar([])),
            "area_bars": frozen(area_bars([])),
        }
        readiness, top, summary = None, (), None
    labels = {key: scope.label for key, scope in words.items()}
    charts["trend"] = frozen(trend_chart(organization=organization, scored=scored, labels=labels))
    return Overview(
        charts=charts,
        headline=summary,
        readiness=readiness,
        top_items=top,
        has_assessments=headline is not None or Assessment.objects.filter(organization=organization).exists(),
        has_servers=presence.has_servers,
    )


PAGE_CHARTS = {
    "overview": overview_charts,
    "inventory": inventory_charts,
    "energy": inventory_charts,
    "trend": lambda *, organization: {"trend": trend_chart(organization=organization)},
}
"""The organization-wide pages whose charts can be downloaded as CSV, by page slug."""


def chart_by_name(charts: dict[str, Chart], name: str) -> Chart | None:
    """The chart whose ``name`` (its slug, as in the page's DOM ids and CSV names) is ``name``."""
    return next((chart for chart in charts.values() if chart.name == name), None)
