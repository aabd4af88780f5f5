"""The telemetry page: upload a scrape, configure and pull Prometheus, read BMCs; roles and query counts."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.tests.loopback import Answer, serve
from inventory.models import PrometheusConfig, ServerTelemetryDay

from .factories import ServerFactory
from .telemetry_factories import telemetry_rows

DATA = Path(__file__).parent / "data" / "telemetry"
PAGE = reverse("inventory:telemetry")


def test_upload_shows_what_was_stored_and_who_is_unknown(client, organization, assessor):
    ServerFactory(organization=organization, hostname="cp-bm14r7", accelerator_count=1)
    client.force_login(assessor)
    scrape = (DATA / "cncf-aiconf-ericsson-t4-x1-notype.prom").read_bytes()
    unknown = (DATA / "cncf-aiconf-kops-aws-l4-x1.prom").read_bytes()
    response = client.post(PAGE, {"file": SimpleUploadedFile("metrics.txt", scrape + unknown)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Scrape stored" in html
    assert "<strong>cp-bm14r7</strong>: 1 GPU" in html
    assert "<code>i-030791dc5a37cd257</code>: no server has this hostname" in html
    row = ServerTelemetryDay.objects.get()
    assert row.utilization_mean_pct == 91
    assert "91" in html  # in the latest summaries table


def test_a_malformed_upload_is_a_form_error_naming_the_line(client, organization, assessor):
    client.force_login(assessor)
    bad = (DATA / "cncf-aiconf-viettel-l40s-x2-ELIDED-LABELS.prom").read_text()
    response = client.post(PAGE, {"text": bad})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "row 2, text: not Prometheus text exposition" in str(errors)
    assert not ServerTelemetryDay.objects.exists()
    response = client.post(PAGE, {})
    assert "Choose the scrape file" in str(response.context["form"].errors)


def test_viewers_read_but_cannot_upload(client, organization, viewer):
    client.force_login(viewer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b'id="scrape-form"' not in page.content
    assert client.post(PAGE, {"text": "x"}).status_code == 403
    assert client.post(reverse("inventory:telemetry_prometheus_pull")).status_code == 403


def test_prometheus_settings_and_update_now_from_the_page(client, organization, assessor):
    ServerFactory(organization=organization, hostname="gpu1")
    client.force_login(assessor)
    response = client.post(
        reverse("inventory:telemetry_prometheus"),
        {"url": "http://169.254.169.254", "window_days": 7, "step_seconds": 300},
    )
    assert "cloud metadata address" in str(response.context["prometheus_form"].errors["url"])
    empty = {"status": "success", "data": {"resultType": "matrix", "result": []}}
    with serve(lambda r: Answer(body=__import__("json").dumps(empty))) as server:
        data = {
            "url": server.url,
            "token": "t0ken",
            "window_days": 3,
            "step_seconds": 60,
            "verify_tls": "on",
            "enabled": "on",
        }
        assert client.post(reverse("inventory:telemetry_prometheus"), data).status_code == 302
        response = client.post(reverse("inventory:telemetry_prometheus_pull"), follow=True)
    assert "Prometheus pulled." in response.content.decode()
    config = PrometheusConfig.objects.get()
    assert (config.status, config.window_days, config.hosts_total) == ("ok", 3, 1)
    assert "t0ken" not in response.content.decode()
    status = client.get(reverse("inventory:telemetry_status")).json()
    assert (status["kind"], status["state"], status["progress"]) == ("prometheus_pull", "succeeded", 100)
    assert status["next_url"] == reverse("inventory:telemetry")


def test_a_failed_pull_shows_its_error(client, organization, assessor):
    client.force_login(assessor)
    with serve(lambda r: Answer(401, "{}")) as server:
        PrometheusConfig.objects.create(organization=organization, url=server.url)
        response = client.post(reverse("inventory:telemetry_prometheus_pull"), follow=True)
    html = response.content.decode()
    assert "check the bearer token" in html
    assert 'id="prometheus-error"' in html


def test_the_page_runs_a_constant_number_of_queries(client, organization, viewer, django_assert_num_queries):
    client.force_login(viewer)
    for n in range(2):
        telemetry_rows(organization, ServerFactory(organization=organization, hostname=f"a{n}"), with_prometheus=n == 0)
    with django_assert_num_queries(7):
        client.get(PAGE)
    for n in range(2, 8):
        telemetry_rows(organization, ServerFactory(organization=organization, hostname=f"a{n}"), with_prometheus=False)
    with django_assert_num_queries(7):
        assert client.get(PAGE).status_code == 200
