"""Reads of the assessments app, scoped to one organization."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from config import jobs
from config.errors import ErrorItem
from config.history import HistoryEntry, history_entries
from config.jobs import JobStatus
from inventory.capacity.figures import is_money_unit
from inventory.facts import UNITS_RENAMED, shown
from inventory.money import symbol_for

from . import roadmap, scoring
from .models import (
    CLOSED_ROADMAP_STATUSES,
    Answer,
    AreaAssignment,
    AreaReview,
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    Comment,
    Evidence,
    Framework,
    RoadmapItem,
    RoadmapStatus,
    Score,
)
from .results import RESULT_FIELDS, SCORE_FIELDS, ResultArea, StoredResult, model_fields, result_from_rows

_PARSED: dict[tuple[int | None, str], scoring.Framework] = {}
_PARSED_MAX = 16


def framework_of(framework: Framework) -> scoring.Framework:
    """A stored framework version as the scoring engine reads it, parsed once per version and process.

    A version never changes once loaded (its digest is part of the key all the same); at most `_PARSED_MAX`
    versions are kept. The parsed framework is immutable (frozen dataclasses), so it is shared safely. A unit the
    file writes in a way the application no longer does reads as it does now (`inventory.facts.UNITS_RENAMED`:
    EN-SUS-02's "gCO2/kWh" in files 1.0-1.4 is gCO2e/kWh, the grid intensity facts' unit); the file is unchanged.
    """
    key = (framework.pk, framework.digest)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = scoring.with_units_renamed(scoring.Framework.from_dict(framework.definition), UNITS_RENAMED)
        if framework.pk is not None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[key] = parsed
    return parsed


def frameworks_for(*, organization: Organization | None) -> QuerySet[Framework]:
    """Shared frameworks and the organization's own."""
    return Framework.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def default_framework() -> Framework | None:
    return Framework.objects.filter(organization=None, slug="genai-infrastructure").order_by("-created").first()


def assessments_for(*, organization: Organization | None) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("framework", "created_by", "submitted_by", "sign_off_overridden_by", "result")
        .order_by("-created")
    )


def answers_of(*, assessment: Assessment) -> QuerySet[Answer]:
    return assessment.answers.select_related("answered_by").order_by("question_id")


def evidence_counts_of(*, assessment: Assessment, today: date | None = None) -> dict[str, tuple[int, int]]:
    """question id -> (files and links, of which expired on ``today``), in one query."""
    today = today or timezone.localdate()
    rows = (
        Evidence.objects.filter(assessment=assessment)
        .values("question_id")
        .annotate(items=Count("pk"), expired=Count("pk", filter=Q(expires_on__lt=today)))
    )
    return {row["question_id"]: (row["items"], row["expired"]) for row in rows}


def scoring_answers_of(*, assessment: Assessment, today: date | None = None) -> dict[str, scoring.Answer]:
    """The assessment's answers as the scoring engine takes them, with their evidence counted on ``today``."""
    counts = evidence_counts_of(assessment=assessment, today=today)
    return {
        a.question_id: scoring.Answer(
            a.question_id, a.value, a.not_applicable, a.source, *counts.get(a.question_id, (0, 0))
        )
        for a in assessment.answers.all()
    }


def result_for(*, assessment: Assessment) -> StoredResult | None:
    """The stored result of ``assessment`` as one typed structure, ``None`` before it is scored.

    One query (its scores) for an assessment read with `assessments_for` (which loads its result and framework).
    """
    return results_for(assessments=[assessment]).get(assessment.pk)


def results_for(*, assessments: Iterable[Assessment]) -> dict[int, StoredResult]:
    """The typed results of several assessments by assessment id (those not scored are left out), every row of
    them read in a constant number of queries whatever their number, then each built in one pass: one query for
    every score of their results, plus one for the result rows and one for the frameworks not loaded with them."""
    items = list(assessments)
    fields: dict[int, dict[str, Any]] = {}
    unloaded = []
    for assessment in items:
        if not Assessment.result.is_cached(assessment):
            unloaded.append(assessment.pk)
            continue
        try:
            fields[assessment.pk] = _result_fields(assessment.result)
        except ObjectDoesNotExist:
            continue
    if unloaded:
        rows = AssessmentResult.objects.filter(assessment_id__in=unloaded).values("pk", "assessment_id", *RESULT_FIELDS)
        fields.update({row["assessment_id"]: row for row in rows})
    if not fields:
        return {}
    scores = Score.objects.filter(result_id__in=[row["pk"] for row in fields.values()])
    return dict(_built([item for item in items if item.pk in fields], fields, scores))


