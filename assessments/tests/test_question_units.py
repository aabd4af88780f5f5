"""A numeric question's unit as people read it: the organization's reporting currency for a framework's
"currency", ratios marked as such, thousands grouped in what the inventory says."""

import re

import pytest
from django.urls import reverse

from assessments import selectors
from assessments.models import AnswerSource
from assessments.tests.factories import start_assessment
from inventory.tests.factories import StorageSystemFactory, WorkloadFactory

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
