"""The one typed result (`assessments.results`): what scoring writes is what every reader reads back, field for
field; the engine's result comes back from the stored rows; every row of any number of results is read in a
constant number of queries; a missing fact reads "not recorded"."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from assessments import scoring, selectors, services
from assessments.models import Assessment, AssessmentResult, Score, ScoreScope
from assessments.results import NOT_RECORDED, ResultArea, StoredResult, result_from_scoring, score_text
from assessments.services.scores import _fact_records
from assessments.tests.factories import good_value, low_value, start_assessment, weak_value
from inventory.facts import FACTS, compute_facts
from inventory.models import Site
from inventory.tests.factories import ServerFactory

pytestmark = pytest.mark.django_db


def demo_like(organization, user, *, title: str = "Demo-like") -> Assessment:
    """Scored like the demo: an inventory whose facts answer and check questions (an old site contradicts the
    energy answers), answers of every kind (good, weak, risky, not applicable), some left to the inventory."""
    old = Site.objects.create(organization=organization, name="Old DC", country="PL", pue=2.1, renewable_share_pct=0)
    for _ in range(3):
        ServerFactory(organization=organization, site=old)
    assessment = start_assessment(organization=organization, user=user, title=title)
    prefilled = set(assessment.answers.values_list("question_id", flat=True))
    items = []
    for position, question in enumerate(services.framework_parse(assessment.framework).questions()):
        if question.id in prefilled:
            continue
        if question.allow_na and position % 4 == 0:
            items.append(services.AnswerInput(question.id, not_applicable=True, na_reason="Not ours."))
        elif question.id.startswith("EN-") and question.type == "maturity":
            items.append(services.AnswerInput(question.id, 4))  # optimistic: the old site says otherwise
        else:
            value = (good_value, weak_value, low_value)[position % 3](question)
            items.append(services.AnswerInput(question.id, value))
    services.answers_save(assessment=assessment, items=items, user=user)
    services.assessment_submit(assessment=assessment, user=user)
    return selectors.assessments_for(organization=organization).get(pk=assessment.pk)


@pytest.fixture
def scored(organization, assessor) -> Assessment:
    return demo_like(organization, assessor)


def scored_again(assessment: Assessment) -> StoredResult:
    """The typed result as the scoring service builds it before writing, from the same answers and inventory."""
    framework = selectors.framework_of(assessment.framework)
    answers = selectors.scoring_answers_of(assessment=assessment)
    facts = compute_facts(organization=assessment.organization)
    bound = services.facts_by_question(framework, facts)
    return result_from_scoring(
        framework=framework,
        result=scoring.score_assessment(framework, answers, assessment.target_levels),
        evidence=scoring.score_evidence(framework, answers, {qid: value for qid, (value, _) in bound.items()}),
        facts=_fact_records(facts),
        bound=bound,
        assessment_id=assessment.pk,
    )


def test_what_scoring_writes_is_what_readers_read_field_for_field(scored):
    read = selectors.result_for(assessment=scored)
    assert read is not None
    assert read.computed_at is not None
    assert dataclasses.replace(read, computed_at=None) == scored_again(scored)


def test_the_typed_result_holds_what_the_pages_show(scored):
    result = selectors.result_for(assessment=scored)
    row = AssessmentResult.objects.get(assessment=scored)
    assert (result.readiness_index, result.answers_index, result.level) == (
        row.readiness_index,
        row.answers_index,
        row.level,
    )
    assert (result.answered, result.total, result.high_risks, result.medium_risks) == (
        row.answered,
        row.total,
        row.high_risks,
        row.medium_risks,
    )
    assert [area.area_id for area in result.areas][:2] == ["hardware", "energy"]
    energy = result.area("energy")
    assert energy.contradiction
    assert energy in result.contradicted
    assert energy.self_score > energy.evidence_score + 30
    assert energy.score == pytest.approx((energy.self_score + energy.evidence_score) / 2)
    pue = next(fact for fact in energy.evidence if fact.fact == "average_pue")
    assert (pue.value, pue.unit, pue.value_text, pue.label) == (2.1, "ratio", "2.1", FACTS["average_pue"].label)
    assert pue.question.startswith("What is")  # the question's words, not its id
    # one rounding rule: the scoring package's
    assert energy.shown_score == scoring.round_score(energy.score)
    assert energy.score_text == f"{scoring.round_score(energy.score):.1f}"
    assert result.answered_pct == scoring.percent(row.answered / row.total)
    # risks: high first, then medium, each in framework order; each with its recommendation
    risks = result.risks
    assert len(risks) == row.high_risks + row.medium_risks > 0
    assert [r.risk for r in risks] == sorted((r.risk for r in risks), key=["high", "medium"].index)
    positions = [r.position for r in risks if r.risk == risks[0].risk]
    assert positions == sorted(positions)
    question = selectors.framework_of(scored.framework).question(risks[0].question_id)
    assert (risks[0].question, risks[0].recommendation) == (question.text, question.recommendation.title)
    assert risks[0].url == f"/assessments/{scored.pk}/areas/{risks[0].area_id}/#q-{risks[0].question_id}"
    statuses = {q.status for q in result.questions}
    assert statuses == {"scored", "not_applicable"}
    assert {q.source for q in result.questions} == {"self", "inventory"}


def test_the_engines_result_comes_back_from_the_stored_rows(scored):
    framework = selectors.framework_of(scored.framework)
    again = scoring.score_assessment(framework, selectors.scoring_answers_of(assessment=scored), scored.target_levels)
    assert selectors.result_for(assessment=scored).as_scoring_result() == again


def test_the_stored_rows_are_the_typed_results_rows(scored):
    result = selectors.result_for(assessment=scored)
    stored = list(Score.objects.filter(result__assessment=scored).order_by("position").values(*[
        "scope", "ref", "area_ref", "position", "score", "level", "target_level", "weight", "risk", "details",
    ]))  # fmt: skip
    assert stored == result.score_rows()
    assert [row["position"] for row in stored] == list(range(len(stored)))
    assert sum(1 for row in stored if row["scope"] == ScoreScope.AREA) == 10


def test_a_fact_without_a_value_reads_not_recorded_on_the_page(client, scored, assessor):
    row = AssessmentResult.objects.get(assessment=scored)
    row.facts["average_pue"]["value"] = None
    row.save(update_fields=["facts"])
    energy = Score.objects.get(result=row, scope=ScoreScope.AREA, ref="energy")
    energy.details["evidence"] = [
        {**item, "value": None} if item["fact"] == "average_pue" else item for item in energy.details["evidence"]
    ]
    energy.save(update_fields=["details"])

    reread = selectors.result_for(
        assessment=selectors.assessments_for(organization=scored.organization).get(pk=scored.pk)
    )
    pue = next(fact for fact in reread.area("energy").evidence if fact.fact == "average_pue")
    assert (pue.value, pue.value_text) == (None, NOT_RECORDED) == (None, "not recorded")
    client.force_login(assessor)
    page = client.get(reverse("assessments:detail", args=[scored.pk])).content.decode()
    assert '<strong title="average_pue">Average PUE: not recorded</strong>' in page  # its label; the id a tooltip
    assert "None" not in page


def test_score_text_spells_a_missing_score():
    assert score_text(None) == "not scored"
    assert score_text(None, none="—") == "—"
    assert score_text(62.25) == "62.3"  # half away from zero, on the decimal spelling


def _area(area_id: str, confidence: scoring.Confidence) -> ResultArea:
    return ResultArea(
        assessment_id=None, area_id=area_id, name=area_id.title(), description="", position=0, weight=1.0,
        score=50.0, level=3, target_level=4, gap=1, answers_score=50.0, self_score=None, evidence_score=None,
        contradiction=False, high_risks=0, medium_risks=0, confidence=confidence, evidence=(), subareas=(),
    )  # fmt: skip


def test_the_whole_frameworks_confidence_is_summed_once_and_its_shares_read_it():
    """Two areas: 3 of 4 answered (2 from the inventory, 1 of 2 pieces of evidence expired) and 4 of 4 (1 from the
    inventory, no evidence). The framework: 7 of 8 answered, 3 of 7 from the inventory, 1 of 2 pieces expired, a
    confidence of 7 / 8 x (1 - 0.5 x 1 / 2) = 65.6 %, read 66 %; summed once, not again at every read."""
    result = StoredResult(
        assessment_id=None, framework_slug="f", framework_version="1", readiness_index=50.0, level=3,
        answers_index=50.0, answered=7, total=8, high_risks=0, medium_risks=0, contradictions=0, facts=(),
        areas=(
            _area("a", scoring.Confidence(4, 3, 0, 2, 0.75, 2 / 3, evidence_items=2, expired_evidence=1)),
            _area("b", scoring.Confidence(4, 4, 0, 1, 1.0, 0.25)),
        ),
    )  # fmt: skip
    assert result.confidence is result.confidence
    assert (result.confidence.answered, result.confidence.total, result.confidence.from_inventory) == (7, 8, 3)
    assert (result.confidence_pct, result.evidence_pct) == (66, 43)
    assert result.expired_evidence_text == "1 of 2 pieces of evidence expired"


def test_one_result_is_read_in_one_query(scored, django_assert_num_queries):
    assessment = selectors.assessments_for(organization=scored.organization).get(pk=scored.pk)
    with django_assert_num_queries(1):  # its scores; the result row and framework come with the assessment
        assert selectors.result_for(assessment=assessment) is not None
    bare = Assessment.objects.get(pk=scored.pk)
    with django_assert_num_queries(3):  # the result row, its scores, the framework
        assert selectors.result_for(assessment=bare) is not None


def test_many_results_are_read_in_as_many_queries_as_one(organization, assessor, django_assert_num_queries):
    first = demo_like(organization, assessor, title="First")
    assessments = selectors.assessments_for(organization=organization)
    with django_assert_num_queries(1):
        assert list(selectors.results_for(assessments=[first])) == [first.pk]
    for _n in range(3):
        services.assessment_reassess(previous=first, user=assessor)
        draft = Assessment.objects.exclude(pk=first.pk).filter(status="draft").get()
        services.assessment_submit(assessment=draft, user=assessor)
    everything = list(assessments)
    assert len(everything) == 4
    with django_assert_num_queries(1):
        assert len(selectors.results_for(assessments=everything)) == 4
    with django_assert_num_queries(2):
        pairs = selectors.assessments_with_results(assessments=assessments.order_by("pk"))
    assert [assessment.pk for assessment, _ in pairs] == sorted(a.pk for a in everything)
    with django_assert_num_queries(2):  # none: the same two queries
        assert selectors.assessments_with_results(assessments=assessments.filter(pk=0)) == []
