"""A numeric question's unit as people read it: the organization's reporting currency for a framework's
"currency", ratios marked as such, thousands grouped in what the inventory says."""

import re

import pytest
from django.urls import reverse

from assessments import selectors
from assessments.models import AnswerSource
from assessments.tests.factories import start_assessment
from inventory.tests.factories import ServerFactory, SiteFactory, StorageSystemFactory, WorkloadFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize(("currency", "unit"), [("EUR", "€/month"), ("SEK", "SEK/month")])
def test_the_energy_cost_question_is_asked_in_the_reporting_currency(client, organization, assessor, currency, unit):
    organization.reporting_currency = currency
    organization.save()
    assessment = start_assessment(organization=organization, user=assessor)
    client.force_login(assessor)
    page = _text(client.get(reverse("assessments:area", args=[assessment.pk, "cost"])))
    assert f"Answer ({unit})" in page
    assert f"At least 0 {unit}." in page
    assert "currency/month" not in page


def test_answers_read_with_their_unit(organization, assessor):
    organization.reporting_currency = "USD"
    framework = selectors.framework_of(start_assessment(organization=organization, user=assessor).framework)
    shown = {
        qid: selectors.answer_shown(question=framework.question(qid), value=value, currency="USD")
        for qid, value in {"CO-OPEX-01": 165.5, "DM-STOR-01": 2500.0, "CO-OPEX-02": 7.33, "EN-COST-01": 1.35}.items()
    }
    # A PUE is a ratio too, but written bare ("1.35"), not as a multiple.
    assert shown == {"CO-OPEX-01": "$166/month", "DM-STOR-01": "2,500×", "CO-OPEX-02": "7.3 %", "EN-COST-01": "1.35"}


def test_the_storage_ratio_from_the_inventory_names_its_unit_and_groups_thousands(client, organization, assessor):
    StorageSystemFactory(organization=organization, usable_tb=7500.0)
    WorkloadFactory(organization=organization, dataset_size_tb=3.0)
    assessment = start_assessment(organization=organization, user=assessor)
    answer = assessment.answers.get(question_id="DM-STOR-01")
    assert answer.source == AnswerSource.INVENTORY
    assert "7,500 TB usable over 3 TB of workload datasets (2,500×)" in answer.inventory_note


def test_the_grid_intensity_question_reads_co2_equivalent_as_the_facts_do(client, organization, assessor):
    # Framework files 1.0-1.4 write EN-SUS-02's unit "gCO2/kWh" (versioned, never edited); the figure is the grid
    # intensity fact's, CO2-equivalent (Ember via Our World in Data and codecarbon), so it reads gCO2e/kWh.
    ServerFactory(organization=organization, site=SiteFactory(organization=organization, country="DE"))
    assessment = start_assessment(organization=organization, user=assessor)
    question = selectors.framework_of(assessment.framework).question("EN-SUS-02")
    assert question.numeric.unit == "gCO2e/kWh"
    assert selectors.question_unit_shown(question=question) == "gCO2e/kWh"
    client.force_login(assessor)
    page = _text(client.get(reverse("assessments:area", args=[assessment.pk, "energy"])))
    assert "Answer (gCO2e/kWh)" in page
    assert "At least 0 gCO2e/kWh." in page
    assert "381 gCO2e/kWh" in page
    # the one "gCO2/kWh" left is the framework's versioned help text ("about 480 gCO2/kWh (Ember, ...)")
    assert page.count("gCO2/kWh") == page.count("480 gCO2/kWh")
