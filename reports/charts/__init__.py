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

The figures are split by page family; this package re-exports every public name, so
``from reports.charts import area_radar`` works whichever submodule holds it:

* ``common``: palette, level names and colours, the shared layout, rounding and formatting helpers, and the
  ``Chart`` / ``Table`` results (with the formula-safe CSV);
* ``inputs``: the plain dataclasses every figure takes (``AreaScore``, ``SitePower``, ``RoadmapEntry``...);
* ``overview``: readiness index gauge, area radar and area bars (figures 1-3);
* ``assessment``: sub-area heatmap, self-assessment against evidence, answers by source (figures 4-6);
* ``fleet``: accelerators by site and capacity against demand (figures 7-8);
* ``energy``: power against capacity and energy, cost and carbon per site (figures 9-10);
* ``roadmap``: scheduling roadmap items on a timeline and the Gantt chart (figure 11);
* ``trends``: readiness over time (figure 12);
* ``telemetry``: measured accelerator utilization by host and day (figure 13).
"""

from .assessment import answers_by_source, self_vs_evidence, subarea_heatmap
from .common import (
    AREA_PALETTE,
    BLACK,
    BLUE,
    GREEN,
    HEIGHT,
    LEGEND_BELOW,
    LEVEL_COLOURS,
    LEVEL_NAMES,
    MARGIN,
    MARGIN_BELOW,
    NEUTRAL,
    NOT_SCORED,
    ORANGE,
    PALETTE,
    PURPLE,
    SCORE_AXIS,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    Chart,
    Table,
    category_colours,
    readable,
    wrapped,
)
from .energy import energy_cost_carbon, power_vs_capacity
from .fleet import accelerators_by_site, capacity_vs_demand
from .inputs import (
    AcceleratorCount,
    AreaScore,
    Effort,
    HostDayUtilization,
    Phase,
    RoadmapBar,
    RoadmapEntry,
    ServerDay,
    SiteEnergy,
    SitePower,
    SourceCount,
    SubareaScore,
    TrendPoint,
    WorkloadDemand,
)
from .overview import area_bars, area_radar, readiness_indicator
from .roadmap import MONTHS_PER_UNIT, PHASE_WINDOWS, roadmap_gantt, schedule_bars
from .telemetry import server_days, utilization_heatmap
from .trends import MAX_VISIBLE_AREA_LINES, trend

__all__ = [
    "HostDayUtilization",
    "ServerDay",
    "server_days",
    "utilization_heatmap",
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
    "readable",
    "readiness_indicator",
    "roadmap_gantt",
    "schedule_bars",
    "self_vs_evidence",
    "subarea_heatmap",
    "trend",
    "wrapped",
    # Also public in the single module this package replaces (kept so every import still works):
    "BLACK",
    "BLUE",
    "Effort",
    "GREEN",
    "HEIGHT",
    "LEGEND_BELOW",
    "LEVEL_COLOURS",
    "MARGIN",
    "MARGIN_BELOW",
    "NEUTRAL",
    "NOT_SCORED",
    "ORANGE",
    "PURPLE",
    "Phase",
    "SCORE_AXIS",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
]
