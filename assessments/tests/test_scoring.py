"""Tests of the pure-Python scoring engine (``assessments.scoring``), no Django needed.

Unit tests use hand-computed numbers; property tests (hypothesis) generate small random frameworks and
answers and check the invariants promised in ``docs/scoring.md``. The worked example of that document is
read from the document itself and checked number by number.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.scoring import (
    CONTRADICTION_THRESHOLD,
    EVIDENCE_WEIGHT,
    Answer,
    Framework,
    MaturityLevel,
    NumericSpec,
    Question,
    Result,
    Risk,
    Source,
    blend,
    contradiction,
    level_for_score,
    normalize,
    question_risk,
    round_score,
    score_assessment,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"

PROPERTY = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def q(qid: str, qtype: str = "maturity", **fields: Any) -> dict[str, Any]:
    """A question dict as parsed from YAML."""
    return {"id": qid, "type": qtype, **fields}


def one_subarea(*questions: dict[str, Any], **area_fields: Any) -> Framework:
    """A framework with one area ``a`` holding one sub-area ``a.s``."""
    area = {"id": "a", "weight": 1, "subareas": [{"id": "a.s", "weight": 1, "questions": list(questions)}]}
    area.update(area_fields)
    return Framework.from_dict({"id": "t", "version": "1", "areas": [area]})


def run(framework: Framework, *answers: Answer, **kwargs: Any) -> Result:
    return score_assessment(framework, {a.question_id: a for a in answers}, **kwargs)


def iter_question_dicts(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for area in data["areas"]:
        for sub in area["subareas"]:
            yield from sub["questions"]


def all_scores(result: Result) -> dict[str, float | None]:
    """Every sub-area, area and the index score, keyed by id."""
    scores: dict[str, float | None] = {"index": result.overall.index}
    for area in result.areas:
        scores[area.area_id] = area.score
        for sub in area.subareas:
            scores[sub.subarea_id] = sub.score
    return scores


PUE = {"numeric": {"unit": "ratio", "full_score_at": 1.2, "zero_score_at": 2.0}}
FITTING = {"numeric": {"unit": "%", "full_score_at": 90, "zero_score_at": 50}}
OPTIONS = {
    "options": [
        {"id": "infiniband", "label": "InfiniBand", "score": 100},
        {"id": "roce", "label": "RoCE", "score": 70},
        {"id": "ethernet", "label": "Ethernet", "score": 30.5},
        {"id": "none", "label": "None", "score": 0},
    ]
}


# --------------------------------------------------------------------------------------------------
# Normalization of each answer type
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [(0, 0.0), (1, 25.0), (2, 50.0), (3, 75.0), (4, 100.0)])
def test_maturity_scores_25_per_level(level: int, expected: float) -> None:
    question = Question("HW-01", "maturity")
    assert normalize(question, Answer("HW-01", level)) == expected


@pytest.mark.parametrize(
    ("yes_score", "value", "expected"),
    [
        (100, True, 100.0),
        (100, False, 0.0),
        (70, True, 70.0),
        (70, False, 30.0),
        (0, True, 0.0),
        (0, False, 100.0),
    ],
)
def test_yes_no_uses_yes_score(yes_score: float, value: bool, expected: float) -> None:
    question = Question("Q", "yes_no", yes_score=yes_score)
    assert normalize(question, Answer("Q", value)) == expected


def test_yes_score_defaults_to_100() -> None:
    framework = one_subarea(q("Q", "yes_no"))
    assert normalize(framework.question("Q"), Answer("Q", True)) == 100.0


@pytest.mark.parametrize(
    ("option", "expected"), [("infiniband", 100.0), ("roce", 70.0), ("ethernet", 30.5), ("none", 0.0)]
)
def test_choice_scores_the_option(option: str, expected: float) -> None:
    framework = one_subarea(q("NET-01", "choice", **OPTIONS))
    assert normalize(framework.question("NET-01"), Answer("NET-01", option)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0.0),
        (40, 0.0),
        (50, 0.0),
        (60, 25.0),
        (70, 50.0),
        (80, 75.0),
        (90, 100.0),
        (95.5, 100.0),
        (62.5, 31.25),
    ],
)
def test_numeric_higher_is_better(value: float, expected: float) -> None:
    framework = one_subarea(q("N", "numeric", **FITTING))
    assert normalize(framework.question("N"), Answer("N", value)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, 100.0), (1.2, 100.0), (1.4, 75.0), (1.5, 62.5), (1.6, 50.0), (1.84, 20.0), (2.0, 0.0), (3.5, 0.0)],
)
def test_numeric_lower_is_better(value: float, expected: float) -> None:
    # PUE: 1.2 or better scores 100, 2.0 or worse scores 0. 1.6 is exactly 50 (naive float math: 49.99...).
    framework = one_subarea(q("PUE", "numeric", **PUE))
    assert normalize(framework.question("PUE"), Answer("PUE", value)) == expected


def test_numeric_ignores_input_bounds() -> None:
    # min/max are for the input form; the clamp bounds the score.
    bounded = {"full_score_at": 10, "zero_score_at": 0, "min": 0, "max": 5}
    framework = one_subarea(q("N", "numeric", numeric=bounded))
    assert normalize(framework.question("N"), Answer("N", 20)) == 100.0


def test_not_applicable_normalizes_to_none() -> None:
    question = Question("Q", "maturity", allow_na=True)
    assert normalize(question, Answer("Q", None, not_applicable=True)) is None


# --------------------------------------------------------------------------------------------------
# Aggregation, N/A and unanswered exclusion
# --------------------------------------------------------------------------------------------------


def test_subarea_is_weighted_mean() -> None:
    framework = one_subarea(q("A"), q("B", "yes_no", weight=3))
    result = run(framework, Answer("A", 2), Answer("B", True))
    # (50*1 + 100*3) / 4 = 87.5
    assert result.subarea("a.s").score == 87.5
    assert result.area("a").score == 87.5
    assert result.overall.index == 87.5


def test_not_applicable_excluded_from_numerator_and_denominator() -> None:
    framework = one_subarea(q("A", weight=1), q("B", weight=5, allow_na=True))
    result = run(framework, Answer("A", 4), Answer("B", None, not_applicable=True))
    # Counting N/A as 0 would give 100/6 = 16.7; excluding it from the numerator only would too.
    assert result.subarea("a.s").score == 100.0
    assert result.question("B").status == "not_applicable"
    assert result.question("B").score is None
    assert result.area("a").confidence.answered_share == 1.0


def test_unanswered_excluded_but_lowers_confidence() -> None:
    framework = one_subarea(q("A", weight=1), q("B", weight=5))
    result = run(framework, Answer("A", 1))
    assert result.subarea("a.s").score == 25.0
    assert result.question("B").status == "unanswered"
    assert result.area("a").confidence.answered_share == 0.5
    assert result.overall.answered == 1
    assert result.overall.total == 2


def test_area_skips_subareas_without_score_and_index_skips_areas_without_score() -> None:
    framework = Framework.from_dict(
        {
            "id": "t",
            "version": "1",
            "areas": [
                {
                    "id": "x",
                    "weight": 1,
                    "subareas": [
                        {"id": "x.1", "weight": 1, "questions": [q("X1")]},
                        {"id": "x.2", "weight": 9, "questions": [q("X2", allow_na=True)]},
                    ],
                },
                {"id": "y", "weight": 5, "subareas": [{"id": "y.1", "weight": 1, "questions": [q("Y1")]}]},
            ],
        }
    )
    result = run(framework, Answer("X1", 3), Answer("X2", None, not_applicable=True))
    assert result.subarea("x.2").score is None
    assert result.area("x").score == 75.0  # x.2 (weight 9) has no score and is left out
    area_y = result.area("y")
    assert (area_y.score, area_y.level, area_y.gap) == (None, None, None)
    assert result.overall.index == 75.0  # area y (weight 5) has no score and is left out
    assert result.overall.level == MaturityLevel.MANAGED


def test_area_is_weighted_mean_of_subareas_and_index_of_areas() -> None:
    framework = Framework.from_dict(
        {
            "id": "t",
            "version": "1",
            "areas": [
                {
                    "id": "x",
                    "weight": 1,
                    "subareas": [
                        {"id": "x.1", "weight": 1, "questions": [q("X1")]},
                        {"id": "x.2", "weight": 3, "questions": [q("X2"), q("X3", weight=3)]},
                    ],
                },
                {"id": "y", "weight": 3, "subareas": [{"id": "y.1", "weight": 2, "questions": [q("Y1")]}]},
            ],
        }
    )
    result = run(framework, Answer("X1", 4), Answer("X2", 0), Answer("X3", 2), Answer("Y1", 1))
    assert result.subarea("x.2").score == 37.5  # (0*1 + 50*3) / 4
    assert result.area("x").score == 53.125  # (100*1 + 37.5*3) / 4
    assert result.area("y").score == 25.0
    assert result.overall.index == 32.03125  # (53.125*1 + 25*3) / 4


def test_nothing_answered_gives_no_scores() -> None:
    framework = one_subarea(q("A"), q("B"))
    result = run(framework)
    assert result.subarea("a.s").score is None
    assert result.area("a").score is None
    assert result.overall.index is None
    assert result.overall.level is None
    assert result.area("a").confidence.answered_share == 0.0
    assert result.area("a").confidence.evidence_share is None


# --------------------------------------------------------------------------------------------------
# Levels and targets
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, 1),
        (19.99, 1),
        (20, 2),
        (39.99, 2),
        (40, 3),
        (59.99, 3),
        (60, 4),
        (79.99, 4),
        (80, 5),
        (99.99, 5),
        (100, 5),
    ],
)
def test_level_boundaries(score: float, level: int) -> None:
    assert level_for_score(score) == level
    assert level_for_score(float(score)) == level


@pytest.mark.parametrize("score", [-0.01, 100.01, math.nan, math.inf, -math.inf])
def test_level_rejects_scores_outside_0_100(score: float) -> None:
    with pytest.raises(ValueError):
        level_for_score(score)


def test_level_labels_and_bands() -> None:
    assert [level.label for level in MaturityLevel] == [
        "Initial",
        "Developing",
        "Defined",
        "Managed",
        "Optimized",
    ]
    assert [(level.lower, level.upper) for level in MaturityLevel] == [
        (0, 20),
        (20, 40),
        (40, 60),
        (60, 80),
        (80, 100),
    ]


def test_score_computed_exactly_lands_on_boundary() -> None:
    # PUE 1.36: 100 * (1.36 - 2.0) / (1.2 - 2.0) is exactly 80, but naive float math gives 79.99999999999999.
    framework = one_subarea(q("PUE", "numeric", **PUE))
    result = run(framework, Answer("PUE", 1.36))
    assert result.area("a").score == 80.0
    assert result.area("a").level == MaturityLevel.OPTIMIZED


def test_target_level_defaults_and_override_and_gap() -> None:
    framework = one_subarea(q("A"), default_target_level=4)
    result = run(framework, Answer("A", 1))  # 25 -> level 2
    area = result.area("a")
    assert (area.level, area.target_level, area.gap) == (2, 4, 2)
    area = run(framework, Answer("A", 1), target_levels={"a": 5}).area("a")
    assert (area.target_level, area.gap) == (5, 3)
    area = run(framework, Answer("A", 4), target_levels={"a": 3}).area("a")
    assert (area.level, area.gap) == (5, 0)  # exceeding the target is a gap of 0


@pytest.mark.parametrize("targets", [{"zz": 3}, {"a": 0}, {"a": 6}, {"a": "4"}, {"a": True}])
def test_invalid_target_levels(targets: dict[str, Any]) -> None:
    framework = one_subarea(q("A"))
    with pytest.raises(ValueError):
        run(framework, Answer("A", 1), target_levels=targets)


# --------------------------------------------------------------------------------------------------
# Risk
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "weight", "override", "expected"),
    [
        (0, 1.0, None, Risk.MEDIUM),
        (24.99, 1.49, None, Risk.MEDIUM),
        (0, 1.5, None, Risk.HIGH),
        (24.99, 3.0, None, Risk.HIGH),
        (25, 1.5, None, Risk.MEDIUM),
        (49.99, 2.0, None, Risk.MEDIUM),
        (25, 1.49, None, Risk.NONE),
        (49.99, 1.0, None, Risk.NONE),
        (50, 3.0, None, Risk.NONE),
        (100, 3.0, None, Risk.NONE),
        (None, 3.0, None, Risk.NONE),
        # the override wins when the answer is low (< 50), higher or lower than computed
        (40, 1.0, "high", Risk.HIGH),
        (49.99, 1.0, "medium", Risk.MEDIUM),
        (0, 3.0, "none", Risk.NONE),
        (10, 3.0, Risk.MEDIUM, Risk.MEDIUM),
        # ... and never applies otherwise
        (50, 1.0, "high", Risk.NONE),
        (90, 1.0, "high", Risk.NONE),
        (None, 1.0, "high", Risk.NONE),
    ],
)
def test_risk_rules(score: float | None, weight: float, override: str | None, expected: Risk) -> None:
    assert question_risk(score, weight, override) == expected


def test_risk_in_assessment_with_file_override_and_counts() -> None:
    framework = one_subarea(
        q("A", weight=2),  # level 0 -> 0, heavy -> high
        q("B", weight=1),  # level 0 -> 0 -> medium
        q("C", weight=1, risk="high"),  # level 1 -> 25: computed none, override high
        q("D", weight=1, risk="high"),  # level 2 -> 50: never a risk
        q("E", weight=2, risk="high", allow_na=True),  # N/A: none
        q("F", weight=2, risk="high"),  # unanswered: none
    )
    result = run(
        framework,
        Answer("A", 0),
        Answer("B", 0),
        Answer("C", 1),
        Answer("D", 2),
        Answer("E", None, not_applicable=True),
    )
    risks = {question.question_id: question.risk for question in result.questions}
    assert risks == {"A": "high", "B": "medium", "C": "high", "D": "none", "E": "none", "F": "none"}
    assert (result.area("a").high_risks, result.area("a").medium_risks) == (2, 1)
    assert (result.overall.high_risks, result.overall.medium_risks) == (2, 1)
    assert [question.low for question in result.questions] == [True, True, True, False, False, False]


def test_unknown_risk_override_rejected() -> None:
    with pytest.raises(ValueError, match="Q"):
        one_subarea(q("Q", risk="severe"))
    with pytest.raises(ValueError):
        question_risk(10, 1, "severe")


# --------------------------------------------------------------------------------------------------
# Confidence
# --------------------------------------------------------------------------------------------------


def test_confidence_counts_na_as_answered_and_inventory_share() -> None:
    framework = one_subarea(q("A"), q("B"), q("C", allow_na=True), q("D"), q("E"))
    result = run(
        framework,
        Answer("A", 3),
        Answer("B", 2, source="inventory"),
        Answer("C", None, not_applicable=True, source="inventory"),
        Answer("D", 1),
    )
    confidence = result.area("a").confidence
    assert (confidence.total, confidence.answered, confidence.not_applicable, confidence.from_inventory) == (
        5,
        4,
        1,
        2,
    )
    assert confidence.answered_share == 0.8  # 4 / 5
    assert confidence.evidence_share == 0.5  # 2 / 4
    assert result.overall.confidence == confidence


# --------------------------------------------------------------------------------------------------
# Evidence blending and contradiction
# --------------------------------------------------------------------------------------------------


def test_evidence_weight_is_half() -> None:
    assert EVIDENCE_WEIGHT == 0.5
    assert CONTRADICTION_THRESHOLD == 30


@pytest.mark.parametrize(
    ("own", "evidence", "weight", "expected"),
    [
        (80, 40, 0.5, 60.0),
        (80, 40, 0.25, 70.0),
        (80, 40, 0.0, 80.0),
        (80, 40, 1.0, 40.0),
        (33.3, 33.3, 0.3, 33.3),  # exact: (1 - 0.3) * 33.3 + 0.3 * 33.3 == 33.3
        (100, 62.5, 0.5, 81.25),
    ],
)
def test_blend(own: float, evidence: float, weight: float, expected: float) -> None:
    assert blend(own, evidence, weight) == expected


def test_blend_default_weight() -> None:
    assert blend(75, 62.5) == 68.75


@pytest.mark.parametrize(
    ("own", "evidence", "weight"),
    [(80, 40, 1.1), (80, 40, -0.1), (101, 40, 0.5), (80, -1, 0.5), (math.nan, 40, 0.5)],
)
def test_blend_rejects_invalid_input(own: float, evidence: float, weight: float) -> None:
    with pytest.raises(ValueError):
        blend(own, evidence, weight)


@pytest.mark.parametrize(
    ("own", "evidence", "threshold", "expected"),
    [
        (80, 50, 30, False),  # exactly 30 apart: not strictly more
        (50, 80, 30, False),
        (80.1, 50.1, 30, False),  # exactly 30 apart in decimal (naive float: 29.999999999999993)
        (80.2, 50.1, 30, True),
        (81, 50, 30, True),
        (50, 81, 30, True),
        (0, 100, 30, True),
        (80, 50, 29.9, True),
        (62.5, 62.5, 0, False),
    ],
)
def test_contradiction(own: float, evidence: float, threshold: float, expected: bool) -> None:
    assert contradiction(own, evidence, threshold) is expected


def test_contradiction_default_threshold_and_invalid_input() -> None:
    assert contradiction(100, 62.5) is True
    assert contradiction(75, 62.5) is False
    with pytest.raises(ValueError):
        contradiction(80, 50, -1)
    with pytest.raises(ValueError):
        contradiction(120, 50)


# --------------------------------------------------------------------------------------------------
# Invalid answers and frameworks
# --------------------------------------------------------------------------------------------------

INVALID_FRAMEWORK = one_subarea(
    q("MAT-01"),
    q("YN-01", "yes_no"),
    q("CH-01", "choice", **OPTIONS),
    q("NUM-01", "numeric", **FITTING),
    q("NA-01", allow_na=False),
)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer("MAT-01", 5), "MAT-01: maturity level must be an int 0-4"),
        (Answer("MAT-01", -1), "MAT-01: maturity level"),
        (Answer("MAT-01", 2.0), "MAT-01: maturity level"),
        (Answer("MAT-01", True), "MAT-01: maturity level"),
        (Answer("MAT-01", "3"), "MAT-01: maturity level"),
        (Answer("MAT-01", None), "MAT-01: maturity level"),
        (Answer("YN-01", "yes"), "YN-01: a yes/no answer must be a bool"),
        (Answer("YN-01", 1), "YN-01"),
        (Answer("CH-01", "token-ring"), "CH-01: unknown option id 'token-ring'"),
        (Answer("CH-01", 100), "CH-01: unknown option id"),
        (Answer("NUM-01", "abc"), "NUM-01: a numeric answer must be a number"),
        (Answer("NUM-01", None), "NUM-01: a numeric answer must be a number"),
        (Answer("NUM-01", True), "NUM-01: a numeric answer must be a number"),
        (Answer("NUM-01", math.nan), "NUM-01: expected a finite number"),
        (Answer("NUM-01", math.inf), "NUM-01: expected a finite number"),
        (Answer("NA-01", None, not_applicable=True), "NA-01: 'not applicable' is not allowed"),
    ],
)
def test_invalid_answers_name_the_question(answer: Answer, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize(INVALID_FRAMEWORK.question(answer.question_id), answer)
    with pytest.raises(ValueError, match=re.escape(message)):
        run(INVALID_FRAMEWORK, answer)


def test_answer_keyed_under_wrong_id_or_unknown_question() -> None:
    with pytest.raises(ValueError, match="MAT-01"):
        score_assessment(INVALID_FRAMEWORK, {"MAT-01": Answer("YN-01", True)})
    with pytest.raises(ValueError, match="GHOST-01"):
        run(INVALID_FRAMEWORK, Answer("GHOST-01", 1))


def test_answer_source_must_be_known() -> None:
    with pytest.raises(ValueError, match="Q-01"):
        Answer("Q-01", 1, source="guess")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (q("BAD-01", "essay"), "BAD-01: unknown type"),
        (q("BAD-01", weight=0), "BAD-01: weight must be > 0"),
        (q("BAD-01", weight=-1), "BAD-01: weight must be > 0"),
        (q("BAD-01", "yes_no", yes_score=120), "BAD-01: yes_score"),
        (q("BAD-01", "choice"), "BAD-01: a choice question needs options"),
        (
            q("BAD-01", "choice", options=[{"id": "a", "score": 1}, {"id": "a", "score": 2}]),
            "BAD-01: duplicate option",
        ),
        (q("BAD-01", "choice", options=[{"id": "a", "score": 101}]), "BAD-01: option a score"),
        (q("BAD-01", "numeric"), "BAD-01: a numeric question needs a 'numeric' block"),
        (
            q("BAD-01", "numeric", numeric={"full_score_at": 1, "zero_score_at": 1}),
            "BAD-01: full_score_at and",
        ),
        ({"type": "maturity"}, "question: missing 'id'"),
        ({"id": "BAD-01"}, "BAD-01: missing 'type'"),
    ],
)
def test_framework_invariants_the_math_needs(question: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        one_subarea(question)


def test_duplicate_question_ids_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate question id Q"):
        one_subarea(q("Q"), q("Q"))


# --------------------------------------------------------------------------------------------------
# Reading a framework, display rounding, determinism
# --------------------------------------------------------------------------------------------------


def test_from_dict_reads_fields() -> None:
    framework = Framework.from_dict(
        {
            "id": "genai-infrastructure",
            "version": 1.0,  # an unquoted YAML version parses as a float
            "title": "T",
            "source": "S",
            "areas": [
                {
                    "id": "energy",
                    "name": "Energy",
                    "weight": 1.5,
                    "default_target_level": 3,
                    "subareas": [
                        {
                            "id": "energy.efficiency",
                            "name": "Efficiency",
                            "weight": 2,
                            "questions": [
                                {
                                    "id": "EN-EF-01",
                                    "text": "What is the PUE?",
                                    "type": "numeric",
                                    "weight": 1.5,
                                    "allow_na": True,
                                    "numeric": {
                                        "unit": "ratio",
                                        "full_score_at": 1.2,
                                        "zero_score_at": 2.0,
                                        "min": 1.0,
                                    },
                                    "inventory_fact": "average_pue",
                                    "risk": "high",
                                    "recommendation": {
                                        "id": "REC-EN-EF-01",
                                        "title": "Cool better",
                                        "effort": "M",
                                        "depends_on": ["REC-X"],
                                    },
                                },
                                {
                                    "id": "EN-EF-02",
                                    "type": "maturity",
                                    "levels": ["0: a", "1: b", "2", "3", "4"],
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    )
    assert (framework.id, framework.version, framework.title, framework.source) == (
        "genai-infrastructure",
        "1.0",
        "T",
        "S",
    )
    area = framework.areas[0]
    assert (area.id, area.name, area.weight, area.default_target_level) == ("energy", "Energy", 1.5, 3)
    sub = area.subareas[0]
    assert (sub.id, sub.weight) == ("energy.efficiency", 2)
    pue = framework.question("EN-EF-01")
    assert pue.type == "numeric"
    assert pue.weight == 1.5
    assert pue.allow_na is True
    assert pue.numeric == NumericSpec(full_score_at=1.2, zero_score_at=2.0, unit="ratio", min=1.0, max=None)
    assert pue.inventory_fact == "average_pue"
    assert pue.risk is Risk.HIGH
    assert pue.recommendation is not None
    assert (pue.recommendation.id, pue.recommendation.effort, pue.recommendation.depends_on) == (
        "REC-EN-EF-01",
        "M",
        ("REC-X",),
    )
    maturity = framework.question("EN-EF-02")
    assert (maturity.weight, maturity.allow_na, maturity.risk, maturity.recommendation) == (
        1.0,
        False,
        None,
        None,
    )
    assert maturity.levels[:2] == ("0: a", "1: b")
    result = run(framework, Answer("EN-EF-01", 1.3, source="inventory"))
    assert result.question("EN-EF-01").recommendation_id == "REC-EN-EF-01"
    assert result.question("EN-EF-01").source == "inventory"


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (54.375, 54.4),
        (62.25, 62.3),
        (48.75, 48.8),
        (0, 0.0),
        (100, 100.0),
        (19.99, 20.0),
        (33.333333, 33.3),
        (None, None),
    ],
)
def test_round_score_for_display(score: float | None, shown: float | None) -> None:
    assert round_score(score) == shown


def test_result_keeps_full_precision() -> None:
    framework = one_subarea(q("A"), q("B"), q("C"))
    result = run(framework, Answer("A", 1), Answer("B", 1), Answer("C", 2))
    assert result.subarea("a.s").score == pytest.approx(100 / 3, abs=1e-12)
    assert round_score(result.subarea("a.s").score) == 33.3


def test_result_lookups_raise_for_unknown_ids() -> None:
    result = run(one_subarea(q("A")))
    for lookup in (result.area, result.subarea, result.question):
        with pytest.raises(KeyError):
            lookup("nope")


# --------------------------------------------------------------------------------------------------
# The worked example of docs/scoring.md, read from the document
# --------------------------------------------------------------------------------------------------

WORKED_SCORES = {
    "compute.capacity": 37.5,  # (75*1 + 0*2 + 75*1) / 4
    "compute.lifecycle": 60.0,  # 60*1.5 / 1.5
    "energy.efficiency": 37.5,  # (62.5*2 + 25*1 + 0*1) / 4
    "compute": 54.375,  # (37.5*1 + 60*3) / 4
    "energy": 37.5,
    "index": 48.75,  # (54.375*2 + 37.5*1) / 3
}
WORKED_QUESTIONS = {
    "CP-01": (75.0, Risk.NONE),
    "CP-02": (0.0, Risk.HIGH),
    "CP-03": (75.0, Risk.NONE),
    "LC-01": (60.0, Risk.NONE),
    "LC-02": (None, Risk.NONE),
    "LC-03": (None, Risk.NONE),
    "EN-01": (62.5, Risk.NONE),
    "EN-02": (25.0, Risk.HIGH),
    "EN-03": (0.0, Risk.MEDIUM),
}
# scope: (level, target, gap, high risks, medium risks, answered share, evidence share)
WORKED_SUMMARY = {
    "compute": (3, 4, 1, 1, 0, Fraction(5, 6), Fraction(1, 5)),
    "energy": (2, 3, 1, 1, 1, Fraction(3, 3), Fraction(1, 3)),
    "index": (3, None, None, 2, 1, Fraction(8, 9), Fraction(2, 8)),
}


def _worked_example() -> tuple[Framework, dict[str, Answer], str]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- worked-example:input -->\s*```json\n(.*?)```", text, re.DOTALL)
    assert match, "docs/scoring.md lost its worked-example input block"
    data = json.loads(match.group(1))
    answers = {item["question_id"]: Answer(**item) for item in data["answers"]}
    return Framework.from_dict(data["framework"]), answers, text


def _doc_results_table(text: str) -> dict[str, list[str]]:
    pattern = r"<!-- worked-example:results -->\n(.*?)<!-- /worked-example:results -->"
    match = re.search(pattern, text, re.DOTALL)
    assert match, "docs/scoring.md lost its worked-example results table"
    rows: dict[str, list[str]] = {}
    for line in match.group(1).strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_worked_example_matches_hand_computation() -> None:
    framework, answers, _ = _worked_example()
    result = score_assessment(framework, answers)
    assert all_scores(result) == WORKED_SCORES
    for question_id, (score, risk) in WORKED_QUESTIONS.items():
        assert (result.question(question_id).score, result.question(question_id).risk) == (score, risk)
    for scope, (level, target, gap, high, medium, answered, evidence) in WORKED_SUMMARY.items():
        if scope == "index":
            overall = result.overall
            got: tuple[Any, ...] = (
                overall.level,
                None,
                None,
                overall.high_risks,
                overall.medium_risks,
                overall.confidence,
            )
        else:
            area = result.area(scope)
            got = (
                area.level,
                area.target_level,
                area.gap,
                area.high_risks,
                area.medium_risks,
                area.confidence,
            )
        assert got[:5] == (level, target, gap, high, medium)
        assert got[5].answered_share == float(answered)
        assert got[5].evidence_share == float(evidence)
    assert (result.overall.answered, result.overall.total) == (8, 9)
    assert score_assessment(framework, answers, target_levels={"energy": 5}).area("energy").gap == 3


def test_worked_example_table_in_doc_matches() -> None:
    _, _, text = _worked_example()
    rows = _doc_results_table(text)
    assert set(rows) == set(WORKED_SCORES)
    for scope, score in WORKED_SCORES.items():
        cells = rows[scope]
        assert float(cells[0]) == score, scope
        assert float(cells[1]) == round_score(score), scope
    for scope, (level, target, gap, high, medium, answered, evidence) in WORKED_SUMMARY.items():
        cells = rows[scope]
        expected = [level, target, gap, high, medium]
        assert [int(cell) if cell else None for cell in cells[2:7]] == expected, scope
        assert Fraction(cells[7]) == answered, scope
        assert Fraction(cells[8]) == evidence, scope


def test_worked_example_evidence_numbers_in_doc() -> None:
    framework, _, text = _worked_example()
    pue = framework.question("EN-01")
    assert normalize(pue, Answer("EN-01", 1.4)) == 75.0
    assert normalize(pue, Answer("EN-01", 1.2)) == 100.0
    assert blend(75.0, 62.5) == 68.75
    assert not contradiction(75.0, 62.5)
    assert blend(100.0, 62.5) == 81.25
    assert contradiction(100.0, 62.5)
    assert "blend = 68.75, 12.5 points apart" in text
    assert "blend = 81.25,\n37.5 points apart" in text


# --------------------------------------------------------------------------------------------------
# Property tests: strategies
# --------------------------------------------------------------------------------------------------

weights = st.one_of(
    st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]),
    st.floats(min_value=0.01, max_value=10, allow_nan=False, allow_infinity=False),
)
scores_0_100 = st.one_of(st.integers(0, 100), st.floats(min_value=0, max_value=100, allow_nan=False))
numbers = st.one_of(
    st.integers(-1000, 1000),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False),
)


@st.composite
def question_dicts(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    """A random question of any type, as a dict."""
    qtype = draw(st.sampled_from(["maturity", "yes_no", "choice", "numeric"]))
    data: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "weight": draw(weights),
        "allow_na": draw(st.booleans()),
    }
    risk = draw(st.none() | st.sampled_from(["high", "medium", "none"]))
    if risk is not None:
        data["risk"] = risk
    if qtype == "yes_no":
        data["yes_score"] = draw(scores_0_100)
    elif qtype == "choice":
        count = draw(st.integers(2, 4))
        data["options"] = [{"id": f"o{i}", "score": draw(scores_0_100)} for i in range(count)]
    elif qtype == "numeric":
        full = draw(numbers)
        zero = draw(numbers.filter(lambda value: value != full))
        data["numeric"] = {"full_score_at": full, "zero_score_at": zero}
    return data


@st.composite
def values_for(draw: st.DrawFn, question: dict[str, Any]) -> Any:
    """A valid (not N/A) answer value for the question."""
    qtype = question["type"]
    if qtype == "maturity":
        return draw(st.integers(0, 4))
    if qtype == "yes_no":
        return draw(st.booleans())
    if qtype == "choice":
        return draw(st.sampled_from([option["id"] for option in question["options"]]))
    spec = question["numeric"]
    return draw(
        st.one_of(
            st.sampled_from([spec["full_score_at"], spec["zero_score_at"]]),
            st.floats(min_value=-2000, max_value=2000, allow_nan=False, allow_infinity=False),
            st.integers(-2000, 2000),
        )
    )


def extreme_values(question: dict[str, Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    """The question's worst and best answer values (order does not matter to the callers)."""
    qtype = question["type"]
    if qtype == "maturity":
        return st.just((0, 4))
    if qtype == "yes_no":
        return st.just((False, True))
    if qtype == "choice":
        ranked = sorted(question["options"], key=lambda option: option["score"])
        return st.just((ranked[0]["id"], ranked[-1]["id"]))
    spec = question["numeric"]
    return st.just((spec["zero_score_at"], spec["full_score_at"]))


