"""What one PDF report says: the stored result (read as the one typed result), each area with its roadmap
actions, the roadmap, the capacity chapter and every answer."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.utils import timezone

from assessments import scoring, selectors
from assessments.models import (
    CLOSED_ROADMAP_STATUSES,
    WHOLE_ORGANIZATION_LABEL,
    Assessment,
    AssessmentStatus,
)
from assessments.results import ResultArea, ResultQuestion, StoredResult
from inventory.facts import INVENTORY_WORDS
from inventory.rounding import round_half_away

from .capacity import CapacitySection, capacity_section
from .summary import Summary, executive_summary
from .text import plural, safe_link, score_text, shorten

CLOSED_STATUSES = CLOSED_ROADMAP_STATUSES


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
class AreaSection(ResultArea):
    """An area of the stored result as the report prints it: the typed area, with its open roadmap actions."""

    actions: tuple[ActionRow, ...] = ()

    @classmethod
    def of(cls, area: ResultArea, actions: Iterable[ActionRow]) -> AreaSection:
        return cls(**{f.name: getattr(area, f.name) for f in fields(ResultArea)}, actions=tuple(actions))

    @property
    def anchor(self) -> str:
        return f"area-{self.area_id}"


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
class ReportContent:
    """Everything a PDF report prints except its charts; every score is read from ``result``."""

    organization: str
    assessment: str
    scope: str
    framework: str
    generated: datetime.datetime
    submitted_by: str
    result: StoredResult
    summary: Summary
    areas: tuple[AreaSection, ...]
    roadmap: tuple[ActionRow, ...]
    capacity: CapacitySection
    appendix: tuple[AppendixGroup, ...]
    method: dict[str, Any] = field(default_factory=dict)
    scope_label: str = WHOLE_ORGANIZATION_LABEL
    """What the assessment's evidence covers, in words ("whole organization", "Frankfurt DC")."""
    inventory_scored: tuple[str, ...] = ()
    """The scope's inventory as scored, in words ("2 sites", "44 active servers", ...)."""
    inventory_changes: tuple[str, ...] = ()
    """What changed since scoring ("accelerators: 264 then, 300 today"); empty when nothing did."""
    sign_off: str = ""
    """How the assessment was signed off, when an owner submitted it without every area approved: who overrode the
    sign-off, when, and why, as the assessment's page says it; empty when every area was approved."""

    @property
    def scored(self) -> datetime.datetime | None:
        return self.result.computed_at


class NotScored(ValueError):
    """The assessment has no stored result to report on."""


