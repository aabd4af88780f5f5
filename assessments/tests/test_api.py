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
    (framework,) = client.get(url("framework-list")).json()["results"]
    assert (framework["slug"], framework["version"], framework["shared"]) == ("genai-infrastructure", "1.0", True)
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
    assert response.json()["problems"] == [
        "areas[0].default_target_level: must be <= 5",
        "areas[3].subareas[0].questions[2].weight: must be > 0",
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
    assert [f["slug"] for f in theirs] == ["genai-infrastructure"]


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
    assert "target_levels" in response.json()


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
    problems = response.json()["problems"]
    assert [p.split("]")[0] + "]" for p in problems] == ["[1]", "[2]", "[3]"]
    assert "HW-PP-04" in problems[0]
    assert "'NOPE'" in problems[1]
    assert "not applicable" in problems[2]
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
    assert response["Location"] == response.json()["status_url"]
    status = client.get(response.json()["status_url"]).json()
    assert status["status"] == "scored"
    results = client.get(status["results_url"]).json()
    assert results["answered"] == results["total"] == assessment.framework.question_count
    assert 0 <= results["readiness_index"] <= 100
    areas = [s for s in results["scores"] if s["scope"] == "area"]
    assert len(areas) == 10
    # frozen once submitted
    again = client.post(
        url("assessment-answers", assessment.pk), {"question_id": "HW-PP-03", "value": 4}, format="json"
    )
    assert again.status_code == 400
    assert "frozen" in str(again.json())
    assert client.post(url("assessment-submit", assessment.pk)).status_code == 400


def test_scoring_twice_stores_one_result(organization, assessor, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    score_assessment_task.delay(assessment.pk)
    first = AssessmentResult.objects.get(assessment=assessment)
    score_assessment_task.delay(assessment.pk)
    assert AssessmentResult.objects.filter(assessment=assessment).count() == 1
    assert AssessmentResult.objects.get(assessment=assessment).pk == first.pk
    assert Score.objects.filter(result=first, scope="area").count() == 10


def test_results_before_scoring_are_a_clear_404(api_client_for, organization, viewer, assessment):
    response = api_client_for(viewer, organization).get(url("assessment-results", assessment.pk))
    assert response.status_code == 404
    assert "Not scored yet" in response.json()["detail"]


def test_reassess_starts_from_the_last_answers(api_client_for, organization, assessor, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    response = api_client_for(assessor, organization).post(url("assessment-reassess", assessment.pk))
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


def test_assessment_list_queries_do_not_grow(api_client_for, organization, assessor, django_assert_max_num_queries):
    client = api_client_for(assessor, organization)
    for n in range(3):
        services.assessment_create(
            organization=organization, framework=default_framework(), title=f"a{n}", user=assessor
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url("assessment-list"))
    for n in range(3, 20):
        services.assessment_create(
            organization=organization, framework=default_framework(), title=f"a{n}", user=assessor
        )
    with django_assert_max_num_queries(len(few)):
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


def test_a_numeric_answer_outside_the_questions_bounds_is_refused(api_client_for, organization, assessor, assessment):
    response = api_client_for(assessor, organization).post(
        url("assessment-answers", assessment.pk), {"question_id": "EN-COST-01", "value": 0.5}, format="json"
    )
    assert response.status_code == 400
    assert "EN-COST-01: at least 1" in str(response.json())


def test_clearing_one_answer(api_client_for, organization, assessor, viewer, assessment):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 3)], user=assessor)
    target = url("assessment-clear-answer", assessment.pk, "HW-PP-03")
    assert api_client_for(viewer, organization).delete(target).status_code == 403
    assert api_client_for(assessor, organization).delete(target).status_code == 204
    assert not assessment.answers.filter(question_id="HW-PP-03").exists()
