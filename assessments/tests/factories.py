"""Helpers of the assessment tests: the shipped framework, assessments started through the services, and answers.

Assessments are made by `services.assessment_create` (not a model factory) so that they are what the application
makes: targets filled in, inventory-bound questions pre-filled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from accounts.models import Organization
from assessments import scoring, services
from assessments.framework_files import DEFAULT_FRAMEWORK_FILE
from assessments.models import Answer, Assessment, Framework


def ensure_default_framework() -> Framework:
    """The shipped framework's version 1.0 (the file these tests read; new assessments default to the newest
    version, 1.1); loaded again if a transactional test flushed the table the migration filled."""
    framework, _ = services.framework_load(text=DEFAULT_FRAMEWORK_FILE.read_bytes())
    return framework


def default_definition() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))


def framework_text(**changes: Any) -> str:
    """The shipped framework file as YAML, with top-level fields changed (e.g. `version="9.1"`)."""
    return yaml.safe_dump({**default_definition(), **changes}, sort_keys=False, allow_unicode=True)


def start_assessment(
    *, organization: Organization, user: Any, title: str = "GenAI readiness 2025", **kwargs: Any
) -> Assessment:
    return services.assessment_create(
        organization=organization,
        framework=kwargs.pop("framework", None) or ensure_default_framework(),
        title=title,
        user=user,
        **kwargs,
    )


def good_value(question: scoring.Question) -> Any:
    """An answer that scores well (level 3, yes, the best option, the full-score threshold)."""
    if question.type == "maturity":
        return 3
    if question.type == "yes_no":
        return question.yes_score >= 50
    if question.type == "choice":
        return max(question.options, key=lambda option: option.score).id
    assert question.numeric is not None
    return question.numeric.full_score_at


def low_value(question: scoring.Question) -> Any:
    """An answer that scores 0 (so it carries a risk and shows its recommendation)."""
    if question.type == "maturity":
        return 0
    if question.type == "yes_no":
        return question.yes_score < 50
    if question.type == "choice":
        return min(question.options, key=lambda option: option.score).id
    assert question.numeric is not None
    return question.numeric.zero_score_at


def weak_value(question: scoring.Question) -> Any:
    """An answer that scores low (level 1, no, the worst option, the zero-score threshold): gaps for a roadmap."""
    if question.type == "maturity":
        return 1
    if question.type == "yes_no":
        return question.yes_score < 50
    if question.type == "choice":
        return min(question.options, key=lambda option: option.score).id
    assert question.numeric is not None
    return question.numeric.zero_score_at


def answer_all(
    assessment: Assessment,
    user: Any,
    value: Callable[[scoring.Question], Any] = good_value,
    skip: Iterable[str] = (),
) -> list[Answer]:
    """Answer every question of the assessment's framework (but `skip`) as `user`, through the service."""
    skipped = set(skip)
    framework = services.framework_parse(assessment.framework)
    items = [services.AnswerInput(q.id, value(q)) for q in framework.questions() if q.id not in skipped]
    return services.answers_save(assessment=assessment, items=items, user=user)
