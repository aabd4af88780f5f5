"""What measured telemetry claims, against what people actually send: gzip-compressed scrapes on every channel, GPUs
in MIG mode (whose DCGM_FI_DEV_GPU_UTIL is 0, not measured), servers measured only by their BMC, and a Prometheus
whose retention is shorter than the pull's window. Real inputs from inventory/tests/data/ (source beside each file);
where a test derives one from another, it says how and after what published report."""

from __future__ import annotations

import gzip
import io
import json
import re
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from config.errors import Invalid, TooLarge
from config.testing import api_errors, error_text
from config.tests.loopback import Answer, serve
from inventory.models import ServerTelemetryDay, ServerTelemetryGpuDay, TelemetrySource
from inventory.telemetry import configuration, dcgm, pulls, services
from inventory.telemetry.summaries import instant_values

from .factories import ServerFactory
from .test_telemetry_prometheus import A30_MIG, matrix_for
from .test_telemetry_prometheus import DATA as PROMETHEUS_DATA
from .test_telemetry_redfish import PASSWORD, USER, bmc

DATA = Path(__file__).parent / "data" / "telemetry"
UPLOAD = "/api/v1/inventory/telemetry/"
PAGE = reverse("inventory:telemetry")
H100 = "aicr-eks-h100x8-156a357e.prom"  # ip-10-0-171-111.ec2.internal, 8 x H100
T4 = "cncf-aiconf-ericsson-t4-x1-notype.prom"  # cp-bm14r7, 1 x T4 at 91 %
A30_68 = "issue-dcgm-exporter-68-a30-mig-2g12gb-podlabels-2.x.prom"  # one A30 2g.12gb instance, GR_ENGINE_ACTIVE 0.381
MIXED_736 = "issue-dcgm-exporter-736-lowercase-hostname-mixed-models-mig.prom"  # an A30 MIG instance, no PROF metrics
A30_317 = "issue-dcgm-exporter-317-a30-mig-3.3.5-3.4.1.prom"  # 2 x A30 in MIG mode, GR_ENGINE_ACTIVE on instances


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def with_mig_gpu_util_zero(scrape: str, *, like: str) -> str:
    """The scrape as dcgm-exporter writes it when DCGM_FI_DEV_GPU_UTIL is also collected on a MIG GPU: NVIDIA/
    dcgm-exporter#216 (A100 80GB, dcgm-exporter 3.3.0-3.2.0) reports "all the metric values for DCGM_FI_DEV_GPU_UTIL
    are set to 0 for MIG instances", and NVIDIA answers "it is normal" (use DCGM_FI_PROF_GR_ENGINE_ACTIVE). No
    published scrape with those lines was found, so they are made here: for each series of ``like`` (a metric of the
    file carrying GPU_I_ID), a GPU_UTIL series with the same labels and the value 0."""
    lines = [line for line in scrape.splitlines() if line.startswith(like + "{") and "GPU_I_ID=" in line]
    assert lines, f"no MIG series of {like} to copy"
    util = [re.sub(r"^\w+(\{.*\}) \S+$", r"DCGM_FI_DEV_GPU_UTIL\1 0", line) for line in lines]
    return scrape + "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n" + "\n".join(util) + "\n"


@pytest.fixture
def eks(organization):
    return ServerFactory(organization=organization, hostname="ip-10-0-171-111", accelerator_count=8)


# --- 1. gzip scrapes, on every channel ----------------------------------------------------------------------------