sources: st.SearchStrategy[Source] = st.sampled_from(get_args(Source))


@st.composite
def answers_for(draw: st.DrawFn, question: dict[str, Any]) -> Answer | None:
    """Unanswered (None), N/A (when allowed) or a valid answer."""
    kinds = ["missing", "value", "value"] + (["na"] if question["allow_na"] else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "missing":
        return None
    if kind == "na":
        return Answer(question["id"], None, not_applicable=True, source=draw(sources))
    return Answer(question["id"], draw(values_for(question)), source=draw(sources))


@st.composite
def framework_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """1-3 areas x 1-3 sub-areas x 1-4 questions of random types and weights."""
    areas = []
    for a in range(draw(st.integers(1, 3))):
        subareas = []
        for s in range(draw(st.integers(1, 3))):
            questions = [draw(question_dicts(f"Q{a}-{s}-{i}")) for i in range(draw(st.integers(1, 4)))]
            subareas.append({"id": f"a{a}.s{s}", "weight": draw(weights), "questions": questions})
        areas.append(
            {
                "id": f"a{a}",
                "weight": draw(weights),
                "default_target_level": draw(st.integers(1, 5)),
                "subareas": subareas,
            }
        )
    return {"id": "random", "version": "1", "areas": areas}


@st.composite
def assessments(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Answer]]:
    data = draw(framework_dicts())
    answers: dict[str, Answer] = {}
    for question in iter_question_dicts(data):
        answer = draw(answers_for(question))
        if answer is not None:
            answers[question["id"]] = answer
    return data, answers


