"""Reads for exported reports: the reports of an organization, and everything one PDF report says.

`report_content(assessment=...)` gathers the stored result of a scored assessment (scores, answers, roadmap), the
framework's words (area names, questions, recommendations) and the current capacity analysis of the inventory,
and turns them into plain rows the PDF template prints. The executive summary is generated here from those rows:
it states only numbers the stored result holds. Charts come separately (`report_charts`), as `Chart`s from the
dashboards, so that a report and the dashboards always draw the same figures.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Organization
from assessments import scoring, selectors
from assessments.models import (
    Assessment,
    AssessmentResult,
    AssessmentStatus,
    RoadmapStatus,
    Score,
    ScoreScope,
)
from assessments.scoring import level_label, percent
from assessments.services import framework_parse
from inventory import analysis, capacity
from inventory.facts import shown

from .charts import Chart, roadmap_gantt, schedule_bars
from .models import Report

SUMMARY_ITEMS = 3
"""Strengths and gaps in the executive summary."""
TOP_ACTIONS = 5
"""Actions in the executive summary."""
WHY_LENGTH = 170
"""Characters of an action's *why* the summary quotes."""
CLOSED_STATUSES = (RoadmapStatus.DONE, RoadmapStatus.DISMISSED)


# --- lists ---------------------------------------------------------------------------------------------------------


def reports_for(*, organization: Organization | None) -> QuerySet[Report]:
    """The organization's reports, newest first, with what the list shows loaded (constant queries)."""
    return (
        Report.objects.filter(organization=organization)
        .select_related("organization", "assessment", "requested_by")
        .order_by("-created", "-pk")
    )


def scored_assessments_for(*, organization: Organization | None) -> QuerySet[Assessment]:
    """Assessments a report or a data export can be made of: the scored ones."""
    return selectors.assessments_for(organization=organization).filter(status=AssessmentStatus.SCORED)


# --- helpers -------------------------------------------------------------------------------------------------------


def score_text(score: float | None) -> str:
    """A score as the report prints it: one decimal (half away from zero), “not scored” for none."""
    rounded = scoring.round_score(score)
    return "not scored" if rounded is None else f"{rounded:.1f}"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def shorten(text: str, limit: int = WHY_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def number_text(value: Any) -> str:
    """A model figure as people read it: thousands separated, at most three decimals, powers of ten for the
    very large or very small (2.17e+20 FLOP)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if value and (abs(value) >= 1e9 or abs(value) < 1e-3):
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def safe_link(url: str) -> str:
    """``url`` when it is a plain http(s) link a reader may follow, else "" (shown as text only)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


# --- what a report says --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    question_id: str
    question: str
    fact: str
    value: str
    unit: str
    explanation: str


@dataclass(frozen=True)
class RiskRow:
    question_id: str
    question: str
    risk: str
    score: str
    recommendation: str


@dataclass(frozen=True)
class ActionRow:
    """A roadmap item as the report prints it."""

    rank: int
    item_id: str
    title: str
    action: str
    why: str
    why_short: str
    phase: str
    phase_key: str
    kind: str
    area_id: str
    area: str
    effort: str
    risk: str
    status: str
    status_key: str
    owner: str
    due_date: str
    in_plan: bool

    @property
    def is_open(self) -> bool:
        return self.in_plan and self.status_key not in CLOSED_STATUSES


@dataclass(frozen=True)
class AreaSection:
    area_id: str
    name: str
    description: str
    score: float | None
    score_text: str
    level: str
    target: str
    gap: int | None
    self_score: str
    evidence_score: str | None
    contradiction: bool
    answered_pct: int | None
    evidence_pct: int | None
    high_risks: int
    medium_risks: int
    position: int
    evidence: tuple[EvidenceRow, ...] = ()
    risks: tuple[RiskRow, ...] = ()
    actions: tuple[ActionRow, ...] = ()

    @property
    def anchor(self) -> str:
        return f"area-{self.area_id}"


@dataclass(frozen=True)
class SummaryLine:
    title: str
    text: str


@dataclass(frozen=True)
class Summary:
    headline: str
    strengths: tuple[SummaryLine, ...]
    gaps: tuple[SummaryLine, ...]
    actions: tuple[ActionRow, ...]


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    question: str
    answer: str
    not_applicable: bool
    na_reason: str
    note: str
    evidence_url: str
    evidence_link: str
    source: str
    answered_by: str
    score: str
    risk: str


@dataclass(frozen=True)
class AppendixGroup:
    area: str
    subarea: str
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True)
class SiteRow:
    name: str
    servers: int
    accelerators: int
    it_kw: float
    capacity_kw: float | None
    pue: float
    facility_kw: float
    energy_kwh: float
    cost: float | None
    currency: str
    g_per_kwh: float
    tco2: float


