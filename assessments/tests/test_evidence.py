"""Evidence blending: the self-assessment of an area checked against what the inventory facts say."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring

FRAMEWORK = scoring.Framework.from_dict(
    {
        "id": "t",
        "version": "1",
        "areas": [
            {
                "id": "energy",
                "weight": 2,
                "subareas": [
                    {
                        "id": "energy.cost",
                        "questions": [
                            {"id": "PUE", "type": "numeric", "numeric": {"full_score_at": 1.2, "zero_score_at": 2.0}},
                            {"id": "PLAN", "type": "maturity"},
                        ],
                    }
                ],
            },
            {
                "id": "talent",
                "weight": 1,
                "subareas": [{"id": "talent.skills", "questions": [{"id": "SKILLS", "type": "maturity"}]}],
            },
        ],
    }
)


def answers(**values) -> dict[str, scoring.Answer]:
    return {key: scoring.Answer(key, value) for key, value in values.items()}


def test_an_area_with_facts_blends_half_and_half_and_flags_a_contradiction():
    result = scoring.score_evidence(FRAMEWORK, answers(PLAN=4, SKILLS=2), {"PUE": 2.0})
    energy = result.area("energy")
    assert (energy.self_score, energy.evidence_score, energy.score) == (100.0, 0.0, 50.0)
    assert energy.contradiction is True
    assert energy.evidence_questions == ("PUE",)
    talent = result.area("talent")
    assert (talent.self_score, talent.evidence_score, talent.score, talent.contradiction) == (50.0, None, 50.0, False)
    assert result.index == 50.0  # (2 * 50 + 1 * 50) / 3


def test_exactly_thirty_points_apart_is_no_contradiction():
    # PUE 1.44 scores 70; PLAN level 4 scores 100: 30 apart, not more
    energy = scoring.score_evidence(FRAMEWORK, answers(PLAN=4), {"PUE": 1.44}).area("energy")
    assert (energy.self_score, energy.evidence_score, energy.contradiction) == (100.0, 70.0, False)


def test_inventory_answers_do_not_count_as_self_assessment():
    given_answers = {"PUE": scoring.Answer("PUE", 1.2, source="inventory"), "PLAN": scoring.Answer("PLAN", 0)}
    energy = scoring.score_evidence(FRAMEWORK, given_answers, {"PUE": 1.2}).area("energy")
    assert (energy.self_score, energy.evidence_score) == (0.0, 100.0)


def test_evidence_alone_scores_an_area():
    energy = scoring.score_evidence(FRAMEWORK, {}, {"PUE": 1.6}).area("energy")
    assert (energy.self_score, energy.evidence_score, energy.score) == (None, 50.0, 50.0)


def test_a_fact_its_question_cannot_take_is_refused():
    with pytest.raises(ValueError, match="PLAN"):
        scoring.score_evidence(FRAMEWORK, {}, {"PLAN": 9})


@given(
    plan=st.integers(0, 4),
    skills=st.integers(0, 4),
    pue=st.floats(1.0, 3.0, allow_nan=False),
)
def test_the_blend_lies_between_its_parts_and_the_index_between_the_areas(plan, skills, pue):
    result = scoring.score_evidence(FRAMEWORK, answers(PLAN=plan, SKILLS=skills), {"PUE": pue})
    energy = result.area("energy")
    low, high = sorted([energy.self_score, energy.evidence_score])
    assert low <= energy.score <= high
    assert energy.contradiction == (abs(energy.self_score - energy.evidence_score) > 30)
    scores = [a.score for a in result.areas]
    assert min(scores) <= result.index <= max(scores)


@given(pue=st.floats(1.0, 3.0, allow_nan=False), better=st.floats(0.0, 1.0, allow_nan=False))
def test_better_evidence_never_lowers_the_grounded_score(pue, better):
    worse = scoring.score_evidence(FRAMEWORK, answers(PLAN=2), {"PUE": pue})
    improved = scoring.score_evidence(FRAMEWORK, answers(PLAN=2), {"PUE": max(1.0, pue - better)})
    assert improved.area("energy").score >= worse.area("energy").score
    assert improved.index >= worse.index
