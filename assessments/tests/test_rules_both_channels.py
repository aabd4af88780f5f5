"""Every assessment rule refuses the same thing whichever channel asks: the web pages and the REST API call the
same service, so each rule below is run through both and must be refused by both, with the service's words, and
change nothing."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Assessment, AssessmentStatus, Framework, RoadmapItem
from assessments.selectors import roadmap_of
from assessments.tests.factories import answer_all, framework_text, start_assessment, weak_value
from config.testing import api_errors

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rule:
    """A rule: the state it needs, what the page and the API are asked, and the refusal both must give."""

    name: str
    setup: Callable[[Any, Any], Any]
    web: Callable[[Client, Any], Any]
    api: Callable[[APIClient, Any], Any]
    status: int
    code: str
    message: str
    unchanged: Callable[[Any], Any]
    """Something about the state that the refused request must have left as it was."""


def draft(organization, user):
    return start_assessment(organization=organization, user=user)


def unanswered(organization, user):
    assessment = draft(organization, user)
    assessment.answers.all().delete()  # what the inventory answered
    return assessment


def submitted(organization, user):
    assessment = start_assessment(organization=organization, user=user)
    answer_all(assessment, user, weak_value)
    services.assessment_submit(assessment=assessment, user=user)
    return Assessment.objects.get(pk=assessment.pk)


def area_post(client: Client, assessment: Assessment, area: str = "hardware", **fields: str):
    return client.post(reverse("assessments:area", args=[assessment.pk, area]), {"go": "stay", **fields}, follow=True)


def answers_post(client: APIClient, assessment: Assessment, *items: dict):
    return client.post(reverse("api:assessments:assessment-answers", args=[assessment.pk]), list(items), format="json")


def track_post(client: Client, item: RoadmapItem, **fields: Any):
    data = {f"item-{item.pk}-{name}": value for name, value in fields.items()}
    url = reverse("assessments:roadmap_track", args=[item.assessment_id, item.item_id])
    return client.post(url, data, follow=True)


def track_patch(client: APIClient, item: RoadmapItem, **fields: Any):
    url = reverse("api:assessments:assessment-roadmap-item", args=[item.assessment_id, item.item_id])
    return client.patch(url, fields, format="json")


def first_item(organization, user) -> RoadmapItem:
    return roadmap_of(assessment=submitted(organization, user)).first()


def answers_of(assessment: Assessment) -> list[tuple]:
    return sorted(assessment.answers.values_list("question_id", "value", "not_applicable"))


RULES = [
    Rule(
        "a draft is not re-assessed",
        draft,
        lambda c, a: c.post(reverse("assessments:reassess", args=[a.pk]), follow=True),
        lambda c, a: c.post(reverse("api:assessments:assessment-reassess", args=[a.pk])),
        409,
        "not_submitted",
        "This assessment is still in progress: finish and submit it first.",
        lambda a: Assessment.objects.count(),
    ),
    Rule(
        "a submitted assessment's answers are frozen",
        submitted,
        lambda c, a: area_post(c, a, **{"HW-PP-03-value": "4"}),
        lambda c, a: answers_post(c, a, {"question_id": "HW-PP-03", "value": 4}),
        409,
        "frozen",
        "This assessment has been submitted; its answers are frozen. Re-assess to change them.",
        answers_of,
    ),
    Rule(
        "a number within the question's bounds",
        draft,
        lambda c, a: area_post(c, a, **{"HW-PP-01-value": "150"}),
        lambda c, a: answers_post(c, a, {"question_id": "HW-PP-01", "value": 150}),
        400,
        "max_value",
        "Question HW-PP-01: must be at most 100 %.",
        answers_of,
    ),
    Rule(
        "a level from 0 to 4",
        draft,
        lambda c, a: area_post(c, a, **{"HW-PP-03-value": "7"}),
        lambda c, a: answers_post(c, a, {"question_id": "HW-PP-03", "value": 7}),
        400,
        "invalid",
        "question HW-PP-03: maturity level must be an int 0-4, got 7",
        answers_of,
    ),
    Rule(
        "one of the question's options",
        draft,
        lambda c, a: area_post(c, a, **{"HW-MEM-04-value": "lots"}),
        lambda c, a: answers_post(c, a, {"question_id": "HW-MEM-04", "value": "lots"}),
        400,
        "invalid",
        "question HW-MEM-04: unknown option id 'lots'",
        answers_of,
    ),
    Rule(
        "'not applicable' needs a reason",
        draft,
        lambda c, a: area_post(c, a, **{"HW-MEM-03-na": "on", "HW-MEM-03-na_reason": " "}),
        lambda c, a: answers_post(c, a, {"question_id": "HW-MEM-03", "not_applicable": True, "na_reason": " "}),
        400,
        "required",
        "Question HW-MEM-03: say why it does not apply.",
        answers_of,
    ),
    Rule(
        "nothing answered is not submitted",
        unanswered,
        lambda c, a: c.post(reverse("assessments:submit", args=[a.pk]), follow=True),
        lambda c, a: c.post(reverse("api:assessments:assessment-submit", args=[a.pk])),
        400,
        "no_answers",
        "Answer at least one question before submitting.",
        lambda a: Assessment.objects.get(pk=a.pk).status,
    ),
    Rule(
        "an assessment is submitted once",
        submitted,
        lambda c, a: c.post(reverse("assessments:submit", args=[a.pk]), follow=True),
        lambda c, a: c.post(reverse("api:assessments:assessment-submit", args=[a.pk])),
        409,
        "already_submitted",
        "This assessment has already been submitted.",
        lambda a: Assessment.objects.get(pk=a.pk).submitted_at,
    ),
    Rule(
        "a dismissal needs a reason",
        first_item,
        lambda c, item: track_post(c, item, status="dismissed", status_reason=""),
        lambda c, item: track_patch(c, item, status="dismissed", status_reason=""),
        400,
        "required",
        "Say why the item is dismissed.",
        lambda item: RoadmapItem.objects.get(pk=item.pk).status,
    ),
    Rule(
        "a framework version is never changed once loaded",
        lambda o, u: services.framework_load(text=framework_text(version="2.0"), organization=o)[0],
        lambda c, f: c.post(
            reverse("assessments:framework_upload"), {"content": framework_text(version="2.0", title="Changed")}
        ),
        lambda c, f: c.post(
            reverse("api:assessments:framework-list"),
            {"content": framework_text(version="2.0", title="Changed")},
            format="json",
        ),
        409,
        "version_exists",
        "Version 2.0 of genai-infrastructure is already loaded with different content; "
        "give the changed file a new version number.",
        lambda f: Framework.objects.get(pk=f.pk).title,
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_the_web_and_the_api_refuse_alike(rule, client, api_client_for, organization, assessor):
    subject = rule.setup(organization, assessor)
    before = rule.unchanged(subject)

    client.force_login(assessor)
    page = html.unescape(re.sub(r"\s+", " ", rule.web(client, subject).content.decode()))
    assert rule.message in page
    assert rule.unchanged(subject) == before

    response = rule.api(api_client_for(assessor, organization), subject)
    assert response.status_code == rule.status, response.content
    (error,) = api_errors(response)
    assert error["code"] == rule.code
    assert error["message"].startswith(rule.message)
    assert rule.unchanged(subject) == before


def test_an_owner_must_be_a_member_on_both_channels(client, api_client_for, organization, assessor, outsider):
    item = first_item(organization, assessor)
    client.force_login(assessor)
    page = html.unescape(track_post(client, item, status="accepted", owner=outsider.pk).content.decode())
    assert "Owner: Select a valid choice." in page  # the page offers members only, named by its label
    response = track_patch(api_client_for(assessor, organization), item, owner_id=outsider.pk)
    assert response.status_code == 400
    assert api_errors(response) == [
        {"code": "not_a_member", "message": "The owner must be a member of the organization.", "field": "owner"}
    ]
    assert RoadmapItem.objects.get(pk=item.pk).owner_id is None


def test_a_scored_assessment_may_be_reassessed_on_both_channels(client, api_client_for, organization, assessor):
    assessment = submitted(organization, assessor)
    assert assessment.status == AssessmentStatus.SCORED
    client.force_login(assessor)
    assert client.post(reverse("assessments:reassess", args=[assessment.pk])).status_code == 302
    url = reverse("api:assessments:assessment-reassess", args=[assessment.pk])
    # One re-assessment in progress at a time, on both channels: the page goes to it, the API says which it is.
    draft = Assessment.objects.get(previous=assessment)
    again = client.post(reverse("assessments:reassess", args=[assessment.pk]))
    assert again["Location"] == reverse("assessments:detail", args=[draft.pk])
    refused = api_client_for(assessor, organization).post(url)
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "reassessment_in_progress"
    assert refused.json()["errors"][0]["current"]["id"] == draft.pk
    Assessment.objects.filter(pk=draft.pk).update(status=AssessmentStatus.SCORED)
    assert api_client_for(assessor, organization).post(url).status_code == 201
    assert Assessment.objects.filter(previous=assessment).count() == 2
