"""The rendering job of a PDF report (config.jobs): a request with the broker down leaves no report (503 on the API,
a form error on the page); only the report's current message renders it, and a redelivery after its worker died
takes it up again; the reaper queues a lost report once more, then fails it; a failed report is retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.testing import api_errors
from reports import services, tasks
from reports.models import Report, ReportStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quick")]

LIST = "api:reports:report-list"
PAST_RUN_DEADLINE = 150 + 120 + 1  # the task's time limit, the margin
PAST_QUEUE_DEADLINE = 900 + 120 + 1  # the longest task's time limit, the margin


def api(name: str, pk: int) -> str:
    return reverse(f"api:reports:report-{name}", args=[pk])


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def test_requesting_with_the_broker_down_is_a_503_and_leaves_no_report(
    api_client_for, organization, assessor, scored, broker_down, monkeypatch
):
    client = api_client_for(assessor, organization)
    response = client.post(reverse(LIST), {"assessment": scored.pk}, format="json")
    assert response.status_code == 503
    assert api_errors(response)[0]["code"] == "broker_unavailable"
    assert not Report.objects.exists()  # nothing queued for ever
    monkeypatch.undo()
    again = client.post(reverse(LIST), {"assessment": scored.pk}, format="json")
    assert again.status_code == 202
    assert Report.objects.get().status == ReportStatus.READY


def test_requesting_with_the_broker_down_from_the_page_says_so(client, assessor, scored, broker_down):
    client.force_login(assessor)
    response = client.post(reverse("reports:report_list"), {"assessment": scored.pk, "page_size": "A4"})
    assert response.status_code == 400
    assert "The task queue cannot be reached" in response.content.decode()
    assert not Report.objects.exists()


def test_only_the_current_message_renders_and_a_redelivery_takes_a_lost_render_up_again(
    organization, assessor, scored, published
):
    report = services.report_request(organization=organization, assessment=scored, user=assessor)
    [message] = published
    assert (report.status, report.task_id) == (ReportStatus.QUEUED, message.task_id)
    assert tasks.render_report_task.apply((report.pk,), task_id="stale").get()["status"] == "unchanged"
    # The worker that took the message died mid-render: the broker delivers the same message again (acks_late).
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started=timezone.now())
    assert message.deliver()["status"] == "ready"
    assert message.deliver()["status"] == "unchanged"  # and once more after it finished: nothing twice
    report.refresh_from_db()
    assert report.status == ReportStatus.READY


def test_a_lost_render_is_queued_once_more_then_failed_with_the_reason(
    api_client_for, organization, assessor, scored, published
):
    report = services.report_request(organization=organization, assessment=scored, user=assessor)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started=timezone.now())
    assert services.report_reap(now=later(60)).requeued == 0
    assert services.report_reap(now=later(PAST_RUN_DEADLINE)).requeued == 1
    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == (ReportStatus.QUEUED, 1, published[1].task_id)
    assert published[0].deliver()["status"] == "unchanged"  # the dead worker's message: stale now
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RENDERING, started=later(PAST_RUN_DEADLINE))
    assert services.report_reap(now=later(2 * PAST_RUN_DEADLINE)).failed == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == (
        "The worker stopped while rendering this report (it was queued once more, and that try did not finish "
        "either). Try again."
    )
    client = api_client_for(assessor, organization)
    status = client.get(api("status", report.pk)).json()
    assert (status["state"], status["error"]["code"]) == ("failed", "report_failed")
    assert status["retry_url"].endswith(api("retry", report.pk))

    retried = client.post(status["retry_url"])
    assert retried.status_code == 202
    assert retried.json()["state"] == "queued"
    published[-1].deliver()
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == (ReportStatus.READY, 0, "")


def test_a_queued_report_no_worker_took_is_requeued_then_failed(organization, assessor, scored, published):
    report = services.report_request(organization=organization, assessment=scored, user=assessor)
    services.report_reap(now=later(PAST_QUEUE_DEADLINE))
    services.report_reap(now=later(2 * PAST_QUEUE_DEADLINE))
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "No worker took up this report, though it was queued twice. Try again."


def test_a_retry_is_refused_unless_failed_and_with_the_broker_down(
    api_client_for, organization, assessor, scored, monkeypatch
):
    report = services.report_request(organization=organization, assessment=scored, user=assessor)
    client = api_client_for(assessor, organization)
    refused = client.post(api("retry", report.pk))
    assert refused.status_code == 409
    assert api_errors(refused)[0]["code"] == "not_failed"
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="Lost.")

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.render_report_task, "apply_async", refuse)
    down = client.post(api("retry", report.pk))
    assert down.status_code == 503
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, "Lost.")


def test_the_page_of_a_failed_report_retries_it(client, organization, assessor, scored):
    report = Report.objects.create(
        organization=organization, assessment=scored, status=ReportStatus.FAILED, error="The worker stopped."
    )
    client.force_login(assessor)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    retry = reverse("reports:report_retry", args=[report.pk])
    assert f'action="{retry}"' in page
    assert "Try again" in page
    response = client.post(retry, follow=True)
    assert "being rendered again" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY


def test_viewers_see_no_retry(client, organization, viewer, scored):
    report = Report.objects.create(organization=organization, assessment=scored, status=ReportStatus.FAILED)
    client.force_login(viewer)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Try again" not in page
    assert client.post(reverse("reports:report_retry", args=[report.pk])).status_code == 403
