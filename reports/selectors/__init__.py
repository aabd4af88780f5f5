"""Reads of the dashboards: stored results, roadmaps and the inventory turned into the input dataclasses of
`reports.charts`.

Every function reads one organization's data (through its `organization` or the `assessment` it is given) in a
fixed number of queries whatever the data size. Scores come from the one typed result
(`assessments.selectors.result_for` / `results_for`: every row of any number of results in two queries), so the
dashboards show the numbers the result page, the PDF and the exports show; counts and sums of the inventory are
grouped in the database, and its capacity comes from `inventory.analysis.analyse` (a fixed number of queries)
through the pure mappings `workload_demands`, `site_powers` and `site_energies`. Names come from the framework
version an assessment was taken on, parsed once per version.

The package is split along the seams of its reads; every public name is re-exported here, so
``from reports import selectors`` and ``selectors.area_scores(...)`` work whichever module holds it:

* ``names``: `FrameworkNames`, the names and questions of a framework version;
* ``results``: the PDF reports and their jobs, the scored assessments, the headline one, and a result's readiness,
  area and sub-area scores, answer sources and risks (`Results`);
* ``roadmap``: the plan's items for the timeline and the organization overview;
* ``trend``: every scored assessment with its result, the headline one compared with the previous, scopes in words
  and the trend's points;
* ``fleet``: the inventory's counts and the capacity analysis as the charts' inputs, and the energy totals.
"""

from .fleet import (
    EnergyTotals,
    InventoryPresence,
    accelerator_counts,
    energy_totals,
    inventory_presence,
    site_energies,
    site_powers,
    workload_demands,
)
from .names import FrameworkNames, framework_names
from .results import (
    Readiness,
    Results,
    area_scores,
    headline_assessment,
    previous_result_id,
    readiness_of,
    report_job,
    reports_for,
    results_of,
    risk_rows,
    scored_assessments_for,
    source_counts,
    subarea_scores,
)
from .roadmap import TOP_ITEMS, TopItem, roadmap_entries, top_roadmap_items
from .trend import (
    ScopeWords,
    headline_with_results,
    scope_labels,
    scope_text,
    scope_words,
    scored_with_results,
    trend_points,
)

__all__ = [
    "EnergyTotals",
    "FrameworkNames",
    "InventoryPresence",
    "Readiness",
    "Results",
    "ScopeWords",
    "TOP_ITEMS",
    "TopItem",
    "accelerator_counts",
    "area_scores",
    "energy_totals",
    "framework_names",
    "headline_assessment",
    "headline_with_results",
    "inventory_presence",
    "previous_result_id",
    "readiness_of",
    "report_job",
    "reports_for",
    "results_of",
    "risk_rows",
    "roadmap_entries",
    "scope_labels",
    "scope_text",
    "scope_words",
    "scored_assessments_for",
    "scored_with_results",
    "site_energies",
    "site_powers",
    "source_counts",
    "subarea_scores",
    "top_roadmap_items",
    "trend_points",
    "workload_demands",
]