def assessments_with_results(*, assessments: QuerySet[Assessment]) -> list[tuple[Assessment, StoredResult]]:
    """Each assessment of the queryset that has a stored result, with that result, in the queryset's order.

    Two queries whatever their number, none of them depending on the other's answer: the assessments with their
    results and frameworks, and every score of those results.
    """
    items = list(assessments.filter(result__isnull=False).select_related("framework", "result"))
    scores = Score.objects.filter(result__assessment__in=assessments.values("pk"))
    fields = {item.pk: _result_fields(item.result) for item in items}
    results = dict(_built(items, fields, scores))
    return [(item, results[item.pk]) for item in items]


def _result_fields(result: AssessmentResult) -> dict[str, Any]:
    return {**model_fields(result), "pk": result.pk}


def _built(
    items: list[Assessment], fields: dict[int, dict[str, Any]], scores: QuerySet[Score]
) -> Iterable[tuple[int, StoredResult]]:
    """Each assessment's typed result from its result row's ``fields`` and the ``scores`` (one query)."""
    by_result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in scores.values("result_id", *SCORE_FIELDS):
        by_result[row["result_id"]].append(row)
    frameworks = _frameworks_of(items)
    for assessment in items:
        row = fields[assessment.pk]
        yield (
            assessment.pk,
            result_from_rows(
                fields=row,
                scores=by_result[row["pk"]],
                framework=frameworks[assessment.framework_id],
                assessment_id=assessment.pk,
            ),
        )


def _frameworks_of(assessments: list[Assessment]) -> dict[int, scoring.Framework]:
    """The parsed framework of each assessment, by framework id (one query for those not loaded with them)."""
    loaded = {a.framework_id: a.framework for a in assessments if Assessment.framework.is_cached(a)}
    missing = {a.framework_id for a in assessments} - set(loaded)
    loaded.update({framework.pk: framework for framework in Framework.objects.filter(pk__in=missing)})
    return {pk: framework_of(framework) for pk, framework in loaded.items()}


@dataclass(frozen=True)
class AreaProgress:
    area_id: str
    name: str
    answered: int
    total: int

    @property
    def pct(self) -> int:
        return scoring.percent(self.answered / self.total) or 0 if self.total else 0


@dataclass(frozen=True)
class Progress:
    areas: list[AreaProgress]

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def pct(self) -> int:
        return scoring.percent(self.answered / self.total) or 0 if self.total else 0


def progress_of(*, assessment: Assessment, framework: scoring.Framework | None = None) -> Progress:
    """Answered / total per area and overall (an N/A answer counts as answered)."""
    framework = framework or framework_of(assessment.framework)
    answered = set(assessment.answers.values_list("question_id", flat=True))
    return Progress(
        [
            AreaProgress(
                area.id,
                area.name,
                sum(1 for q in area.questions() if q.id in answered),
                sum(1 for _ in area.questions()),
            )
            for area in framework.areas
        ]
    )


def roadmap_of(*, assessment: Assessment) -> QuerySet[RoadmapItem]:
    """The roadmap's items in execution order (items a rebuild no longer needs come last)."""
    return assessment.roadmap_items.select_related("owner", "carried_from__assessment", "tracker").order_by(
        "-in_plan", "rank"
    )


def open_high_risk_items(*, assessment: Assessment) -> int:
    """How many items of the roadmap are open (in the plan, neither done nor dismissed) and high-risk: the answers'
    high risks and those the inventory raises (capacity, evidence), which no answer carries. One query."""
    return (
        assessment.roadmap_items.filter(in_plan=True, risk="high").exclude(status__in=CLOSED_ROADMAP_STATUSES).count()
    )


def roadmap_done_before(*, assessment: Assessment) -> QuerySet[RoadmapItem]:
    """Items done in the previous assessment: the context a re-assessment starts from."""
    return RoadmapItem.objects.filter(
        assessment_id=assessment.previous_id, status=RoadmapStatus.DONE, organization=assessment.organization
    ).select_related("owner", "updated_by")


