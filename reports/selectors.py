"""Reads of the dashboards: stored results, roadmaps and the inventory turned into the input dataclasses of
`reports.charts`.

Every function reads one organization's data (through its `organization` or the `assessment` it is given) in a
fixed number of queries whatever the data size. Scores come from the one typed result
(`assessments.selectors.result_for` / `results_for`: every row of any number of results in two queries), so the
dashboards show the numbers the result page, the PDF and the exports show; counts and sums of the inventory are
grouped in the database, and its capacity comes from `inventory.analysis.analyse` (a fixed number of queries)
through the pure mappings `workload_demands`, `site_powers` and `site_energies`. Names come from the framework
version an assessment was taken on, parsed once per version.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.models import Organization
from assessments import scoring
from assessments.models import (
    WHOLE_ORGANIZATION_LABEL,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    Framework,
    RoadmapItem,
    RoadmapKind,
    RoadmapStatus,
    scope_label,
)
from assessments.results import RiskRow, StoredResult
from assessments.selectors import assessments_for, assessments_with_results, framework_of, results_for
from config import jobs
from config.errors import ErrorItem
from config.jobs import JobStatus
from inventory import capacity, money
from inventory.analysis import WHOLE_ORGANIZATION, CapacitySummary, Scope
from inventory.models import Server, Site

from .charts import (
    AcceleratorCount,
    AreaScore,
    RoadmapEntry,
    SiteEnergy,
    SitePower,
    SourceCount,
    SubareaScore,
    TrendPoint,
    WorkloadDemand,
)
from .models import Report, ReportStatus

TOP_ITEMS = 5
"""Roadmap items shown on the organization overview."""

# --------------------------------------------------------------------------------------------------
# Framework names
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkNames:
    """What the roadmap's charts need from a framework version: names of areas and sub-areas, and the questions."""

    areas: Mapping[str, str]
    subareas: Mapping[str, str]
    questions: Mapping[str, scoring.Question]

    def area(self, area_id: str) -> str:
        return self.areas.get(area_id) or area_id

    def subarea(self, subarea_id: str) -> str:
        return self.subareas.get(subarea_id) or subarea_id


def framework_names(*, framework: Framework) -> FrameworkNames:
    """Names and questions of a framework version (parsed once per version, `assessments.selectors.framework_of`)."""
    parsed = framework_of(framework)
    return FrameworkNames(
        areas={area.id: area.name or area.id for area in parsed.areas},
        subareas={sub.id: sub.name or sub.id for area in parsed.areas for sub in area.subareas},
        questions={question.id: question for question in parsed.questions()},
    )


# --------------------------------------------------------------------------------------------------
# Reports and assessments
# --------------------------------------------------------------------------------------------------


def reports_for(*, organization: Organization | None) -> QuerySet[Report]:
    """The organization's PDF reports, newest first, with what the list shows loaded (constant queries)."""
    return (
        Report.objects.filter(organization=organization)
        .select_related("organization", "assessment", "requested_by")
        .order_by("-created", "-pk")
    )


def report_job(*, report: Report) -> JobStatus:
    """Where the rendering of a report stands (``config.jobs``)."""
    if report.status == ReportStatus.QUEUED:
        return JobStatus("report", jobs.QUEUED, "Queued: waiting for a worker…")
    if report.status == ReportStatus.RENDERING:
        return JobStatus("report", jobs.RUNNING, "Rendering…")
    if report.status == ReportStatus.READY:
        pages = f"{report.pages} page{'s' if report.pages != 1 else ''}" if report.pages else "The report"
        return JobStatus("report", jobs.SUCCEEDED, f"Ready: {pages}.", progress=100)
    error = ErrorItem(report.error or "The report could not be made.", "report_failed")
    retryable = report.assessment.status == AssessmentStatus.SCORED
    return JobStatus("report", jobs.FAILED, "The report could not be made.", error=error, retryable=retryable)


def scored_assessments_for(*, organization: Organization | None) -> QuerySet[Assessment]:
    """Assessments a report or a data export can be made of: the scored ones."""
    return assessments_for(organization=organization).filter(status=AssessmentStatus.SCORED)


