"""Import jobs (config.jobs): a large upload with the broker down is refused and nothing is kept (503 on the API, a
form error on the page); a confirmation with the broker down waits for confirmation again; only the job's current
message works on it; the rows and "done" commit together; the reaper queues a job left by a dead worker once more,
then fails it, keeping the file for a retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.testing import api_errors
from inventory import services, tasks
from inventory.models import ImportJob, ImportStatus, Server

from .test_import_api import URL, servers_csv, upload

pytestmark = pytest.mark.django_db

PAST_RUN_DEADLINE = 900 + 120 + 1
PAST_QUEUE_DEADLINE = 900 + 120 + 1


@pytest.fixture(autouse=True)
def large(settings, organization):
    """Files of more than 10 rows go to a worker."""
    settings.INVENTORY_IMPORT_ASYNC_ROWS = 10
    from inventory.models import Site

    Site.objects.create(organization=organization, name="Frankfurt", country="DE")


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def new_job(organization, user, rows: int = 20) -> ImportJob:
    return services.import_job_create(
        organization=organization, user=user, upload=upload("servers.csv", servers_csv(rows))
    )


def refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_large_upload_with_the_broker_down_is_a_503_and_keeps_nothing(
    api_client_for, organization, assessor, broker_down, monkeypatch
):
    client = api_client_for(assessor, organization)
    response = client.post(URL, {"file": upload("servers.csv", servers_csv(20))}, format="multipart")
    assert response.status_code == 503
    assert api_errors(response)[0]["code"] == "broker_unavailable"
    assert not ImportJob.objects.exists()
    monkeypatch.undo()
    again = client.post(URL, {"file": upload("servers.csv", servers_csv(20))}, format="multipart")
    assert again.status_code == 202
    assert Server.objects.count() == 20


def test_a_large_upload_with_the_broker_down_from_the_page_says_so(client, assessor, broker_down):
    client.force_login(assessor)
    response = client.post(reverse("inventory:import"), {"file": upload("servers.csv", servers_csv(20))})
    assert response.status_code == 200
    assert "The task queue cannot be reached" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_a_confirmation_with_the_broker_down_waits_for_confirmation_again(
    client, organization, assessor, published, monkeypatch
):
    job = new_job(organization, assessor)
    services.import_job_start(job=job)
    published[0].deliver()  # validated by a worker
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    monkeypatch.setattr(tasks.import_job_apply, "apply_async", refuse)
    client.force_login(assessor)
    response = client.post(reverse("inventory:import_confirm", args=[job.pk]), follow=True)
    assert "The task queue cannot be reached" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert "Confirm the import" in response.content.decode()


def test_only_the_current_message_works_on_the_job(organization, assessor, published):
    job = new_job(organization, assessor)
    services.import_job_start(job=job, confirm=True)
    [message] = published
    assert tasks.import_job_process.apply((str(job.pk), True), task_id="stale").get() is None
    assert message.deliver() == ImportStatus.DONE
    assert message.deliver() is None  # redelivered after it finished: nothing twice
    assert Server.objects.count() == 20


def test_the_rows_and_done_commit_together(organization, assessor, published):
    job = new_job(organization, assessor)
    services.import_job_start(job=job, confirm=True)
    # The reaper took the job over while a slow worker was still writing: that worker's rows are rolled back.
    job = services.import_job_begin(job_id=job.pk, task_id=published[0].task_id)
    services.import_job_validate(job=job)
    services.import_job_claim(job=job)
    ImportJob.objects.filter(pk=job.pk).update(task_id="another-message")
    services.import_job_apply(job=job)
    assert not Server.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


def test_a_job_left_by_a_dead_worker_is_requeued_then_failed_and_retried(
    api_client_for, organization, assessor, published
):
    job = new_job(organization, assessor)
    services.import_job_start(job=job, confirm=True)  # the API, without dry_run
    ImportJob.objects.filter(pk=job.pk).update(started=timezone.now(), processed_rows=7)  # a worker died
    assert services.import_job_reap(now=later(60)).requeued == 0
    assert services.import_job_reap(now=later(PAST_RUN_DEADLINE)).requeued == 1
    job.refresh_from_db()
    second = published[1]
    assert (job.status, job.attempts, job.task_id, job.processed_rows) == ("validating", 1, second.task_id, 0)
    assert second.args == (str(job.pk), True)  # imported when valid, as asked
    ImportJob.objects.filter(pk=job.pk).update(started=later(PAST_RUN_DEADLINE))  # and died again
    assert services.import_job_reap(now=later(2 * PAST_RUN_DEADLINE)).failed == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "code": "worker_lost",
            "message": "The worker stopped while validating the file (it was queued once more, and that try did not "
            "finish either). Nothing was written; try again.",
        }
    ]
    assert job.payload  # kept for the retry
    client = api_client_for(assessor, organization)
    status = client.get(reverse("api:inventory:import-status", args=[job.pk])).json()
    assert (status["state"], status["error"]["code"]) == ("failed", "worker_lost")
    assert status["retry_url"].endswith(reverse("api:inventory:import-retry", args=[job.pk]))
    assert client.get(reverse("api:inventory:import-detail", args=[job.pk])).json()["retry_url"] == status["retry_url"]

    response = client.post(status["retry_url"])
    assert response.status_code == 202
    assert response.json()["state"] == "queued"
    published[-1].deliver()
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 20)
    assert not job.payload  # done: the upload is gone
    assert Server.objects.count() == 20


def test_a_job_importing_when_its_worker_died_is_requeued_as_an_import(organization, assessor, published):
    job = new_job(organization, assessor)
    services.import_job_start(job=job)
    published[0].deliver()
    services.import_job_confirm(job=job)
    ImportJob.objects.filter(pk=job.pk).update(started=timezone.now())
    services.import_job_reap(now=later(PAST_RUN_DEADLINE))
    assert published[-1].task.name == tasks.import_job_apply.name
    assert published[-1].deliver() == ImportStatus.DONE


def test_a_small_job_a_web_process_died_in_is_taken_up_by_a_worker(organization, assessor, published):
    job = new_job(organization, assessor, rows=3)
    ImportJob.objects.filter(pk=job.pk).update(started=timezone.now())  # validating in the request, then killed
    services.import_job_reap(now=later(PAST_RUN_DEADLINE))
    assert published[-1].deliver() == ImportStatus.READY


def test_a_retry_is_refused_unless_failed_with_its_file(api_client_for, organization, assessor, published):
    job = new_job(organization, assessor)
    client = api_client_for(assessor, organization)
    url = reverse("api:inventory:import-retry", args=[job.pk])
    assert api_errors(client.post(url))[0]["code"] == "not_retryable"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, payload="")
    response = client.post(url)
    assert response.status_code == 409
    assert "Upload the file again" in api_errors(response)[0]["message"]


def test_a_retry_with_the_broker_down_stays_failed(api_client_for, organization, assessor, broker_down):
    job = new_job(organization, assessor)
    errors = [{"code": "worker_lost", "message": "Lost."}]
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, errors=errors, error_count=1)
    response = api_client_for(assessor, organization).post(reverse("api:inventory:import-retry", args=[job.pk]))
    assert response.status_code == 503
    job.refresh_from_db()
    assert (job.status, job.errors) == (ImportStatus.FAILED, errors)


def test_the_page_of_a_failed_import_retries_it(client, organization, assessor):
    job = new_job(organization, assessor, rows=3)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, errors=[{"code": "worker_lost", "message": "Lost."}], error_count=1
    )
    client.force_login(assessor)
    page = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
    retry = reverse("inventory:import_retry", args=[job.pk])
    assert f'action="{retry}"' in page
    response = client.post(retry, follow=True)
    assert "being checked again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.READY  # validated again, waiting for confirmation as before


def test_the_status_while_waiting_for_a_worker(client, organization, assessor, published):
    job = new_job(organization, assessor)
    services.import_job_start(job=job)
    client.force_login(assessor)
    status = client.get(reverse("inventory:import_status", args=[job.pk])).json()
    assert (status["state"], status["progress"], status["message"]) == (
        "queued",
        0,
        "Validating: waiting for a worker…",
    )


@pytest.mark.parametrize("rows", [3, 20])  # here, and in a worker
def test_a_job_confirmed_at_upload_is_imported_in_one_pass_and_never_waits(
    organization, assessor, published, monkeypatch, rows
):
    """No validation pass before the import (the import checks every row as it writes, all or nothing), so the
    file is read once and the job is never READY, where a client polling for the end could stop."""
    from inventory.services import import_jobs

    def no_second_reading(*args, **kwargs):
        raise AssertionError("a job confirmed at upload was validated before its import")

    monkeypatch.setattr(import_jobs, "validate_file", no_second_reading)
    seen: list[str] = []
    finish = import_jobs._finish
    monkeypatch.setattr(import_jobs, "_finish", lambda job, **kw: (seen.append(kw["status"]), finish(job, **kw)))
    job = new_job(organization, assessor, rows=rows)
    services.import_job_start(job=job, confirm=True)
    if published:
        assert published[0].deliver() == ImportStatus.DONE
    job.refresh_from_db()
    assert (job.status, job.created_count, Server.objects.count()) == (ImportStatus.DONE, rows, rows)
    assert seen == [ImportStatus.DONE]


def test_a_bad_file_confirmed_at_upload_ends_invalid_with_every_problem(organization, assessor, published):
    content = "hostname,site,status\n" + "".join(
        f"n{i},Frankfurt,{'broken' if i % 2 else 'active'}\n" for i in range(20)
    )
    job = services.import_job_create(organization=organization, user=assessor, upload=upload("servers.csv", content))
    services.import_job_start(job=job, confirm=True)
    assert published[0].deliver() == ImportStatus.INVALID
    job.refresh_from_db()
    assert job.error_count == 10
    assert {error["row"] for error in job.errors} == {i + 2 for i in range(1, 20, 2)}
    assert not Server.objects.exists()
