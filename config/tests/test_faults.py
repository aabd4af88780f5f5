"""Faults against real services (`make test-integration`): a worker killed with ``kill -9`` mid-task, Redis stopped
while people submit. Nothing is lost, nothing stays stuck (config.jobs; docs/architecture.md, "Tasks").

Each test runs its own ``redis-server`` (on a free port, nothing kept on disk) and its own workers, so that it can
kill them and stop Redis without touching the machine's shared Redis or the session's worker. Timings are printed
(``pytest -s``) for the record.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_results.models import TaskResult

from assessments import services as assessment_services
from assessments.models import Assessment, AssessmentStatus
from assessments.tests.factories import answer_all, start_assessment, weak_value
from config import jobs
from config.celery import app
from config.testing import api_errors
from inventory.models import ImportJob, ImportStatus, Server, Site
from reports import services as report_services
from reports.models import Report, ReportStatus

from .processes import RedisServer, Worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def say(message: str) -> None:
    print(f"\n[faults] {message}", flush=True)  # noqa: T201 (the outcome, for the record)


@pytest.fixture
def database_url(django_db_setup) -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the fault tests run real workers against PostgreSQL (make test-integration)")
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _reset_publisher() -> None:
    """Drop the pooled broker connections and producers, so that the next message goes to the broker now set."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def queue(redis_server, monkeypatch) -> Iterator[str]:
    """This process publishes to the test's own Redis, on a queue of its own."""
    name = f"faults-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url())  # Celery reads it before its configuration
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = name
    _reset_publisher()
    yield name
    app.conf.task_default_queue = default_queue
    monkeypatch.undo()
    _reset_publisher()