@st.composite
def question_scoring_exactly(draw: st.DrawFn, qid: str, score: int) -> tuple[dict[str, Any], Answer]:
    """A question of a random type together with an answer whose score is exactly ``score``."""
    types = ["yes_no", "choice", "numeric"] + (["maturity"] if score % 25 == 0 else [])
    qtype = draw(st.sampled_from(types))
    data: dict[str, Any] = {"id": qid, "type": qtype, "weight": draw(weights), "allow_na": True}
    value: Any
    if qtype == "maturity":
        value = score // 25
    elif qtype == "yes_no":
        value = draw(st.booleans())
        data["yes_score"] = score if value else 100 - score
    elif qtype == "choice":
        others = [{"id": f"o{i}", "score": draw(scores_0_100)} for i in range(draw(st.integers(1, 3)))]
        position = draw(st.integers(0, len(others)))
        data["options"] = [*others[:position], {"id": "pick", "score": score}, *others[position:]]
        value = "pick"
    else:
        zero = draw(st.integers(-500, 500))
        span = draw(st.sampled_from([50, -50, 100, -100, 200, -200, 400, -400]))
        data["numeric"] = {"full_score_at": zero + span, "zero_score_at": zero}
        value = zero + score * span / 100  # a multiple of 0.5: exact
        if score in (0, 100) and draw(st.booleans()):  # beyond a threshold: clamped
            direction = 1 if (score == 100) == (span > 0) else -1
            value += direction * draw(st.integers(1, 50))
    return data, Answer(qid, value, source=draw(sources))


