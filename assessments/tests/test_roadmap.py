"""Tests of the pure-Python roadmap engine (``assessments.roadmap``), no Django needed.

Unit tests use hand-computed numbers on small frameworks; the worked example of ``docs/roadmap.md`` is read
from the document and checked number by number; property tests (hypothesis) generate small random
frameworks, answers and dependency graphs and check the invariants the document promises.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.roadmap import (
    ExternalItem,
    Phase,
    Roadmap,
    build_roadmap,
    effort_cost,
    project,
    project_source,
    project_source_area,
    target_score,
)
from assessments.scoring import Answer, Framework, Result, Risk, score_assessment

DOC = Path(__file__).resolve().parents[2] / "docs" / "roadmap.md"
PROPERTY = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def q(qid: str, weight: float = 1.0, effort: str = "M", depends_on: tuple[str, ...] = (), **extra: Any) -> dict:
    """A maturity question dict with recommendation ``R-<qid>``."""
    rec = {"id": f"R-{qid}", "title": f"fix {qid}", "effort": effort, "depends_on": list(depends_on)}
    return {"id": qid, "type": "maturity", "weight": weight, "recommendation": rec, **extra}


def framework(*areas: dict) -> Framework:
    return Framework.from_dict({"id": "f", "version": "1", "areas": list(areas)})


def area(aid: str, *questions: dict, weight: float = 1.0, target: int = 4) -> dict:
    return {
        "id": aid,
        "weight": weight,
        "default_target_level": target,
        "subareas": [{"id": f"{aid}.s", "weight": 1, "questions": list(questions)}],
    }


def scored(fw: Framework, levels: dict[str, int]) -> Result:
    return score_assessment(fw, {qid: Answer(qid, level) for qid, level in levels.items()})


def assert_dependencies_respected(roadmap: Roadmap) -> None:
    """Every in-plan prerequisite is earlier in the list and in the same or an earlier phase."""
    position = {item.id: i for i, item in enumerate(roadmap.items)}
    for item in roadmap.items:
        for dep in item.depends_on:
            assert position[dep] < position[item.id], (dep, item.id)
            assert roadmap.item(dep).phase.index <= item.phase.index, (dep, item.id)


# --------------------------------------------------------------------------------------------------
# Worked example of docs/roadmap.md
# --------------------------------------------------------------------------------------------------


def doc_example() -> tuple[dict[str, Any], list[list[str]]]:
    text = DOC.read_text()
    block = re.search(r"<!-- roadmap-example -->\s*```json\n(.*?)```", text, re.S)
    assert block is not None
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if re.match(r"\|\s*R\d\s*\|", line)
    ]
    return json.loads(block.group(1)), rows


def test_doc_worked_example() -> None:
    data, rows = doc_example()
    fw = Framework.from_dict(data["framework"])
    result = score_assessment(fw, {k: Answer(k, v) for k, v in data["answers"].items()})
    assert result.area("compute").score == 17.5
    assert result.area("power").score == 25
    assert result.overall.index == 20

    roadmap = build_roadmap(fw, result)
    assert list(roadmap.ids) == [row[0] for row in rows]
    for row in rows:
        item = roadmap.item(row[0])
        assert item.gap_points == float(row[1])
        assert item.risk == Risk(row[2])
        assert item.effort_cost == int(row[3])
        assert item.priority == float(row[4])
        assert item.expected_area_score == float(row[5])
        assert item.phase == Phase(row[6])
    assert roadmap.item("R1").depends_on == ()  # R5 is not a gap: ignored
    assert roadmap.item("R2").depends_on == ("R4",)
    assert "R5" not in roadmap.ids

    everything = project(fw, result, roadmap.ids)
    assert everything.areas == {"compute": 60.0, "power": 45.0}
    assert everything.index == 55.0


# --------------------------------------------------------------------------------------------------
# Items and priority
# --------------------------------------------------------------------------------------------------


def test_target_score_and_effort_cost() -> None:
    assert [target_score(level) for level in range(1, 6)] == [0, 20, 40, 60, 80]
    assert [effort_cost(e) for e in ("S", "M", "L", "", "l")] == [1, 2, 4, 2, 4]
    with pytest.raises(ValueError):
        target_score(6)
    with pytest.raises(ValueError, match="XL"):
        effort_cost("XL")


def test_ranking_follows_the_priority_formula() -> None:
    fw = framework(
        area("a", q("A1", weight=2, effort="L"), q("A2", effort="S"), q("A3", weight=1.5, effort="M"), weight=2),
        area("b", q("B1", effort="S"), q("B2", effort="M"), weight=1),
    )
    result = scored(fw, {"A1": 0, "A2": 2, "A3": 1, "B1": 1, "B2": 0})
    roadmap = build_roadmap(fw, result, budgets=(100, 100))
    # target 60; A1: 2*2*60*3(high)/4 = 180; A2: 2*1*10*1/1 = 20; A3: 2*1.5*35*2(medium)/2 = 105;
    # B1: 1*1*35*1/1 = 35 (25 is not < 25, light: none); B2: 1*1*60*2(medium)/2 = 60.
    expected = {"R-A1": 180, "R-A2": 20, "R-A3": 105, "R-B1": 35, "R-B2": 60}
    assert {item.id: item.priority for item in roadmap.items} == expected
    assert roadmap.ids == ("R-A1", "R-A3", "R-B2", "R-B1", "R-A2")
    for item in roadmap.items:
        factor = {Risk.HIGH: 3, Risk.MEDIUM: 2, Risk.NONE: 1}[item.risk]
        formula = item.area_weight * item.weight * item.gap_points * factor / item.effort_cost
        assert item.priority == pytest.approx(formula)
        assert item.gap_points == item.target_score - item.current_score
    assert [item.rank for item in roadmap.items] == [1, 2, 3, 4, 5]
    why = roadmap.item("R-A1").why
    assert "A1" in why
    assert "60" in why
    assert "high" in why


def test_which_questions_become_items() -> None:
    fw = framework(
        # level 4 reached (score 62.5): no gap; A1 (25, heavy -> medium risk) is still an item, A2 (50) is not.
        area("a", q("A1", weight=1.5), q("A2"), q("A3"), q("A4"), q("A5")),
        # target level 1 (target score 0): nothing can be below it.
        area("b", q("B1"), target=1),
        # a gap, but no recommendation, an unanswered question and an N/A question.
        area("c", {"id": "C1", "type": "maturity"}, q("C2"), q("C3", allow_na=True), q("C4")),
    )
    answers = {qid: Answer(qid, level) for qid, level in {"A1": 1, "A2": 2, "A3": 4, "A4": 4, "A5": 4}.items()}
    answers |= {"B1": Answer("B1", 0), "C1": Answer("C1", 0), "C3": Answer("C3", None, not_applicable=True)}
    answers["C4"] = Answer("C4", 3)
    result = score_assessment(fw, answers)
    assert result.area("a").gap == 0
    assert result.question("A1").risk == Risk.MEDIUM
    assert build_roadmap(fw, result).ids == ("R-A1",)


def test_invalid_inputs_raise() -> None:
    fw = framework(area("a", q("A1", effort="XL")))
    with pytest.raises(ValueError, match="R-A1"):
        build_roadmap(fw, scored(fw, {"A1": 0}))
    fw = framework(area("a", q("A1")))
    result = scored(fw, {"A1": 0})
    with pytest.raises(ValueError, match="duplicate"):
        build_roadmap(fw, result, [ExternalItem("R-A1", "again")])
    with pytest.raises(ValueError, match="nowhere"):
        build_roadmap(fw, result, [ExternalItem("X", "x", area_id="nowhere")])
    other = framework(area("z", q("Z1")))
    with pytest.raises(ValueError):
        build_roadmap(other, result)
    with pytest.raises(ValueError):
        project(other, result, ())


# --------------------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------------------


def test_prerequisite_comes_first_even_with_lower_priority() -> None:
    fw = framework(area("a", q("A1", effort="L"), q("A2", weight=2, effort="S", depends_on=("R-A1",))))
    roadmap = build_roadmap(fw, scored(fw, {"A1": 2, "A2": 0}))
    assert roadmap.item("R-A2").priority > roadmap.item("R-A1").priority
    assert roadmap.ids == ("R-A1", "R-A2")
    assert_dependencies_respected(roadmap)


def test_dependent_never_in_an_earlier_phase_than_its_prerequisite() -> None:
    # R-A1, R-A2 (M, M) fill Now to 4; R-A4 (L) does not fit and goes to Next; R-A5 (S, priority 120) would
    # fit in Now but needs R-A4, so it goes to Next; R-A6 (S, priority 10) back-fills Now.
    fw = framework(
        area(
            "a",
            q("A1", weight=2, effort="M"),
            q("A2", weight=2, effort="M"),
            q("A4", effort="L"),
            q("A5", effort="S", depends_on=("R-A4",)),
            q("A6", effort="S"),
        )
    )
    roadmap = build_roadmap(fw, scored(fw, {"A1": 0, "A2": 0, "A4": 0, "A5": 0, "A6": 2}))
    assert roadmap.item("R-A5").priority > roadmap.item("R-A4").priority
    assert roadmap.item("R-A4").phase == Phase.NEXT
    assert roadmap.item("R-A5").phase == Phase.NEXT
    assert roadmap.item("R-A6").phase == Phase.NOW
    assert roadmap.ids == ("R-A1", "R-A2", "R-A6", "R-A4", "R-A5")
    assert_dependencies_respected(roadmap)


def test_dependency_outside_the_plan_is_ignored() -> None:
    fw = framework(area("a", q("A1", depends_on=("R-A2", "R-NOWHERE")), q("A2")))
    roadmap = build_roadmap(fw, scored(fw, {"A1": 0, "A2": 4}))
    assert roadmap.ids == ("R-A1",)
    assert roadmap.item("R-A1").depends_on == ()


def test_cycle_raises_naming_the_ids() -> None:
    fw = framework(
        area(
            "a",
            q("A1", depends_on=("R-A3",)),
            q("A2", depends_on=("R-A1",)),
            q("A3", depends_on=("R-A2",)),
            q("A4"),
        )
    )
    with pytest.raises(ValueError, match="cycle") as info:
        build_roadmap(fw, scored(fw, {"A1": 0, "A2": 0, "A3": 0, "A4": 0}))
    assert all(rid in str(info.value) for rid in ("R-A1", "R-A2", "R-A3"))
    assert "R-A4" not in str(info.value)


def test_self_dependency_is_a_cycle() -> None:
    fw = framework(area("a", q("A1", depends_on=("R-A1",))))
    with pytest.raises(ValueError, match="R-A1 -> R-A1"):
        build_roadmap(fw, scored(fw, {"A1": 0}))


# --------------------------------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------------------------------


def test_phases_respect_budgets() -> None:
    efforts = ["L", "M", "S", "L", "M", "S", "L", "L", "M", "S"]
    fw = framework(area("a", *(q(f"A{i}", effort=e) for i, e in enumerate(efforts))))
    roadmap = build_roadmap(fw, scored(fw, {f"A{i}": 0 for i in range(len(efforts))}))
    assert roadmap.units(Phase.NOW) <= 6
    assert roadmap.units(Phase.NEXT) <= 8
    assert sum(roadmap.units(p) for p in Phase) == sum(effort_cost(e) for e in efforts)
    assert roadmap.phase(Phase.LATER)
    phases = [item.phase.index for item in roadmap.items]
    assert phases == sorted(phases)


def test_item_larger_than_a_budget_goes_later() -> None:
    fw = framework(area("a", q("A1", effort="L"), q("A2", effort="S")))
    roadmap = build_roadmap(fw, scored(fw, {"A1": 0, "A2": 2}), budgets=(2, 3))
    assert roadmap.item("R-A1").phase == Phase.LATER
    assert roadmap.item("R-A2").phase == Phase.NOW
    assert Phase.NOW.months == "0-3"
    assert Phase.LATER.label == "Later"


# --------------------------------------------------------------------------------------------------
# External items
# --------------------------------------------------------------------------------------------------


def test_external_items() -> None:
    fw = framework(area("a", q("A1"), q("A2"), weight=2), area("b", q("B1")))
    result = scored(fw, {"A1": 0, "A2": 1, "B1": 0})
    external = [
        ExternalItem("VERIFY-a", "Verify the facts first", effort="S", area_id="a", blocks_area=True, kind="verify"),
        ExternalItem("CAP-1", "Add GPUs", effort="L", area_id="b", gap_points=50, weight=1, risk=Risk.HIGH),
        ExternalItem("HINT", "Hinted", priority_hint=1000.0, depends_on=("CAP-1",)),
    ]
    roadmap = build_roadmap(fw, result, external)
    assert roadmap.item("CAP-1").priority == 1 * 1 * 50 * 3 / 4
    assert roadmap.item("HINT").priority == 1000.0
    assert roadmap.item("HINT").depends_on == ("CAP-1",)
    assert roadmap.item("VERIFY-a").priority == 0
    for rid in ("R-A1", "R-A2"):
        assert "VERIFY-a" in roadmap.item(rid).depends_on
    assert "VERIFY-a" not in roadmap.item("R-B1").depends_on
    verify = roadmap.item("VERIFY-a")
    assert verify.kind == "verify"
    assert verify.expected_area_score == verify.current_area_score == result.area("a").score
    assert_dependencies_respected(roadmap)
    # external ids do not move any score
    assert project(fw, result, ["VERIFY-a", "CAP-1", "HINT"]).areas == {a.area_id: a.score for a in result.areas}


# --------------------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[Framework, Result]:
    """A random framework (1-3 areas, 1-2 sub-areas, 1-3 questions), acyclic random dependencies, answers."""
    weights = st.sampled_from([0.5, 1, 1.5, 2, 3])
    qids: list[str] = []
    areas = []
    for a in range(draw(st.integers(1, 3))):
        subareas = []
        for s in range(draw(st.integers(1, 2))):
            questions = []
            for _ in range(draw(st.integers(1, 3))):
                qid = f"Q{len(qids)}"
                deps = draw(st.lists(st.sampled_from(qids), max_size=3, unique=True)) if qids else []
                questions.append(
                    {
                        "id": qid,
                        "type": "maturity",
                        "weight": draw(weights),
                        "recommendation": {
                            "id": f"R-{qid}",
                            "effort": draw(st.sampled_from(["S", "M", "L", ""])),
                            "depends_on": [f"R-{d}" for d in deps],
                        },
                    }
                )
                qids.append(qid)
            subareas.append({"id": f"A{a}.S{s}", "weight": draw(weights), "questions": questions})
        areas.append(
            {
                "id": f"A{a}",
                "weight": draw(weights),
                "default_target_level": draw(st.integers(1, 5)),
                "subareas": subareas,
            }
        )
    fw = Framework.from_dict({"id": "f", "version": "1", "areas": areas})
    levels = {qid: draw(st.one_of(st.none(), st.integers(0, 4))) for qid in qids}
    answers = {qid: Answer(qid, level) for qid, level in levels.items() if level is not None}
    return fw, score_assessment(fw, answers)


@PROPERTY
@given(cases(), st.tuples(st.integers(0, 8), st.integers(0, 10)))
def test_plan_respects_dependencies_and_budgets(case: tuple[Framework, Result], budgets: tuple[int, int]) -> None:
    fw, result = case
    roadmap = build_roadmap(fw, result, budgets=budgets)
    assert_dependencies_respected(roadmap)
    assert roadmap.units(Phase.NOW) <= budgets[0]
    assert roadmap.units(Phase.NEXT) <= budgets[1]
    phases = [item.phase.index for item in roadmap.items]
    assert phases == sorted(phases)
    # every in-plan recommendation dependency is kept
    in_plan = set(roadmap.ids)
    for item in roadmap.items:
        declared = fw.question(item.question_id).recommendation.depends_on
        assert set(item.depends_on) == {dep for dep in declared if dep in in_plan}


@PROPERTY
@given(cases(), st.data())
def test_projection_never_goes_down_with_more_items(case: tuple[Framework, Result], data: st.DataObject) -> None:
    fw, result = case
    all_ids = [q.recommendation.id for q in fw.questions() if q.recommendation]
    fewer = set(data.draw(st.lists(st.sampled_from(all_ids), unique=True)))
    more = fewer | set(data.draw(st.lists(st.sampled_from(all_ids), unique=True)))
    base, small, large = project(fw, result, ()), project(fw, result, fewer), project(fw, result, more)
    assert base.areas == {a.area_id: a.score for a in result.areas}
    assert base.index == result.overall.index
    for before, after in ((base, small), (small, large)):
        for area_id, score in before.areas.items():
            if score is None:
                assert after.areas[area_id] is None
            else:
                assert after.areas[area_id] >= score
        if before.index is not None:
            assert after.index >= before.index


@PROPERTY
@given(cases())
def test_expected_effect_is_at_least_the_current_area_score(case: tuple[Framework, Result]) -> None:
    fw, result = case
    for item in build_roadmap(fw, result).items:
        assert item.current_area_score == result.area(item.area_id).score
        assert item.expected_area_score >= item.current_area_score
        assert item.expected_area_score == project(fw, result, [item.id]).areas[item.area_id]
        assert item.current_score < item.target_score
        assert item.priority > 0


@PROPERTY
@given(cases(), st.data())
def test_one_areas_projection_is_that_area_of_the_whole_projection(
    case: tuple[Framework, Result], data: st.DataObject
) -> None:
    """`project_source_area` scores one area only (the roadmap's expected area score of each gap item): the same
    number as that area of `project_source`, whatever is done."""
    fw, result = case
    all_ids = [q.recommendation.id for q in fw.questions() if q.recommendation]
    done = set(data.draw(st.lists(st.sampled_from(all_ids), unique=True))) if all_ids else set()
    whole = project_source(fw, result, done, source="self")
    for area in fw.areas:
        assert project_source_area(fw, result, area.id, done) == whole.areas[area.id]
    with pytest.raises(KeyError):
        project_source_area(fw, result, "no-such-area", done)
