"""Reads of the dashboards: aggregated queries turned into the input dataclasses of `reports.charts`.

Every function reads one organization's data (through its `organization` or the `assessment` it is given) in a
fixed number of queries whatever the data size: stored scores are read as values (no model instances), counts and
sums are grouped in the database, and the inventory's capacity comes from `inventory.analysis.analyse` (which
reads the fleet in a fixed number of queries) through the pure mappings `workload_demands`, `site_powers` and
`site_energies`. Names come from the framework version an assessment was taken on, parsed once per version.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, Count, F, IntegerField, Min, Q, Subquery, Sum, Value, When
from django.urls import reverse

from accounts.models import Organization
from assessments import scoring
from assessments.models import (
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    Framework,
    RoadmapItem,
    RoadmapKind,
    RoadmapStatus,
    Score,
    ScoreScope,
)
from assessments.roadmap import target_score
from assessments.selectors import assessments_for
from inventory import capacity
from inventory.analysis import CapacitySummary
from inventory.models import CloudCapacity, Server, ServerStatus

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

RISK_LEVELS = ("high", "medium")
TOP_ITEMS = 5
"""Roadmap items shown on the organization overview."""

# --------------------------------------------------------------------------------------------------
# Framework names
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkNames:
    """What the dashboards need from a framework version: names of areas and sub-areas, and the questions."""

    areas: Mapping[str, str]
    subareas: Mapping[str, str]
    questions: Mapping[str, scoring.Question]

    def area(self, area_id: str) -> str:
        return self.areas.get(area_id) or area_id

    def subarea(self, subarea_id: str) -> str:
        return self.subareas.get(subarea_id) or subarea_id


_PARSED: dict[tuple[int, str], FrameworkNames] = {}
_PARSED_MAX = 16


def framework_names(*, framework: Framework) -> FrameworkNames:
    """Names and questions of a framework version, parsed once per version and process.

    A stored framework version never changes (its digest is part of the key all the same), so the parse is
    kept; at most `_PARSED_MAX` versions are kept.
    """
    key = (framework.pk, framework.digest)
    names = _PARSED.get(key)
    if names is None:
        parsed = scoring.Framework.from_dict(framework.definition)
        names = FrameworkNames(
            areas={area.id: area.name or area.id for area in parsed.areas},
            subareas={sub.id: sub.name or sub.id for area in parsed.areas for sub in area.subareas},
            questions={question.id: question for question in parsed.questions()},
        )
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = names
    return names


# --------------------------------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------------------------------


def result_of(assessment: Assessment) -> AssessmentResult | None:
    """The stored result of a scored assessment (none while it is a draft, scoring or failed)."""
    if assessment.status != AssessmentStatus.SCORED:
        return None
    try:
        return assessment.result
    except ObjectDoesNotExist:
        return None


def latest_scored_assessment(*, organization: Organization) -> Assessment | None:
    """The organization's most recently submitted scored assessment, with its framework and result."""
    return (
        assessments_for(organization=organization)
        .filter(status=AssessmentStatus.SCORED, result__isnull=False)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def previous_result_id(*, assessment: Assessment) -> Subquery:
    """Subquery: the pk of the result to compare ``assessment`` with, or no row.

    The assessment it re-assesses (``previous``) if that one is scored, else the organization's last scored
    assessment submitted before it.
    """
    previous_id = assessment.previous_id or 0
    earlier = Q(assessment__submitted_at__lt=assessment.submitted_at) if assessment.submitted_at else Q(pk__in=[])
    candidates = (
        AssessmentResult.objects.filter(organization_id=assessment.organization_id, assessment__status="scored")
        .exclude(assessment_id=assessment.pk)
        .filter(earlier | Q(assessment_id=previous_id))
        .annotate(
            chosen=Case(When(assessment_id=previous_id, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("chosen", "-assessment__submitted_at", "-pk")
    )
    return Subquery(candidates.values("pk")[:1])


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


def readiness_of(*, assessment: Assessment) -> Readiness:
    """Index, level and the previous assessment's index (one query; none for an assessment not scored)."""
    result = result_of(assessment)
    if result is None:
        return Readiness(None, None, None)
    previous = (
        AssessmentResult.objects.filter(pk=previous_result_id(assessment=assessment))
        .values("readiness_index", "assessment__title")
        .first()
    )
    return Readiness(
        result.readiness_index,
        result.level,
        None if previous is None else previous["readiness_index"],
        None if previous is None else previous["assessment__title"],
    )


def area_scores(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[AreaScore]:
    """Each area of a scored assessment in framework order: grounded score, target, previous score, self-assessed
    and evidence scores, contradiction, risk counts and level (two queries; empty when not scored)."""
    result = result_of(assessment)
    if result is None:
        return []
    names = names or framework_names(framework=assessment.framework)
    previous = dict(
        Score.objects.filter(result_id=previous_result_id(assessment=assessment), scope=ScoreScope.AREA)
        .values_list("ref", "score")
        .order_by()
    )
    rows = (
        Score.objects.filter(result_id=result.pk, scope=ScoreScope.AREA)
        .order_by("position")
        .values("ref", "score", "level", "target_level", "details")
    )
    areas = []
    for row in rows:
        details = row["details"] or {}
        areas.append(
            AreaScore(
                area_id=row["ref"],
                name=names.area(row["ref"]),
                score=row["score"],
                target=None if row["target_level"] is None else target_score(row["target_level"]),
                previous=previous.get(row["ref"]),
                self_score=details.get("self_score"),
                evidence_score=details.get("evidence_score"),
                contradiction=bool(details.get("contradiction")),
                high_risks=int(details.get("high_risks") or 0),
                medium_risks=int(details.get("medium_risks") or 0),
                level=row["level"],
            )
        )
    return areas


def subarea_scores(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[SubareaScore]:
    """Each sub-area's questionnaire score, in framework order (one query; empty when not scored)."""
    result = result_of(assessment)
    if result is None:
        return []
    names = names or framework_names(framework=assessment.framework)
    rows = (
        Score.objects.filter(result_id=result.pk, scope=ScoreScope.SUBAREA)
        .order_by("position")
        .values_list("area_ref", "ref", "score", "position")
    )
    return [
        SubareaScore(names.area(area_ref), names.subarea(ref), score, position)
        for area_ref, ref, score, position in rows
    ]


def source_counts(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[SourceCount]:
    """Questions of each area by where their answer came from, counted in the database (one query)."""
    result = result_of(assessment)
    if result is None:
        return []
    names = names or framework_names(framework=assessment.framework)
    scored = Q(details__status="scored")
    rows = (
        Score.objects.filter(result_id=result.pk, scope=ScoreScope.QUESTION)
        .values("area_ref")
        .annotate(
            first=Min("position"),
            scored=Count("pk", filter=scored),
            from_inventory=Count("pk", filter=scored & Q(details__source="inventory")),
            not_applicable=Count("pk", filter=Q(details__status="not_applicable")),
            unanswered=Count("pk", filter=Q(details__status="unanswered")),
        )
        .order_by("first")
    )
    return [
        SourceCount(
            area_name=names.area(row["area_ref"]),
            self_reported=row["scored"] - row["from_inventory"],
            from_inventory=row["from_inventory"],
            not_applicable=row["not_applicable"],
            unanswered=row["unanswered"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RiskRow:
    """A high or medium risk question of a scored assessment, with what to do about it."""

    risk: str
    area: str
    question_id: str
    question: str
    score: float | None
    recommendation: str
    action: str
    effort: str
    url: str


def risk_rows(*, assessment: Assessment, names: FrameworkNames | None = None) -> list[RiskRow]:
    """High risks first, then medium, each in framework order (one query; empty when not scored)."""
    result = result_of(assessment)
    if result is None:
        return []
    names = names or framework_names(framework=assessment.framework)
    rows = (
        Score.objects.filter(result_id=result.pk, scope=ScoreScope.QUESTION, risk__in=RISK_LEVELS)
        .annotate(severity=Case(When(risk="high", then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("severity", "position")
        .values_list("risk", "area_ref", "ref", "score")
    )
    risks = []
    for risk, area_ref, ref, score in rows:
        question = names.questions.get(ref)
        recommendation = question.recommendation if question else None
        url = reverse("assessments:area", args=[assessment.pk, area_ref])
        risks.append(
            RiskRow(
                risk=risk,
                area=names.area(area_ref),
                question_id=ref,
                question=question.text if question else ref,
                score=scoring.round_score(score),
                recommendation=recommendation.title if recommendation else "",
                action=recommendation.action if recommendation else "",
                effort=recommendation.effort if recommendation else "",
                url=f"{url}#q-{ref}",
            )
        )
    return risks


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


def trend_points(*, organization: Organization) -> list[TrendPoint]:
    """Every scored assessment of the organization in submission order: its index and area scores, by area name
    (three queries: results, their area scores, the frameworks they were taken on)."""
    results = list(
        AssessmentResult.objects.filter(organization=organization, assessment__status=AssessmentStatus.SCORED)
        .order_by("assessment__submitted_at", "pk")
        .values(
            "pk",
            "readiness_index",
            "assessment__title",
            "assessment__submitted_at",
            "assessment__created",
            "assessment__framework_id",
        )
    )
    if not results:
        return []
    scores: dict[int, dict[str, float | None]] = {row["pk"]: {} for row in results}
    area_rows = (
        Score.objects.filter(result__organization=organization, result__pk__in=list(scores), scope=ScoreScope.AREA)
        .order_by("result_id", "position")
        .values_list("result_id", "ref", "score")
    )
    for result_id, ref, score in area_rows:
        scores[result_id][ref] = score
    frameworks = {
        framework.pk: framework_names(framework=framework)
        for framework in Framework.objects.filter(pk__in={row["assessment__framework_id"] for row in results}).only(
            "pk", "digest", "definition"
        )
    }
    points = []
    for row in results:
        names = frameworks.get(row["assessment__framework_id"])
        when = row["assessment__submitted_at"] or row["assessment__created"]
        points.append(
            TrendPoint(
                label=row["assessment__title"],
                date=when.date() if isinstance(when, datetime.datetime) else when,
                index=row["readiness_index"],
                areas={(names.area(ref) if names else ref): score for ref, score in scores[row["pk"]].items()},
            )
        )
    return points


# --------------------------------------------------------------------------------------------------
# Inventory
# --------------------------------------------------------------------------------------------------


def _accelerator_name(vendor: str, model: str) -> str:
    return f"{vendor} {model}".strip()  # as AcceleratorType.__str__


def accelerator_counts(*, organization: Organization) -> list[AcceleratorCount]:
    """Accelerators of the active servers per site and type, summed in the database, then the cloud reservations
    as one "site" each (two queries)."""
    servers = (
        Server.objects.filter(
            organization=organization,
            status=ServerStatus.ACTIVE,
            accelerator_type__isnull=False,
            accelerator_count__gt=0,
        )
        .values("site__name", "accelerator_type__vendor", "accelerator_type__model", "accelerator_type__memory_gb")
        .annotate(count=Sum("accelerator_count"))
        .order_by("site__name", "accelerator_type__vendor", "accelerator_type__model")
    )
    cloud = (
        CloudCapacity.objects.filter(organization=organization)
        .values(
            "provider", "region", "accelerator_type__vendor", "accelerator_type__model", "accelerator_type__memory_gb"
        )
        .annotate(count=Sum(F("instances") * F("accelerators_per_instance")))
        .order_by("provider", "region", "accelerator_type__vendor", "accelerator_type__model")
    )
    counts = [
        AcceleratorCount(
            row["site__name"],
            _accelerator_name(row["accelerator_type__vendor"], row["accelerator_type__model"]),
            int(row["count"]),
            int(row["count"]) * float(row["accelerator_type__memory_gb"]),
        )
        for row in servers
    ]
    counts += [
        AcceleratorCount(
            f"{row['provider']} {row['region']} (cloud)",
            _accelerator_name(row["accelerator_type__vendor"], row["accelerator_type__model"]),
            int(row["count"]),
            int(row["count"]) * float(row["accelerator_type__memory_gb"]),
        )
        for row in cloud
        if row["count"]
    ]
    return counts


def has_servers(*, organization: Organization) -> bool:
    return Server.objects.filter(organization=organization).exists()


def workload_demands(*, summary: CapacitySummary) -> list[WorkloadDemand]:
    """What each analysed workload needs on the pool it is placed on (or comes closest on), and what that pool has.

    Needed: the GPUs the capacity model asks for times each one's memory and peak TFLOPS at the workload's
    precision, so a needed bar above its available bar is exactly a shortfall of GPUs. When no number of GPUs
    is enough (the model does not fit a tensor-parallel group), the memory of the group it was tried on.
    Workloads the model could not analyse (a missing field, no accelerator anywhere) are left out.
    """
    demands = []
    for verdict in summary.verdicts:
        fit, pool = verdict.fit, verdict.pool
        if fit is None or pool is None:
            continue
        accelerator = pool.pool.accelerator
        gpus = fit.gpus_needed
        if gpus is not None:
            memory_needed = gpus * accelerator.memory_gb
            compute_needed = gpus * fit.peak_tflops
        else:
            group = getattr(fit, "tensor_parallel", None) or pool.pool.count or 1
            memory_needed = (fit.memory_gb_per_gpu or 0.0) * group
            compute_needed = 0.0
        demands.append(
            WorkloadDemand(
                workload=verdict.workload.name,
                memory_needed_gb=float(memory_needed),
                memory_available_gb=float(pool.pool.count * accelerator.memory_gb),
                compute_needed_tflops=float(compute_needed),
                compute_available_tflops=float(pool.pool.count * fit.peak_tflops),
                fits=verdict.fits,
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

    @property
    def overhead_pct(self) -> float | None:
        return None if not self.facility_kwh else 100.0 * self.overhead_kwh / self.facility_kwh

    @property
    def grid_g_per_kwh(self) -> float | None:
        """Energy-weighted grid intensity of the fleet (gCO2e/kWh)."""
        return None if not self.facility_kwh else self.tco2 * 1_000_000 / self.facility_kwh


def energy_totals(*, energies: Iterable[SiteEnergy]) -> EnergyTotals:
    """Totals of the sites' months; costs are summed per currency, never across currencies."""
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
    )