def rescore(data: dict[str, Any], answers: dict[str, Answer]) -> Result:
    return score_assessment(Framework.from_dict(data), answers)


# --------------------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------------------


@PROPERTY
@given(assessments())
def test_property_scores_stay_in_range_and_are_consistent(
    case: tuple[dict[str, Any], dict[str, Answer]],
) -> None:
    data, answers = case
    result = rescore(data, answers)
    for question in result.questions:
        assert (question.score is None) == (question.status != "scored")
        assert question.score is None or 0 <= question.score <= 100
    for sub in result.subareas:
        assert (sub.score is None) == (sub.scored == 0)
        assert sub.score is None or 0 <= sub.score <= 100
    for area in result.areas:
        assert (area.score is None) == all(sub.score is None for sub in area.subareas)
        if area.score is None:
            assert (area.level, area.gap) == (None, None)
        else:
            assert 0 <= area.score <= 100
            assert area.level == level_for_score(area.score)
            assert area.gap == max(0, area.target_level - area.level)
        confidence = area.confidence
        assert confidence.answered_share is not None
        assert 0 <= confidence.answered_share <= 1
        assert confidence.evidence_share is None or 0 <= confidence.evidence_share <= 1
    index = result.overall.index
    assert (index is None) == all(area.score is None for area in result.areas)
    assert index is None or (0 <= index <= 100 and result.overall.level == level_for_score(index))
    assert result.overall.answered == len(answers)
    assert result.overall.total == sum(1 for _ in iter_question_dicts(data))