def report_content(*, assessment: Assessment, now: datetime.datetime | None = None) -> ReportContent:
    """What the report of a scored ``assessment`` says (raises `NotScored` without a stored result)."""
    result = selectors.result_for(assessment=assessment)
    if assessment.status != AssessmentStatus.SCORED or result is None:
        raise NotScored(f"“{assessment.title}” has not been scored (status: {assessment.get_status_display()}).")
    roadmap = tuple(_action_rows(assessment, {area.area_id: area.name for area in result.areas}))
    actions: dict[str, list[ActionRow]] = defaultdict(list)
    for item in roadmap:
        if item.in_plan:
            actions[item.area_id].append(item)
    areas = tuple(AreaSection.of(area, actions[area.area_id]) for area in result.areas)
    capacity = capacity_section(organization=assessment.organization, scope=assessment.analysis_scope)
    scored_inventory = getattr(getattr(assessment, "result", None), "inventory", None) or {}
    return ReportContent(
        organization=assessment.organization.name,
        assessment=assessment.title,
        scope=assessment.scope,
        framework=f"{assessment.framework.title} {assessment.framework.version}",
        generated=now or timezone.now(),
        submitted_by=assessment.submitted_by.get_username() if assessment.submitted_by else "",
        result=result,
        summary=executive_summary(
            organization=assessment.organization.name,
            result=result,
            areas=areas,
            roadmap=roadmap,
            energy=energy_lines(capacity),
            money=capacity.money,
        ),
        areas=areas,
        roadmap=roadmap,
        capacity=capacity,
        scope_label=assessment.scope_label,
        inventory_scored=inventory_words(scored_inventory),
        inventory_changes=inventory_changes(scored_inventory, capacity.inventory),
        sign_off=assessment.sign_off_override_text,
        appendix=tuple(_appendix(assessment, {q.question_id: q for q in result.questions})),
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


def inventory_words(counts: Mapping[str, Any]) -> tuple[str, ...]:
    """The inventory counts in words, in `INVENTORY_WORDS` order ("2 sites", "1,234.5 kW IT power")."""
    return tuple(
        f"{_count(counts[name])} {one if counts[name] == 1 and name != 'it_kw' else several}"
        for name, (one, several) in INVENTORY_WORDS.items()
        if name in counts
    )


def inventory_changes(scored: Mapping[str, Any], today: Mapping[str, Any]) -> tuple[str, ...]:
    """What differs between the inventory as scored and today's ("accelerators: 264 when scored, 300 today");
    nothing when a result holds no counts (scored before they were recorded) or nothing changed."""
    return tuple(
        f"{several}: {_count(scored[name])} when scored, {_count(today[name])} today"
        for name, (_, several) in INVENTORY_WORDS.items()
        if name in scored and name in today and scored[name] != today[name]
    )


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _decimals(value: float, places: int) -> str:
    """``value`` with ``places`` decimals, thousands grouped, rounded half away from zero as the tables are."""
    return f"{round_half_away(value, places):,.{places}f}"


def energy_lines(capacity: CapacitySection) -> tuple[str, ...]:
    """The scope's energy and carbon today, in sentences for the executive summary (the money's lines are
    `summary.money_lines`)."""
    if not capacity.sites:
        return ()
    # kW with one decimal, as the cover's "inventory as scored" and the chapter's table write them (24.6 kW, not 25)
    sites = len(capacity.sites)
    return (
        f"The {plural(sites, 'site')} {'draws' if sites == 1 else 'draw'} {_decimals(capacity.it_kw, 1)} kW IT power "
        f"({_decimals(capacity.facility_kw, 1)} kW at the facility; measured where telemetry gives it, else rated): "
        f"{_decimals(capacity.energy_kwh, 0)} kWh per month.",
        f"That emits {capacity.tco2:,.1f} tonnes of CO2-equivalent (tCO2e) per month at the sites' grid intensity.",
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


# --- the appendix: every answer --------------------------------------------------------------------------------------


def _appendix(assessment: Assessment, scores: Mapping[str, ResultQuestion]) -> Iterable[AppendixGroup]:
    framework = selectors.framework_of(assessment.framework)
    answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
    for area in framework.areas:
        for subarea in area.subareas:
            rows = []
            for question in subarea.questions:
                answer = answers.get(question.id)
                stored = scores.get(question.id)
                if answer is None:
                    text = "not answered"
                elif answer.not_applicable:
                    text = "not applicable"
                else:
                    text = selectors.answer_shown(
                        question=question, value=answer.value, currency=assessment.organization.reporting_currency
                    )
                rows.append(
                    AnswerRow(
                        question_id=question.id,
                        question=question.text or question.id,
                        answer=text,
                        not_applicable=bool(answer and answer.not_applicable),
                        na_reason=answer.na_reason if answer else "",
                        note=answer.notes_text if answer else "",
                        evidence_url=answer.evidence_url if answer else "",
                        evidence_link=safe_link(answer.evidence_url) if answer else "",
                        source=answer.get_source_display() if answer else "",
                        answered_by=answer.answered_by.get_username() if answer and answer.answered_by else "",
                        score=score_text(stored.score, none="—") if stored else "—",
                        risk=stored.risk if stored and stored.is_risk else "",
                    )
                )
            yield AppendixGroup(area.name or area.id, subarea.name or subarea.id, tuple(rows))
