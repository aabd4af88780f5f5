"""The roadmap's fast paths give the exact engine's numbers: one item's expected area score from its area's sums
(not a re-scoring of the whole assessment), and a result's lookups by id. Random assessments with every question
type, awkward weights and scores (0.1, 0.7, 33.3...), N/A and unanswered questions (hypothesis)."""

from __future__ import annotations

import pickle

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.roadmap import _area_sums, _exact, _project, _project_one, build_roadmap, project, target_score
from assessments.scoring import Answer, Framework, Result, score_assessment

PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
WEIGHTS = st.sampled_from([0.1, 0.5, 0.7, 1, 1.2, 1.5, 2, 3.3])
SCORES = st.sampled_from([0, 10, 12.5, 25, 33.3, 40, 47.5, 50, 66.7, 75, 99.9, 100])


@st.composite
def cases(draw: st.DrawFn) -> tuple[Framework, Result]:
    """1-4 areas of 1-3 sub-areas of 1-4 questions of any type, answered, N/A or unanswered at random."""
    areas, answers, n = [], {}, 0
    for a in range(draw(st.integers(1, 4))):
        subareas = []
        for s in range(draw(st.integers(1, 3))):
            questions = []
            for _ in range(draw(st.integers(1, 4))):
                qid = f"Q{n}"
                n += 1
                kind = draw(st.sampled_from(["maturity", "yes_no", "choice", "numeric"]))
                question = {"id": qid, "type": kind, "weight": draw(WEIGHTS), "allow_na": True}
                question["recommendation"] = {"id": f"R-{qid}", "effort": draw(st.sampled_from(["S", "M", "L"]))}
                if kind == "yes_no":
                    question["yes_score"] = draw(SCORES)
                    value = draw(st.booleans())
                elif kind == "choice":
                    scores = draw(st.lists(SCORES, min_size=2, max_size=4))
                    question["options"] = [{"id": f"o{i}", "label": f"o{i}", "score": v} for i, v in enumerate(scores)]
                    value = f"o{draw(st.integers(0, len(scores) - 1))}"
                elif kind == "numeric":
                    question["numeric"] = {"unit": "x", "full_score_at": 3.0, "zero_score_at": 0.7}
                    value = draw(st.sampled_from([0.0, 0.9, 1.1, 1.3, 2.2, 2.9, 4.0]))
                else:
                    value = draw(st.integers(0, 4))
                questions.append(question)
                state = draw(st.sampled_from(["answered", "answered", "answered", "na", "unanswered"]))
                if state == "answered":
                    answers[qid] = Answer(qid, value)
                elif state == "na":
                    answers[qid] = Answer(qid, None, not_applicable=True)
            subareas.append({"id": f"A{a}.S{s}", "weight": draw(WEIGHTS), "questions": questions})
        areas.append(
            {
                "id": f"A{a}",
                "weight": draw(WEIGHTS),
                "default_target_level": draw(st.integers(2, 5)),
                "subareas": subareas,
            }
        )
    framework = Framework.from_dict({"id": "f", "version": "1", "areas": areas})
    return framework, score_assessment(framework, answers)


@PROPERTY
@given(cases())
def test_one_item_projected_from_its_area_equals_the_exact_rescoring(case: tuple[Framework, Result]) -> None:
    framework, result = case
    for area in framework.areas:
        area_result = result.area(area.id)
        if area_result.score is None:
            continue
        target = _exact(target_score(area_result.target_level))
        sums = _area_sums(area, result)
        for question in area.questions():
            qr = result.question(question.id)
            if qr.score is None:
                continue
            fast = _project_one(sums, qr.subarea_id, question.weight, qr.score, target, area_result.score)
            exact = _project(framework, result, {question.id: target}).areas[area.id]
            assert fast == exact  # the same float: exact fractions on both sides


@PROPERTY
@given(cases())
def test_every_item_expects_what_the_what_if_projection_gives(case: tuple[Framework, Result]) -> None:
    framework, result = case
    for item in build_roadmap(framework, result).items:
        assert item.expected_area_score == project(framework, result, [item.id]).areas[item.area_id]
        assert item.expected_area_score >= item.current_area_score


@PROPERTY
@given(cases())
def test_lookups_by_id_find_what_a_scan_finds(case: tuple[Framework, Result]) -> None:
    _, result = case
    for question in (q for area in result.areas for sub in area.subareas for q in sub.questions):
        assert result.question(question.question_id) is question
    for area in result.areas:
        assert result.area(area.area_id) is area
        for sub in area.subareas:
            assert result.subarea(sub.subarea_id) is sub
    copy = pickle.loads(pickle.dumps(result))  # noqa: S301 - our own bytes; the lookups are not pickled, rebuilt
    assert copy == result
    assert "_by_id" not in copy.__dict__
    assert copy.question(result.questions[0].question_id) == result.questions[0]