@pytest.fixture
def workers(tmp_path, database_url, redis_server, queue) -> Iterator[Callable[..., Worker]]:
    """``workers(**env)`` starts a worker on the test's Redis and queue; all are stopped at the end."""
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(
            queue=queue, database_url=database_url, log_dir=tmp_path, CELERY_BROKER_URL=redis_server.url(), **env
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def scored_assessment(organization, user) -> Assessment:
    assessment = start_assessment(organization=organization, user=user)
    answer_all(assessment, user, weak_value)
    assessment_services.assessment_submit(assessment=assessment, user=user)
    assert wait_for(lambda: Assessment.objects.get(pk=assessment.pk).status != AssessmentStatus.SCORING, 90)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORED, assessment.scoring_error
    return assessment


def test_a_worker_killed_mid_render_is_redelivered_and_the_report_completes_in_a_new_worker(
    workers, organization, assessor
):
    """acks_late + reject_on_worker_lost: the message of a killed worker stays unacknowledged in Redis and is
    delivered again after the visibility timeout (20 s here, 20 minutes in production) to the next worker; the
    report's claim takes it up again under the same task id."""
    first = workers(TEST_BROKER_VISIBILITY_TIMEOUT="20")
    assessment = scored_assessment(organization, assessor)
    report = report_services.report_request(organization=organization, assessment=assessment, user=assessor)
    assert wait_for(lambda: Report.objects.get(pk=report.pk).status == ReportStatus.RENDERING, 60)
    time.sleep(1)  # well inside the rendering (charts are drawn by a browser: several seconds)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RENDERING
    first.kill()
    killed = time.monotonic()
    time.sleep(3)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RENDERING  # nobody else is on it

    second = workers(TEST_BROKER_VISIBILITY_TIMEOUT="20")
    started = time.monotonic()
    assert wait_for(
        lambda: Report.objects.get(pk=report.pk).status not in (ReportStatus.QUEUED, ReportStatus.RENDERING), 150
    )
    report.refresh_from_db()
    say(
        f"kill -9 mid-render: new worker ready {started - killed:.1f} s after the kill, report {report.status} "
        f"{time.monotonic() - killed:.1f} s after the kill ({report.pages} pages, rendered in "
        f"{report.render_seconds:.1f} s by the new worker); reaper attempts: {report.attempts}"
    )
    assert report.status == ReportStatus.READY, report.error
    assert report.attempts == 0  # redelivered by the broker, not re-queued by the reaper
    # The result backend stores the task's row once the task has returned, a moment after the report is READY.
    stored = wait_for(lambda: TaskResult.objects.filter(task_id=report.task_id).first(), 30)
    assert stored is not None
    assert stored.worker == second.node
    assert Report.objects.filter(organization=organization).count() == 1


def test_an_import_left_by_a_killed_worker_is_requeued_by_the_reaper_and_completes_once(
    workers, organization, assessor, settings, tmp_path
):
    """The deadline reaper: a job past its deadline is queued once more under a new task id. The killed worker's
    own message comes back too (visibility timeout), and does nothing: only the job's current message works."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inventory import services

    settings.INVENTORY_IMPORT_ASYNC_ROWS = 100
    media = tmp_path / "media"  # the upload is read by the worker processes: files, not the suite's memory
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
    }
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    rows = 30000
    content = "hostname,site,status\n" + "".join(f"n{i},Frankfurt,active\n" for i in range(rows))
    first = workers(TEST_BROKER_VISIBILITY_TIMEOUT="20", TEST_MEDIA_ROOT=str(media))
    job = services.import_job_create(
        organization=organization, user=assessor, upload=SimpleUploadedFile("servers.csv", content.encode())
    )
    services.import_job_start(job=job, confirm=True)  # as the API does without dry_run
    first_task = ImportJob.objects.get(pk=job.pk).task_id
    assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).processed_rows > 0, 60)
    first.kill()
    killed = ImportJob.objects.get(pk=job.pk)
    assert killed.status in (ImportStatus.VALIDATING, ImportStatus.RUNNING)
    time.sleep(2)
    assert ImportJob.objects.get(pk=job.pk).processed_rows == killed.processed_rows  # stuck

    # The beat task, as it runs once the deadline has passed (started + the task's time limit + the margin).
    now = timezone.now() + timedelta(seconds=services.import_time_limit()) + jobs.margin() + timedelta(seconds=1)
    assert assessment_services.assessment_scoring_reap(now=now).requeued == 0
    assert services.import_job_reap(now=now).requeued == 1
    requeued = ImportJob.objects.get(pk=job.pk)
    assert (requeued.attempts, requeued.started) == (1, None)
    assert requeued.task_id != first_task

    workers(TEST_BROKER_VISIBILITY_TIMEOUT="20", TEST_MEDIA_ROOT=str(media))
    began = time.monotonic()
    # An end state: a confirmed job passes through READY for a moment between validating and importing.
    ended = (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED)
    assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status in ended, 240)
    done = ImportJob.objects.get(pk=job.pk)
    say(
        f"kill -9 mid-import ({killed.status}, {killed.processed_rows} of {rows} rows): re-queued by the reaper, "
        f"{done.status} {time.monotonic() - began:.1f} s after the new worker started"
    )
    assert done.status == ImportStatus.DONE, done.errors
    assert (done.created_count, Server.objects.filter(organization=organization).count()) == (rows, rows)
    # The killed worker's message, delivered again after the visibility timeout, found the job taken over.
    assert wait_for(lambda: TaskResult.objects.filter(task_id=first_task).first(), 60)
    assert TaskResult.objects.get(task_id=first_task).result == "null"
    assert Server.objects.filter(organization=organization).count() == rows


def test_redis_stopped_during_a_submit_is_a_clear_503_and_nothing_is_stuck_once_it_is_back(
    workers, redis_server, organization, assessor, api_client_for
):
    workers()
    client = api_client_for(assessor, organization)
    scored = scored_assessment(organization, assessor)
    draft = start_assessment(organization=organization, user=assessor, title="Submitted while Redis is down")
    answer_all(draft, assessor, weak_value)

    redis_server.stop()
    began = time.monotonic()
    submit = client.post(reverse("api:assessments:assessment-submit", args=[draft.pk]))
    submit_seconds = time.monotonic() - began
    began = time.monotonic()
    request = client.post(reverse("api:reports:report-list"), {"assessment": scored.pk}, format="json")
    request_seconds = time.monotonic() - began
    say(
        f"Redis stopped: submit {submit.status_code} in {submit_seconds:.2f} s, report request "
        f"{request.status_code} in {request_seconds:.2f} s"
    )
    assert (submit.status_code, api_errors(submit)[0]["code"]) == (503, "broker_unavailable")
    assert (request.status_code, api_errors(request)[0]["code"]) == (503, "broker_unavailable")
    assert submit_seconds < 5
    assert request_seconds < 5
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_at) == (AssessmentStatus.DRAFT, None)  # as it was
    assert not Report.objects.exists()  # no report queued for ever
    # The page says so too.
    page = client.get(reverse("api:assessments:assessment-scoring-status", args=[draft.pk]))
    assert page.status_code == 404  # no job

    redis_server.start()  # back (empty: nothing was kept)
    _reset_publisher()
    began = time.monotonic()
    again = client.post(reverse("api:assessments:assessment-submit", args=[draft.pk]))
    assert again.status_code == 202, again.content
    assert wait_for(lambda: Assessment.objects.get(pk=draft.pk).status != AssessmentStatus.SCORING, 120)
    draft.refresh_from_db()
    say(f"Redis back: submitted again (202), {draft.status} {time.monotonic() - began:.1f} s later by the worker")
    assert draft.status == AssessmentStatus.SCORED, draft.scoring_error


def test_a_hung_redis_fails_a_submit_within_seconds(workers, redis_server, organization, assessor, api_client_for):
    """Redis accepts connections but answers nothing (SIGSTOP): the socket timeouts bound the wait."""
    import signal

    draft = start_assessment(organization=organization, user=assessor)
    answer_all(draft, assessor, weak_value)
    client = api_client_for(assessor, organization)
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        began = time.monotonic()
        response = client.post(reverse("api:assessments:assessment-submit", args=[draft.pk]))
        seconds = time.monotonic() - began
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    say(f"Redis hung (SIGSTOP): submit {response.status_code} in {seconds:.1f} s")
    assert response.status_code == 503
    assert seconds < 15
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