@dataclass(frozen=True)
class VerdictRow:
    workload: str
    kind: str
    model: str
    fits: bool
    bottleneck: str
    where: str
    meets_latency: bool | None
    reasons: tuple[str, ...]
    figures: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Assumption:
    what: str
    value: str
    source: str


@dataclass(frozen=True)
class CapacitySection:
    sites: tuple[SiteRow, ...]
    it_kw: float
    facility_kw: float
    energy_kwh: float
    tco2: float
    costs: tuple[tuple[str, float], ...]
    """Monthly energy cost per currency, never added across currencies."""
    unpriced_sites: tuple[str, ...]
    accelerators: int
    memory_gb: float
    verdicts: tuple[VerdictRow, ...]
    assumptions: tuple[Assumption, ...]


@dataclass(frozen=True)
class ReportContent:
    """Everything a PDF report prints except its charts."""

    organization: str
    assessment: str
    scope: str
    framework: str
    generated: datetime.datetime
    scored: datetime.datetime
    submitted_by: str
    index: float | None
    index_text: str
    answers_index_text: str
    level: str
    answered: int
    total: int
    contradictions: int
    high_risks: int
    medium_risks: int
    summary: Summary
    areas: tuple[AreaSection, ...]
    roadmap: tuple[ActionRow, ...]
    capacity: CapacitySection
    appendix: tuple[AppendixGroup, ...]
    method: dict[str, Any] = field(default_factory=dict)


class NotScored(ValueError):
    """The assessment has no stored result to report on."""


def report_content(*, assessment: Assessment, now: datetime.datetime | None = None) -> ReportContent:
    """What the report of a scored ``assessment`` says (raises `NotScored` without a stored result)."""
    result = selectors.result_of(assessment=assessment)
    if assessment.status != AssessmentStatus.SCORED or result is None:
        raise NotScored(f"“{assessment.title}” has not been scored (status: {assessment.get_status_display()}).")
    framework = framework_parse(assessment.framework)
    area_names = {area.id: area.name or area.id for area in framework.areas}
    questions = {question.id: question for question in framework.questions()}
    scores = list(result.scores.all())
    roadmap = tuple(_action_rows(assessment, area_names))
    areas = tuple(_area_sections(framework, result, scores, questions, roadmap))
    return ReportContent(
        organization=assessment.organization.name,
        assessment=assessment.title,
        scope=assessment.scope,
        framework=f"{assessment.framework.title} {assessment.framework.version}",
        generated=now or timezone.now(),
        scored=result.computed_at,
        submitted_by=assessment.submitted_by.get_username() if assessment.submitted_by else "",
        index=scoring.round_score(result.readiness_index),
        index_text=score_text(result.readiness_index),
        answers_index_text=score_text(result.answers_index),
        level=level_label(result.level),
        answered=result.answered,
        total=result.total,
        contradictions=result.contradictions,
        high_risks=result.high_risks,
        medium_risks=result.medium_risks,
        summary=executive_summary(
            organization=assessment.organization.name, result=result, areas=areas, roadmap=roadmap
        ),
        areas=areas,
        roadmap=roadmap,
        capacity=capacity_section(organization=assessment.organization),
        appendix=tuple(_appendix(assessment, framework, scores)),
        method={
            "evidence_weight": scoring.EVIDENCE_WEIGHT,
            "evidence_weight_pct": round(100 * scoring.EVIDENCE_WEIGHT),
            "contradiction_threshold": round(scoring.CONTRADICTION_THRESHOLD),
            "levels": [
                (level.value, level.label, round(level.lower), round(level.upper)) for level in scoring.MaturityLevel
            ],
            "maturity_step": scoring.MATURITY_STEP,
        },
    )


