"""The Prometheus pull as a job (config.jobs): its status and retry over the API and the page, the reaper, only the
pull's current message runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.testing import api_errors
from config.tests.loopback import serve
from inventory import tasks
from inventory.models import PrometheusConfig, PullStatus
from inventory.telemetry import pulls

from .factories import ServerFactory
from .test_telemetry_prometheus import L4, configure, prometheus

pytestmark = pytest.mark.django_db

PAST_RUN_DEADLINE = 900 + 120 + 1


def later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def test_the_pull_as_a_job_over_the_api(api_client_for, organization, assessor):
    ServerFactory(organization=organization, hostname=L4, accelerator_count=1)
    client = api_client_for(assessor, organization)
    url = reverse("api:inventory:prometheus-pull")
    with serve(prometheus) as server:
        configure(organization, server.url)
        response = client.get(url)
        assert response.status_code == 404
        assert api_errors(response)[0]["code"] == "no_job"
        response = client.post(url)  # run in process in the test suite
    assert response.status_code == 202
    assert response["Location"].endswith(url)
    body = response.json()
    assert (body["kind"], body["state"], body["progress"]) == ("prometheus_pull", "succeeded", 100)
    assert body["next_url"].endswith(reverse("api:inventory:prometheus"))
    retry = client.post(reverse("api:inventory:prometheus-pull-retry"))
    assert retry.status_code == 409
    assert api_errors(retry)[0]["code"] == "not_failed"


def test_a_lost_pull_is_requeued_then_failed_and_retried(api_client_for, organization, assessor, published):
    config = configure(organization, "http://127.0.0.1:9")
    pulls.prometheus_pull_start(config=config)
    first = published[0]
    PrometheusConfig.objects.filter(pk=config.pk).update(status=PullStatus.RUNNING, started=timezone.now())
    assert pulls.prometheus_pull_reap(now=later(60)).requeued == 0
    assert pulls.prometheus_pull_reap(now=later(PAST_RUN_DEADLINE)).requeued == 1
    config.refresh_from_db()
    assert (config.status, config.attempts, config.task_id) == (PullStatus.QUEUED, 1, published[1].task_id)
    assert first.deliver() is None  # stale
    PrometheusConfig.objects.filter(pk=config.pk).update(status=PullStatus.RUNNING, started=later(PAST_RUN_DEADLINE))
    assert pulls.prometheus_pull_reap(now=later(2 * PAST_RUN_DEADLINE)).failed == 1
    config.refresh_from_db()
    assert config.status == PullStatus.FAILED
    assert config.last_error.startswith("The worker stopped while pulling from Prometheus")
    client = api_client_for(assessor, organization)
    status = client.get(reverse("api:inventory:prometheus-pull")).json()
    assert (status["state"], status["error"]["code"]) == ("failed", "pull_failed")
    response = client.post(status["retry_url"])
    assert response.status_code == 202
    config.refresh_from_db()
    assert (config.status, config.attempts, config.last_error) == (PullStatus.QUEUED, 0, "")
    assert published[-1].task.name == tasks.telemetry_prometheus_pull.name


def test_the_page_offers_to_try_again_after_a_failed_pull_and_polls_a_running_one(client, organization, assessor):
    config = PrometheusConfig.objects.create(
        organization=organization, url="http://127.0.0.1:9", status=PullStatus.FAILED, last_error="Lost."
    )
    client.force_login(assessor)
    page = client.get(reverse("inventory:telemetry")).content.decode()
    assert "Try again" in page
    assert "data-job-status" not in page
    status = client.get(reverse("inventory:telemetry_status")).json()
    assert status["retry_url"] == reverse("inventory:telemetry_prometheus_pull")
    PrometheusConfig.objects.filter(pk=config.pk).update(
        status=PullStatus.RUNNING, started=timezone.now(), hosts_done=1, hosts_total=4
    )
    page = client.get(reverse("inventory:telemetry")).content.decode()
    assert f'data-job-status="{reverse("inventory:telemetry_status")}"' in page
    assert "js/jobs.js" in page
    status = client.get(reverse("inventory:telemetry_status")).json()
    assert (status["state"], status["progress"], status["message"]) == ("running", 25, "Pulling: 1 of 4 servers.")


def test_the_page_status_before_any_pull_is_a_404(client, organization, assessor):
    client.force_login(assessor)
    assert client.get(reverse("inventory:telemetry_status")).status_code == 404
