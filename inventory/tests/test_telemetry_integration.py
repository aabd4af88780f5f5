"""Against real services (`make test-integration`): the Prometheus pull and the BMC reading run by a real Celery
worker process, talking to loopback stand-ins served by this test process, writing to PostgreSQL."""

from __future__ import annotations

import pytest
from django_celery_results.models import TaskResult

from config.tests.loopback import serve
from config.tests.processes import wait_for
from inventory.models import PrometheusConfig, PullStatus, ServerTelemetryDay
from inventory.telemetry import configuration, pulls

from .factories import ServerFactory
from .test_telemetry_prometheus import L4, prometheus
from .test_telemetry_redfish import PASSWORD, USER, bmc

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_worker_queue(celery_worker_queue):
    from config.celery import app

    default = app.conf.task_default_queue
    app.conf.task_default_queue = celery_worker_queue
    yield celery_worker_queue
    app.conf.task_default_queue = default


def test_update_now_is_pulled_by_the_worker(on_worker_queue, organization):
    ServerFactory(organization=organization, hostname=L4, accelerator_count=1)
    with serve(prometheus) as server:
        config = configuration.prometheus_config_save(organization=organization, url=server.url)
        config = pulls.prometheus_pull_start(config=config)
        assert config.status == PullStatus.QUEUED  # not run eagerly
        assert wait_for(
            lambda: PrometheusConfig.objects.get().status not in (PullStatus.QUEUED, PullStatus.RUNNING), 90
        )
    config.refresh_from_db()
    assert config.status == PullStatus.OK, config.last_error
    # The result backend stores the task's row once the task has returned, a moment after the status is saved.
    stored = wait_for(lambda: TaskResult.objects.filter(task_id=config.task_id).first(), 30)
    assert stored is not None
    assert stored.worker.startswith(on_worker_queue)
    assert ServerTelemetryDay.objects.get().source == "prometheus"


def test_the_bmcs_are_read_by_the_worker(on_worker_queue, organization):
    server_row = ServerFactory(organization=organization)
    with bmc("public-localstorage") as server:
        endpoint = configuration.bmc_endpoint_save(
            organization=organization, server=server_row, address=server.url, username=USER, password=PASSWORD
        )
        pulls.bmc_read_start(organization=organization)
        assert wait_for(lambda: ServerTelemetryDay.objects.exists(), 90)
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.last_power_w) == (PullStatus.OK, 344)