def _action_rows(assessment: Assessment, area_names: Mapping[str, str]) -> Iterable[ActionRow]:
    for item in selectors.roadmap_of(assessment=assessment):
        yield ActionRow(
            rank=item.rank,
            item_id=item.item_id,
            title=item.title,
            action=item.action,
            why=item.why,
            why_short=shorten(item.why),
            phase=item.get_phase_display(),
            phase_key=item.phase,
            kind=item.get_kind_display(),
            area_id=item.area_ref,
            area=area_names.get(item.area_ref, item.area_ref),
            effort=item.effort,
            risk=item.risk,
            status=item.get_status_display(),
            status_key=item.status,
            owner=item.owner.get_username() if item.owner else "",
            due_date=item.due_date.isoformat() if item.due_date else "",
            in_plan=item.in_plan,
        )


def _area_sections(
    framework: scoring.Framework,
    result: AssessmentResult,
    scores: list[Score],
    questions: Mapping[str, scoring.Question],
    roadmap: tuple[ActionRow, ...],
) -> Iterable[AreaSection]:
    by_area: dict[str, Score] = {s.ref: s for s in scores if s.scope == ScoreScope.AREA}
    risks: dict[str, list[tuple[int, int, RiskRow]]] = defaultdict(list)
    for s in scores:
        if s.scope == ScoreScope.QUESTION and s.risk in ("high", "medium"):
            question = questions.get(s.ref)
            recommendation = question.recommendation if question else None
            row = RiskRow(
                question_id=s.ref,
                question=question.text if question else s.ref,
                risk=s.risk,
                score=score_text(s.score),
                recommendation=recommendation.title if recommendation and recommendation.title else "",
            )
            risks[s.area_ref].append((0 if s.risk == "high" else 1, s.position, row))
    actions: dict[str, list[ActionRow]] = defaultdict(list)
    for item in roadmap:
        if item.in_plan:
            actions[item.area_id].append(item)
    for position, area in enumerate(framework.areas):
        stored = by_area.get(area.id)
        details = stored.details if stored else {}
        confidence = details.get("confidence", {})
        evidence_score = details.get("evidence_score")
        yield AreaSection(
            area_id=area.id,
            name=area.name or area.id,
            description=area.description,
            score=scoring.round_score(stored.score) if stored else None,
            score_text=score_text(stored.score if stored else None),
            level=level_label(stored.level if stored else None),
            target=level_label(stored.target_level if stored else None),
            gap=details.get("gap"),
            self_score=score_text(details.get("self_score")),
            evidence_score=None if evidence_score is None else score_text(evidence_score),
            contradiction=bool(details.get("contradiction")),
            answered_pct=percent(confidence.get("answered_share")),
            evidence_pct=percent(confidence.get("evidence_share")),
            high_risks=details.get("high_risks", 0),
            medium_risks=details.get("medium_risks", 0),
            position=position,
            evidence=tuple(_evidence_rows(details.get("evidence", []), result.facts, questions)),
            risks=tuple(row for _, _, row in sorted(risks[area.id], key=lambda entry: entry[:2])),
            actions=tuple(actions[area.id]),
        )


def _evidence_rows(
    evidence: list[dict[str, Any]], facts: Mapping[str, Any], questions: Mapping[str, scoring.Question]
) -> Iterable[EvidenceRow]:
    """The inventory facts behind an area's evidence score, as they were when it was scored."""
    for item in evidence:
        fact = facts.get(item.get("fact", ""), {})
        question = questions.get(item.get("question", ""))
        value = fact.get("value", item.get("value"))
        yield EvidenceRow(
            question_id=item.get("question", ""),
            question=question.text if question else item.get("question", ""),
            fact=item.get("fact", ""),
            value="" if value is None else shown(value),
            unit=fact.get("unit", ""),
            explanation=fact.get("explanation", ""),
        )


# --- the executive summary -----------------------------------------------------------------------------------------


def _levels_short(gap: int) -> str:
    return "one level" if gap == 1 else f"{gap} levels"


def _strength(area: AreaSection) -> SummaryLine:
    if area.gap == 0:
        against = f"meets its target {area.target}"
    elif area.gap:
        against = f"{_levels_short(area.gap)} below its target {area.target}"
    else:
        against = f"target {area.target}"
    return SummaryLine(area.name, f"scores {area.score_text} of 100, level {area.level}; {against}.")