def headline_assessment(*, organization: Organization) -> Assessment | None:
    """The scored assessment the home page headlines, with its framework and result: the last submitted (then the
    highest id) of those that cover the **whole organization** (`Assessment.scope_key` "all"), else, when every
    scored one names sites, workloads or cloud reservations, the last submitted of those. A reader takes the
    headline as the organization's readiness, which a check of 2 of its 5 sites is not. `headline_with_results`
    applies the same rule in Python."""
    return (
        assessments_for(organization=organization)
        .filter(status=AssessmentStatus.SCORED, result__isnull=False)
        .annotate(
            scoped=Case(
                When(scope_key=WHOLE_ORGANIZATION.key, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("scoped", F("submitted_at").desc(nulls_last=True), "-pk")
        .first()
    )


def previous_result_id(*, assessment: Assessment) -> Subquery:
    """Subquery: the pk of the result to compare ``assessment`` with, or no row.

    Only an assessment of the same scope (`Assessment.scope_key`: the same sites, workloads and cloud
    reservations, or both the whole organization) is compared with: the assessment it re-assesses (``previous``)
    if that one is scored and of the same scope, else the organization's last scored assessment of that scope
    submitted before it. `headline_with_results` applies the same rule in Python.
    """
    previous_id = assessment.previous_id or 0
    earlier = Q(assessment__submitted_at__lt=assessment.submitted_at) if assessment.submitted_at else Q(pk__in=[])
    candidates = (
        AssessmentResult.objects.filter(
            organization_id=assessment.organization_id,
            assessment__status="scored",
            assessment__scope_key=assessment.scope_key,
        )
        .exclude(assessment_id=assessment.pk)
        .filter(earlier | Q(assessment_id=previous_id))
        .annotate(
            chosen=Case(When(assessment_id=previous_id, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("chosen", "-assessment__submitted_at", "-pk")
    )
    return Subquery(candidates.values("pk")[:1])


@dataclass(frozen=True)
class Results:
    """A scored assessment's typed result, and the one it is compared with (`previous_result_id`) and its title."""

    current: StoredResult | None
    previous: StoredResult | None = None
    previous_title: str | None = None


def results_of(*, assessment: Assessment) -> Results:
    """The assessment's typed result and the previous one, in two queries whether there is a previous one or not
    (the previous assessment with its result and framework; the scores of both results); none when the assessment
    is not scored. The assessment comes from `assessments_for` (its result and framework loaded with it)."""
    if assessment.status != AssessmentStatus.SCORED:
        return Results(None)
    earlier = (
        Assessment.objects.filter(result__pk=previous_result_id(assessment=assessment))
        .select_related("framework", "result")
        .first()
    )
    results = results_for(assessments=[assessment] if earlier is None else [assessment, earlier])
    current = results.get(assessment.pk)
    if current is None:
        return Results(None)
    if earlier is None or earlier.pk not in results:
        return Results(current)
    return Results(current, results[earlier.pk], earlier.title)


@dataclass(frozen=True)
class Readiness:
    """The readiness index of a scored assessment (0-100), its maturity level (1-5) and the previous index."""

    index: float | None
    level: int | None
    previous_index: float | None
    previous_title: str | None = None

    @property
    def level_name(self) -> str:
        """“4 Managed”, or "" when there is no level."""
        return scoring.level_label(self.level, none="")

    @property
    def change(self) -> float | None:
        if self.index is None or self.previous_index is None:
            return None
        return scoring.round_score(scoring.round_score(self.index) - scoring.round_score(self.previous_index))


def readiness_of(*, assessment: Assessment, results: Results | None = None) -> Readiness:
    """Index, level and the previous assessment's index (none for an assessment not scored)."""
    results = results or results_of(assessment=assessment)
    if results.current is None:
        return Readiness(None, None, None)
    previous = results.previous
    return Readiness(
        results.current.readiness_index,
        results.current.level,
        None if previous is None else previous.readiness_index,
        results.previous_title,
    )


def area_scores(*, assessment: Assessment, results: Results | None = None) -> list[AreaScore]:
    """Each area of a scored assessment in framework order: grounded score, target, previous score, self-assessed
    and evidence scores, contradiction, risk counts and level (empty when not scored)."""
    results = results or results_of(assessment=assessment)
    if results.current is None:
        return []
    previous = {area.area_id: area.score for area in results.previous.areas} if results.previous else {}
    return [
        AreaScore(
            area_id=area.area_id,
            name=area.name,
            score=area.score,
            target=area.target_score,
            previous=previous.get(area.area_id),
            self_score=area.self_score,
            evidence_score=area.evidence_score,
            contradiction=area.contradiction,
            high_risks=area.high_risks,
            medium_risks=area.medium_risks,
            level=area.level,
        )
        for area in results.current.areas
    ]


def subarea_scores(*, assessment: Assessment, results: Results | None = None) -> list[SubareaScore]:
    """Each sub-area's questionnaire score, in framework order (empty when not scored)."""
    result = (results or results_of(assessment=assessment)).current
    if result is None:
        return []
    areas = {area.area_id: area.name for area in result.areas}
    return [SubareaScore(areas[sub.area_id], sub.name, sub.score, sub.position) for sub in result.subareas]


def source_counts(*, assessment: Assessment, results: Results | None = None) -> list[SourceCount]:
    """Questions of each area by where their answer came from (empty when not scored)."""
    result = (results or results_of(assessment=assessment)).current
    if result is None:
        return []
    counts = []
    for area in result.areas:
        statuses = [(q.status, q.source) for q in area.questions]
        scored = sum(1 for status, _ in statuses if status == "scored")
        from_inventory = sum(1 for status, source in statuses if status == "scored" and source == "inventory")
        counts.append(
            SourceCount(
                area_name=area.name,
                self_reported=scored - from_inventory,
                from_inventory=from_inventory,
                not_applicable=sum(1 for status, _ in statuses if status == "not_applicable"),
                unanswered=sum(1 for status, _ in statuses if status == "unanswered"),
            )
        )
    return counts


def risk_rows(*, assessment: Assessment, results: Results | None = None) -> list[RiskRow]:
    """High risks first, then medium, each in framework order (empty when not scored)."""
    result = (results or results_of(assessment=assessment)).current
    return [] if result is None else list(result.risks)


# --------------------------------------------------------------------------------------------------
# Roadmap
# --------------------------------------------------------------------------------------------------

_STATUS_LABELS = dict(RoadmapStatus.choices)
_NO_AREA = {RoadmapKind.CAPACITY.value: "Capacity", RoadmapKind.VERIFY.value: "Verify the facts"}


def _item_area(names: FrameworkNames, area_ref: str, kind: str) -> str:
    return names.area(area_ref) if area_ref else _NO_AREA.get(kind, "")


def roadmap_entries(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[RoadmapEntry]:
    """The items of the assessment's current plan in rank order, as the timeline takes them (one query)."""
    names = names or framework_names(framework=assessment.framework)
    rows = (
        RoadmapItem.objects.filter(assessment_id=assessment.pk, organization_id=assessment.organization_id)
        .filter(in_plan=True)
        .order_by("rank")
        .values_list("rank", "title", "area_ref", "kind", "phase", "status", "effort")
    )
    return [
        RoadmapEntry(rank, title, _item_area(names, area_ref, kind), phase, _STATUS_LABELS.get(status, status), effort)
        for rank, title, area_ref, kind, phase, status, effort in rows
    ]


@dataclass(frozen=True)
class TopItem:
    rank: int
    title: str
    area: str
    phase: str
    status: str
    effort: str
    url: str


def top_roadmap_items(
    *, assessment: Assessment, names: FrameworkNames | None = None, limit: int = TOP_ITEMS
) -> list[TopItem]:
    """The first ``limit`` items of the assessment's plan, each linking to its card on the roadmap page."""
    names = names or framework_names(framework=assessment.framework)
    phases = dict(RoadmapItem._meta.get_field("phase").choices)
    url = reverse("assessments:roadmap", args=[assessment.pk])
    rows = (
        RoadmapItem.objects.filter(assessment_id=assessment.pk, organization_id=assessment.organization_id)
        .filter(in_plan=True)
        .order_by("rank")
        .values_list("rank", "item_id", "title", "area_ref", "kind", "phase", "status", "effort")[:limit]
    )
    return [
        TopItem(
            rank,
            title,
            _item_area(names, area_ref, kind),
            phases.get(phase, phase),
            _STATUS_LABELS.get(status, status),
            effort,
            f"{url}#item-{item_id}",
        )
        for rank, item_id, title, area_ref, kind, phase, status, effort in rows
    ]


# --------------------------------------------------------------------------------------------------
# Trend
# --------------------------------------------------------------------------------------------------


def scored_with_results(*, organization: Organization) -> list[tuple[Assessment, StoredResult]]:
    """Every scored assessment of the organization with its typed result, in submission order (two queries: the
    assessments with their results, and every score of those results)."""
    scored = Assessment.objects.filter(organization=organization, status=AssessmentStatus.SCORED).order_by(
        "submitted_at", "result__pk"
    )
    return assessments_with_results(assessments=scored)


def headline_with_results(scored: list[tuple[Assessment, StoredResult]]) -> tuple[Assessment | None, Results]:
    """From `scored_with_results`, without a query: the assessment the home page headlines (`headline_assessment`'s
    rule: the last submitted, then the highest id, of the whole organization's; of any scope when none covers the
    whole organization) and its `Results`, compared with the result `previous_result_id` names (of the same scope:
    the assessment it re-assesses if scored, else the last scored one submitted before it).
    `reports.tests.test_dashboards_cost` checks both against those selectors."""
    if not scored:
        return None, Results(None)
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    whole = [pair for pair in scored if pair[0].scope_key == WHOLE_ORGANIZATION.key]
    latest, current = max(whole or scored, key=lambda pair: (pair[0].submitted_at or never, pair[0].pk))
    others = [pair for pair in scored if pair[0].pk != latest.pk and pair[0].scope_key == latest.scope_key]
    chosen = [pair for pair in others if pair[0].pk == latest.previous_id]
    if not chosen and latest.submitted_at is not None:
        earlier = [pair for pair in others if pair[0].submitted_at and pair[0].submitted_at < latest.submitted_at]
        chosen = sorted(earlier, key=lambda pair: (pair[0].submitted_at, pair[0].result.pk), reverse=True)[:1]
    if not chosen:
        return latest, Results(current)
    previous, result = chosen[0]
    return latest, Results(current, result, previous.title)


@dataclass(frozen=True)
class ScopeWords:
    """An assessment's scope in words: ``label`` as `Assessment.scope_label` says it ("whole organization", "Berlin,
    Munich Lab", "every site; workloads: ..."), and the names of the sites it names (empty: every site)."""

    label: str
    sites: tuple[str, ...] = ()


def scope_words(*, assessments: Iterable[Assessment]) -> dict[str, ScopeWords]:
    """Each scope key of the assessments -> its `ScopeWords`, read from one assessment of each key. No query when
    every one covers the whole organization; else one for each kind of record the scoped ones name (sites,
    workloads, cloud reservations)."""
    one_each = {assessment.scope_key: assessment for assessment in assessments}
    words = {key: ScopeWords(WHOLE_ORGANIZATION_LABEL) for key in one_each if key == WHOLE_ORGANIZATION.key}
    scoped = [assessment for key, assessment in one_each.items() if key != WHOLE_ORGANIZATION.key]
    if not scoped:
        return words
    scopes = [Scope.from_key(assessment.scope_key) for assessment in scoped]
    named = {
        "sites": any(scope.site_ids for scope in scopes),
        "workloads": any(scope.workload_ids for scope in scopes),
        "cloud_capacity": any(scope.cloud_capacity_ids for scope in scopes),
    }
    prefetch_related_objects(scoped, *(relation for relation, any_named in named.items() if any_named))
    for assessment in scoped:
        sites = sorted(site.name for site in assessment.sites.all()) if named["sites"] else []
        label = scope_label(
            sites=sites,
            workloads=[workload.name for workload in assessment.workloads.all()] if named["workloads"] else [],
            clouds=[str(cloud) for cloud in assessment.cloud_capacity.all()] if named["cloud_capacity"] else [],
        )
        words[assessment.scope_key] = ScopeWords(label, tuple(sites))
    return words


def scope_text(words: ScopeWords, organization_sites: int) -> str:
    """A scope as the home page says it: "the whole organization"; the sites it names counted against the
    organization's ("2 of 5 sites (Berlin, Munich Lab)", with its workloads or cloud reservations when it names
    them too); else its label ("every site; workloads: Llama serving")."""
    if words.label == WHOLE_ORGANIZATION_LABEL:
        return f"the {WHOLE_ORGANIZATION_LABEL}"
    if not words.sites:
        return words.label
    named = len(words.sites)
    total = max(organization_sites, named)
    return f"{named} of {total} site{'s' if total != 1 else ''} ({words.label})"


def scope_labels(*, assessments: Iterable[Assessment]) -> dict[str, str]:
    """Each scope key of the assessments -> the scope in words (`Assessment.scope_label`: "whole organization",
    "Munich Lab", ...): the labels of `scope_words`, in as many queries."""
    return {key: words.label for key, words in scope_words(assessments=assessments).items()}


def trend_points(
    *,
    organization: Organization,
    scored: list[tuple[Assessment, StoredResult]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[TrendPoint]:
    """Every scored assessment of the organization in submission order: its index and area scores, by area name,
    and its scope (key and words, `scope_labels`), each scope a line of its own (`scored_with_results`, read here
    unless given; ``labels``, the scopes' words, read here unless given)."""
    if scored is None:
        scored = scored_with_results(organization=organization)
    if labels is None:
        labels = scope_labels(assessments=[assessment for assessment, _ in scored])
    points = []
    for assessment, result in scored:
        when = assessment.submitted_at or assessment.created
        points.append(
            TrendPoint(
                label=assessment.title,
                date=when.date() if isinstance(when, datetime.datetime) else when,
                index=result.readiness_index,
                areas={area.name: area.score for area in result.areas},
                scope_key=assessment.scope_key,
                scope=labels[assessment.scope_key],
            )
        )
    return points


# --------------------------------------------------------------------------------------------------
# Inventory
# --------------------------------------------------------------------------------------------------


def accelerator_counts(*, summary: CapacitySummary) -> list[AcceleratorCount]:
    """Accelerators per site and type from the capacity analysis (summed in the database there), then the cloud
    reservations per provider, region and type as one "site" each; no query of its own."""
    on_site: dict[tuple[str, str], tuple[int, float]] = {}
    cloud: dict[tuple[str, str], tuple[int, float]] = {}
    for info in summary.pools:
        accelerator = info.pool.accelerator
        place = (info.site.name, accelerator.name) if info.site is not None else (info.pool.site, accelerator.name)
        target = on_site if info.site is not None else cloud
        count, _ = target.get(place, (0, 0.0))
        target[place] = (count + info.pool.count, float(accelerator.memory_gb))
    counts = [AcceleratorCount(site, name, n, n * memory) for (site, name), (n, memory) in sorted(on_site.items())]
    counts += [
        AcceleratorCount(f"{where} (cloud)", name, n, n * memory)
        for (where, name), (n, memory) in sorted(cloud.items())
        if n
    ]
    return [count for count in counts if count.count]


@dataclass(frozen=True)
class InventoryPresence:
    """Whether the organization has recorded servers, and how many sites it has (the home page's "2 of 5 sites")."""

    has_servers: bool
    sites: int


def inventory_presence(*, organization: Organization) -> InventoryPresence:
    """`InventoryPresence` in one query (the organization's row with an EXISTS and a COUNT subquery)."""
    sites = (
        Site.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(count=Count("pk"))
        .values("count")
    )
    row = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            any_server=Exists(Server.objects.filter(organization=OuterRef("pk"))),
            site_count=Coalesce(Subquery(sites, output_field=IntegerField()), Value(0)),
        )
        .values("any_server", "site_count")
        .first()
    )
    return InventoryPresence(bool(row and row["any_server"]), row["site_count"] if row else 0)


def workload_demands(*, summary: CapacitySummary) -> list[WorkloadDemand]:
    """What each analysed workload needs on the pool it is placed on (or comes closest on), and what that pool has.

    Needed: the GPUs the capacity model asks for times each one's memory and peak TFLOPS at the workload's
    precision (``compute_rate`` names that datasheet rate: the same pool has twice the TFLOPS at FP8 as at
    BF16), so a needed bar above its available bar is exactly a shortfall of GPUs. When no number of GPUs
    is enough (the model does not fit a tensor-parallel group), the memory the model needs on the group it was
    tried on, and no compute (None: not determined; `figure_sets.demand_figures` says so in words).
    Workloads the model could not analyse (a missing field, no accelerator anywhere) are left out.
    """
    demands = []
    for verdict in summary.verdicts:
        fit, pool = verdict.fit, verdict.pool
        if fit is None or pool is None:
            continue
        accelerator = pool.pool.accelerator
        gpus = fit.gpus_needed
        compute_needed: float | None
        if gpus is not None:
            memory_needed = gpus * accelerator.memory_gb
            compute_needed = float(gpus * fit.peak_tflops)
        else:
            group = getattr(fit, "tensor_parallel", None) or pool.pool.count or 1
            memory_needed = (fit.memory_gb_per_gpu or 0.0) * group
            compute_needed = None  # no GPU count to multiply: not determined (was drawn as 0)
        demands.append(
            WorkloadDemand(
                workload=verdict.workload.name,
                memory_needed_gb=float(memory_needed),
                memory_available_gb=float(pool.pool.count * accelerator.memory_gb),
                compute_needed_tflops=compute_needed,
                compute_available_tflops=float(pool.pool.count * fit.peak_tflops),
                fits=verdict.fits,
                compute_rate=capacity.rate_label(fit.compute_rate),
            )
        )
    return demands


def site_powers(*, summary: CapacitySummary) -> list[SitePower]:
    """IT and facility power of every site at full load, and its power capacity."""
    return [
        SitePower(
            site=item.site.name,
            it_kw=item.it_power_kw,
            facility_kw=item.footprint.facility_power_kw,
            capacity_kw=item.power_capacity_kw,
        )
        for item in summary.sites
    ]


def site_energies(*, summary: CapacitySummary) -> list[SiteEnergy]:
    """Monthly energy, cost and carbon of every site that draws power (730 hours at full load)."""
    energies = []
    for item in summary.sites:
        footprint = item.footprint
        if footprint.energy_kwh_per_month <= 0:
            continue
        energies.append(
            SiteEnergy(
                site=item.site.name,
                currency=item.currency,
                it_kwh_month=footprint.it_power_kw * capacity.HOURS_PER_MONTH,
                facility_kwh_month=footprint.energy_kwh_per_month,
                cost_month=None if item.price_per_kwh is None else footprint.cost_per_month,
                tco2_month=footprint.tco2_per_month,
                pue=item.pue,
                grid_g_per_kwh=item.g_per_kwh,
            )
        )
    return energies


@dataclass(frozen=True)
class EnergyTotals:
    """The organization's month at full load: facility energy, what the PUE adds, carbon, cost per currency."""

    facility_kwh: float
    overhead_kwh: float
    tco2: float
    costs: tuple[tuple[str, float], ...]
    sites_without_price: tuple[str, ...]
    cost_total: money.MoneyTotal | None = None
    """The costs, each currency apart, and converted into the reporting currency at the rates it states."""

    @property
    def overhead_pct(self) -> float | None:
        return None if not self.facility_kwh else 100.0 * self.overhead_kwh / self.facility_kwh

    @property
    def grid_g_per_kwh(self) -> float | None:
        """Energy-weighted grid intensity of the fleet (gCO2e/kWh)."""
        return None if not self.facility_kwh else self.tco2 * 1_000_000 / self.facility_kwh


def energy_totals(
    *, energies: Iterable[SiteEnergy], currency: str = "", rates: Callable[[], money.RateTable] | None = None
) -> EnergyTotals:
    """Totals of the sites' months; costs are summed per currency, never across currencies as they are: over
    several currencies, with the reporting ``currency`` and ``rates`` (called then only: the rates are read only
    when there is something to convert), their total is converted into it (`money.total_in`, every rate named)."""
    items = list(energies)
    costs: dict[str, float] = {}
    for item in items:
        if item.cost_month is not None:
            costs[item.currency] = costs.get(item.currency, 0.0) + item.cost_month
    return EnergyTotals(
        facility_kwh=sum(item.facility_kwh_month for item in items),
        overhead_kwh=sum(item.facility_kwh_month - item.it_kwh_month for item in items),
        tco2=sum(item.tco2_month or 0.0 for item in items),
        costs=tuple(sorted(costs.items())),
        sites_without_price=tuple(item.site for item in items if item.cost_month is None),
        cost_total=money.total_in(costs, currency, rates()) if len(costs) > 1 and currency and rates else None,
    )
