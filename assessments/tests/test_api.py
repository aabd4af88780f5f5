"""The assessments API: frameworks, assessments, answers, submission and results; roles and isolation on each."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

from assessments import scoring, services
from assessments.framework_files import DEFAULT_FRAMEWORK_FILE
from assessments.models import Assessment, AssessmentResult, Score
from assessments.selectors import default_framework
from assessments.tasks import score_assessment_task
from config.testing import api_errors, error_fields, error_text

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:assessments:{name}", args=args)


@pytest.fixture
def assessment(organization, assessor):
    return services.assessment_create(
        organization=organization, framework=default_framework(), title="Q3 readiness", user=assessor
    )


def full_answers(framework) -> list[dict]:
    """An answer to every question: level 2 / yes / first option / the midpoint of the numeric thresholds."""
    answers = []
    for q in scoring.Framework.from_dict(framework.definition).questions():
        value = {
            "maturity": 2,
            "yes_no": True,
            "choice": q.options[0].id if q.options else None,
            "numeric": (q.numeric.full_score_at + q.numeric.zero_score_at) / 2 if q.numeric else None,
        }[q.type]
        answers.append({"question_id": q.id, "value": value})
    return answers


def test_frameworks_are_listed_with_their_questions(api_client_for, organization, viewer):
    client = api_client_for(viewer, organization)
    listed = client.get(url("framework-list")).json()["results"]
    # 1.4 and 1.3 (reworded), 1.2 (1.1 and the questions answered by measured telemetry), newest first, beside 1.1, 1.0
    assert [(f["slug"], f["version"], f["shared"]) for f in listed] == [
        ("genai-infrastructure", "1.4", True),
        ("genai-infrastructure", "1.3", True),
        ("genai-infrastructure", "1.2", True),
        ("genai-infrastructure", "1.1", True),
        ("genai-infrastructure", "1.0", True),
    ]
    framework = listed[4]
    detail = client.get(url("framework-detail", framework["id"])).json()
    assert len(detail["definition"]["areas"]) == 10


def test_uploading_a_bad_framework_lists_every_problem(api_client_for, organization, assessor):
    data = yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text())
    data["id"] = "acme"
    data["areas"][3]["subareas"][0]["questions"][2]["weight"] = 0
    data["areas"][0]["default_target_level"] = 9
    response = api_client_for(assessor, organization).post(
        url("framework-list"), {"content": json.dumps(data)}, format="json"
    )
    assert response.status_code == 400
    assert api_errors(response) == [
        {"code": "invalid_framework", "message": "must be <= 5", "field": "areas[0].default_target_level"},
        {"code": "invalid_framework", "message": "must be > 0", "field": "areas[3].subareas[0].questions[2].weight"},
    ]


def test_uploading_an_own_framework_as_a_file(api_client_for, organization, other_organization, assessor, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = DEFAULT_FRAMEWORK_FILE.read_text().replace("id: genai-infrastructure", "id: acme-internal", 1)
    response = api_client_for(assessor, organization).post(
        url("framework-list"), {"file": SimpleUploadedFile("acme.yaml", text.encode())}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["shared"] is False
    theirs = api_client_for(outsider, other_organization).get(url("framework-list")).json()["results"]
    assert {f["slug"] for f in theirs} == {"genai-infrastructure"}  # versions 1.0 to 1.4, not acme-internal


def test_viewers_cannot_upload_frameworks(api_client_for, organization, viewer):
    assert api_client_for(viewer, organization).post(url("framework-list"), {"content": "x"}).status_code == 403


def test_create_an_assessment_with_default_targets_and_inventory_prefill(api_client_for, organization, assessor):
    from inventory.models import Site

    Site.objects.create(organization=organization, name="Paris", country="FR", pue=1.25)
    response = api_client_for(assessor, organization).post(
        url("assessment-list"), {"title": "First look", "target_levels": {"talent": 4}}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["target_levels"]["talent"] == 4
    assert body["target_levels"]["hardware"] == 4
    prefilled = Assessment.objects.get(pk=body["id"]).answers.get(question_id="EN-COST-01")
    assert (prefilled.value, prefilled.source) == (1.25, "inventory")


def test_a_bad_target_level_is_a_field_error(api_client_for, organization, assessor):
    response = api_client_for(assessor, organization).post(
        url("assessment-list"), {"title": "x", "target_levels": {"hardware": 7}}, format="json"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"target_levels.hardware"}


def test_answers_bulk_upsert_validates_each_answer(api_client_for, organization, assessor, assessment):
    client = api_client_for(assessor, organization)
    good = [{"question_id": "HW-PP-03", "value": 3}, {"question_id": "HW-MEM-01", "value": 40}]
    response = client.post(url("assessment-answers", assessment.pk), good, format="json")
    assert response.status_code == 200, response.json()
    bad = [
        {"question_id": "HW-PP-03", "value": 1},
        {"question_id": "HW-PP-04", "value": 9},
        {"question_id": "NOPE", "value": 1},
        {"question_id": "HW-PP-01", "not_applicable": True, "na_reason": "n/a"},
    ]
    response = client.post(url("assessment-answers", assessment.pk), bad, format="json")
    assert response.status_code == 400
    problems = api_errors(response)
    assert [(p["index"], p["field"], p["code"]) for p in problems] == [
        (1, "value", "invalid"),
        (2, "question_id", "unknown_question"),
        (3, "not_applicable", "na_not_allowed"),
    ]
    assert "HW-PP-04" in problems[0]["message"]
    assert "'NOPE'" in problems[1]["message"]
    assert "not applicable" in problems[2]["message"]
    # all or nothing: the good first item of the bad request was not written
    assert assessment.answers.get(question_id="HW-PP-03").value == 3


def test_the_last_write_wins_and_shows_who(api_client_for, organization, assessor, owner, assessment):
    api_client_for(assessor, organization).post(
        url("assessment-answers", assessment.pk), {"question_id": "HW-PP-03", "value": 1}, format="json"
    )
    api_client_for(owner, organization).post(
        url("assessment-answers", assessment.pk), {"question_id": "HW-PP-03", "value": 4}, format="json"
    )
    answers = api_client_for(assessor, organization).get(url("assessment-answers", assessment.pk)).json()
    (answer,) = [a for a in answers if a["question_id"] == "HW-PP-03"]
    assert (answer["value"], answer["answered_by"]) == (4, owner.username)


def test_submit_answers_202_and_the_results_are_stored(api_client_for, organization, assessor, assessment):
    client = api_client_for(assessor, organization)
    client.post(url("assessment-answers", assessment.pk), full_answers(assessment.framework), format="json")
    response = client.post(url("assessment-submit", assessment.pk))
    assert response.status_code == 202
    assert response["Location"].endswith(url("assessment-scoring-status", assessment.pk))
    assert response.json()["state"] == "succeeded"  # scored at once: tasks run in process in the test suite
    status = client.get(response["Location"]).json()
    assert status == {
        "kind": "scoring",
        "state": "succeeded",
        "progress": 100,
        "message": "Scored.",
        "error": None,
        "next_url": f"http://testserver{url('assessment-results', assessment.pk)}",
        "retry_url": None,
    }
    results = client.get(status["next_url"]).json()
    refused = client.get(status["next_url"], {"foo": "1"})  # a parameter the results do not take is not ignored
    assert (refused.status_code, error_fields(refused)) == (400, {"foo"})
    assert results["answered"] == results["total"] == assessment.framework.question_count
    assert 0 <= results["readiness_index"] <= 100
    areas = [s for s in results["scores"] if s["scope"] == "area"]
    assert len(areas) == 10
    # frozen once submitted
    again = client.post(
        url("assessment-answers", assessment.pk), {"question_id": "HW-PP-03", "value": 4}, format="json"
    )
    assert again.status_code == 409
    assert api_errors(again)[0]["code"] == "frozen"
    assert client.post(url("assessment-submit", assessment.pk)).status_code == 409


def test_scoring_twice_stores_one_result(organization, assessor, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    task_id = services.assessment_submit(assessment=assessment, user=assessor)  # scored in process
    first = AssessmentResult.objects.get(assessment=assessment)
    score_assessment_task.apply((assessment.pk,), task_id=task_id)  # the broker delivers the message again
    score_assessment_task.apply((assessment.pk,), task_id="a-stale-message")
    services.assessment_score(assessment_id=assessment.pk)  # and the service itself, called twice
    assert AssessmentResult.objects.filter(assessment=assessment).count() == 1
    assert AssessmentResult.objects.get(assessment=assessment).pk == first.pk
    assert Score.objects.filter(result=first, scope="area").count() == 10


def test_results_before_scoring_are_a_clear_404(api_client_for, organization, viewer, assessment):
    response = api_client_for(viewer, organization).get(url("assessment-results", assessment.pk))
    assert response.status_code == 404
    assert "Not scored yet" in error_text(response)


def test_reassess_starts_from_the_last_answers(api_client_for, organization, assessor, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    client = api_client_for(assessor, organization)
    draft = client.post(url("assessment-reassess", assessment.pk))
    assert draft.status_code == 409  # a draft is still being answered: the web refuses it too
    assert api_errors(draft)[0]["code"] == "not_submitted"
    client.post(url("assessment-submit", assessment.pk))
    response = client.post(url("assessment-reassess", assessment.pk))
    assert response.status_code == 201
    new = Assessment.objects.get(pk=response.json()["id"])
    assert new.previous == assessment
    assert new.answers.get(question_id="HW-PP-03").value == 3


@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("get", "assessment-detail", None),
        ("patch", "assessment-detail", {"title": "mine now"}),
        ("delete", "assessment-detail", None),
        ("get", "assessment-answers", None),
        ("post", "assessment-answers", {"question_id": "HW-PP-03", "value": 1}),
        ("post", "assessment-submit", None),
        ("get", "assessment-scoring-status", None),
        ("get", "assessment-results", None),
        ("post", "assessment-reassess", None),
    ],
)
def test_another_organizations_assessment_is_a_404_everywhere(
    api_client_for, other_organization, outsider, assessment, method, name, body
):
    client = api_client_for(outsider, other_organization)
    response = getattr(client, method)(url(name, assessment.pk), body, format="json")
    assert response.status_code == 404
    assert Assessment.objects.get(pk=assessment.pk).title == "Q3 readiness"


@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("post", "assessment-list", {"title": "x"}),
        ("patch", "assessment-detail", {"title": "x"}),
        ("delete", "assessment-detail", None),
        ("post", "assessment-answers", {"question_id": "HW-PP-03", "value": 1}),
        ("post", "assessment-submit", None),
        ("post", "assessment-reassess", None),
    ],
)
def test_viewers_cannot_write(api_client_for, organization, viewer, assessment, method, name, body):
    args = () if name.endswith("list") else (assessment.pk,)
    response = getattr(api_client_for(viewer, organization), method)(url(name, *args), body, format="json")
    assert response.status_code == 403


def test_assessment_list_queries_do_not_grow(api_client_for, organization, assessor, django_assert_num_queries):
    client = api_client_for(assessor, organization)
    for n in range(3):
        services.assessment_create(
            organization=organization, framework=default_framework(), title=f"a{n}", user=assessor
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url("assessment-list"))  # the token's first use of the day is recorded
    with CaptureQueriesContext(connection) as few:
        client.get(url("assessment-list"))
    assert len(few) == 8  # the token, the membership (checked, then read), the count, the page, its scopes (3)
    for n in range(3, 20):
        services.assessment_create(
            organization=organization, framework=default_framework(), title=f"a{n}", user=assessor
        )
    with django_assert_num_queries(len(few)):
        assert client.get(url("assessment-list")).json()["count"] == 20


def test_seed_demo_adds_two_scored_assessments_once(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    call_command("seed_demo")
    baseline, review = Assessment.objects.filter(organization__slug="demo-corp").order_by("created")
    assert (baseline.status, review.status) == ("scored", "scored")
    assert review.previous == baseline
    assert review.answers.count() == review.framework.question_count
    assert review.result.readiness_index > baseline.result.readiness_index
    assert review.answers.filter(source="inventory").count() >= 8
    # the review was a team effort: owners per area, a comment thread with a mention, every area signed off
    assert review.sign_off_required
    assert not baseline.sign_off_required
    assert {a.assignee.username for a in review.assignments.all()} == {"fatima", "sam"}
    assert review.area_reviews.filter(status="approved").count() == len(review.framework.definition["areas"])
    thread = list(review.comments.order_by("created"))
    assert [c.parent_id for c in thread] == [None, thread[0].pk]
    assert [u.username for u in thread[0].mentions.all()] == ["fatima"]


def test_a_numeric_answer_outside_the_questions_bounds_is_refused(api_client_for, organization, assessor, assessment):
    response = api_client_for(assessor, organization).post(
        url("assessment-answers", assessment.pk), {"question_id": "EN-COST-01", "value": 0.5}, format="json"
    )
    assert response.status_code == 400
    assert "EN-COST-01: must be at least 1" in str(response.json())  # the web page says the same


def test_clearing_one_answer(api_client_for, organization, assessor, viewer, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    target = url("assessment-clear-answer", assessment.pk, "HW-PP-03")
    assert api_client_for(viewer, organization).delete(target).status_code == 403
    assert api_client_for(assessor, organization).delete(target).status_code == 204
    assert not assessment.answers.filter(question_id="HW-PP-03").exists()


def test_the_list_filters_by_status_framework_and_words(
    api_client_for, organization, other_organization, assessor, assessment
):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)
    services.assessment_create(organization=organization, framework=None, title="Draft two", user=assessor)
    theirs, _ = services.framework_load(
        text=DEFAULT_FRAMEWORK_FILE.read_text().replace("id: genai-infrastructure", "id: theirs", 1),
        organization=other_organization,
    )
    client = api_client_for(assessor, organization)
    listed = lambda **query: [a["title"] for a in client.get(url("assessment-list"), query).json()["results"]]  # noqa: E731
    assert listed(status="scored") == ["Q3 readiness"]
    assert listed(status="draft") == ["Draft two"]
    assert listed(framework=default_framework().pk) == ["Draft two", "Q3 readiness"]
    assert listed(q="two") == ["Draft two"]
    refused = client.get(url("assessment-list"), {"framework": theirs.pk})
    assert refused.status_code == 400
    assert error_fields(refused) == {"framework"}  # another organization's framework is not a choice


def test_a_note_on_an_inventory_answer_keeps_it_the_inventorys_in_the_api(api_client_for, organization, assessor):
    """As on the page: the same value with a note stays the inventory's (`inventory_note` says how it was given,
    `note` is the members'); another value is the member's own."""
    from inventory.tests.factories import SiteFactory

    SiteFactory(organization=organization, pue=1.3)
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Priced", user=assessor
    )
    client = api_client_for(assessor, organization)
    answers_url = url("assessment-answers", assessment.pk)
    response = client.post(answers_url, [{"question_id": "EN-COST-01", "value": 1.3, "note": "Bill"}], format="json")
    assert response.status_code == 200, response.json()
    (saved,) = [a for a in client.get(answers_url).json() if a["question_id"] == "EN-COST-01"]
    assert (saved["source"], saved["answered_by"], saved["note"]) == ("inventory", None, "Bill")
    assert saved["inventory_note"].startswith("From the inventory:")
    client.post(answers_url, [{"question_id": "EN-COST-01", "value": 1.2, "note": "Bill"}], format="json")
    (saved,) = [a for a in client.get(answers_url).json() if a["question_id"] == "EN-COST-01"]
    assert (saved["source"], saved["inventory_note"], saved["value"]) == ("self", "", 1.2)


def test_only_an_owner_stops_requiring_sign_off(api_client_for, organization, assessor, owner):
    """An assessor refused the override could turn the requirement off and submit: no trace of the override."""
    assessment = services.assessment_create(
        organization=organization, framework=default_framework(), title="Signed", user=owner, sign_off_required=True
    )
    detail = url("assessment-detail", assessment.pk)
    refused = api_client_for(assessor, organization).patch(detail, {"sign_off_required": False}, format="json")
    assert refused.status_code == 403
    assert [(e["field"], e["code"]) for e in api_errors(refused)] == [("sign_off_required", "sign_off_needs_owner")]
    assessment.refresh_from_db()
    assert assessment.sign_off_required is True
    kept = api_client_for(assessor, organization).patch(detail, {"sign_off_required": True}, format="json")
    assert kept.status_code == 200
    allowed = api_client_for(owner, organization).patch(detail, {"sign_off_required": False}, format="json")
    assert allowed.status_code == 200, allowed.json()
    assessment.refresh_from_db()
    assert assessment.sign_off_required is False


def test_who_may_delete_an_assessment(api_client_for, organization, assessor, owner):
    """An assessor deletes a draft they started; a scored assessment, or another member's draft, only an owner."""
    mine = services.assessment_create(
        organization=organization, framework=default_framework(), title="Mine", user=assessor
    )
    theirs = services.assessment_create(organization=organization, framework=default_framework(), title="O", user=owner)
    scored = services.assessment_create(
        organization=organization, framework=default_framework(), title="S", user=assessor
    )
    client = api_client_for(assessor, organization)
    client.post(url("assessment-answers", scored.pk), full_answers(scored.framework), format="json")
    assert client.post(url("assessment-submit", scored.pk)).status_code == 202
    for refused in (theirs, scored):
        response = client.delete(url("assessment-detail", refused.pk))
        assert response.status_code == 403
        assert api_errors(response)[0]["code"] == "delete_needs_owner"
    assert Assessment.objects.filter(pk__in=[theirs.pk, scored.pk]).count() == 2
    assert client.delete(url("assessment-detail", mine.pk)).status_code == 204
    owners = api_client_for(owner, organization)
    assert owners.delete(url("assessment-detail", scored.pk)).status_code == 204
    assert not Assessment.objects.filter(pk__in=[mine.pk, scored.pk]).exists()
