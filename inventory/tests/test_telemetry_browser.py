"""In a real browser: Inventory -> Telemetry, upload a published scrape; the progress bar follows a running pull."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from inventory.models import PrometheusConfig, PullStatus, ServerTelemetryDay

from .factories import ServerFactory
from .test_import_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent / "data" / "telemetry"


def test_upload_a_scrape_from_the_inventory(live_server, page, organization, assessor):
    ServerFactory(organization=organization, hostname="ip-10-0-171-111.ec2.internal")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/")
    page.get_by_role("link", name="Telemetry").click()
    page.set_input_files("#scrape-form input[type=file]", str(DATA / "aicr-eks-h100x8-156a357e.prom"))
    page.get_by_role("button", name="Store the scrape").click()
    page.wait_for_selector("#upload-result")
    assert "1 server-day written" in page.locator("#upload-result").inner_text()
    assert page.locator("#telemetry-days tbody tr").count() == 1
    assert page.locator("#telemetry-days tbody td").nth(2).inner_text() == "584"  # W, the 8 GPUs' sum
    assert ServerTelemetryDay.objects.count() == 1


def test_the_progress_bar_follows_a_running_pull(live_server, page, organization, assessor):
    config = PrometheusConfig.objects.create(
        organization=organization,
        url="http://prometheus.example.net:9090",
        status=PullStatus.RUNNING,
        started=timezone.now(),
        hosts_done=1,
        hosts_total=4,
    )
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/telemetry/")
    bar = page.locator("#prometheus-progress")
    assert bar.get_attribute("aria-valuenow") == "25"
    PrometheusConfig.objects.filter(pk=config.pk).update(hosts_done=3)
    page.wait_for_function(
        "() => document.getElementById('prometheus-progress').getAttribute('aria-valuenow') === '75'"
    )
    PrometheusConfig.objects.filter(pk=config.pk).update(status=PullStatus.OK, hosts_done=4, finished=timezone.now())
    page.wait_for_selector("#prometheus-progress.d-none", state="attached")
    assert "Succeeded" in page.locator("#prometheus-status").inner_text()
