"""The executive summary of a report: plain words from the stored result, stating only numbers it holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from assessments import scoring
from assessments.results import ResultArea, StoredResult
from assessments.scoring import level_label
from inventory.analysis import CostSummary
from inventory.money import MoneyTotal, format_money

from .text import plural, score_text

SUMMARY_ITEMS = 3
"""Strengths and gaps in the executive summary."""
TOP_ACTIONS = 3
"""Actions in the executive summary (with their owners)."""


class Action(Protocol):
    """A roadmap item as the summary lists it (`content.ActionRow`)."""

    @property
    def is_open(self) -> bool: ...

    @property
    def risk(self) -> str: ...


@dataclass(frozen=True)
class SummaryLine:
    title: str
    text: str


@dataclass(frozen=True)
class Summary:
    headline: str
    strengths: tuple[SummaryLine, ...]
    gaps: tuple[SummaryLine, ...]
    actions: tuple[Any, ...]
    unconfirmed: tuple[SummaryLine, ...] = ()
    """Areas that meet their target with evidence but rest on part of their questions: not strengths, said so."""
    energy: tuple[str, ...] = ()
    """Energy and carbon of the assessment's scope, in sentences."""
    money: tuple[SummaryLine, ...] = ()
    """Total cost of ownership per month, cost per million tokens, build versus rent (`money_lines`)."""


def _levels_short(gap: int) -> str:
    return "one level" if gap == 1 else f"{gap} levels"


def _strength(area: ResultArea) -> SummaryLine:
    """A strength (`ResultArea.is_strength`: fully answered, its target met, backed by evidence) in words."""
    evidence = f"; the inventory's evidence gives {area.evidence_score_text}" if area.evidence_score is not None else ""
    text = f"scores {area.score_text} of 100, level {area.level_name}; meets its target {area.target_name}{evidence}."
    if area.contradiction:  # as a gap says it: the blend meets the target, but its two halves disagree
        text += " Its answers and the inventory disagree: verify them first."
    return SummaryLine(area.name, text)


def _scores(area: ResultArea, of_100: str = "") -> str:
    """ "scores 35.0", with how many of its questions the score rests on when not all ("scores 100.0 from 1 of 8
    questions")."""
    basis = f" {area.basis_text}" if area.basis_text else ""
    return f"scores {area.score_text}{of_100}{basis}"


def _unconfirmed(area: ResultArea) -> SummaryLine:
    """An area that would be a strength but for its unanswered questions, in words."""
    unanswered = area.confidence.total - area.confidence.answered
    return SummaryLine(
        area.name,
        f"{_scores(area, ' of 100')} and meets its target {area.target_name}; "
        f"not a strength until its {plural(unanswered, 'other question')} {'is' if unanswered == 1 else 'are'} "
        "answered.",
    )


def _gap(area: ResultArea) -> SummaryLine:
    scores = f"{_scores(area)}, level {area.level_name}"
    text = f"{scores}: {_levels_short(area.gap or 0)} below its target {area.target_name}."
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


def _total_text(total: MoneyTotal, per: str) -> str:
    """A total as the summary states it, ``per`` after the amount: one currency as it is; several converted with
    their rates, or each currency's amount when a rate is missing (never their sum)."""
    if not total.mixed:
        return f"{total.amounts_text} {per}"
    if total.converted is None:
        return f"{total.amounts_text} {per} (no rate for {', '.join(total.missing)}, so no total in {total.currency})"
    converted = format_money(total.converted, total.currency)
    return f"{converted} {per} ({total.amounts_text}, converted at {total.rates_text})"


def _times(value: float) -> str:
    return f"{value:,.1f}x"


