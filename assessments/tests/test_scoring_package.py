"""``assessments.scoring`` is a package split along its seams: it still exposes every name that the single
module ``assessments/scoring.py`` did, and re-exports every function and class its submodules define."""

import importlib
import pkgutil

import assessments.scoring as scoring

# Every public name of assessments/scoring.py before it became a package.
MODULE_NAMES = frozenset(
    {
        "Answer",
        "AnswerStatus",
        "AnswerValue",
        "Area",
        "AreaEvidence",
        "AreaResult",
        "blend",
        "Confidence",
        "contradiction",
        "CONTRADICTION_THRESHOLD",
        "EVIDENCE_WEIGHT",
        "EvidenceResult",
        "Framework",
        "HIGH_WEIGHT_THRESHOLD",
        "level_for_score",
        "level_label",
        "LEVEL_WIDTH",
        "LOW_SCORE_THRESHOLD",
        "MATURITY_STEP",
        "MaturityLevel",
        "normalize",
        "NumericSpec",
        "Option",
        "OverallResult",
        "percent",
        "Question",
        "question_risk",
        "QuestionResult",
        "QuestionType",
        "Recommendation",
        "Result",
        "Risk",
        "RISK_SCORE_THRESHOLD",
        "round_score",
        "score_assessment",
        "score_evidence",
        "Source",
        "SubArea",
        "SubAreaResult",
    }
)


def test_package_exposes_every_name_of_the_former_module():
    assert sorted(MODULE_NAMES - set(scoring.__all__)) == []
    for name in scoring.__all__:
        assert hasattr(scoring, name), name


def test_package_re_exports_every_public_function_and_class_of_its_submodules():
    submodules = [info.name for info in pkgutil.iter_modules(scoring.__path__)]
    assert len(submodules) > 1
    # a submodule named like a function it holds would shadow it (``scoring.X`` must stay the function)
    assert sorted(set(submodules) & set(scoring.__all__)) == []
    for submodule in submodules:
        module = importlib.import_module(f"assessments.scoring.{submodule}")
        for name, value in vars(module).items():
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__:
                assert name in scoring.__all__, f"{module.__name__}.{name} is not in assessments.scoring.__all__"
                assert getattr(scoring, name) is value, name
