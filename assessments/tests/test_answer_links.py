"""An answer's evidence link is a web address (http or https) on every channel: the rule is the model field's
(`config.validators.validate_web_address`), so the page, the API, the service and the admin's model validation
refuse the same links; Django's ``URLField`` alone takes ``ftp://`` too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Evidence
from assessments.tests.factories import start_assessment
from config.errors import Invalid
from config.testing import api_errors

pytestmark = pytest.mark.django_db

REFUSED = ["ftp://files.example/pue.pdf", "javascript:alert(1)", "file:///srv/share/pue.pdf"]


@pytest.mark.parametrize("link", REFUSED)
def test_the_service_refuses_a_link_that_is_not_a_web_address(organization, assessor, link):
    assessment = start_assessment(organization=organization, user=assessor)
    before = Answer.objects.filter(assessment=assessment, question_id="HW-PP-03").first()
    item = services.AnswerInput(question_id="HW-PP-03", value=3, evidence_url=link)
    with pytest.raises(Invalid) as refused:
        services.answers_save(assessment=assessment, items=[item], user=assessor)
    assert [e.field for e in refused.value.errors] == ["evidence_url"]
    assert refused.value.errors[0].message in (
        "Enter a valid URL.",  # Django's own rule, for what is no URL at all
        "Enter a web address that starts with https:// (or http://).",  # ours, for other schemes
    )
    assert Answer.objects.filter(assessment=assessment, question_id="HW-PP-03").first() == before


def test_the_api_refuses_an_ftp_link_and_takes_https(organization, assessor, api_client_for):
    assessment = start_assessment(organization=organization, user=assessor)
    client = api_client_for(assessor, organization)
    url = reverse("api:assessments:assessment-answers", args=[assessment.pk])
    refused = client.post(url, [{"question_id": "HW-PP-03", "value": 3, "evidence_url": REFUSED[0]}], format="json")
    assert refused.status_code == 400
    assert [e.get("field") for e in api_errors(refused)] == ["evidence_url"]
    assert not Answer.objects.filter(assessment=assessment, question_id="HW-PP-03").exists()
    link = "https://wiki.example.com/capacity"
    taken = client.post(url, [{"question_id": "HW-PP-03", "value": 3, "evidence_url": link}], format="json")
    assert taken.status_code == 200, taken.content
    assert Answer.objects.get(assessment=assessment, question_id="HW-PP-03").evidence_url == link


def test_the_page_refuses_an_ftp_link_and_keeps_a_bare_host_as_https(client, organization, assessor):
    assessment = start_assessment(organization=organization, user=assessor)
    client.force_login(assessor)
    area = reverse("assessments:area", args=[assessment.pk, "hardware"])
    post = {"go": "stay", "HW-PP-03-value": "3", "HW-PP-03-evidence_url": REFUSED[0]}
    text = client.post(area, post, follow=True).content.decode()
    assert "HW-PP-03: the evidence link must be a web address" in text
    assert not Answer.objects.filter(assessment=assessment, question_id="HW-PP-03").exists()
    client.post(area, {**post, "HW-PP-03-evidence_url": "wiki.example.com/capacity"}, follow=True)
    answer = Answer.objects.get(assessment=assessment, question_id="HW-PP-03")
    assert answer.evidence_url == "https://wiki.example.com/capacity"


@pytest.mark.parametrize(("model", "field"), [(Answer, "evidence_url"), (Evidence, "url")])
def test_the_model_fields_carry_the_rule_the_admin_applies(model, field):
    rule = model._meta.get_field(field)
    with pytest.raises(ValidationError):
        rule.clean(REFUSED[0], None)
    assert rule.clean("http://wiki.example.com/pue", None) == "http://wiki.example.com/pue"
