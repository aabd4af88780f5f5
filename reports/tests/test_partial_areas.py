"""A strength rests on every question of its area: an area scoring 100 from 1 of its 8 questions is never listed as
one, and wherever the summary shows a partly answered area's score it says how many questions the score rests on
(the executive summary's lines, each area's section of the PDF)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessments import selectors, services
from assessments.results import EvidenceFact, ResultArea
from assessments.scoring import Confidence
from assessments.tests.factories import answer_all, good_value, start_assessment
from inventory.models import Site
from reports import report_data
from reports import services as report_services
from reports.report_data import executive_summary

from .report_fixtures import FakeExporter, pdf_text
from .test_report_pdf import area, stored

PUE = EvidenceFact("EN-COST-01", "Average PUE?", "average_pue", "Average PUE", 1.1, 1.1, "ratio", "")


def answered(area_id: str, score: float, *, answered: int, total: int, gap: int = 0, na: int = 0, **extra):
    """An area with inventory evidence behind its score, ``answered`` of its ``total`` questions answered (``na`` of
    them N/A)."""
    confidence = Confidence(
        total=total,
        answered=answered,
        not_applicable=na,
        from_inventory=answered,
        answered_share=answered / total,
        evidence_share=1.0 if answered else None,
    )
    return replace(area(area_id, score, gap, **extra), evidence_score=score, evidence=(PUE,), confidence=confidence)


class TestTheRule:
    def test_an_area_is_fully_answered_when_every_question_is_scored_or_na(self):
        assert answered("a", 90.0, answered=8, total=8).fully_answered
        assert answered("a", 90.0, answered=8, total=8, na=3).fully_answered  # N/A: someone looked and decided
        assert not answered("a", 90.0, answered=7, total=8).fully_answered
        assert not answered("a", 90.0, answered=1, total=8).fully_answered

    def test_the_score_says_what_it_rests_on_only_when_partial(self):
        assert answered("a", 100.0, answered=1, total=8).basis_text == "from 1 of 8 questions"
        assert answered("a", 100.0, answered=8, total=8).basis_text == ""

    def test_a_strength_meets_its_target_on_evidence_with_every_question_answered(self):
        partial = answered("a", 100.0, answered=1, total=8)
        assert partial.meets_target_on_evidence
        assert not partial.is_strength
        assert answered("a", 100.0, answered=8, total=8).is_strength
        assert not answered("a", 100.0, answered=8, total=8, gap=1).is_strength  # below its target
        assert not replace(answered("a", 100.0, answered=8, total=8), evidence=(), evidence_score=None).is_strength


class TestTheSummary:
    def test_an_area_scoring_100_from_1_of_8_questions_is_no_strength_and_says_so(self):
        areas: list[ResultArea] = [
            answered("energy", 100.0, answered=1, total=8, position=0),
            answered("power", 80.0, answered=8, total=8, position=1),
        ]
        summary = executive_summary(organization="Acme", result=stored(), areas=areas, roadmap=[])
        assert [line.title for line in summary.strengths] == ["Power"]
        assert [line.title for line in summary.unconfirmed] == ["Energy"]
        assert summary.unconfirmed[0].text == (
            "scores 100.0 of 100 from 1 of 8 questions and meets its target 4 Managed; not a strength until its "
            "7 other questions are answered."
        )

    def test_a_partial_gap_stays_a_gap_and_says_what_its_score_rests_on(self):
        areas = [
            answered("latency", 30.0, answered=3, total=8, gap=2, position=0),
            answered("data", 50.0, answered=7, total=7, gap=1, position=1),
        ]
        summary = executive_summary(organization="Acme", result=stored(), areas=areas, roadmap=[])
        assert [line.title for line in summary.gaps] == ["Latency", "Data"]
        assert summary.gaps[0].text.startswith(
            "scores 30.0 from 3 of 8 questions, level 2 Developing: 2 levels below its target 4 Managed."
        )
        assert summary.gaps[1].text.startswith("scores 50.0, level 3 Defined: one level below")  # fully answered
        assert summary.strengths == summary.unconfirmed == ()


@pytest.fixture
def energy_from_the_inventory_only(organization, assessor):
    """A scored assessment whose energy area is answered by the inventory alone (3 of its 8 questions: a green
    site's PUE and renewables, scoring 100) and whose scalability area misses 4 of its questions; every other
    question answered well."""
    Site.objects.create(organization=organization, name="Green DC", country="SE", pue=1.1, renewable_share_pct=100)
    assessment = start_assessment(organization=organization, user=assessor, title="Energy from the inventory")
    framework = services.framework_parse(assessment.framework)
    by_area = {a.id: [q.id for q in a.questions()] for a in framework.areas}
    from_inventory = set(assessment.answers.filter(source="inventory").values_list("question_id", flat=True))
    scalability = [q for q in by_area["scalability"] if q not in from_inventory]
    skip = set(by_area["energy"]) | set(scalability[-4:]) | from_inventory
    answer_all(assessment, assessor, good_value, skip=skip)
    services.assessment_submit(assessment=assessment, user=assessor)
    assessment.refresh_from_db()
    assert assessment.status == "scored", assessment.scoring_error
    return assessment


def test_a_real_assessment_answered_in_part_lists_no_partial_area_as_a_strength(energy_from_the_inventory_only):
    result = selectors.result_for(assessment=energy_from_the_inventory_only)
    energy, scalability = result.area("energy"), result.area("scalability")
    assert (energy.shown_score, energy.confidence.answered, energy.confidence.total) == (100.0, 3, 8)
    assert energy.meets_target_on_evidence
    assert not energy.is_strength
    assert scalability.gap == 1
    assert scalability.basis_text == "from 4 of 8 questions"

    content = report_data.report_content(assessment=energy_from_the_inventory_only)
    assert "Energy" not in [line.title for line in content.summary.strengths]
    assert [line.title for line in content.summary.unconfirmed] == [energy.name]
    gap = next(line for line in content.summary.gaps if line.title == scalability.name)
    assert gap.text.startswith(f"scores {scalability.score_text} from 4 of 8 questions, level")

    text = pdf_text(
        report_services.report_build(assessment=energy_from_the_inventory_only, exporter=FakeExporter()).pdf
    )
    summary = text[text.index("Strengths No fully answered") : text.index("Top 3 actions")]
    strengths = summary[: summary.index("Gaps")]
    assert "No fully answered area meets its target with inventory evidence to back it yet." in strengths
    assert f"{energy.name} scores 100.0 of 100 from 3 of 8 questions and meets its target" in strengths
    assert "not a strength until its 5 other questions are answered." in strengths
    assert f"{scalability.name} scores {scalability.score_text} from 4 of 8 questions" in summary
    sections = text[text.index("The challenge areas") :]
    assert f"{energy.name} meets its target, from 3 of 8 questions: the unanswered ones could change that." in sections
    assert f"{scalability.name} is one level below its target, from 4 of 8 questions." in sections
    assert "Hardware Limitations meets its target. " in sections  # fully answered: nothing to add
