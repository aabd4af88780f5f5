"""What the dashboards need from a framework version: the names of its areas and sub-areas, and its questions
(`framework_names`, parsed once per version)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assessments import scoring
from assessments.models import Framework
from assessments.selectors import framework_of


@dataclass(frozen=True)
class FrameworkNames:
    """What the roadmap's charts need from a framework version: names of areas and sub-areas, and the questions."""

    areas: Mapping[str, str]
    subareas: Mapping[str, str]
    questions: Mapping[str, scoring.Question]

    def area(self, area_id: str) -> str:
        return self.areas.get(area_id) or area_id

    def subarea(self, subarea_id: str) -> str:
        return self.subareas.get(subarea_id) or subarea_id


def framework_names(*, framework: Framework) -> FrameworkNames:
    """Names and questions of a framework version (parsed once per version, `assessments.selectors.framework_of`)."""
    parsed = framework_of(framework)
    return FrameworkNames(
        areas={area.id: area.name or area.id for area in parsed.areas},
        subareas={sub.id: sub.name or sub.id for area in parsed.areas for sub in area.subareas},
        questions={question.id: question for question in parsed.questions()},
    )
