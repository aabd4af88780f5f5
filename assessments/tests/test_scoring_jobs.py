"""The scoring job (config.jobs): nothing lost, nothing stuck. A broker that cannot be reached leaves a draft (503
on the API, a message on the page); the message is sent once the submit commits; only the assessment's current
message scores it; the reaper queues a lost job once more, then fails it with the reason; a failed scoring is
retried from the page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments import services
from assessments.models import Assessment, AssessmentResult, AssessmentStatus
from assessments.tasks import score_assessment_task
from assessments.tests.factories import answer_all, start_assessment
from config.errors import Unavailable
from config.testing import api_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(organization, assessor) -> Assessment:
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor)
    return assessment


def api(name: str, pk: int) -> str:
    return reverse(f"api:assessments:assessment-{name}", args=[pk])


def later(seconds: int) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=seconds)


PAST_RUN_DEADLINE = 300 + 120 + 1  # the task's time limit, the margin
PAST_QUEUE_DEADLINE = 900 + 120 + 1  # the longest task's time limit, the margin


def test_submitting_with_the_broker_down_is_a_503_and_leaves_a_draft(
    api_client_for, organization, assessor, answered, broker_down, monkeypatch
):
    client = api_client_for(assessor, organization)
    response = client.post(api("submit", answered.pk))
    assert response.status_code == 503
    assert api_errors(response) == [
        {
            "code": "broker_unavailable",
            "message": "The task queue cannot be reached, so the scoring of this assessment could not be started. "
            "Nothing was changed; try again in a minute.",
        }
    ]
    answered.refresh_from_db()
    assert (answered.status, answered.submitted_at, answered.submitted_by, answered.scoring_task_id) == (
        AssessmentStatus.DRAFT,
        None,
        None,
        "",
    )
    assert client.get(api("scoring-status", answered.pk)).status_code == 404  # no job: nothing is stuck
    monkeypatch.undo()  # the broker is back: submitting again works
    again = client.post(api("submit", answered.pk))
    assert again.status_code == 202
    assert again.json()["state"] == "succeeded"
    answered.refresh_from_db()
    assert answered.status == AssessmentStatus.SCORED


def test_submitting_with_the_broker_down_from_the_page_says_so(client, assessor, answered, broker_down):
    client.force_login(assessor)
    response = client.post(reverse("assessments:submit", args=[answered.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:review", args=[answered.pk])
    assert "The task queue cannot be reached" in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == AssessmentStatus.DRAFT


def test_the_message_is_sent_once_the_submit_committed_and_names_its_job(
    assessor, answered, through_a_broker, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_id = services.assessment_submit(assessment=answered, user=assessor)
        assert published == []  # the request's transaction has not committed yet
    [message] = published
    answered.refresh_from_db()
    assert (message.task.name, message.args, message.task_id) == (score_assessment_task.name, (answered.pk,), task_id)
    assert (answered.status, answered.scoring_task_id, answered.scoring_started) == ("scoring", task_id, None)
    assert answered.scoring_queued is not None


def test_the_broker_down_at_commit_puts_the_draft_back(
    assessor, answered, through_a_broker, broker_down, django_capture_on_commit_callbacks
):
    with pytest.raises(Unavailable), django_capture_on_commit_callbacks(execute=True):
        services.assessment_submit(assessment=answered, user=assessor)
    answered.refresh_from_db()
    assert (answered.status, answered.submitted_at) == (AssessmentStatus.DRAFT, None)


def test_only_the_current_message_scores_and_a_redelivery_is_harmless(assessor, answered, published):
    services.assessment_submit(assessment=answered, user=assessor)
    [message] = published
    assert score_assessment_task.apply((answered.pk,), task_id="not-this-job").get()["status"] == "unchanged"
    assert not AssessmentResult.objects.exists()
    assert "readiness_index" in message.deliver()
    result = AssessmentResult.objects.get()
    assert message.deliver()["status"] == "unchanged"  # redelivered after it committed: nothing twice
    assert AssessmentResult.objects.get().pk == result.pk


def test_a_job_a_worker_died_in_is_queued_once_more_then_failed_with_the_reason(
    api_client_for, organization, assessor, answered, published
):
    services.assessment_submit(assessment=answered, user=assessor)
    first = published[0]
    # A worker took it up, then was killed: nothing ends it.
    Assessment.objects.filter(pk=answered.pk).update(scoring_started=timezone.now())
    assert services.assessment_scoring_reap(now=later(60)).as_dict() == {"requeued": 0, "failed": 0, "skipped": 0}

    assert services.assessment_scoring_reap(now=later(PAST_RUN_DEADLINE)).requeued == 1
    answered.refresh_from_db()
    second = published[1]
    assert (answered.status, answered.scoring_attempts, answered.scoring_task_id) == ("scoring", 1, second.task_id)
    assert second.task_id != first.task_id
    assert first.deliver()["status"] == "unchanged"  # the dead worker's message, redelivered late: stale

    # The second try is lost too (never taken up; queued when the reaper ran).
    assert services.assessment_scoring_reap(now=later(PAST_RUN_DEADLINE + PAST_QUEUE_DEADLINE)).failed == 1
    answered.refresh_from_db()
    assert answered.status == AssessmentStatus.FAILED
    assert answered.scoring_error == (
        "No worker took up the scoring of this assessment, though it was queued twice. The answers are kept: try again."
    )
    status = api_client_for(assessor, organization).get(api("scoring-status", answered.pk)).json()
    assert (status["state"], status["error"]["code"]) == ("failed", "scoring_failed")
    assert status["retry_url"].endswith(api("retry", answered.pk))
    assert second.deliver()["status"] == "unchanged"  # nothing revives a failed job but a retry


def test_a_running_job_past_its_deadline_names_the_worker(assessor, answered, published):
    services.assessment_submit(assessment=answered, user=assessor)
    Assessment.objects.filter(pk=answered.pk).update(scoring_started=timezone.now(), scoring_attempts=1)
    services.assessment_scoring_reap(now=later(PAST_RUN_DEADLINE))
    answered.refresh_from_db()
    assert answered.scoring_error.startswith(
        "The worker stopped while scoring this assessment (it was queued once more, and that try did not finish"
    )


def test_a_requeued_job_completes_when_a_worker_takes_it(assessor, answered, published):
    services.assessment_submit(assessment=answered, user=assessor)
    services.assessment_scoring_reap(now=later(PAST_QUEUE_DEADLINE))
    published[-1].deliver()
    answered.refresh_from_db()
    assert answered.status == AssessmentStatus.SCORED
    assert services.assessment_scoring_reap(now=later(10 * PAST_QUEUE_DEADLINE)).as_dict() == {
        "requeued": 0,
        "failed": 0,
        "skipped": 0,
    }


def test_the_reaper_leaves_a_job_as_it_is_when_the_broker_is_down(assessor, answered, published, monkeypatch):
    services.assessment_submit(assessment=answered, user=assessor)
    answered.refresh_from_db()
    task_id = answered.scoring_task_id
    monkeypatch.undo()

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(score_assessment_task, "apply_async", refuse)
    assert services.assessment_scoring_reap(now=later(PAST_QUEUE_DEADLINE)).as_dict() == {
        "requeued": 0,
        "failed": 0,
        "skipped": 1,
    }
    answered.refresh_from_db()
    assert (answered.status, answered.scoring_task_id, answered.scoring_attempts) == ("scoring", task_id, 0)


def test_a_failed_scoring_is_retried_over_the_api(api_client_for, organization, assessor, viewer, answered):
    services.assessment_submit(assessment=answered, user=assessor)
    client = api_client_for(assessor, organization)
    refused = client.post(api("retry", answered.pk))
    assert refused.status_code == 409
    assert api_errors(refused)[0]["code"] == "not_failed"
    Assessment.objects.filter(pk=answered.pk).update(status=AssessmentStatus.FAILED, scoring_error="The worker…")
    assert api_client_for(viewer, organization).post(api("retry", answered.pk)).status_code == 403
    response = client.post(api("retry", answered.pk))
    assert response.status_code == 202
    assert response["Location"].endswith(api("scoring-status", answered.pk))
    assert response.json()["state"] == "succeeded"
    answered.refresh_from_db()
    assert (answered.status, answered.scoring_error, answered.scoring_attempts) == ("scored", "", 0)


def test_a_retry_with_the_broker_down_stays_failed(api_client_for, organization, assessor, answered, broker_down):
    Assessment.objects.filter(pk=answered.pk).update(status=AssessmentStatus.FAILED, scoring_error="Lost.")
    response = api_client_for(assessor, organization).post(api("retry", answered.pk))
    assert response.status_code == 503
    answered.refresh_from_db()
    assert (answered.status, answered.scoring_error) == (AssessmentStatus.FAILED, "Lost.")


def test_the_page_of_a_failed_scoring_has_a_retry_button_that_scores_again(client, assessor, answered):
    Assessment.objects.filter(pk=answered.pk).update(status=AssessmentStatus.FAILED, scoring_error="Lost.")
    client.force_login(assessor)
    page = client.get(reverse("assessments:detail", args=[answered.pk])).content.decode()
    retry = reverse("assessments:retry", args=[answered.pk])
    assert f'action="{retry}"' in page
    response = client.post(retry, follow=True)
    assert "is being scored again" in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == AssessmentStatus.SCORED


def test_the_status_of_a_draft_is_a_404_and_while_scoring_it_says_queued_then_running(
    api_client_for, organization, viewer, assessor, answered, published
):
    client = api_client_for(viewer, organization)
    response = client.get(api("scoring-status", answered.pk))
    assert response.status_code == 404
    assert api_errors(response)[0]["code"] == "no_job"
    services.assessment_submit(assessment=answered, user=assessor)
    assert client.get(api("scoring-status", answered.pk)).json() == {
        "kind": "scoring",
        "state": "queued",
        "progress": None,
        "message": "Waiting for a worker to score the answers…",
        "error": None,
        "next_url": None,
        "retry_url": None,
    }
    Assessment.objects.filter(pk=answered.pk).update(scoring_started=timezone.now())
    assert client.get(api("scoring-status", answered.pk)).json()["state"] == "running"
