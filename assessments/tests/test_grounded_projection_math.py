"""The headline what-if moves a grounded area by the change of its self-assessed score, so that it equals the
grounded score scoring gives once the done questions are answered at their targets (pure, no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assessments import roadmap
from assessments.scoring import EVIDENCE_WEIGHT, Answer, Framework, score_assessment, score_evidence

FRAMEWORK = Framework.from_dict(
    {
        "id": "f",
        "version": "1",
        "areas": [
            {
                "id": "energy",
                "default_target_level": 4,  # target score 60
                "subareas": [
                    {
                        "id": "energy.practice",
                        "questions": [
                            {
                                "id": "Q1",
                                "type": "choice",
                                "options": [
                                    {"id": "none", "score": 0},
                                    {"id": "some", "score": 25},
                                    {"id": "target", "score": 60},
                                ],
                                "recommendation": {"id": "R1", "title": "Meter the racks", "effort": "S"},
                            },
                            {
                                "id": "Q2",
                                "type": "numeric",
                                "inventory_fact": "average_pue",
                                "numeric": {"full_score_at": 1.2, "zero_score_at": 2.0},
                            },
                        ],
                    }
                ],
            }
        ],
    }
)


def _headline(q1: str, pue: float) -> tuple[float, float]:
    """(projected by the what-if with R1 done, re-scored with Q1 answered at its target)."""
    answers = {"Q1": Answer("Q1", q1), "Q2": Answer("Q2", pue, source="inventory")}  # Q2 pre-filled by the inventory
    facts = {"Q2": pue}
    grounded = score_evidence(FRAMEWORK, answers, facts).area("energy")
    result = score_assessment(FRAMEWORK, answers)
    now, then = roadmap.project_source(FRAMEWORK, result, ()), roadmap.project_source(FRAMEWORK, result, {"R1"})
    change = then.areas["energy"] - now.areas["energy"]
    projected = min(100.0, grounded.score + (1 - EVIDENCE_WEIGHT) * change)  # selectors.grounded_projection
    rescored = score_evidence(FRAMEWORK, {**answers, "Q1": Answer("Q1", "target")}, facts).area("energy").score
    return projected, rescored


def test_worked_example_the_projection_is_the_rescored_grounded_score() -> None:
    # S_self = 25 (Q1 only: Q2 is the inventory's), S_evidence = 100 (PUE 1.2): grounded 62.5. With R1 done Q1 scores
    # 60: S_self' = 60, grounded 80. The questionnaire's own area moves (25 + 100)/2 = 62.5 -> (60 + 100)/2 = 80, a
    # change of 17.5 that, halved, projected 71.25: the inventory's answer diluted the self-assessment's change.
    projected, rescored = _headline("some", 1.2)
    assert projected == rescored == 80.0
    assert roadmap.project(FRAMEWORK, score_assessment(FRAMEWORK, {"Q1": Answer("Q1", "some")}), {"R1"}).areas == {
        "energy": 60.0
    }


@given(st.sampled_from(["none", "some"]), st.integers(min_value=100, max_value=250))
def test_the_projection_equals_rescoring(q1: str, pue_hundredths: int) -> None:
    projected, rescored = _headline(q1, pue_hundredths / 100)
    assert abs(projected - rescored) < 1e-9
