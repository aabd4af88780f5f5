"""A dcgm-exporter scrape through the service, the command and the API, into daily summaries; the server's
telemetry over the API. Real scrapes from inventory/tests/data/telemetry/ (source URL beside each file)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from config.errors import Invalid, TooLarge
from config.testing import api_errors, error_text
from inventory.models import ServerTelemetryDay, TelemetrySource
from inventory.telemetry import services

from .factories import ServerFactory

DATA = Path(__file__).parent / "data" / "telemetry"
H100 = "aicr-eks-h100x8-156a357e.prom"
H100_POWER = 113.611 + 68.347 + 65.709 + 67.316 + 68.717 + 65.742 + 67.328 + 66.997
UPLOAD = "/api/v1/inventory/telemetry/"


def text(name: str) -> str:
    return (DATA / name).read_text()


@pytest.fixture
def eks(organization):
    """The EKS node of NVIDIA's evidence, recorded by its short name (the scrape says ip-10-0-171-111.ec2.internal)."""
    return ServerFactory(organization=organization, hostname="IP-10-0-171-111")


def test_a_scrape_becomes_the_days_summary_of_the_server_it_names(organization, eks):
    at = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    result = services.telemetry_ingest_scrape(organization=organization, text=text(H100), observed_at=at)
    assert [(m.hostname, m.reported_as, m.gpus) for m in result.matched] == [
        ("IP-10-0-171-111", "ip-10-0-171-111.ec2.internal", 8)
    ]
    assert result.unknown_hosts == []
    assert result.days_written == 1
    row = ServerTelemetryDay.objects.get()
    assert (row.server, row.day, row.source, row.organization) == (eks, at.date(), "dcgm_scrape", organization)
    assert row.window_start == row.window_end == at
    assert row.sample_count == 1
    assert row.accelerator_power_p50_w == row.accelerator_power_p95_w == row.accelerator_power_max_w
    assert row.accelerator_power_max_w == pytest.approx(H100_POWER)
    assert row.utilization_mean_pct == 0
    assert row.gpu_count == 8
    assert row.gpu_models == ["NVIDIA H100 80GB HBM3"]
    assert row.server_power_max_w is None


def test_scrapes_of_the_same_day_fold_into_one_summary(organization):
    server = ServerFactory(organization=organization, hostname="cp-bm14r7", accelerator_count=1)
    loaded = text("cncf-aiconf-ericsson-t4-x1-notype.prom")  # 68.244 W, 91 % busy
    idle = loaded.replace("68.244", "30.5").replace("DCGM_FI_DEV_GPU_UTIL{", "DCGM_FI_DEV_GPU_UTIL_X{")
    day = datetime(2026, 11, 30, tzinfo=UTC)
    for hour, scrape in [(1, idle), (2, idle), (3, loaded)]:
        services.telemetry_ingest_scrape(
            organization=organization, text=scrape, observed_at=day + timedelta(hours=hour)
        )
    row = ServerTelemetryDay.objects.get(server=server)
    assert row.sample_count == 3
    assert (row.window_start, row.window_end) == (day + timedelta(hours=1), day + timedelta(hours=3))
    assert row.accelerator_power_p50_w == pytest.approx(30.5, rel=0.01)
    assert row.accelerator_power_p95_w == pytest.approx(68.244, rel=0.01)
    assert row.accelerator_power_max_w == 68.244
    # utilization: GPU_UTIL only in the loaded scrape; the idle ones fall back to GR_ENGINE_ACTIVE 0.156205
    assert row.utilization_mean_pct == pytest.approx((15.6205 + 15.6205 + 91) / 3)