@settings(PROPERTY, max_examples=400)
@given(assessments(), st.data())
def test_property_raising_one_answer_never_lowers_any_score(
    case: tuple[dict[str, Any], dict[str, Answer]], data: st.DataObject
) -> None:
    framework_data, answers = case
    framework = Framework.from_dict(framework_data)
    question = data.draw(st.sampled_from(list(iter_question_dicts(framework_data))))
    # half the time jump from the worst to the best answer: big jumps cross level boundaries
    random_pair = st.tuples(values_for(question), values_for(question))
    pair = data.draw(st.one_of(random_pair, extreme_values(question)))
    first = Answer(question["id"], pair[0], source=data.draw(sources))
    second = Answer(question["id"], pair[1], source=data.draw(sources))
    parsed = framework.question(question["id"])
    low, high = sorted([first, second], key=lambda answer: normalize(parsed, answer) or 0.0)
    low_scores = all_scores(score_assessment(framework, {**answers, question["id"]: low}))
    high_scores = all_scores(score_assessment(framework, {**answers, question["id"]: high}))
    assert low_scores.keys() == high_scores.keys()
    for key, low_score in low_scores.items():
        high_score = high_scores[key]
        assert (low_score is None) == (high_score is None), key
        if low_score is not None and high_score is not None:
            assert high_score >= low_score, key