def roadmap_projections(*, assessment: Assessment, done_ids: Iterable[str]) -> dict[str, roadmap.Projection] | None:
    """The what-if in both measures, read once: ``now`` and ``projected`` (the headline: area scores and readiness
    index as scored, and projected after the roadmap, `grounded_projection`), ``self_now`` and ``self_projected``
    (the self-assessed scores alone, before inventory evidence: the results table's "Self-assessed" column and
    `StoredResult.self_index`, `roadmap.project_source`); ``None`` before scoring."""
    stored = result_for(assessment=assessment)
    if stored is None:
        return None
    framework = framework_of(assessment.framework)
    result = stored.as_scoring_result()
    done = set(done_ids)
    # The headline moves with the self-assessed score S_self (the respondents' answers only), the half of the blend
    # that done items change; the questionnaire's own score also counts the inventory's pre-filled answers, whose
    # change would be diluted (or counted where S_self does not move).
    self_now, self_then = roadmap.project_source(framework, result, ()), roadmap.project_source(framework, result, done)
    now, then = grounded_projection(stored=stored, current=self_now, projected=self_then)
    return {"now": now, "projected": then, "self_now": self_now, "self_projected": self_then}


def grounded_area_score(area: ResultArea, before: float | None, after: float | None) -> float | None:
    """The area's score as the results show it (``area.score``, the grounded one) once its self-assessed score
    ``S_self`` moves from ``before`` to ``after``: the stored score plus that change times the self-assessment's
    share of the blend (``1 - EVIDENCE_WEIGHT`` where the area has inventory evidence, 1 where it has none, 0 where
    it has evidence only), capped at 100. ``None`` for an area without a score; no change where either side is
    ``None``."""
    if area.score is None:
        return None
    change = (after - before) if before is not None and after is not None else 0.0
    if area.self_score is None and area.evidence_score is not None:
        share = 0.0
    elif area.evidence_score is not None:
        share = 1 - scoring.EVIDENCE_WEIGHT
    else:
        share = 1.0
    return min(100.0, area.score + share * change)


def grounded_projection(
    *, stored: StoredResult, current: roadmap.Projection, projected: roadmap.Projection
) -> tuple[roadmap.Projection, roadmap.Projection]:
    """The headline's numbers now (the stored area scores and readiness index: the one headline score) and
    projected after the roadmap items counted as done: each area's stored score moved by `grounded_area_score`
    from ``current`` to ``projected`` (both `roadmap.project_source` over the respondents' answers): done items
    change answers, not the inventory. As the blend is linear this is the grounded score re-scoring gives with the
    done questions answered at their targets. The index is the areas' weighted mean, as scoring computes it."""
    now: dict[str, float | None] = {}
    then: dict[str, float | None] = {}
    for area in stored.areas:
        now[area.area_id] = area.score
        then[area.area_id] = grounded_area_score(
            area, current.areas.get(area.area_id), projected.areas.get(area.area_id)
        )
    weights = {area.area_id: area.weight for area in stored.areas}

    def index(scores: dict[str, float | None]) -> float | None:
        scored = [(score, weights[key]) for key, score in scores.items() if score is not None]
        total = sum(weight for _, weight in scored)
        return sum(score * weight for score, weight in scored) / total if total else None

    return (
        roadmap.Projection(now, stored.readiness_index),
        roadmap.Projection(then, index(then) if any(then[k] != now[k] for k in now) else stored.readiness_index),
    )


ROADMAP_COLUMNS = (
    "rank",
    "phase",
    "item_id",
    "kind",
    "area",
    "area_name",
    "question",
    "title",
    "action",
    "why",
    "effort",
    "priority",
    "risk",
    "current_score",
    "target_score",
    "current_area_score",
    "expected_area_score",
    "depends_on",
    "status",
    "status_reason",
    "owner",
    "due_date",
    "in_plan",
)
"""Columns of the roadmap export (CSV, and the data exports of reports): ``area`` is the area's id (for
integrations), ``area_name`` its name in words."""


