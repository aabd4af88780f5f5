"""What every background job shares (config.jobs): the status shape, publishing after commit with an undo when the
broker cannot be reached, the deadlines and the reaper's rule (queue once more, then fail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from config import jobs
from config.celery import reap_jobs
from config.errors import ErrorItem, Unavailable


def test_the_status_shape():
    running = jobs.JobStatus("import", jobs.RUNNING, "Importing: 5 of about 20 rows.", progress=25)
    assert running.with_urls(next_url="/next/", retry_url="/retry/").as_dict() == {
        "kind": "import",
        "state": "running",
        "progress": 25,
        "message": "Importing: 5 of about 20 rows.",
        "error": None,
        "next_url": "/next/",
        "retry_url": None,  # only a failed job that may be retried has one
    }
    failed = jobs.JobStatus("report", jobs.FAILED, "Failed.", error=ErrorItem("It broke.", "report_failed"))
    assert failed.with_urls(retry_url="/retry/").as_dict()["retry_url"] is None  # not retryable
    retryable = jobs.JobStatus("report", jobs.FAILED, "Failed.", error=ErrorItem("It broke.", "x"), retryable=True)
    body = retryable.with_urls(retry_url="/retry/").as_dict()
    assert (body["retry_url"], body["error"]) == ("/retry/", {"code": "x", "message": "It broke."})
    assert not running.done
    assert retryable.done
    with pytest.raises(ValueError):
        jobs.JobStatus("report", "stuck", "?")


def test_percent_is_capped_and_none_without_a_total():
    assert (jobs.percent(5, 20), jobs.percent(30, 20), jobs.percent(3, 0)) == (25, 100, None)


@pytest.mark.django_db
def test_a_message_is_published_only_once_the_state_change_commits(
    through_a_broker, django_capture_on_commit_callbacks
):
    sent, undone = [], []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            jobs.enqueue(lambda: sent.append("message"), undo=lambda: undone.append(True), what="the test")
            assert sent == []  # not before the commit
        assert sent == []  # the test's own transaction stands for the request's: nothing sent until it commits
    assert len(callbacks) == 1
    assert (sent, undone) == (["message"], [])


@pytest.mark.django_db
def test_a_broker_error_undoes_the_state_change_and_is_a_503(through_a_broker, django_capture_on_commit_callbacks):
    undone = []

    def publish():
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.raises(Unavailable) as refused, django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue(publish, undo=lambda: undone.append(True), what="the report")
    assert undone == [True]
    assert refused.value.status == 503
    item = refused.value.errors[0]
    assert item.code == "broker_unavailable"
    assert item.message == (
        "The task queue cannot be reached, so the report could not be started. Nothing was changed; try again in a "
        "minute."
    )


@pytest.mark.django_db
def test_other_errors_of_a_task_run_in_process_are_not_taken_for_the_broker():
    def publish():
        raise KeyError("a bug in the task")

    with pytest.raises(KeyError):
        jobs.enqueue(publish, undo=lambda: pytest.fail("nothing to undo"), what="x")


def test_deadlines_are_the_time_limit_and_the_margin(settings):
    settings.INFRAREADY_JOB_DEADLINE_MARGIN = 120
    settings.CELERY_TASK_TIME_LIMIT = 900
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert jobs.run_deadline(150, now=now) == now - timedelta(seconds=270)
    assert jobs.queue_deadline(now=now) == now - timedelta(seconds=1020)  # one task of the longest limit ahead


class Job:
    def __init__(self, name: str, attempts: int) -> None:
        self.name, self.attempts = name, attempts


def test_the_reaper_queues_a_job_once_then_fails_it():
    requeued, failed = [], []
    outcome = jobs.reap(
        [Job("new", 0), Job("requeued before", 1), Job("finished meanwhile", 1)],
        attempts=lambda job: job.attempts,
        requeue=lambda job: requeued.append(job.name) or True,
        fail=lambda job: job.name != "finished meanwhile" and (failed.append(job.name) or True),
    )
    assert (requeued, failed) == (["new"], ["requeued before"])
    assert outcome.as_dict() == {"requeued": 1, "failed": 1, "skipped": 0}


def test_with_the_broker_down_the_reaper_stops_queuing_but_still_fails():
    tried, failed = [], []

    def requeue(job):
        tried.append(job.name)
        raise jobs.broker_unavailable("x")

    outcome = jobs.reap(
        [Job("a", 0), Job("b", 0), Job("c", 1)],
        attempts=lambda job: job.attempts,
        requeue=requeue,
        fail=lambda job: failed.append(job.name) or True,
    )
    assert (tried, failed) == (["a"], ["c"])  # b left as it was, for the next run
    assert outcome.as_dict() == {"requeued": 0, "failed": 1, "skipped": 2}


def reaper_for_the_test(*, now):
    return jobs.Reaped(requeued=2)


def broken_reaper(*, now):
    raise RuntimeError("a bug")


@pytest.mark.django_db
def test_the_beat_task_runs_every_app_reaper_and_survives_a_broken_one(settings):
    settings.INFRAREADY_JOB_REAPERS = [f"{__name__}.broken_reaper", f"{__name__}.reaper_for_the_test"]
    assert reap_jobs.delay().get() == {
        f"{__name__}.broken_reaper": {"error": 1},
        f"{__name__}.reaper_for_the_test": {"requeued": 2, "failed": 0, "skipped": 0},
    }


def test_the_beat_schedule_reaps_every_few_minutes_and_publishing_fails_fast(settings):
    assert settings.CELERY_BEAT_SCHEDULE["reap-jobs"] == {"task": "infraready.reap_jobs", "schedule": 120}
    assert settings.INFRAREADY_JOB_REAPERS == [
        "assessments.services.assessment_scoring_reap",
        "reports.services.report_reap",
        "inventory.services.import_job_reap",
        "inventory.telemetry.pulls.prometheus_pull_reap",
        "inventory.services.netbox.netbox_sync_reap",
    ]
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] == 1
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 5