@PROPERTY
@given(st.integers(0, 100), st.data())
def test_property_na_leaves_a_uniform_subarea_at_its_score(score: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(2, 5))
    pairs = [data.draw(question_scoring_exactly(f"U-{i}", score)) for i in range(count)]
    extra = [data.draw(question_dicts(f"X-{i}")) for i in range(data.draw(st.integers(0, 2)))]  # unanswered
    questions = [question for question, _ in pairs] + extra
    framework_data = {
        "id": "uniform",
        "version": "1",
        "areas": [
            {
                "id": "u",
                "weight": data.draw(weights),
                "subareas": [{"id": "u.s", "weight": data.draw(weights), "questions": questions}],
            }
        ],
    }
    answers = {answer.question_id: answer for _, answer in pairs}
    before = rescore(framework_data, answers)
    assert before.subarea("u.s").score == float(score)
    na_id = data.draw(st.sampled_from(sorted(answers)))
    after = rescore(framework_data, {**answers, na_id: Answer(na_id, None, not_applicable=True)})
    assert after.question(na_id).status == "not_applicable"
    assert after.subarea("u.s").score == float(score)
    assert after.area("u").score == float(score)
    assert after.overall.index == float(score)


@PROPERTY
@given(assessments(), st.data())
def test_property_na_is_unanswered_for_scores(
    case: tuple[dict[str, Any], dict[str, Answer]], data: st.DataObject
) -> None:
    framework_data, answers = case
    candidates = [question["id"] for question in iter_question_dicts(framework_data) if question["allow_na"]]
    if not candidates:
        return
    qid = data.draw(st.sampled_from(candidates))
    without = {key: answer for key, answer in answers.items() if key != qid}
    with_na = {**without, qid: Answer(qid, None, not_applicable=True)}
    assert all_scores(rescore(framework_data, with_na)) == all_scores(rescore(framework_data, without))