def test_unknown_hosts_are_listed_and_never_created(organization):
    before = organization.data_version
    result = services.telemetry_ingest_scrape(
        organization=organization, text=text("datadog-integrations-core-dcgm-fixtures-metrics.txt")
    )
    assert result.matched == []
    assert result.unknown_hosts == [{"hostname": "424773df46e0", "reason": "no server has this hostname"}]
    assert result.days_written == 0
    assert "nothing was written" in " ".join(result.notes)
    assert not ServerTelemetryDay.objects.exists()
    organization.refresh_from_db()
    assert organization.data_version == before
    from inventory.models import Server

    assert not Server.objects.filter(hostname="424773df46e0").exists()


def test_a_hostname_given_attributes_a_pod_named_scrape_to_its_server(organization):
    server = ServerFactory(organization=organization, hostname="a30-node-1.example.net", accelerator_count=4)
    result = services.telemetry_ingest_scrape(
        organization=organization,
        text=text("issue-dcgm-exporter-317-a30-mig-3.3.5-3.4.1.prom"),
        hostname="a30-node-1",
    )
    (matched,) = result.matched
    assert matched.server_id == server.pk
    assert matched.notes[-1] == "2 GPUs in the scrape, 4 recorded in the inventory."
    assert matched.notes[0].startswith("Utilization of 2 GPUs in MIG mode read from DCGM_FI_PROF_GR_ENGINE_ACTIVE")
    row = ServerTelemetryDay.objects.get(server=server)
    assert row.mig_profiles == {"1g.6gb": 6}
    assert row.accelerator_power_max_w == pytest.approx((52.636 * 2 + 52.746 * 2) / 4 + (56.121 + 56.127) / 2)


def test_a_federated_scrape_names_pod_named_hosts_by_their_kubernetes_node(organization):
    """Prometheus' /federate answer (real, over issue 68's and 736's scrapes): each exporter's Hostname is its pod's
    name; the kubernetes_node label Prometheus added names the server."""
    a30 = ServerFactory(organization=organization, hostname="k8s-gpu-a30-01.example.net", accelerator_count=1)
    at = timezone.now() - timedelta(hours=1)
    result = services.telemetry_ingest_scrape(
        organization=organization, text=text("prometheus-2.42-federate-kubernetes-node.prom"), observed_at=at
    )
    (matched,) = result.matched
    assert (matched.server_id, matched.reported_as) == (a30.pk, "dcgm-exporter-sn5rp on Kubernetes node k8s-gpu-a30-01")
    assert result.unknown_hosts == [
        {
            "hostname": "dcgm-exporter-wwwjh",
            "reason": "no server has this hostname (nor its Kubernetes node, k8s-gpu-mixed-01)",
        }
    ]
    day = ServerTelemetryDay.objects.get(server=a30)
    assert (day.gpu_count, day.mig_profiles) == (1, {"2g.12gb": 1})
    assert day.utilization_mean_pct == pytest.approx(0.381124 * 2 / 4 * 100, abs=1e-3)  # 2 of the A30's 4 slices


def test_a_scrape_without_hostname_labels_needs_the_hostname(organization):
    text_ = 'DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1"} 300\n'
    with pytest.raises(Invalid) as caught:
        services.telemetry_ingest_scrape(organization=organization, text=text_)
    assert caught.value.errors[0].field == "hostname"


def test_a_malformed_scrape_writes_nothing_and_names_the_line(organization, eks):
    with pytest.raises(Invalid) as caught:
        services.telemetry_ingest_scrape(
            organization=organization, text=text("cncf-aiconf-vks-v1.35-vgpu-grid-a100-40c-WITH-CURL-NOISE.prom")
        )
    (item,) = caught.value.errors
    assert (item.code, item.field, item.row) == ("malformed", "file", 35)
    assert not ServerTelemetryDay.objects.exists()


def test_a_future_time_and_a_large_upload_are_refused(organization, settings):
    with pytest.raises(Invalid, match="future"):
        services.telemetry_ingest_scrape(
            organization=organization, text=text(H100), observed_at=timezone.now() + timedelta(days=1)
        )
    settings.TELEMETRY_UPLOAD_MAX_BYTES = 100
    with pytest.raises(TooLarge):
        services.scrape_text(b"x" * 101)
    with pytest.raises(Invalid, match="UTF-8"):
        services.scrape_text(b"\xff\xfe\x00")


