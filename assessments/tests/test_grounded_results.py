"""Stored results are grounded in the inventory: evidence per area, blended scores and contradiction flags."""

import pytest

from assessments import services
from assessments.models import Answer
from assessments.selectors import default_framework
from inventory.models import Site

pytestmark = pytest.mark.django_db


def energy_maturity_answers(framework, level: int) -> list[services.AnswerInput]:
    (energy,) = [area for area in services.framework_parse(framework).areas if area.id == "energy"]
    questions = energy.questions()
    return [services.AnswerInput(q.id, level) for q in questions if q.type == "maturity"]


def test_a_self_assessment_the_inventory_contradicts_is_flagged_with_both_numbers_and_the_facts(organization, assessor):
    Site.objects.create(organization=organization, name="Old DC", country="PL", pue=2.1, renewable_share_pct=0)
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Optimistic", user=assessor
    )
    assessment.answers.filter(source="inventory").delete()  # the respondents' own view only
    services.answers_save(assessment=assessment, items=energy_maturity_answers(assessment.framework, 4), user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)

    result = assessment.result
    energy = result.scores.get(scope="area", ref="energy")
    assert energy.details["self_score"] == 100.0
    assert energy.details["evidence_score"] < 20  # PUE 2.1, no renewables, Polish grid 662 gCO2e/kWh
    assert energy.details["contradiction"] is True
    assert energy.score == pytest.approx((100.0 + energy.details["evidence_score"]) / 2)
    facts = {item["fact"] for item in energy.details["evidence"]}
    assert {"average_pue", "renewable_share_pct", "grid_carbon_intensity_g_per_kwh"} <= facts
    assert result.facts["average_pue"]["value"] == 2.1
    assert result.contradictions >= 1


def test_agreeing_evidence_raises_no_flag(organization, assessor):
    Site.objects.create(organization=organization, name="Green DC", country="SE", pue=1.1, renewable_share_pct=100)
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Honest", user=assessor
    )
    services.answers_save(assessment=assessment, items=energy_maturity_answers(assessment.framework, 4), user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)
    energy = assessment.result.scores.get(scope="area", ref="energy")
    assert energy.details["contradiction"] is False
    assert energy.details["evidence_score"] > 90


def test_without_inventory_the_index_is_the_questionnaires(organization, assessor):
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="No inventory", user=assessor
    )
    services.answers_save(assessment=assessment, items=energy_maturity_answers(assessment.framework, 2), user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)
    assert assessment.result.readiness_index == assessment.result.answers_index == 50.0


def test_the_result_page_shows_the_contradiction_with_both_numbers_and_the_facts(client, organization, assessor):
    from django.urls import reverse

    Site.objects.create(organization=organization, name="Old DC", country="PL", pue=2.1, renewable_share_pct=0)
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Optimistic", user=assessor
    )
    assessment.answers.filter(source="inventory").delete()
    services.answers_save(assessment=assessment, items=energy_maturity_answers(assessment.framework, 4), user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)
    energy = assessment.result.scores.get(scope="area", ref="energy")

    client.force_login(assessor)
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "Self-assessment contradicted by the inventory" in page
    assert f"self-assessed 100.0, evidence {round(energy.details['evidence_score'], 1)}" in page
    assert "EN-COST-01" in page
    assert "Average PUE: 2.1</strong>" in page  # by its label, no "ratio" unit word


def test_the_grid_and_renewables_are_weighted_by_the_energy_they_apply_to_and_pue_by_it_power(organization):
    from inventory.facts import compute_facts
    from inventory.tests.factories import ServerFactory

    # Two sites drawing 10.2 kW IT each: Poland (PUE 2.0, 662 g/kWh, no renewables) and Sweden (PUE 1.0, 41 g/kWh,
    # all renewable). Facility energy is 2:1, so the mean intensity is (2 x 662 + 1 x 41) / 3 = 455 g/kWh, what the
    # sites emit over what they use; an IT-power mean would say (662 + 41) / 2 = 351.5. PUE: (2.0 + 1.0) / 2 = 1.5.
    poland = Site.objects.create(organization=organization, name="PL", country="PL", pue=2.0, renewable_share_pct=0)
    sweden = Site.objects.create(organization=organization, name="SE", country="SE", pue=1.0, renewable_share_pct=100)
    for site in (poland, sweden):
        ServerFactory(organization=organization, site=site, power_w=10_200)
    facts = compute_facts(organization=organization)
    intensity = {s: facts["grid_carbon_intensity_g_per_kwh"].inputs["sites"][s] for s in ("PL", "SE")}
    expected = (2 * intensity["PL"] + intensity["SE"]) / 3
    assert facts["grid_carbon_intensity_g_per_kwh"].value == pytest.approx(expected)
    assert facts["renewable_share_pct"].value == pytest.approx(100 / 3)
    assert facts["average_pue"].value == pytest.approx(1.5)
    assert "weighted by facility energy" in facts["grid_carbon_intensity_g_per_kwh"].explanation


def _inventory_answers(assessment) -> dict[str, object]:
    return dict(assessment.answers.filter(source="inventory").values_list("question_id", "value"))


def test_an_inventory_answer_whose_fact_the_new_scope_lacks_is_removed_with_its_history(organization, assessor):
    """A draft over the whole organization is pre-filled "GPU driver versions in use: 1" from Paris' servers; scoped
    down to London, whose servers record no driver, that answer stayed as London's evidence (and scored 100)."""
    from inventory.tests.factories import ServerFactory, SiteFactory

    paris = SiteFactory(organization=organization, name="Paris DC", country="FR")
    london = SiteFactory(organization=organization, name="London Edge", country="GB")
    ServerFactory(organization=organization, site=paris, gpu_driver_version="550.54", cuda_version="12.4")
    ServerFactory(organization=organization, site=london, gpu_driver_version="", cuda_version="")
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Whole", user=assessor
    )
    assert _inventory_answers(assessment)["SW-VER-02"] == 1
    assert _inventory_answers(assessment)["SW-TC-02"] == 1

    services.assessment_update(assessment=assessment, changes={"sites": [london]})

    answers = _inventory_answers(assessment)
    assert "SW-VER-02" not in answers
    assert "SW-TC-02" not in answers
    assert answers["LAT-GEO-01"] == 1  # what London's inventory does show is still pre-filled
    assert Answer.history.filter(assessment_id=assessment.pk, question_id="SW-VER-02", history_type="-").exists()


def test_a_person_s_answer_stays_whatever_the_scope(organization, assessor):
    from inventory.tests.factories import ServerFactory, SiteFactory

    paris = SiteFactory(organization=organization, name="Paris DC", country="FR")
    london = SiteFactory(organization=organization, name="London Edge", country="GB")
    ServerFactory(organization=organization, site=paris, gpu_driver_version="550.54")
    ServerFactory(organization=organization, site=london, gpu_driver_version="")
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Whole", user=assessor
    )
    services.answers_save(assessment=assessment, items=[services.AnswerInput("SW-VER-02", 2)], user=assessor)

    services.assessment_update(assessment=assessment, changes={"sites": [london]})

    assert assessment.answers.get(question_id="SW-VER-02").value == 2