def test_a_gzip_scrape_is_read_by_its_bytes_whatever_its_name(organization, assessor, eks, api_client_for):
    """``gzip metrics.prom``, or a body saved as the exporter's server sent it compressed: the page, the API (a file,
    an application/gzip body, and one labelled text/plain) and the command read the same text."""
    compressed = gzip.compress(text(H100).encode())
    assert services.scrape_text(compressed) == text(H100)
    client = api_client_for(assessor, organization)
    upload = io.BytesIO(compressed)
    upload.name = "metrics.txt"  # the name says nothing of gzip: the bytes do
    response = client.post(UPLOAD, {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["matched_servers"][0]["gpus"] == 8
    for content_type in ("application/gzip", "application/x-gzip", "application/octet-stream", "text/plain"):
        response = client.generic("POST", UPLOAD, compressed, content_type=content_type)
        assert response.status_code == 201, (content_type, response.content)
    assert ServerTelemetryDay.objects.get(server=eks).sample_count == 5


def test_the_page_and_the_command_take_a_prom_gz_file(client, organization, assessor, eks, tmp_path, monkeypatch):
    client.force_login(assessor)
    compressed = gzip.compress(text(H100).encode())
    response = client.post(PAGE, {"file": SimpleUploadedFile("metrics.prom.gz", compressed)})
    assert response.status_code == 200
    assert "Scrape stored" in response.content.decode()
    path = tmp_path / "metrics.prom.gz"
    path.write_bytes(compressed)
    out = io.StringIO()
    call_command("ingest_telemetry", str(path), "--org", organization.slug, stdout=out)
    assert "IP-10-0-171-111" not in out.getvalue()  # recorded in lower case here
    assert "ip-10-0-171-111 (reported as ip-10-0-171-111.ec2.internal): 8 GPUs" in out.getvalue()

    class Stdin:
        buffer = io.BytesIO(compressed)

    monkeypatch.setattr("sys.stdin", Stdin)
    call_command("ingest_telemetry", "-", "--org", organization.slug, stdout=io.StringIO())
    assert ServerTelemetryDay.objects.get(server=eks).sample_count == 3


def test_concatenated_gzip_files_read_as_one_scrape(organization, eks):
    """``cat h100.prom.gz t4.prom.gz``: gzip -d reads every member, and so is the upload."""
    t4 = ServerFactory(organization=organization, hostname="cp-bm14r7", accelerator_count=1)
    both = gzip.compress(text(H100).encode()) + gzip.compress(text(T4).encode())
    result = services.telemetry_ingest_scrape(organization=organization, text=services.scrape_text(both))
    assert sorted(m.server_id for m in result.matched) == sorted([eks.pk, t4.pk])
    assert ServerTelemetryDay.objects.get(server=t4).utilization_mean_pct == 91


def test_a_zip_bomb_is_refused_naming_the_limit_without_reading_it_all(
    organization, assessor, api_client_for, settings, tmp_path
):
    settings.TELEMETRY_UPLOAD_MAX_BYTES = 64 * 1024
    bomb = gzip.compress(b"\n" * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB of newlines in ~64 KiB
    assert len(bomb) < settings.TELEMETRY_UPLOAD_MAX_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge, match=r"decompresses to more than 65,536 bytes, the limit") as caught:
            services.scrape_text(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # never the 64 MiB it would expand to
    assert caught.value.errors[0].field == "file"
    upload = io.BytesIO(bomb)
    upload.name = "metrics.prom.gz"
    response = api_client_for(assessor, organization).post(UPLOAD, {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert "65,536 bytes, the limit" in error_text(response)
    path = tmp_path / "bomb.gz"
    path.write_bytes(bomb)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("ingest_telemetry", str(path), "--org", organization.slug, stderr=err)
    assert "65,536 bytes, the limit" in err.getvalue()
    assert not ServerTelemetryDay.objects.exists()


def test_a_damaged_gzip_file_is_refused_in_words(organization, assessor, api_client_for):
    compressed = gzip.compress(text(H100).encode())
    with pytest.raises(Invalid, match="cut short") as caught:
        services.scrape_text(compressed[: len(compressed) // 2])
    assert (caught.value.errors[0].code, caught.value.errors[0].field) == ("encoding", "file")
    with pytest.raises(Invalid, match="bytes after its end"):
        services.scrape_text(compressed + b"<html>")
    response = api_client_for(assessor, organization).generic(
        "POST", UPLOAD, compressed[:100], content_type="application/gzip"
    )
    assert response.status_code == 400
    (item,) = api_errors(response)
    assert (item["code"], item["field"]) == ("encoding", "text")


def test_a_gzip_of_powershells_utf16_scrape_is_read_too():
    saved = "\ufeff".encode("utf-16-le") + text(H100).replace("\n", "\r\n").encode("utf-16-le")
    assert services.scrape_text(gzip.compress(saved)) == text(H100).replace("\n", "\r\n")


# --- 2. MIG: GPU_UTIL 0 is not a measurement ------------------------------------------------------------------------


def values_of(scrape: str) -> dict:
    return {host: instant_values(r) for host, r in dcgm.readings_by_host(dcgm.parse(scrape).readings)}


def test_a_mig_gpus_zero_gpu_util_gives_way_to_its_graphics_engine_activity():
    """Issue 68's A30 2g.12gb instance is 38 % busy (GR_ENGINE_ACTIVE 0.381124): with the GPU_UTIL 0 that MIG
    instances report beside it (issue 216), the GPU was counted 0 % busy; it is 2/4 slices x 38 %."""
    scrape = with_mig_gpu_util_zero(text(A30_68), like="DCGM_FI_PROF_GR_ENGINE_ACTIVE")
    assert 'DCGM_FI_DEV_GPU_UTIL{gpu="0"' in scrape
    values = values_of(scrape)["dcgm-exporter-sn5rp"]
    assert values.utilization_pct == pytest.approx(0.381124 * 2 / 4 * 100)
    assert values.gpu_utilization == {"GPU-603a8873-0edd-c157-ce48-2078e8b1a935": pytest.approx(19.0562)}
    assert values.mig_from_activity == ["GPU-603a8873-0edd-c157-ce48-2078e8b1a935"]
    assert values.mig_unmeasured == []


def test_a_mig_gpu_without_graphics_engine_activity_is_not_measured_never_0_pct():
    """Issue/PR 736's node: an A30 in MIG mode (1g.6gb instance 3) and "no DCGM_FI_PROF_* metrics at all"; its
    GPU_UTIL, 0 as issue 216 reports, is not read."""
    scrape = with_mig_gpu_util_zero(text(MIXED_736), like="DCGM_FI_DEV_FB_FREE")
    values = values_of(scrape)["dcgm-exporter-wwwjh"]
    assert values.utilization_pct is None
    assert values.mig_unmeasured == ["GPU-63bc0b91-2265-1b94-831c-15c41fe92675"]
    assert "GPU-63bc0b91-2265-1b94-831c-15c41fe92675" not in values.gpu_utilization
    assert values.gpu_count == 2


def test_a_measured_mig_gpu_beside_an_unmeasured_one():
    """Issue 317's two A30s, the second without its GR_ENGINE_ACTIVE line: the server's utilization is the first
    GPU's (measured, idle), the second is not measured rather than idle."""
    gpu1 = "GPU-2d20791a-b4a6-ba59-97f1-e95b99fe5b49"
    scrape = "\n".join(
        line
        for line in text(A30_317).splitlines()
        if not (line.startswith("DCGM_FI_PROF_GR_ENGINE_ACTIVE{") and gpu1 in line)
    )
    values = values_of(with_mig_gpu_util_zero(scrape + "\n", like="DCGM_FI_DEV_POWER_USAGE"))[A30_MIG]
    assert values.utilization_pct == 0  # gpu 0: GR_ENGINE_ACTIVE 0 on its four instances
    assert list(values.gpu_utilization) == ["GPU-265c9814-6156-355b-e589-ff2064894f16"]
    assert values.mig_unmeasured == [gpu1]


def test_an_uploaded_mig_scrape_says_its_utilization_is_not_measured(client, organization, assessor, api_client_for):
    from inventory.facts import compute_facts

    server = ServerFactory(organization=organization, hostname="a30-node", accelerator_count=2)
    scrape = with_mig_gpu_util_zero(text(MIXED_736), like="DCGM_FI_DEV_FB_FREE")
    at = timezone.now() - timedelta(hours=1)
    result = services.telemetry_ingest_scrape(
        organization=organization, text=scrape, hostname="a30-node", observed_at=at
    )
    (matched,) = result.matched
    assert any(note.startswith("Utilization not measured for 1 GPU in MIG mode") for note in matched.notes)
    row = ServerTelemetryDay.objects.get(server=server)
    assert row.utilization_mean_pct is None
    assert row.mig_unmeasured_gpus == 1
    assert not ServerTelemetryGpuDay.objects.exists()  # no day of its own: never counted idle
    facts = compute_facts(organization=organization)
    assert "idle_accelerators_pct" not in facts
    assert "measured_utilization_mean_pct" not in facts
    client.force_login(assessor)
    page = client.get(PAGE).content.decode()
    assert "not measured (1 MIG GPU)" in page
    detail = client.get(reverse("inventory:server_detail", args=[server.pk])).content.decode()
    assert "Utilization not measured for 1 GPU in MIG mode" in detail
    api = api_client_for(assessor, organization).get(reverse("api:inventory:server-telemetry", args=[server.pk]))
    (day,) = api.json()["days"]
    assert day["utilization_pct"] is None
    assert day["utilization_not_measured"].startswith("utilization not measured for 1 GPU in MIG mode")


def test_a_prometheus_pull_of_a_mig_node_without_engine_activity_says_so(organization):
    """The recorded Prometheus 2.42 answers: issue 317's A30 node scraped (power and tensor activity, no
    GR_ENGINE_ACTIVE in that recording). Its two MIG GPUs are not measured; the pull's result says so."""
    server = ServerFactory(organization=organization, hostname=A30_MIG, accelerator_count=2)

    def prometheus(request):
        if request.path == "/api/v1/query":
            return Answer(body=(PROMETHEUS_DATA / "query-vector-power.json").read_bytes())
        return Answer(body=json.dumps(matrix_for(request.query["query"][0])))

    now = datetime.fromtimestamp(1796207362.962 + 100, tz=UTC)
    with serve(prometheus) as stand_in:
        config = configuration.prometheus_config_save(organization=organization, url=stand_in.url)
        config = pulls.prometheus_pull_run(config=config, now=now)
    assert config.last_result["servers_with_data"] == [A30_MIG], config.last_error
    row = ServerTelemetryDay.objects.get(server=server)
    assert row.accelerator_power_max_w is not None
    assert row.utilization_mean_pct is None
    assert row.mig_unmeasured_gpus == 2
    (note,) = config.last_result["notes"]
    assert note.startswith(f"{A30_MIG}: utilization not measured for 2 GPUs in MIG mode")


# --- 3. measured accelerators: dcgm-exporter's, not the BMC's -------------------------------------------------------


def test_servers_measured_only_by_their_bmc_are_not_measured_accelerators(organization, eks):
    """A DGX-like server whose BMC (DMTF's public mockup) is read, and the EKS node scraped: only the scraped 8 of
    the 16 accelerators are measured; the words say what the share leaves out."""
    from inventory.facts import compute_facts

    dgx = ServerFactory(organization=organization, hostname="dgx-01", accelerator_count=8)
    with bmc("public-localstorage") as server:
        endpoint = configuration.bmc_endpoint_save(
            organization=organization, server=dgx, address=server.url, username=USER, password=PASSWORD
        )
        pulls.bmc_read(endpoint=endpoint)
    assert ServerTelemetryDay.objects.get(server=dgx).source == TelemetrySource.REDFISH
    facts = compute_facts(organization=organization)
    assert facts["measured_accelerators_pct"].value == 0
    assert "no accelerator measured" in facts["measured_accelerators_pct"].explanation
    assert "not counted: 8 accelerators in 1 server measured only by their BMC" in (
        facts["measured_accelerators_pct"].explanation
    )
    assert facts["telemetry_measurement"].value == "sampled"  # power measured, utilization not: never "rated"

    services.telemetry_ingest_scrape(organization=organization, text=text(H100))
    facts = compute_facts(organization=organization)
    assert facts["measured_accelerators_pct"].value == pytest.approx(50.0)
    words = facts["measured_accelerators_pct"].explanation
    assert words.startswith("8 of 16 active accelerators in 1 server measured from")
    assert "by dcgm-exporter" in words
    assert "not counted: 8 accelerators in 1 server measured only by their BMC" in words


def test_a_server_with_both_counts_once_as_measured(organization, eks):
    from inventory.facts import compute_facts

    services.telemetry_ingest_scrape(organization=organization, text=text(H100))
    ServerTelemetryDay.objects.create(
        organization=organization,
        server=eks,
        day=timezone.now().date() - timedelta(days=1),
        source=TelemetrySource.REDFISH,
        window_start=timezone.now() - timedelta(days=1),
        window_end=timezone.now() - timedelta(days=1),
        sample_count=4,
        server_power_p95_w=5200,
    )
    facts = compute_facts(organization=organization)
    assert facts["measured_accelerators_pct"].value == 100
    assert "not counted" not in facts["measured_accelerators_pct"].explanation
    assert facts["telemetry_measurement"].value == "continuous"


# --- 4. a Prometheus whose retention is shorter than the window ----------------------------------------------------


def retention(hours: float | None):
    """Prometheus evaluating the recorded L4 power series at every step of the window asked for, but holding only
    the last ``hours`` of it before the query's end (its --storage.tsdb.retention.time): older steps are empty."""
    series = [
        s
        for s in json.loads((PROMETHEUS_DATA / "query_range-matrix-power-step15s.json").read_text())["data"]["result"]
        if s["metric"]["Hostname"] == "i-030791dc5a37cd257"
    ]

    def handler(request):
        if request.path == "/api/v1/query":
            return Answer(body=(PROMETHEUS_DATA / "query-vector-power.json").read_bytes())
        start, end, step = (float(request.query[name][0]) for name in ("start", "end", "step"))
        oldest = start if hours is None else max(start, end - hours * 3600)
        first = start + -(-(oldest - start) // step) * step
        steps = [first + k * step for k in range(int((end - first) // step) + 1)]
        result = [{**s, "values": [[t, s["values"][0][1]] for t in steps]} for s in series]
        return Answer(body=json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}))

    return handler


def test_a_partial_oldest_day_does_not_replace_the_whole_day_pulled_before(organization):
    """Retention 40 h, window 2 days: the 06:00 pull held the day before whole (288 steps of 300 s); at 23:00
    Prometheus keeps it from 07:00 only. The whole day stays, and the pull says why."""
    l4 = ServerFactory(organization=organization, hostname="i-030791dc5a37cd257", accelerator_count=1)
    day = datetime(2026, 12, 2, tzinfo=UTC)
    with serve(retention(None)) as full:
        config = configuration.prometheus_config_save(organization=organization, url=full.url, window_days=2)
        pulls.prometheus_pull_run(config=config, now=day + timedelta(hours=6))
    before = ServerTelemetryDay.objects.get(server=l4, day=(day - timedelta(days=1)).date())
    assert before.sample_count == 288
    with serve(retention(40)) as short:
        config = configuration.prometheus_config_save(organization=organization, url=short.url, window_days=2)
        config = pulls.prometheus_pull_run(config=config, now=day + timedelta(hours=23))
    assert config.last_result["days_written"] == 1  # today, grown
    (note,) = config.last_result["notes"]
    assert note.startswith("1 server-day kept as pulled before: Prometheus now holds fewer samples")
    kept = ServerTelemetryDay.objects.get(server=l4, day=(day - timedelta(days=1)).date())
    assert (kept.sample_count, kept.window_start) == (288, before.window_start)
    assert ServerTelemetryDay.objects.get(server=l4, day=day.date()).sample_count == 23 * 12 + 1


def test_the_same_hours_at_a_coarser_step_do_replace_a_day(organization):
    l4 = ServerFactory(organization=organization, hostname="i-030791dc5a37cd257", accelerator_count=1)
    now = datetime(2026, 12, 2, 6, tzinfo=UTC)
    with serve(retention(None)) as full:
        config = configuration.prometheus_config_save(organization=organization, url=full.url, window_days=1)
        pulls.prometheus_pull_run(config=config, now=now)
        config = configuration.prometheus_config_save(
            organization=organization, url=full.url, window_days=1, step_seconds=900
        )
        config = pulls.prometheus_pull_run(config=config, now=now)
    assert ServerTelemetryDay.objects.get(server=l4, day=datetime(2026, 12, 1).date()).sample_count == 96
    assert config.last_result["notes"] == []