def _gap(area: AreaSection) -> SummaryLine:
    if area.gap:
        text = (
            f"scores {area.score_text}, level {area.level}: {_levels_short(area.gap)} below its target {area.target}."
        )
    else:
        text = (
            f"scores {area.score_text}, level {area.level}: among the lowest areas (its target {area.target} is met)."
        )
    risks = []
    if area.high_risks:
        risks.append(plural(area.high_risks, "high risk"))
    if area.medium_risks:
        risks.append(plural(area.medium_risks, "medium risk"))
    if risks:
        text += f" {' and '.join(risks).capitalize()} among its answers."
    if area.contradiction:
        text += " Its answers and the inventory disagree: verify them first."
    return SummaryLine(area.name, text)


def executive_summary(
    *, organization: str, result: AssessmentResult, areas: Iterable[AreaSection], roadmap: Iterable[ActionRow]
) -> Summary:
    """Plain words from the stored result: the index, three strengths (highest area scores), three gaps (largest
    gaps to target, then the lowest scores) and the first five open roadmap items in plan order."""
    scored = [area for area in areas if area.score is not None]
    strengths = sorted(scored, key=lambda area: (-area.score, area.position))[:SUMMARY_ITEMS]
    gaps = sorted((a for a in scored if a.gap), key=lambda area: (-area.gap, area.score, area.position))
    chosen = {area.area_id for area in gaps[:SUMMARY_ITEMS]}
    strong = {area.area_id for area in strengths}
    lowest = sorted(scored, key=lambda area: (area.score, area.position))
    for candidates in ([a for a in lowest if a.area_id not in strong], lowest):
        for area in candidates:
            if len(gaps) >= SUMMARY_ITEMS or len(chosen) >= len(scored):
                break
            if area.area_id not in chosen:
                gaps.append(area)
                chosen.add(area.area_id)
    index = score_text(result.readiness_index)
    headline = (
        f"{organization}'s readiness index is {index} out of 100: maturity level {level_label(result.level)}. "
        f"{result.answered} of {result.total} questions were answered; the answers carry "
        f"{plural(result.high_risks, 'high risk')} and {plural(result.medium_risks, 'medium risk')}."
    )
    if result.contradictions:
        headline += (
            f" In {plural(result.contradictions, 'area')} the self-assessment and the inventory's evidence differ by "
            f"more than {round(scoring.CONTRADICTION_THRESHOLD)} points."
        )
    return Summary(
        headline=headline,
        strengths=tuple(_strength(area) for area in strengths),
        gaps=tuple(_gap(area) for area in gaps[:SUMMARY_ITEMS]),
        actions=tuple(item for item in roadmap if item.is_open)[:TOP_ACTIONS],
    )


# --- capacity, energy, cost and carbon ------------------------------------------------------------------------------


def capacity_section(*, organization: Organization) -> CapacitySection:
    """The capacity analysis of the organization's inventory today, with its assumptions and sources."""
    summary = analysis.analyse(organization=organization)
    sites = tuple(
        SiteRow(
            name=f.site.name,
            servers=f.servers,
            accelerators=f.accelerators,
            it_kw=f.it_power_kw,
            capacity_kw=f.power_capacity_kw,
            pue=f.pue,
            facility_kw=f.footprint.facility_power_kw,
            energy_kwh=f.footprint.energy_kwh_per_month,
            cost=f.footprint.cost_per_month if f.price_per_kwh is not None else None,
            currency=f.currency,
            g_per_kwh=f.g_per_kwh,
            tco2=f.footprint.tco2_per_month,
        )
        for f in summary.sites
    )
    costs: dict[str, float] = defaultdict(float)
    for site in sites:
        if site.cost is not None:
            costs[site.currency] += site.cost
    verdicts = tuple(
        VerdictRow(
            workload=v.workload.name,
            kind=v.workload.get_kind_display(),
            model=str(v.workload.model_profile),
            fits=v.fits,
            bottleneck=(v.bottleneck or "").replace("_", " "),
            where=v.pool.label if v.pool else "",
            meets_latency=v.meets_latency,
            reasons=tuple(v.reasons),
            figures=tuple({**f, "shown": number_text(f["value"])} for f in analysis.verdict_figures(v)),
        )
        for v in summary.verdicts
    )
    return CapacitySection(
        sites=sites,
        it_kw=summary.total.it_power_kw,
        facility_kw=summary.total.facility_power_kw,
        energy_kwh=summary.total.energy_kwh_per_month,
        tco2=summary.total.tco2_per_month,
        costs=tuple(sorted(costs.items())),
        unpriced_sites=tuple(site.name for site in sites if site.cost is None),
        accelerators=summary.accelerators,
        memory_gb=summary.memory_gb,
        verdicts=verdicts,
        assumptions=ASSUMPTIONS,
    )