def _scale(values: list[dict[str, Any]], factor: float) -> None:
    for item in values:
        item["weight"] = item.get("weight", 1.0) * factor


@PROPERTY
@given(
    assessments(),
    st.sampled_from(["question", "subarea", "area"]),
    st.floats(min_value=0.01, max_value=100),
    st.data(),
)
def test_property_scaling_all_weights_of_a_level_changes_nothing(
    case: tuple[dict[str, Any], dict[str, Answer]], scope: str, factor: float, data: st.DataObject
) -> None:
    framework_data, answers = case
    scaled = copy.deepcopy(framework_data)
    if scope == "question":
        area = data.draw(st.sampled_from(scaled["areas"]))
        _scale(data.draw(st.sampled_from(area["subareas"]))["questions"], factor)
    elif scope == "subarea":
        _scale(data.draw(st.sampled_from(scaled["areas"]))["subareas"], factor)
    else:
        _scale(scaled["areas"], factor)
    original = all_scores(rescore(framework_data, answers))
    changed = all_scores(rescore(scaled, answers))
    for key, score in original.items():
        if score is None:
            assert changed[key] is None
        else:
            assert changed[key] == pytest.approx(score, rel=1e-9, abs=1e-9), key


@PROPERTY
@given(assessments(), st.data())
def test_property_doubling_a_weight_moves_subarea_toward_that_question(
    case: tuple[dict[str, Any], dict[str, Answer]], data: st.DataObject
) -> None:
    framework_data, answers = case
    result = rescore(framework_data, answers)
    scored = [question for question in result.questions if question.status == "scored"]
    if not scored:
        return
    target = data.draw(st.sampled_from(scored))
    doubled = copy.deepcopy(framework_data)
    for question in iter_question_dicts(doubled):
        if question["id"] == target.question_id:
            question["weight"] = question["weight"] * 2
    old = result.subarea(target.subarea_id).score
    new = rescore(doubled, answers).subarea(target.subarea_id).score
    assert old is not None
    assert new is not None
    assert target.score is not None
    assert min(old, target.score) <= new <= max(old, target.score)
    if abs(old - target.score) > 1e-6:
        assert abs(new - target.score) < abs(old - target.score)


