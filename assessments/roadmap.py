"""InfraReady roadmap engine: turn the gaps of a scored assessment into an ordered, phased plan.

Pure Python 3.11, no Django import. The full description, with a worked example, lives in
``docs/roadmap.md``; this docstring is the summary.

Method
------
1. **Target score** of an area with target level ``L`` (1-5) is the lowest score of that level::

       target_score = 20 * (L - 1)            (level 4 -> 60, level 3 -> 40, level 1 -> 0)

2. **Gap items.** A scored question of area ``A`` yields an item (from its ``recommendation``) when

       (A.gap > 0  or  risk in {high, medium})  and  score < target_score(A)

   Questions without a recommendation, N/A and unanswered questions yield nothing.

3. **External items** (:class:`ExternalItem`: capacity shortfalls, "verify the facts first" flags, ...) are
   built by the caller and join the plan as they are. One with ``blocks_area=True`` becomes a prerequisite
   of every gap item of its area.

4. **Priority** of an item::

       priority = area_weight * question_weight * gap_points * risk_factor / effort_cost

       gap_points  = target_score - score                 (0-100)
       risk_factor = 3 high, 2 medium, 1 none
       effort_cost = 1 S, 2 M, 4 L                         (an empty effort counts as M)

   An external item uses its ``weight`` as question weight and its own ``gap_points`` and ``risk`` (area
   weight 1 without an area), unless it sets ``priority_hint``, which is then its priority.

5. **Order.** A topological order of the ``depends_on`` graph that, whenever several items are ready (all
   their prerequisites placed), takes the one with the highest priority (ties: framework order, then the order
   of the external items). A dependency on an id that is not in the plan is already satisfied and ignored. A
   cycle raises ValueError naming its ids.

6. **Phases.** Now (0-3 months), Next (3-6), Later (6-12). Items are taken in that order; each costs its
   ``effort_cost`` in units. An item goes to the earliest phase that is not earlier than the phase of any of its
   prerequisites and whose budget still has room (Now 6 units, Next 8, Later unlimited). The final list is
   sorted by (phase, position in the order), which is still a topological order.

7. **Expected effect** of an item: the area score if its question were raised to the target score, computed
   analytically. In the question's sub-area, over scored questions::

       S_sub' = (sum(w * s) - w_q * s_q + w_q * target_score) / sum(w)

   propagated to the area by the sub-area weights, ``S_area' = sum(W_sub * S_sub') / sum(W_sub)``.
   :func:`project` does the same for any set of done items, and the index is
   ``I' = sum(W_area * S_area') / sum(W_area)``. Raising a score never lowers a weighted mean; the engine
   guarantees it (a projected score is never below the current one) despite float rounding of the inputs.

Arithmetic
----------
Where a number is stored or shown, it is computed exactly (:class:`fractions.Fraction` on the shortest decimal
spelling of each float) and converted to ``float`` once at the end, as in :mod:`assessments.scoring`:

- the priority (step 4): equal priorities must compare equal, or the order of ties (step 5) would depend on
  float rounding;
- the gap points and the expected area score (step 7), shown rounded to one decimal: a float a few units in the
  last place below an exact ``x.x5`` would round the other way, and the expected score must be the what-if
  projection's (:func:`project`) to the last bit.

Floats are enough where only a comparison with a wide margin is made (which questions yield items: ``score <
target_score``, ``gap > 0``). Speed comes from not redoing work, not from dropping exactness: a result's lookups
are by id, each decimal spelling is parsed once per process, and one item's expected score re-sums only its
sub-area from its area's sums (made once per area), instead of re-scoring the whole assessment once per item
(74 questions: score + roadmap 19.6 ms -> about 3 ms).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from assessments.scoring import LEVEL_WIDTH, Area, Framework, Result, Risk
from assessments.scoring.base import _float_fraction

__all__ = [
    "DEFAULT_BUDGETS",
    "EFFORT_COST",
    "RISK_FACTOR",
    "ExternalItem",
    "Phase",
    "Projection",
    "Roadmap",
    "RoadmapItem",
    "build_roadmap",
    "effort_cost",
    "project",
    "project_source",
    "project_source_area",
    "target_score",
]

EFFORT_COST: Mapping[str, int] = {"S": 1, "M": 2, "L": 4}
"""Cost of an effort size, in units: the divisor of the priority and the consumption of a phase budget."""

RISK_FACTOR: Mapping[Risk, int] = {Risk.HIGH: 3, Risk.MEDIUM: 2, Risk.NONE: 1}
"""Multiplier of the priority by the risk of the answer."""

DEFAULT_BUDGETS: tuple[int, int] = (6, 8)
"""Effort units of the Now and Next phases; Later takes the rest."""


class Phase(StrEnum):
    """When an item is scheduled; equal to its string value (``Phase.NOW == "now"``)."""

    NOW = "now"
    NEXT = "next"
    LATER = "later"

    @property
    def index(self) -> int:
        """0 for Now, 1 for Next, 2 for Later."""
        return list(Phase).index(self)

    @property
    def label(self) -> str:
        """Display name: "Now", "Next", "Later"."""
        return self.value.title()

    @property
    def months(self) -> str:
        """Time window: "0-3", "3-6", "6-12" months."""
        return {Phase.NOW: "0-3", Phase.NEXT: "3-6", Phase.LATER: "6-12"}[self]


_PHASES = tuple(Phase)


def _exact(value: float | int) -> Fraction:
    """Exact rational of a number at its shortest decimal spelling (``1.2 -> 6/5``), remembered per value."""
    if isinstance(value, int):
        return Fraction(value)
    return _float_fraction(float(value))


def target_score(target_level: int) -> float:
    """Lowest score of the target level: ``20 * (L - 1)`` (level 4 -> 60). ValueError outside 1-5."""
    if isinstance(target_level, bool) or not isinstance(target_level, int) or not 1 <= target_level <= 5:
        raise ValueError(f"target level must be an int 1-5, got {target_level!r}")
    return float(LEVEL_WIDTH * (target_level - 1))


def effort_cost(effort: str, where: str = "item") -> int:
    """Units of an effort size: S 1, M 2, L 4; an empty effort counts as M. ValueError for anything else."""
    size = (effort or "M").strip().upper()
    if size not in EFFORT_COST:
        raise ValueError(f"{where}: effort must be S, M or L, got {effort!r}")
    return EFFORT_COST[size]


@dataclass(frozen=True)
class ExternalItem:
    """An item built outside the framework (capacity shortfall, contradiction to verify, ...).

    Priority: ``priority_hint`` if given, else ``area_weight * weight * gap_points * risk_factor / effort_cost``
    (area weight 1 when ``area_id`` is ``None``). ``blocks_area=True`` makes it a prerequisite of every gap
    item of ``area_id`` (e.g. "verify the facts first").
    """

    id: str
    title: str
    action: str = ""
    effort: str = "M"
    area_id: str | None = None
    gap_points: float = 0.0
    weight: float = 1.0
    risk: Risk = Risk.NONE
    priority_hint: float | None = None
    depends_on: tuple[str, ...] = ()
    blocks_area: bool = False
    kind: str = "external"


@dataclass(frozen=True)
class RoadmapItem:
    """One step of the roadmap, with why it is there and what it should do to its area.

    ``kind`` is "gap" (from a question) or the external item's kind. ``current_score``/``target_score`` are the
    question's (``None`` for external items). ``expected_area_score``: the area score if this item alone were
    done (equal to ``current_area_score`` for an external item). ``depends_on``: the prerequisites that are in
    the plan (ignored ones dropped). ``rank``: 1-based position in :attr:`Roadmap.items`.
    """

    id: str
    title: str
    action: str
    kind: str
    area_id: str | None
    question_id: str | None
    current_score: float | None
    target_score: float | None
    gap_points: float
    risk: Risk
    area_weight: float
    weight: float
    effort: str
    effort_cost: int
    priority: float
    current_area_score: float | None
    expected_area_score: float | None
    depends_on: tuple[str, ...]
    phase: Phase
    rank: int
    area_name: str = ""  # the area in words ("Hardware Limitations"); its id when the framework names none

    @property
    def why(self) -> str:
        """One-line reason: the question, its score against the target, its risk and its area."""
        area = self.area_name or self.area_id
        if self.question_id is None:
            return f"{self.kind}" + (f" in area {area}" if area else "")
        return (
            f"question {self.question_id} scores {self.current_score:.0f} below the target {self.target_score:.0f} "
            f"of area {area} (risk {self.risk.value})"
        )


@dataclass(frozen=True)
class Roadmap:
    """The phased plan: ``items`` in execution order (phase, then position in the priority order)."""

    items: tuple[RoadmapItem, ...]
    budgets: tuple[int, int]

    def phase(self, phase: Phase | str) -> tuple[RoadmapItem, ...]:
        """Items of one phase, in order."""
        return tuple(item for item in self.items if item.phase == Phase(phase))

    def units(self, phase: Phase | str) -> int:
        """Effort units used by one phase."""
        return sum(item.effort_cost for item in self.phase(phase))

    def item(self, item_id: str) -> RoadmapItem:
        """The item with this id; KeyError if none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Item ids in order."""
        return tuple(item.id for item in self.items)


@dataclass(frozen=True)
class Projection:
    """Scores if some items were done: ``areas`` (area id -> score or ``None``) and the readiness ``index``."""

    areas: dict[str, float | None]
    index: float | None


# --------------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------------


def _raised_in(area: Area, result: Result, done_ids: Collection[str]) -> dict[str, Fraction]:
    """Question id -> exact target score, for ``area``'s scored questions whose recommendation is done and below
    the area's target."""
    raised: dict[str, Fraction] = {}
    target = _exact(target_score(result.area(area.id).target_level))
    for question in area.questions():
        if question.recommendation is None or question.recommendation.id not in done_ids:
            continue
        score = result.question(question.id).score
        if score is not None and _exact(score) < target:
            raised[question.id] = target
    return raised