ASSUMPTIONS = (
    Assumption(
        "Server power",
        "the server's recorded power, else accelerator TDP x "
        f"{capacity.DEFAULT_SERVER_OVERHEAD_FACTOR:.2f} for the rest of the server",
        analysis.SOURCES["overhead"],
    ),
    Assumption(
        "Load",
        f"full rated power, {capacity.HOURS_PER_MONTH:.0f} hours a month: an upper bound",
        "8,760 hours a year / 12",
    ),
    Assumption("Facility power", "IT power x the site's PUE", analysis.SOURCES["pue"]),
    Assumption(
        "Carbon",
        "energy x the grid intensity of the site's country (or its contract's figure); operational, location-based",
        analysis.SOURCES["grid"],
    ),
    Assumption(
        "Cost",
        "energy x the site's electricity price, in the site's currency; currencies are never added",
        "energy only: no hardware depreciation, staff, software or facility rent",
    ),
    Assumption("Serving", "memory, latency and throughput per replica", analysis.SOURCES["serving"]),
    Assumption("Training", "compute, memory and time to train", analysis.SOURCES["training"]),
)


# --- the appendix: every answer --------------------------------------------------------------------------------------


def _appendix(assessment: Assessment, framework: scoring.Framework, scores: list[Score]) -> Iterable[AppendixGroup]:
    answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
    question_scores = {s.ref: s for s in scores if s.scope == ScoreScope.QUESTION}
    for area in framework.areas:
        for subarea in area.subareas:
            rows = []
            for question in subarea.questions:
                answer = answers.get(question.id)
                stored = question_scores.get(question.id)
                if answer is None:
                    text = "not answered"
                elif answer.not_applicable:
                    text = "not applicable"
                else:
                    text = selectors.answer_shown(question=question, value=answer.value)
                    if question.type == "numeric" and question.numeric and question.numeric.unit:
                        text = f"{text} {question.numeric.unit}"
                rows.append(
                    AnswerRow(
                        question_id=question.id,
                        question=question.text or question.id,
                        answer=text,
                        not_applicable=bool(answer and answer.not_applicable),
                        na_reason=answer.na_reason if answer else "",
                        note=answer.note if answer else "",
                        evidence_url=answer.evidence_url if answer else "",
                        evidence_link=safe_link(answer.evidence_url) if answer else "",
                        source=answer.get_source_display() if answer else "",
                        answered_by=answer.answered_by.get_username() if answer and answer.answered_by else "",
                        score=score_text(stored.score) if stored and stored.score is not None else "—",
                        risk=stored.risk if stored and stored.risk in ("high", "medium") else "",
                    )
                )
            yield AppendixGroup(area.name or area.id, subarea.name or subarea.id, tuple(rows))


# --- charts ----------------------------------------------------------------------------------------------------------

ASSESSMENT_CHARTS = ("indicator", "radar", "area_bars", "heatmap", "self_vs_evidence", "answers_by_source", "gantt")
INVENTORY_CHARTS = ("accelerators", "capacity", "power", "energy")


GANTT_ROWS_PER_CHART = 30
"""Roadmap items per timeline chart in a PDF: a longer roadmap is drawn as several charts (``gantt``,
``gantt_2``, ...), each a page at most, instead of one chart squeezed into a page."""


def report_charts(*, assessment: Assessment) -> dict[str, Chart]:
    """The dashboards' charts of the assessment and of the organization's inventory (the same figure functions,
    so that the report and the pages agree): keys of `ASSESSMENT_CHARTS` and `INVENTORY_CHARTS`, the timeline
    split by `GANTT_ROWS_PER_CHART`."""
    from . import dashboards  # the dashboards import this app's selectors: import at call time

    charts = dict(dashboards.assessment_charts(assessment=assessment))
    charts.update(dashboards.inventory_charts(organization=assessment.organization))
    parts = gantt_parts(assessment=assessment)
    if parts:
        del charts["gantt"]
        charts.update({"gantt" if n == 1 else f"gantt_{n}": part for n, part in enumerate(parts, start=1)})
    return charts