def roadmap_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The roadmap as flat rows, one per item, in execution order (for CSV and spreadsheet exports)."""
    names = {area.id: area.name or area.id for area in framework_of(assessment.framework).areas}
    return [
        {
            "rank": item.rank,
            "phase": item.get_phase_display(),
            "item_id": item.item_id,
            "kind": item.get_kind_display(),
            "area": item.area_ref,
            "area_name": names.get(item.area_ref, item.area_ref),
            "question": item.question_ref,
            "title": item.title,
            "action": item.action,
            "why": item.why,
            "effort": item.effort,
            "priority": round(item.priority, 2),
            "risk": item.risk,
            "current_score": item.current_score,
            "target_score": item.target_score,
            "current_area_score": scoring.round_score(item.current_area_score),
            "expected_area_score": scoring.round_score(item.expected_area_score),
            "depends_on": " ".join(item.depends_on),
            "status": item.get_status_display(),
            "status_reason": item.status_reason,
            "owner": item.owner.get_username() if item.owner else "",
            "due_date": item.due_date.isoformat() if item.due_date else "",
            "in_plan": item.in_plan,
        }
        for item in roadmap_of(assessment=assessment)
    ]


def question_unit(*, question: scoring.Question, currency: str = "") -> str:
    """A numeric question's unit, with the organization's reporting currency for a framework's "currency"
    ("currency/month" -> "EUR/month"); "" for other questions."""
    unit = question.numeric.unit if question.type == "numeric" and question.numeric else ""
    if currency and unit.startswith("currency"):
        return currency.upper() + unit.removeprefix("currency")
    return unit


def question_unit_shown(*, question: scoring.Question, currency: str = "") -> str:
    """A numeric question's unit as the questionnaire shows it: money by its currency's symbol ("€/month", "SEK/month"
    without one), any other unit as it is ("%", "ratio")."""
    unit = question_unit(question=question, currency=currency)
    if is_money_unit(unit):
        code, _, per = unit.partition("/")
        return (symbol_for(code) or code) + (f"/{per}" if per else "")
    return unit


_LEVEL_PREFIX = re.compile(r"^\s*(\d)\s*:\s*")


@dataclass(frozen=True)
class LevelWords:
    """A maturity level as the questionnaire offers it: the value stored, its label ("Level 3") and its
    description (the framework's text without its "3:")."""

    value: int
    label: str
    description: str

    @property
    def text(self) -> str:
        """“Level 3: A rolling forecast …”: the level as every page, conflict, report and export words it."""
        return f"{self.label}: {self.description}" if self.description else self.label


def maturity_levels(*, question: scoring.Question) -> tuple[LevelWords, ...]:
    """The levels of a maturity question in the questionnaire's words, in framework order: the value is the
    number its text begins with ("3: ..."), else its position."""
    levels = []
    for position, text in enumerate(question.levels):
        match = _LEVEL_PREFIX.match(text)
        value = int(match.group(1)) if match else position
        levels.append(LevelWords(value, f"Level {value}", text[match.end() :].strip() if match else text.strip()))
    return tuple(levels)


def answer_shown(*, question: scoring.Question, value: Any, currency: str = "") -> str:
    """An answer value as a person reads it: the level as the questionnaire words it ("Level 3: …",
    `maturity_levels`), the option's label, yes/no, or the number rounded with its unit (`inventory.facts.shown`:
    "66.7 %", "€166/month" in ``currency``, the reporting currency), for a conflict between two members' answers,
    the roadmap's *why*, reports and exports."""
    if value is None:
        return "no answer"
    if question.type == "maturity" and isinstance(value, int) and not isinstance(value, bool):
        level = next((level for level in maturity_levels(question=question) if level.value == value), None)
        if level is not None:
            return level.text
    if question.type == "yes_no":
        return "yes" if value else "no"
    if question.type == "choice":
        labels = {option.id: option.label for option in question.options}
        return labels.get(value, str(value))
    unit = question_unit(question=question, currency=currency)
    text = shown(value, unit)
    # A ratio reads as a multiple ("2,500×" the datasets), but a PUE is written bare by convention (The Green Grid).
    multiple = unit == "ratio" and question.inventory_fact != "average_pue" and not isinstance(value, str)
    return f"{text}×" if multiple else text


def scoring_status(*, assessment: Assessment) -> JobStatus | None:
    """Where the scoring of a submitted assessment stands (``config.jobs``); None for a draft (no job yet)."""
    status = assessment.status
    if status == AssessmentStatus.SCORING:
        if assessment.scoring_started is None:
            return JobStatus("scoring", jobs.QUEUED, "Waiting for a worker to score the answers…")
        return JobStatus("scoring", jobs.RUNNING, "Scoring…")
    if status == AssessmentStatus.SCORED:
        return JobStatus("scoring", jobs.SUCCEEDED, "Scored.", progress=100)
    if status == AssessmentStatus.FAILED:
        error = ErrorItem(assessment.scoring_error or "Scoring failed.", "scoring_failed")
        return JobStatus("scoring", jobs.FAILED, "Scoring failed.", error=error, retryable=True)
    return None


# --- collaboration (docs/collaboration.md) ----------------------------------------------------------------------


def assignments_of(*, assessment: Assessment) -> QuerySet[AreaAssignment]:
    """The owners of an assessment's areas and questions (one query, owners loaded)."""
    return AreaAssignment.objects.filter(assessment=assessment).select_related(
        "assessment__framework", "assignee", "assigned_by"
    )


def assigned_to(*, user: Any, organization: Organization | None) -> QuerySet[AreaAssignment]:
    """What ``user`` owns in the organization's assessments still in progress, soonest due first (one query)."""
    return (
        AreaAssignment.objects.filter(
            organization=organization, assignee_id=user.pk, assessment__status=AssessmentStatus.DRAFT
        )
        .select_related("assessment__framework", "assignee", "assigned_by")
        .order_by(F("due_date").asc(nulls_last=True), "assessment_id", "area_ref", "question_ref")
    )


def reviews_of(*, assessment: Assessment) -> dict[str, AreaReview]:
    """Area id -> its review row (an area without one is a draft); one query."""
    rows = AreaReview.objects.filter(assessment=assessment).select_related("requested_by", "reviewed_by")
    return {row.area_ref: row for row in rows}


def comments_of(*, assessment: Assessment, question_ref: str | None = None) -> QuerySet[Comment]:
    """Comments of an assessment (or of one question), oldest first, with authors and mentions (two queries)."""
    comments = Comment.objects.filter(assessment=assessment)
    if question_ref:
        comments = comments.filter(question_ref=question_ref)
    return comments.select_related("author").prefetch_related("mentions").order_by("question_ref", "created", "pk")


@dataclass(frozen=True)
class Thread:
    """A comment and its replies, oldest first."""

    comment: Comment
    replies: list[Comment]


def threads_by_question(comments: Iterable[Comment]) -> dict[str, list[Thread]]:
    """Question id -> its threads (top comments with their replies), in order."""
    replies: dict[int, list[Comment]] = defaultdict(list)
    tops: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            tops[comment.question_ref].append(comment)
        else:
            replies[comment.parent_id].append(comment)
    return {question: [Thread(top, replies[top.pk]) for top in items] for question, items in tops.items()}


@dataclass(frozen=True)
class AssignedRow:
    """One line of "assigned to me": the assessment, the area (or question) in words, its due date and review."""

    assignment: AreaAssignment
    area_name: str
    url: str


def assigned_rows(*, user: Any, organization: Organization | None, limit: int = 20) -> list[AssignedRow]:
    """What ``user`` owns, soonest due first, with each area's name and page (one query)."""
    rows = []
    for assignment in assigned_to(user=user, organization=organization)[:limit]:
        framework = framework_of(assignment.assessment.framework)
        area = framework.area(assignment.area_ref)
        url = reverse("assessments:area", args=[assignment.assessment_id, assignment.area_ref])
        rows.append(
            AssignedRow(
                assignment,
                area.name if area else assignment.area_ref,
                f"{url}#q-{assignment.question_ref}" if assignment.question_ref else url,
            )
        )
    return rows


# --- history and evidence -------------------------------------------------------------------------------------------


def answer_history(*, assessment: Assessment, question_id: str | None = None) -> list[HistoryEntry]:
    """Every change of the assessment's answers (or of one question's), newest first, in words; two queries."""
    records = Answer.history.filter(assessment_id=assessment.pk)
    if question_id is not None:
        records = records.filter(question_id=question_id)
    return history_entries(Answer, records, subject=lambda record: record.question_id, hidden=("assessment",))


def roadmap_item_history(*, item: RoadmapItem) -> list[HistoryEntry]:
    """Every change of one roadmap item (computed by rebuilds, tracked by people), newest first, in words."""
    return history_entries(RoadmapItem, pk=item.pk, hidden=("assessment", "carried_from", "updated_by"))


def evidence_of(*, assessment: Assessment) -> QuerySet[Evidence]:
    return Evidence.objects.filter(assessment=assessment).select_related("added_by").order_by("question_id", "pk")


def frameworks_newer_than(*, assessment: Assessment) -> list[Framework]:
    """The versions of the assessment's framework published after its own, newest first: what re-assessing moves
    onto (shared or the organization's own). Versions are ordered by when they were loaded, as everywhere else
    (`default_framework`, the framework lists): a version string is a name, not a number to compare.

    Older versions are not offered (re-assessing onto one drops the questions added since); the service still
    takes one named explicitly (`services.reassess_target`: the API's ``framework_version``, the preview's
    ``?framework_version=``)."""
    own = assessment.framework
    return list(
        frameworks_for(organization=assessment.organization)
        .filter(slug=own.slug, created__gt=own.created)
        .exclude(pk=own.pk)
        .order_by("-created")
    )