def _raised_targets(framework: Framework, result: Result, done_ids: Collection[str]) -> dict[str, Fraction]:
    """Question id -> exact target score, for the scored questions whose recommendation is done and below target."""
    raised: dict[str, Fraction] = {}
    for area in framework.areas:
        raised.update(_raised_in(area, result, done_ids))
    return raised


def _weighted_mean(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction | None:
    """``sum(w * s) / sum(w)`` over ``(s, w)`` pairs; ``None`` without pairs."""
    numerator = denominator = Fraction(0)
    for score, weight in pairs:
        numerator += weight * score
        denominator += weight
    return None if denominator == 0 else numerator / denominator


def _project(framework: Framework, result: Result, raised: Mapping[str, Fraction]) -> Projection:
    areas: dict[str, float | None] = {}
    changed = False
    for area in framework.areas:
        current = result.area(area.id).score
        if current is None or not any(q.id in raised for q in area.questions()):
            areas[area.id] = current
            continue
        changed = True
        projected = _raised_area_score(area, result, raised)
        # Mathematically projected >= current; the max only absorbs float rounding of the inputs.
        areas[area.id] = max(current, float(projected)) if projected is not None else current
    index = result.overall.index
    if changed and index is not None:
        mean = _index_of(framework, areas)
        index = max(index, float(mean)) if mean is not None else index
    return Projection(areas=areas, index=index)


def _raised_area_score(
    area: Area, result: Result, raised: Mapping[str, Fraction], source: str | None = None
) -> Fraction | None:
    """``S_area' = sum(W_sub * S_sub') / sum(W_sub)``, ``S_sub' = sum(w * s') / sum(w)`` over the area's scored
    questions (those answered from ``source`` only, when given), each at ``s' = max(s, raised target)``; exact.
    ``None`` when no question of the area counts."""
    sub_pairs: list[tuple[Fraction, Fraction]] = []
    for sub in area.subareas:
        pairs = []
        for question in sub.questions:
            answer = result.question(question.id)
            if answer.score is not None and (source is None or answer.source == source):
                exact = max(_exact(answer.score), raised.get(question.id, Fraction(0)))
                pairs.append((exact, _exact(question.weight)))
        sub_score = _weighted_mean(pairs)
        if sub_score is not None:
            sub_pairs.append((sub_score, _exact(sub.weight)))
    return _weighted_mean(sub_pairs)


def _index_of(framework: Framework, areas: Mapping[str, float | None]) -> Fraction | None:
    """``I = sum(W_area * S_area) / sum(W_area)`` over the areas with a score; exact."""
    return _weighted_mean(
        (_exact(score), _exact(area.weight)) for area in framework.areas if (score := areas[area.id]) is not None
    )


_SubareaSums = tuple[Fraction, Fraction, Fraction]
"""A sub-area's weight ``W_sub`` and, over its scored questions, ``sum(w * s)`` and ``sum(w)``, exactly."""


def _area_sums(area: Area, result: Result) -> dict[str, _SubareaSums]:
    """The exact sums of each sub-area of ``area`` (its scored questions at their current scores), by sub-area id."""
    sums: dict[str, _SubareaSums] = {}
    for sub in area.subareas:
        numerator = denominator = Fraction(0)
        for question in sub.questions:
            score = result.question(question.id).score
            if score is not None:
                weight = _exact(question.weight)
                numerator += weight * _exact(score)
                denominator += weight
        sums[sub.id] = (_exact(sub.weight), numerator, denominator)
    return sums


def _project_one(
    sums: Mapping[str, _SubareaSums], subarea_id: str, weight: float, score: float, raised_to: Fraction, current: float
) -> float:
    """The area score if one scored question (of ``subarea_id``, ``weight``, ``score``) were raised to ``raised_to``.

    The same number as :func:`_project` with that one question raised, without scoring the assessment again: only
    the question's sub-area changes, ``S_sub' = (sum(w * s) - w_q * s_q + w_q * max(s_q, t)) / sum(w)``, and the area
    is the weighted mean of its sub-areas, ``S_area' = sum(W_sub * S_sub') / sum(W_sub)``. Exact fractions, from the
    sums :func:`_area_sums` made once per area: the expected score is stored, shown rounded to one decimal beside
    the what-if projection of the same item (:func:`project`, exact), and must round the same way.
    """
    numerator = denominator = Fraction(0)
    for sub_id, (sub_weight, total, weights) in sums.items():
        if sub_id == subarea_id:
            exact = _exact(score)
            total = total + _exact(weight) * (max(exact, raised_to) - exact)
        if weights:
            numerator += sub_weight * (total / weights)
            denominator += sub_weight
    # Mathematically projected >= current; the max only absorbs float rounding of the inputs (as in _project).
    return max(current, float(numerator / denominator)) if denominator else current


def project(framework: Framework, result: Result, done_ids: Collection[str]) -> Projection:
    """Area scores and index if the items ``done_ids`` were done.

    Each done gap item raises its question to the area's target score ``20 * (L - 1)`` (if below it); then
    ``S_sub' = sum(w * s') / sum(w)``, ``S_area' = sum(W_sub * S_sub') / sum(W_sub)``,
    ``I' = sum(W_area * S_area') / sum(W_area)``. Ids of external items or unknown ids change nothing. Areas
    and the index never go down, and doing more items never lowers any of them.
    """
    _check_result(framework, result)
    return _project(framework, result, _raised_targets(framework, result, set(done_ids)))


def project_source(framework: Framework, result: Result, done_ids: Collection[str], source: str = "self") -> Projection:
    """Area scores over the answers of one ``source`` only (the respondent's, "self", by default), and the same if
    the items ``done_ids`` were done: the self-assessed area score ``S_self`` of ``score_evidence`` (which scores
    the answers whose source is "self" and leaves the inventory's to the evidence side), now and projected.

    As :func:`project`, over the scored questions answered from ``source`` (the others count as unanswered):
    ``S_sub' = sum(w * s') / sum(w)``, ``S_area' = sum(W_sub * S_sub') / sum(W_sub)`` (``None`` for an area with no
    such answer), ``I' = sum(W_area * S_area') / sum(W_area)``. A done item whose question was answered from another
    source changes nothing here. The headline what-if (``selectors.grounded_projection``) moves each grounded area
    score by ``(1 - EVIDENCE_WEIGHT)`` times the change of this score: blending is linear, so that is exactly the
    grounded score scoring gives once the done questions are answered at their targets.
    """
    _check_result(framework, result)
    raised = _raised_targets(framework, result, set(done_ids))
    areas: dict[str, float | None] = {}
    for area in framework.areas:
        mean = _raised_area_score(area, result, raised, source)
        areas[area.id] = None if mean is None else float(mean)
    index = _index_of(framework, areas)
    return Projection(areas=areas, index=None if index is None else float(index))


def project_source_area(
    framework: Framework, result: Result, area_id: str, done_ids: Collection[str], source: str = "self"
) -> float | None:
    """One area's score of :func:`project_source`, the same number, without scoring the other areas: a single
    item's effect on its own area (the roadmap's expected area score) needs no more. ``KeyError`` for an area the
    framework does not have."""
    _check_result(framework, result)
    area = framework.area(area_id)
    if area is None:
        raise KeyError(area_id)
    mean = _raised_area_score(area, result, _raised_in(area, result, set(done_ids)), source)
    return None if mean is None else float(mean)


def _check_result(framework: Framework, result: Result) -> None:
    if result.framework_id != framework.id or {a.area_id for a in result.areas} != {a.id for a in framework.areas}:
        raise ValueError(f"result of {result.framework_id} does not belong to framework {framework.id}")


# --------------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """An item before ordering and phasing."""

    id: str
    title: str
    action: str
    kind: str
    area_id: str | None
    question_id: str | None
    current_score: float | None
    target_score: float | None
    gap_points: float
    risk: Risk
    area_weight: float
    weight: float
    effort: str
    effort_cost: int
    priority: float
    current_area_score: float | None
    expected_area_score: float | None
    depends_on: tuple[str, ...]
    area_name: str = ""


def _priority(area_weight: float, weight: float, gap_points: float, risk: Risk, cost: int) -> float:
    """``area_weight * weight * gap_points * risk_factor / effort_cost``, exactly."""
    value = _exact(area_weight) * _exact(weight) * _exact(gap_points) * RISK_FACTOR[risk] / cost
    return float(value)


def _gap_drafts(framework: Framework, result: Result) -> list[_Draft]:
    drafts: list[_Draft] = []
    for area in framework.areas:
        area_result = result.area(area.id)
        target = target_score(area_result.target_level)
        sums: dict[str, _SubareaSums] | None = None  # made on the area's first item
        for question in area.questions():
            rec = question.recommendation
            qr = result.question(question.id)
            if rec is None or qr.score is None or qr.score >= target:
                continue
            if not ((area_result.gap or 0) > 0 or qr.risk in (Risk.HIGH, Risk.MEDIUM)):
                continue
            cost = effort_cost(rec.effort, f"recommendation {rec.id}")
            gap_points = float(_exact(target) - _exact(qr.score))
            if sums is None:
                sums = _area_sums(area, result)
            expected = _project_one(
                sums, qr.subarea_id, question.weight, qr.score, _exact(target), area_result.score or 0.0
            )
            drafts.append(
                _Draft(
                    id=rec.id,
                    title=rec.title or rec.id,
                    action=rec.action,
                    kind="gap",
                    area_id=area.id,
                    question_id=question.id,
                    current_score=qr.score,
                    target_score=target,
                    gap_points=gap_points,
                    risk=qr.risk,
                    area_weight=area.weight,
                    weight=question.weight,
                    effort=(rec.effort or "M").strip().upper(),
                    effort_cost=cost,
                    priority=_priority(area.weight, question.weight, gap_points, qr.risk, cost),
                    current_area_score=area_result.score,
                    expected_area_score=expected,
                    depends_on=tuple(rec.depends_on),
                    area_name=area.name or area.id,
                )
            )
    return drafts


def _external_drafts(framework: Framework, result: Result, external: Sequence[ExternalItem]) -> list[_Draft]:
    weights = {area.id: area.weight for area in framework.areas}
    names = {area.id: area.name or area.id for area in framework.areas}
    drafts: list[_Draft] = []
    for item in external:
        if item.area_id is not None and item.area_id not in weights:
            raise ValueError(f"external item {item.id}: unknown area {item.area_id}")
        if not 0 <= item.gap_points <= 100:
            raise ValueError(f"external item {item.id}: gap_points must be within 0-100, got {item.gap_points!r}")
        cost = effort_cost(item.effort, f"external item {item.id}")
        risk = Risk(item.risk)
        area_weight = 1.0 if item.area_id is None else weights[item.area_id]
        priority = (
            float(item.priority_hint)
            if item.priority_hint is not None
            else _priority(area_weight, item.weight, item.gap_points, risk, cost)
        )
        area_score = None if item.area_id is None else result.area(item.area_id).score
        drafts.append(
            _Draft(
                id=item.id,
                title=item.title,
                action=item.action,
                kind=item.kind,
                area_id=item.area_id,
                question_id=None,
                current_score=None,
                target_score=None,
                gap_points=float(item.gap_points),
                risk=risk,
                area_weight=area_weight,
                weight=item.weight,
                effort=(item.effort or "M").strip().upper(),
                effort_cost=cost,
                priority=priority,
                current_area_score=area_score,
                expected_area_score=area_score,
                depends_on=tuple(item.depends_on),
                area_name="" if item.area_id is None else names[item.area_id],
            )
        )
    return drafts


def _find_cycle(remaining: Sequence[str], prerequisites: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A dependency cycle among ``remaining`` (every one of them has an unplaced prerequisite)."""
    left = set(remaining)
    node = remaining[0]
    path: list[str] = []
    seen: dict[str, int] = {}
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(dep for dep in prerequisites[node] if dep in left)
    return [*path[seen[node] :], node]


def _order(drafts: Sequence[_Draft], prerequisites: Mapping[str, tuple[str, ...]]) -> list[_Draft]:
    """Topological order taking, among ready items, the highest priority (ties: input position)."""
    position = {draft.id: i for i, draft in enumerate(drafts)}
    by_id = {draft.id: draft for draft in drafts}
    waiting = {draft.id: len(prerequisites[draft.id]) for draft in drafts}
    dependents: dict[str, list[str]] = {draft.id: [] for draft in drafts}
    for item_id, deps in prerequisites.items():
        for dep in deps:
            dependents[dep].append(item_id)
    ready = [(-by_id[i].priority, position[i], i) for i, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered: list[_Draft] = []
    while ready:
        _, _, item_id = heapq.heappop(ready)
        ordered.append(by_id[item_id])
        for dependent in dependents[item_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (-by_id[dependent].priority, position[dependent], dependent))
    if len(ordered) < len(drafts):
        placed = {draft.id for draft in ordered}
        cycle = _find_cycle([d.id for d in drafts if d.id not in placed], prerequisites)
        raise ValueError(f"dependency cycle: {' -> '.join(cycle)}")
    return ordered


def _finish(draft: _Draft, prerequisites: tuple[str, ...], phase: Phase, rank: int) -> RoadmapItem:
    """The item of a draft, with its in-plan prerequisites, phase and rank."""
    fields = {name: getattr(draft, name) for name in _Draft.__dataclass_fields__}
    fields["depends_on"] = prerequisites
    return RoadmapItem(**fields, phase=phase, rank=rank)


def build_roadmap(
    framework: Framework,
    result: Result,
    external: Sequence[ExternalItem] = (),
    *,
    budgets: tuple[int, int] = DEFAULT_BUDGETS,
) -> Roadmap:
    """The phased roadmap of ``result`` (scored on ``framework``) plus the ``external`` items.

    Items: gap items (``(gap > 0 or risk high/medium) and score < 20 * (target_level - 1)``) and the external
    items. Priority ``area_weight * question_weight * gap_points * risk_factor / effort_cost``. Order: topological
    over ``depends_on`` (ids outside the plan ignored), highest priority first among ready items. Phases: each
    item in order goes to the earliest phase not before its prerequisites' phases with room in its budget
    (``budgets`` = units of Now and Next; Later unlimited). Raises ValueError for a dependency cycle (naming the
    ids), a duplicate item id, an unknown effort or area, or a result of another framework.
    """
    _check_result(framework, result)
    if len(budgets) != 2 or any(b < 0 for b in budgets):
        raise ValueError(f"budgets must be two units >= 0 (Now, Next), got {budgets!r}")
    drafts = _gap_drafts(framework, result) + _external_drafts(framework, result, external)
    ids = [draft.id for draft in drafts]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate roadmap item ids: {', '.join(duplicates)}")
    in_plan = set(ids)
    blockers: dict[str, list[str]] = {}
    for item in external:
        if item.blocks_area and item.area_id is not None:
            blockers.setdefault(item.area_id, []).append(item.id)
    prerequisites: dict[str, tuple[str, ...]] = {}
    for draft in drafts:
        deps = [dep for dep in draft.depends_on if dep in in_plan]
        if draft.kind == "gap" and draft.area_id is not None:
            deps += blockers.get(draft.area_id, [])
        prerequisites[draft.id] = tuple(dict.fromkeys(deps))

    ordered = _order(drafts, prerequisites)
    limits = (*budgets, None)
    used = [0, 0, 0]
    phase_of: dict[str, int] = {}
    for draft in ordered:
        p = max((phase_of[dep] for dep in prerequisites[draft.id]), default=0)
        while (limit := limits[p]) is not None and used[p] + draft.effort_cost > limit:
            p += 1
        used[p] += draft.effort_cost
        phase_of[draft.id] = p

    position = {draft.id: i for i, draft in enumerate(ordered)}
    final = sorted(ordered, key=lambda d: (phase_of[d.id], position[d.id]))
    items = tuple(
        _finish(draft, prerequisites[draft.id], _PHASES[phase_of[draft.id]], rank)
        for rank, draft in enumerate(final, start=1)
    )
    return Roadmap(items=items, budgets=(budgets[0], budgets[1]))