def gantt_parts(*, assessment: Assessment, rows: int = GANTT_ROWS_PER_CHART) -> list[Chart]:
    """The roadmap timeline in charts of at most ``rows`` items, scheduled together (the same months as the
    dashboard's one chart); [] when one chart holds them all."""
    from . import selectors as dashboard_selectors

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


# --- rows of the data exports ----------------------------------------------------------------------------------------

SCORE_COLUMNS = (
    "scope",
    "area",
    "subarea",
    "ref",
    "name",
    "score",
    "level",
    "level_name",
    "target_level",
    "gap",
    "weight",
    "risk",
    "self_score",
    "evidence_score",
    "contradiction",
    "status",
    "source",
    "answered_share",
    "evidence_share",
)
"""Columns of the scores export: one row per area, sub-area and question, in framework order."""

ANSWER_COLUMNS = (
    "question_id",
    "area",
    "subarea",
    "question",
    "type",
    "value",
    "answer",
    "not_applicable",
    "na_reason",
    "note",
    "evidence_url",
    "source",
    "answered_by",
    "updated",
)
"""Columns of the answers export: one row per question of the framework, answered or not."""


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def score_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The stored scores of an assessment as flat rows (none before it is scored)."""
    result = selectors.result_of(assessment=assessment)
    if result is None:
        return []
    framework = framework_parse(assessment.framework)
    names: dict[str, str] = {}
    subarea_of: dict[str, str] = {}
    for area in framework.areas:
        names[area.id] = area.name or area.id
        for subarea in area.subareas:
            names[subarea.id] = subarea.name or subarea.id
            for question in subarea.questions:
                names[question.id] = question.text or question.id
                subarea_of[question.id] = subarea.id
    rows = []
    for s in result.scores.all():
        details = s.details or {}
        confidence = details.get("confidence", {})
        rows.append(
            {
                "scope": s.scope,
                "area": s.area_ref,
                "subarea": s.ref if s.scope == ScoreScope.SUBAREA else subarea_of.get(s.ref, ""),
                "ref": s.ref,
                "name": names.get(s.ref, s.ref),
                "score": scoring.round_score(s.score),
                "level": s.level,
                "level_name": scoring.MaturityLevel(s.level).label if s.level else "",
                "target_level": s.target_level,
                "gap": details.get("gap"),
                "weight": s.weight,
                "risk": s.risk,
                "self_score": scoring.round_score(details.get("self_score")),
                "evidence_score": scoring.round_score(details.get("evidence_score")),
                "contradiction": details.get("contradiction") if s.scope == ScoreScope.AREA else None,
                "status": details.get("status", ""),
                "source": details.get("source") or "",
                "answered_share": _round(confidence.get("answered_share"), 3),
                "evidence_share": _round(confidence.get("evidence_share"), 3),
            }
        )
    return rows


def answer_rows(*, assessment: Assessment) -> list[dict[str, Any]]:
    """Every question of the assessment's framework with its answer, note, evidence link, source and author."""
    framework = framework_parse(assessment.framework)
    answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
    rows = []
    for area in framework.areas:
        for subarea in area.subareas:
            for question in subarea.questions:
                answer = answers.get(question.id)
                shown_answer = ""
                if answer is not None and not answer.not_applicable:
                    shown_answer = selectors.answer_shown(question=question, value=answer.value)
                rows.append(
                    {
                        "question_id": question.id,
                        "area": area.id,
                        "subarea": subarea.id,
                        "question": question.text,
                        "type": question.type,
                        "value": None if answer is None else answer.value,
                        "answer": shown_answer,
                        "not_applicable": bool(answer and answer.not_applicable),
                        "na_reason": answer.na_reason if answer else "",
                        "note": answer.note if answer else "",
                        "evidence_url": answer.evidence_url if answer else "",
                        "source": answer.source if answer else "",
                        "answered_by": answer.answered_by.get_username() if answer and answer.answered_by else "",
                        "updated": answer.updated.isoformat() if answer else "",
                    }
                )
    return rows
