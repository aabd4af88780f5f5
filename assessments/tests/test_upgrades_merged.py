"""Merged questions carry the weaker answer by the score the new question gives it (pure, no database)."""

from __future__ import annotations

from typing import Any

from assessments import upgrades
from assessments.scoring import Framework


def _framework(version: str, questions: list[dict[str, Any]]) -> Framework:
    return Framework.from_dict(
        {
            "id": "f",
            "version": version,
            "areas": [{"id": "a", "subareas": [{"id": "a.s", "questions": questions}]}],
        }
    )


def _merged(question: dict[str, Any], old_type: str, answers: dict[str, Any]) -> Any:
    old = _framework("1", [{"id": "Q1", "type": old_type}, {"id": "Q2", "type": old_type}])
    new = _framework("2", [{"id": "Q3", **question}])
    declaration = {"from_version": "1", "changes": [{"kind": "merged", "from": ["Q1", "Q2"], "to": ["Q3"]}]}
    plan = upgrades.plan_upgrade(old, new, declaration)
    old_answers = {key: upgrades.OldAnswer(key, value) for key, value in answers.items()}
    (carried,) = upgrades.carry_answers(plan, new, old_answers).answers
    return carried.value, carried.from_id


def test_merged_yes_no_carries_no_when_yes_is_the_good_answer() -> None:
    assert _merged({"type": "yes_no"}, "yes_no", {"Q1": True, "Q2": False}) == (False, "Q2")


def test_merged_yes_no_carries_yes_when_the_question_scores_yes_low() -> None:
    # "Do you depend on a single supplier?": yes scores 0 (yes_score 0), no scores 100. The weaker practice is
    # the yes; before the fix "no before yes" carried the no, i.e. the better of the two answers.
    assert _merged({"type": "yes_no", "yes_score": 0}, "yes_no", {"Q1": False, "Q2": True}) == (True, "Q2")


def test_merged_maturity_and_choice_still_carry_the_lowest() -> None:
    assert _merged({"type": "maturity"}, "maturity", {"Q1": 3, "Q2": 1}) == (1, "Q2")