def money_lines(money: CostSummary | None) -> tuple[SummaryLine, ...]:
    """The scope's money in three lines, each only when its figures exist: the total cost of ownership per month
    (what it includes, its conversion) with the cost per accelerator-hour; the cost per million output tokens of
    the served workloads; build versus rent over the workloads with both prices (how many are cheaper on own
    hardware, and the range of rent over own). Every amount is the capacity chapter's, in its currency."""
    if money is None or not money.sites:
        return ()
    lines = []
    included = ", ".join(money.included).lower() or "no cost line recorded"
    tco = f"{_total_text(money.total, 'per month')}, including {included}."
    if money.per_accelerator_hour is not None:
        tco += (
            f" That is {format_money(money.per_accelerator_hour, money.currency)} per accelerator-hour over "
            f"{plural(money.accelerators, 'accelerator')}."
        )
    lines.append(SummaryLine("Total cost of ownership", tco))
    if money.per_million_tokens is not None:
        lines.append(
            SummaryLine(
                "Cost per million tokens",
                f"{format_money(money.per_million_tokens, money.currency)} per million output tokens of the served "
                "workloads, on the organization's own hardware at its total cost of ownership.",
            )
        )
    compared = [w for w in money.workloads if w.comparison is not None]
    if compared:
        own = [w for w in compared if w.comparison.cheaper == "own"]
        rent = [w for w in compared if w.comparison.cheaper == "rent"]
        ratios = sorted(r for w in compared if (r := w.comparison.rent_over_own) is not None)
        text = f"Own hardware costs less than renting the same GPU-hours for {len(own)} of {len(compared)} workloads"
        if ratios:
            text += (
                f"; renting costs {_times(ratios[0])} the own cost"
                if len(ratios) == 1 or round(ratios[0], 1) == round(ratios[-1], 1)
                else f"; renting costs from {_times(ratios[0])} to {_times(ratios[-1])} the own cost"
            )
        text += "."
        if rent:
            text += f" Renting is cheaper for {', '.join(w.verdict.workload.name for w in rent)}."
        left = [w.verdict.workload.name for w in money.workloads if w.comparison is None]
        if left:  # "2 of 2 workloads" read as all of them when a third had no price to compare
            text += (
                f" Not compared ({plural(len(left), 'workload')} of the {len(money.workloads)}, without both an own "
                f"cost and a rent price): {', '.join(left)}."
            )
        lines.append(SummaryLine("Build or rent", text))
    return tuple(lines)


def executive_summary(
    *,
    organization: str,
    result: StoredResult,
    areas: Iterable[ResultArea],
    roadmap: Iterable[Action],
    energy: tuple[str, ...] = (),
    money: CostSummary | None = None,
) -> Summary:
    """Plain words from the stored result (`results.StoredResult`), one page for a board member: the index and
    level; three strengths, the highest-scoring areas that are strengths by `ResultArea.is_strength`: **every
    question answered**, **at or above their target** and **backed by inventory evidence** (an area below its
    target, with no evidence, or resting on part of its questions is never a strength); ``unconfirmed``, the areas
    that are all that but for unanswered questions, each saying how many of its questions its score rests on;
    three gaps, the largest gaps **below target** (an area whose target is met is never a gap; a partly answered
    one stays, its score saying "from 1 of 8 questions"); ``money`` (the capacity section's costs, in
    `money_lines`); ``energy`` (the capacity section's energy and carbon lines); the first three open roadmap items
    in plan order with their owners. Areas are compared by their scores as shown (one decimal), ties in framework
    order."""
    scored = [area for area in areas if area.shown_score is not None]
    by_score = sorted(scored, key=lambda area: (-area.shown_score, area.position))
    strengths = [area for area in by_score if area.is_strength][:SUMMARY_ITEMS]
    unconfirmed = [area for area in by_score if area.meets_target_on_evidence and not area.fully_answered]
    gaps = sorted((a for a in scored if a.gap), key=lambda area: (-area.gap, area.shown_score, area.position))
    index = score_text(result.readiness_index)
    headline = (
        f"{organization}'s readiness index is {index} out of 100: maturity level {level_label(result.level)}. "
        f"{result.answered} of {result.total} questions were answered; the answers carry "
        f"{plural(result.high_risks, 'high risk')} and {plural(result.medium_risks, 'medium risk')}."
    )
    roadmap = list(roadmap)
    high_items = sum(1 for item in roadmap if item.is_open and item.risk == "high")
    if high_items:  # the roadmap's risks include the inventory's (capacity, evidence), which no answer carries
        headline += (
            f" The roadmap has {plural(high_items, 'open high-risk item')}, counting those the inventory raises as "
            "well as the answers'."
        )
    expired = result.expired_evidence_text
    if expired:
        headline += f" {expired.capitalize()}: the confidence in the answers is {result.confidence_pct}%."
    if result.contradictions:
        headline += (
            f" In {plural(result.contradictions, 'area')} the self-assessment and the inventory's evidence differ by "
            f"more than {round(scoring.CONTRADICTION_THRESHOLD)} points."
        )
    return Summary(
        headline=headline,
        strengths=tuple(_strength(area) for area in strengths),
        unconfirmed=tuple(_unconfirmed(area) for area in unconfirmed[:SUMMARY_ITEMS]),
        gaps=tuple(_gap(area) for area in gaps[:SUMMARY_ITEMS]),
        actions=tuple(item for item in roadmap if item.is_open)[:TOP_ACTIONS],
        energy=tuple(energy),
        money=money_lines(money),
    )