@PROPERTY
@given(assessments())
def test_property_each_score_lies_between_its_parts(case: tuple[dict[str, Any], dict[str, Answer]]) -> None:
    data, answers = case
    result = rescore(data, answers)
    area_scores = [area.score for area in result.areas if area.score is not None]
    if area_scores:
        assert result.overall.index is not None
        assert min(area_scores) <= result.overall.index <= max(area_scores)
    for area in result.areas:
        sub_scores = [sub.score for sub in area.subareas if sub.score is not None]
        if sub_scores:
            assert area.score is not None
            assert min(sub_scores) <= area.score <= max(sub_scores)
        for sub in area.subareas:
            question_scores = [question.score for question in sub.questions if question.score is not None]
            if question_scores:
                assert sub.score is not None
                assert min(question_scores) <= sub.score <= max(question_scores)


@PROPERTY
@given(
    scores_0_100,
    scores_0_100,
    weights,
    st.none() | st.sampled_from(list(Risk)),
)
def test_property_raising_a_score_never_raises_its_risk(
    first: float, second: float, weight: float, override: Risk | None
) -> None:
    low, high = sorted([first, second])
    assert question_risk(low, weight, override).severity >= question_risk(high, weight, override).severity
    if high >= 50:
        assert question_risk(high, weight, override) is Risk.NONE


@PROPERTY
@given(assessments(), st.data())
def test_property_normalized_scores_follow_the_raw_answer(
    case: tuple[dict[str, Any], dict[str, Answer]], data: st.DataObject
) -> None:
    framework_data, _ = case
    question = data.draw(st.sampled_from(list(iter_question_dicts(framework_data))))
    parsed = Framework.from_dict(framework_data).question(question["id"])
    first, second = data.draw(values_for(question)), data.draw(values_for(question))
    score_1 = normalize(parsed, Answer(parsed.id, first))
    score_2 = normalize(parsed, Answer(parsed.id, second))
    assert score_1 is not None
    assert score_2 is not None
    assert 0 <= score_1 <= 100
    assert 0 <= score_2 <= 100
    if parsed.type == "maturity" and first <= second:
        assert score_1 <= score_2
    if parsed.type == "numeric" and parsed.numeric is not None:
        # a value closer to full_score_at (in its direction) never scores lower
        direction = 1 if parsed.numeric.full_score_at > parsed.numeric.zero_score_at else -1
        if direction * first <= direction * second:
            assert score_1 <= score_2


@PROPERTY
@given(assessments())
def test_property_deterministic_and_independent_of_answer_order(
    case: tuple[dict[str, Any], dict[str, Answer]],
) -> None:
    data, answers = case
    framework = Framework.from_dict(data)
    reversed_answers = dict(reversed(list(answers.items())))
    assert score_assessment(framework, answers) == score_assessment(framework, reversed_answers)