def test_another_organizations_server_is_not_matched(organization, other_organization):
    ServerFactory(organization=other_organization, hostname="ip-10-0-171-111")
    result = services.telemetry_ingest_scrape(organization=organization, text=text(H100))
    assert result.unknown_hosts[0]["hostname"] == "ip-10-0-171-111.ec2.internal"
    assert not ServerTelemetryDay.objects.exists()


# --- command ------------------------------------------------------------------------------------------------------


def test_the_command_reads_a_file(organization, eks):
    out = io.StringIO()
    call_command("ingest_telemetry", str(DATA / H100), "--org", organization.slug, stdout=out)
    assert "IP-10-0-171-111 (reported as ip-10-0-171-111.ec2.internal): 8 GPUs" in out.getvalue()
    assert "1 server-day(s) written." in out.getvalue()
    assert ServerTelemetryDay.objects.count() == 1


def test_the_command_reads_stdin_and_reports_errors(organization, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(b"<html>502 Bad Gateway</html>\n")

    monkeypatch.setattr("sys.stdin", Stdin)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("ingest_telemetry", "-", "--org", organization.slug, stderr=err)
    assert "row 1, file: not Prometheus text exposition" in err.getvalue()


# --- API ----------------------------------------------------------------------------------------------------------


def test_upload_by_multipart_as_curl_sends_it(organization, assessor, eks, api_client_for):
    client = api_client_for(assessor, organization)
    upload = io.BytesIO(text(H100).encode())
    upload.name = "-"
    response = client.post(UPLOAD, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["matched_servers"][0]["hostname"] == "IP-10-0-171-111"
    assert body["matched_servers"][0]["gpus"] == 8
    assert body["unknown_hosts"] == []
    assert body["days_written"] == 1


def test_upload_as_a_text_body_with_the_hostname_in_the_query(organization, assessor, api_client_for):
    server = ServerFactory(organization=organization, hostname="metal-a30", accelerator_count=1)
    client = api_client_for(assessor, organization)
    response = client.generic(
        "POST",
        UPLOAD + "?hostname=metal-a30",
        text("issue-dcgm-exporter-68-a30-mig-2g12gb-podlabels-2.x.prom"),
        content_type="text/plain",
    )
    assert response.status_code == 201, response.content
    assert response.json()["matched_servers"][0]["id"] == server.pk


def test_upload_errors_have_the_one_shape(organization, assessor, viewer, api_client_for):
    client = api_client_for(assessor, organization)
    response = client.post(UPLOAD, {"text": "not exposition at all {"}, format="json")
    assert response.status_code == 400
    (item,) = api_errors(response)
    assert (item["code"], item["field"], item["row"]) == ("malformed", "text", 1)
    response = client.post(UPLOAD, {}, format="json")
    assert response.status_code == 400
    assert "Send the scrape" in error_text(response)
    viewer_client = api_client_for(viewer, organization)
    assert viewer_client.post(UPLOAD, {"text": text(H100)}, format="json").status_code == 403


def test_the_server_telemetry_endpoint(organization, viewer, eks, api_client_for):
    # Midnight: any later time of day would be in the future when the suite runs just after midnight (UTC).
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    services.telemetry_ingest_scrape(organization=organization, text=text(H100), observed_at=today)
    ServerTelemetryDay.objects.create(
        organization=organization,
        server=eks,
        day=today.date(),
        source=TelemetrySource.REDFISH,
        window_start=today,
        window_end=today + timedelta(hours=5),
        sample_count=20,
        server_power_p50_w=3100,
        server_power_p95_w=5200,
        server_power_max_w=5600,
        power_reading_path="/redfish/v1/Chassis/1U/Power PowerControl[0].PowerConsumedWatts",
    )
    client = api_client_for(viewer, organization)
    response = client.get(reverse("api:inventory:server-telemetry", args=[eks.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["server"] == {"id": eks.pk, "hostname": "IP-10-0-171-111"}
    assert body["window"]["days"] == 7
    assert body["window"]["end"] == today.date().isoformat()
    (day,) = body["days"]
    assert day["sources"] == ["dcgm_scrape", "redfish"]
    assert set(day) >= {
        "accelerator_power_w",
        "server_power_w",
        "utilization_pct",
        "tensor_active_pct",
        "memory_used_gb",
    }
    assert day["accelerator_power_w"]["max"] == pytest.approx(H100_POWER)
    assert day["accelerator_power_w"]["source"] == "dcgm_scrape"
    assert set(day["accelerator_power_w"]) == {"p50", "p95", "max", "source", "samples"}
    assert day["server_power_w"]["p95"] == 5200
    assert day["server_power_w"]["source"] == "redfish"
    assert day["utilization_pct"]["mean"] == 0
    assert day["tensor_active_pct"] is None
    assert day["memory_used_gb"] is None
    assert client.get(reverse("api:inventory:server-telemetry", args=[eks.pk]) + "?days=0").status_code == 400


def test_another_organizations_server_telemetry_is_not_found(organization, outsider, eks, api_client_for):
    from accounts.models import Organization

    client = api_client_for(outsider, Organization.objects.get(slug="other-corp"))
    assert client.get(reverse("api:inventory:server-telemetry", args=[eks.pk])).status_code == 404


def test_upload_runs_a_constant_number_of_queries(organization, assessor, api_client_for, django_assert_num_queries):
    client = api_client_for(assessor, organization)
    ServerFactory(organization=organization, hostname="ip-10-0-171-111")
    ServerFactory(organization=organization, hostname="ip-100-64-171-120")
    two_hosts = text(H100) + text("aicr-eks-h100x8-1f1758a5.prom")
    with django_assert_num_queries(13):  # 12, and the day's GPUs written in one statement
        assert client.post(UPLOAD, {"text": text(H100)}, format="json").json()["days_written"] == 1
    with django_assert_num_queries(14):  # one day folded into the stored one (its GPUs replaced), one created
        assert client.post(UPLOAD, {"text": two_hosts}, format="json").json()["days_written"] == 2


def test_an_upload_racing_another_for_the_same_day_folds_into_it(organization, eks, monkeypatch):
    from django.db import IntegrityError

    real = services._store
    raced = []

    def racing(*args):
        if not raced:  # another upload creates the day first; our insert then collides
            raced.append(True)
            real(*args)
            raise IntegrityError("UNIQUE constraint failed")
        return real(*args)

    monkeypatch.setattr(services, "_store", racing)
    services.telemetry_ingest_scrape(organization=organization, text=text(H100))
    assert ServerTelemetryDay.objects.get().sample_count == 2


def test_idle_accelerators_are_counted_per_gpu_not_per_server(organization, eks):
    """NVIDIA's H100 scrape (every GPU at 0 %), then the same node an hour later with GPUs 2-7 at 90 %: the day
    keeps each GPU's mean (GPUs 0 and 1 at 0 %, the others at 45 %). The server averages 33.75 %, so a per-server
    count finds no idle accelerator; per GPU, 2 of 8 are idle."""
    import re

    from inventory.facts import compute_facts
    from inventory.models import ServerTelemetryDay, ServerTelemetryGpuDay

    day = timezone.now().date() - timedelta(days=1)
    first = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    busy = re.sub(r'^(DCGM_FI_DEV_GPU_UTIL\{gpu="[2-7]".*\}) 0$', r"\1 90", text(H100), flags=re.MULTILINE)
    assert busy.count("} 90\n") == 6
    services.telemetry_ingest_scrape(organization=organization, text=text(H100), observed_at=first)
    services.telemetry_ingest_scrape(organization=organization, text=busy, observed_at=first + timedelta(hours=1))
    stored = ServerTelemetryDay.objects.get(server=eks)
    assert stored.sample_count == 2
    assert stored.utilization_mean_pct == pytest.approx((0 + 6 * 90 / 8) / 2)  # 33.75
    gpus = {row.gpu: (row.utilization_mean_pct, row.sample_count) for row in ServerTelemetryGpuDay.objects.all()}
    assert len(gpus) == 8
    assert sorted(gpus.values()) == [(0.0, 2)] * 2 + [(45.0, 2)] * 6
    assert gpus["GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005"] == (0.0, 2)  # gpu 0, by its UUID
    facts = compute_facts(organization=organization)
    assert facts["idle_accelerators_pct"].value == pytest.approx(25.0)
    assert "2 of 8 measured accelerators averaged under 5% utilization" in facts["idle_accelerators_pct"].explanation
    assert "(each GPU's own mean)" in facts["idle_accelerators_pct"].explanation


def test_a_scrape_saved_by_powershell_comes_in_as_saved_as_utf8(organization, assessor, eks, api_client_for):
    """``curl.exe http://node:9400/metrics > scrape.prom`` in Windows PowerShell 5 writes UTF-16LE with its byte-order
    mark and CRLF lines."""
    saved = "\ufeff".encode("utf-16-le") + text(H100).replace("\n", "\r\n").encode("utf-16-le")
    assert services.scrape_text(saved) == text(H100).replace("\n", "\r\n")
    upload = io.BytesIO(saved)
    upload.name = "scrape.prom"
    response = api_client_for(assessor, organization).post(UPLOAD, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["matched_servers"][0]["gpus"] == 8


def test_a_scrape_whose_only_value_is_absent_says_so_and_names_it(organization, eks):
    """A negative power for a known server is DCGM's "no value" (module docstring): ignored, but named, and the
    reply no longer says that no series named a server (one did)."""
    line = 'DCGM_FI_DEV_POWER_USAGE{gpu="0",Hostname="ip-10-0-171-111"} -20\n'
    result = services.telemetry_ingest_scrape(organization=organization, text=line)
    assert result.days_written == 0
    assert result.matched == []
    assert (
        "1 value DCGM reports as not available (NaN, negative, or a blank or not-supported sentinel) ignored: "
        "DCGM_FI_DEV_POWER_USAGE -20 for gpu 0 on ip-10-0-171-111."
    ) in result.notes
    assert "No value was left to store once those were ignored: nothing was written." in result.notes
    assert not any("No series named a server" in note for note in result.notes)
    assert not ServerTelemetryDay.objects.filter(server=eks).exists()


def test_a_scrape_of_another_gpu_model_than_the_servers_is_said(organization):
    """An H100 scrape uploaded for an L40S server (the wrong hostname given): stored as asked, with a note naming
    both models; the scrape of the server's own model, or a model the catalog does not know, gets none."""
    from inventory.models import AcceleratorType

    l40s = AcceleratorType.objects.get(organization__isnull=True, model="L40S")
    server = ServerFactory(
        organization=organization, hostname="iad-l40s-03", accelerator_type=l40s, accelerator_count=8
    )
    (matched,) = services.telemetry_ingest_scrape(
        organization=organization, text=text(H100), hostname="iad-l40s-03"
    ).matched
    assert matched.server_id == server.pk
    assert matched.notes == [
        "The scrape's GPUs are NVIDIA H100 80GB HBM3, but the inventory records NVIDIA L40S for this server: check "
        "that the scrape is this server's."
    ]
    ServerFactory(organization=organization, hostname="h100-node")  # 8 x H100 SXM: its own model
    (matched,) = services.telemetry_ingest_scrape(
        organization=organization, text=text(H100), hostname="h100-node"
    ).matched
    assert matched.notes == []
    unknown = text(H100).replace("NVIDIA H100 80GB HBM3", "Acme X1000")
    (matched,) = services.telemetry_ingest_scrape(
        organization=organization, text=unknown, hostname="iad-l40s-03"
    ).matched
    assert matched.notes == []
