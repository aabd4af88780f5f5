"""Reports and assessments: the organization's PDF reports and their jobs, the scored assessments and the one the
home page headlines, and a result's readiness, area and sub-area scores, answer sources and risks (`Results`: the
current result with the one it is compared with)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, Value, When

from accounts.models import Organization
from assessments import scoring
from assessments.models import Assessment, AssessmentResult, AssessmentStatus
from assessments.results import RiskRow, StoredResult
from assessments.selectors import assessments_for, results_for
from config import jobs
from config.errors import ErrorItem
from config.jobs import JobStatus
from inventory.analysis import WHOLE_ORGANIZATION

from ..charts import AreaScore, SourceCount, SubareaScore
from ..models import Report, ReportStatus


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
