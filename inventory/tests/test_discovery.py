"""Discovery through the service, the command line and the API: all or nothing, the format named, mixed models,
MIG, unknown GPUs, the nvidia-smi URL and command of before (kept), and the operator's curl one-liner."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from config.errors import Invalid
from config.testing import api_errors
from inventory import services
from inventory.models import AcceleratorType, MigInstance, Server, ServerGpu, Site

DATA = Path(__file__).parent / "data"
H100_CSV = (DATA / "import" / "nvidia-smi-h100.csv").read_text()
L4_CSV = (DATA / "import" / "nvidia-smi-l4.csv").read_text()
CORPUS = DATA / "discovery"
H100_MIG_XML = (CORPUS / "nvidia-smi-xml" / "a100-sxm4-80gb-mig-v12.xml").read_text()
SLURM_T4 = (CORPUS / "slurm-scontrol" / "aau-aicloud-t4-typed-gres_slurm-21.08.8.txt").read_text()
MIXED = (
    "index, name, memory.total [MiB], power.limit [W], driver_version\n"
    "0, NVIDIA L40S, 46068 MiB, 350.00 W, 550.54.15\n"
    "1, NVIDIA L40S, 46068 MiB, 350.00 W, 550.54.15\n"
    "2, NVIDIA L4, 23034 MiB, 72.00 W, 550.54.15\n"
)


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


def problems(organization, text, **kwargs):
    kwargs = {"site": "Frankfurt", "hostname": "gpu-node-17"} | kwargs
    with pytest.raises(Invalid) as caught:
        services.discover(organization=organization, text=text, **kwargs)
    assert not Server.objects.filter(organization=organization).exists()
    return [item.as_dict() for item in caught.value.errors]


@pytest.mark.django_db
class TestService:
    def test_a_server_with_every_gpu_recorded_and_power_left_alone(self, organization, frankfurt):
        recorded = services.discover(organization=organization, text=H100_CSV, site="Frankfurt", hostname="gpu-1")
        server = Server.objects.get(organization=organization, hostname="gpu-1")
        assert (server.site, str(server.accelerator_type), server.accelerator_count) == (
            frankfurt,
            "NVIDIA H100 SXM",
            8,
        )
        assert (server.gpu_driver_version, server.power_w, server.power_measured) == ("550.54.15", None, False)
        gpus = ServerGpu.objects.filter(server=server).order_by("position")
        assert [g.position for g in gpus] == list(range(8))
        assert (gpus[0].name, gpus[0].memory_mib, gpus[0].power_limit_w, gpus[0].source) == (
            "NVIDIA H100 80GB HBM3", 81559, 700, "nvidia-smi-csv",
        )  # fmt: skip
        assert (recorded.plan.format, recorded.plan.hosts[0].rated_power_w) == ("nvidia-smi-csv", 5600)

    def test_measured_power_and_other_fields_are_kept_and_the_server_moves(self, organization, frankfurt):
        dublin = Site.objects.create(organization=organization, name="Dublin", country="IE")
        Server.objects.create(
            organization=organization, site=dublin, hostname="gpu-1", power_w=6100, power_measured=True, os="Rocky"
        )
        recorded = services.discover(organization=organization, text=L4_CSV, site="Frankfurt", hostname="gpu-1")
        server = Server.objects.get(hostname="gpu-1")
        assert (server.site, server.accelerator_count, server.power_w, server.power_measured, server.os) == (
            frankfurt, 2, 6100, True, "Rocky",
        )  # fmt: skip
        assert recorded.plan.hosts[0].changes == [
            "accelerators: no accelerators → 2 × NVIDIA L4",
            "site: Dublin → Frankfurt",
            "driver: — → 550.90.07",
        ]

    def test_mixed_models_keep_the_largest_group_and_record_every_gpu(self, organization, frankfurt):
        recorded = services.discover(organization=organization, text=MIXED, site="Frankfurt", hostname="mix")
        server = Server.objects.get(hostname="mix")
        assert (str(server.accelerator_type), server.accelerator_count) == ("NVIDIA L40S", 2)
        assert sorted(str(g.accelerator_type) for g in ServerGpu.objects.filter(server=server)) == [
            "NVIDIA L4", "NVIDIA L40S", "NVIDIA L40S",
        ]  # fmt: skip
        assert recorded.plan.hosts[0].notes[-1].startswith("mixed GPU models: 2 × NVIDIA L40S, 1 × NVIDIA L4.")

    def test_mig_devices_are_recorded_on_their_gpu(self, organization, frankfurt):
        services.discover(organization=organization, text=H100_MIG_XML, site="Frankfurt", hostname="a100")
        gpu = ServerGpu.objects.get(server__hostname="a100")
        assert gpu.mig_mode == "enabled"
        assert list(gpu.mig_instances.values_list("gpu_instance_id", "memory_mib", "multiprocessors")) == [
            (3, 19968, 14), (4, 19968, 14), (5, 19968, 14), (6, 19968, 14),
        ]  # fmt: skip

    def test_a_cluster_creates_its_nodes_by_name_with_cpus_and_memory(self, organization, frankfurt):
        services.discover(organization=organization, text=SLURM_T4, site="Frankfurt")
        server = Server.objects.get(organization=organization, hostname="a256-t4-01")
        assert (str(server.accelerator_type), server.accelerator_count, server.cpu_cores, server.ram_gb) == (
            "NVIDIA T4", 6, 64, 239,
        )  # fmt: skip

    def test_a_dry_run_writes_nothing(self, organization, frankfurt):
        recorded = services.discover(
            organization=organization, text=H100_CSV, site="Frankfurt", hostname="h", dry_run=True
        )
        assert recorded.plan.created == 1
        assert not Server.objects.exists()

    def test_an_unknown_gpu_is_one_problem_naming_it_and_what_to_add(self, organization, frankfurt):
        text = "index, name, memory.total [MiB], power.limit [W]\n"
        text += "0, NVIDIA Z9000, 1000 MiB, 50 W\n1, NVIDIA Z9000, 1000 MiB, 50 W\n"
        (problem,) = problems(organization, text)
        assert (problem["code"], problem["row"], problem["column"]) == ("unknown", 2, "name")
        assert problem["message"].startswith("unknown GPU 'NVIDIA Z9000' (2 GPUs on gpu-node-17; 1000 MiB, 50 W)")

    def test_request_fields_are_reported_with_the_output_problems(self, organization, other_organization):
        Site.objects.create(organization=other_organization, name="Theirs", country="FR")
        assert [(p["code"], p.get("field")) for p in problems(organization, L4_CSV, site="Theirs")] == [
            ("unknown", "site")
        ]
        assert [(p["code"], p.get("field")) for p in problems(organization, L4_CSV, site="", hostname=" ")] == [
            ("required", "site"), ("required", "hostname"),
        ]  # fmt: skip

    def test_a_private_accelerator_type_teaches_a_new_name(self, organization, frankfurt):
        services.accelerator_type_from_discovery(
            organization=organization, name="NVIDIA GH200 480GB", vendor="NVIDIA", model="GH200 480GB",
            memory_gb=95.6, mem_bandwidth_gbps=4000, tdp_w=700, release_year=2024,
        )  # fmt: skip
        text = (CORPUS / "nvidia-smi-q" / "gh200-480gb_550.127.05.txt").read_text()
        services.discover(organization=organization, text=text, site="Frankfurt", hostname="gh")
        entry = AcceleratorType.objects.get(organization=organization)
        assert Server.objects.get(hostname="gh").accelerator_type == entry
        assert entry.source.startswith("Added from a GPU tool's output")

    def test_the_private_type_follows_the_models_rules(self, organization):
        with pytest.raises(Invalid) as caught:
            services.accelerator_type_from_discovery(
                organization=organization, name="X", vendor="NVIDIA", model="X", memory_gb=8,
                mem_bandwidth_gbps=0, tdp_w=100, release_year=2024,
            )  # fmt: skip
        assert [item.field for item in caught.value.errors] == ["mem_bandwidth_gbps"]


@pytest.mark.django_db
class TestCommand:
    def test_discover_a_file_says_the_format_and_what_it_did(self, organization, frankfurt, capsys):
        path = CORPUS / "nvidia-smi-table" / "h100-80gb-hbm3-mig_590.48.01.txt"
        call_command("discover", str(path), "--site", "Frankfurt", "--hostname", "h1", "--org", organization.slug)
        out = capsys.readouterr().out
        assert "Format: nvidia-smi (the default table) (`nvidia-smi`)." in out
        assert "Created h1 at Frankfurt: 1 × NVIDIA H100 SXM, 4 MIG devices, rated accelerator power 700 W" in out
        assert MigInstance.objects.filter(gpu__server__hostname="h1").count() == 4

    def test_a_dry_run_from_standard_input(self, organization, frankfurt, monkeypatch, capsys):
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SLURM_T4.encode())))
        call_command("discover", "-", "--site", "Frankfurt", "--dry-run", "--org", organization.slug)
        out = capsys.readouterr().out
        assert "Would create a256-t4-01 at Frankfurt: 6 × NVIDIA T4" in out
        assert "Dry run: nothing was written." in out
        assert not Server.objects.exists()

    def test_the_old_command_is_an_alias(self, organization, frankfurt):
        path = DATA / "import" / "nvidia-smi-h100.csv"
        call_command(
            "ingest_nvidia_smi", str(path), "--site", "Frankfurt", "--hostname", "h2", "--org", organization.slug
        )
        assert Server.objects.get(hostname="h2").accelerator_count == 8

    def test_problems_exit_non_zero_and_write_nothing(self, organization, frankfurt, tmp_path, capsys):
        bad = tmp_path / "out.txt"
        bad.write_text("No devices were found\n")
        with pytest.raises(CommandError, match="Nothing was written"):
            call_command("discover", str(bad), "--site", "Frankfurt", "--hostname", "h", "--org", organization.slug)
        assert "nvidia-smi found no GPU on this host" in capsys.readouterr().err
        assert not Server.objects.exists()


URL = "/api/v1/inventory/discover/"
OLD_URL = "/api/v1/inventory/discover/nvidia-smi/"


@pytest.mark.django_db
class TestApi:
    def test_the_routes(self):
        assert reverse("api:inventory:discover") == URL
        assert reverse("api:inventory:discover-nvidia-smi") == OLD_URL

    def test_any_format_in_json_then_again(self, api_client_for, organization, assessor, frankfurt):
        client = api_client_for(assessor, organization)
        body = {"site": "Frankfurt", "hostname": "a100", "output": H100_MIG_XML}
        response = client.post(URL, body, format="json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert (data["format"], data["format_label"], data["command"]) == (
            "nvidia-smi-xml", "nvidia-smi -q -x (XML)", "nvidia-smi -q -x",
        )  # fmt: skip
        assert [(s["hostname"], s["action"]) for s in data["servers"]] == [("a100", "create")]
        assert data["hosts"][0]["mig_devices"] == 4
        assert client.post(URL, body, format="json").status_code == 200

    def test_a_cluster_as_a_file_with_a_dry_run(self, api_client_for, organization, assessor, frankfurt):
        upload = SimpleUploadedFile("nodes.txt", SLURM_T4.encode())
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "file": upload, "dry_run": "true"}, format="multipart"
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["dry_run"], response.json()["created"]) == (True, 1)
        assert not Server.objects.exists()

    @pytest.mark.parametrize("form", ["json", "multipart"])
    @pytest.mark.parametrize("value", ["banana", "maybe", "2"])
    def test_a_dry_run_flag_not_understood_is_refused_not_taken_as_apply(
        self, api_client_for, organization, assessor, frankfurt, form, value
    ):
        body = {"site": "Frankfurt", "hostname": "h", "output": L4_CSV, "dry_run": value}
        response = api_client_for(assessor, organization).post(URL, body, format=form)
        assert response.status_code == 400
        assert api_errors(response) == [{"code": "invalid", "field": "dry_run", "message": "Must be a valid boolean."}]
        assert not Server.objects.exists()

    @pytest.mark.parametrize(("value", "written"), [(False, True), ("false", True), ("0", True), (True, False)])
    def test_a_dry_run_flag_in_its_forms(self, api_client_for, organization, assessor, frankfurt, value, written):
        body = {"site": "Frankfurt", "hostname": "h", "output": L4_CSV, "dry_run": value}
        response = api_client_for(assessor, organization).post(URL, body, format="json")
        assert response.status_code in (200, 201), response.json()
        assert Server.objects.exists() is written

    def test_problems_are_a_400_in_the_one_error_shape(self, api_client_for, organization, assessor, frankfurt):
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "hostname": "h", "output": "WARNING: No JSON data to report\n"}, format="json"
        )
        assert response.status_code == 400
        assert [p["code"] for p in api_errors(response)] == ["unknown_format"]

    def test_an_upload_over_the_limit_is_a_413(self, api_client_for, organization, assessor, frankfurt, settings):
        settings.INVENTORY_DISCOVERY_MAX_BYTES = 1000
        upload = SimpleUploadedFile("big.csv", H100_CSV.encode() * 2)
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "hostname": "h", "file": upload}, format="multipart"
        )
        assert response.status_code == 413
        assert api_errors(response)[0]["code"] == "too_large"

    @pytest.mark.parametrize("payload", [{"site": "Frankfurt", "hostname": "h"}, [1, 2], {"site": "F", "output": 5}])
    def test_malformed_requests_are_400_not_500(self, api_client_for, organization, assessor, frankfurt, payload):
        response = api_client_for(assessor, organization).post(URL, payload, format="json")
        assert response.status_code == 400
        assert api_errors(response)

    def test_viewers_cannot_and_anonymous_is_401(self, api_client_for, organization, viewer, frankfurt):
        body = {"site": "Frankfurt", "hostname": "h", "output": L4_CSV}
        assert api_client_for(viewer, organization).post(URL, body, format="json").status_code == 403
        assert APIClient().post(URL, body, format="json").status_code == 401
        assert not Server.objects.exists()

    def test_the_old_nvidia_smi_url_keeps_its_answer(self, api_client_for, organization, assessor, frankfurt):
        client = api_client_for(assessor, organization)
        response = client.post(
            OLD_URL, {"site": "Frankfurt", "hostname": "gpu-node-17", "csv": H100_CSV}, format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["created"], body["gpus"], body["format"]) == (True, 8, "nvidia-smi-csv")
        assert body["server"]["accelerator_type"] == "NVIDIA H100 SXM"
        assert body["notes"] == [
            "rated accelerator power 5600 W: the sum of the GPUs' power limits as reported (recorded per GPU; power_w "
            "is left as it was)."
        ]
        upload = SimpleUploadedFile("-", "0, NVIDIA Lé, x".encode("latin-1"))
        refused = client.post(OLD_URL, {"site": "Frankfurt", "hostname": "h", "file": upload}, format="multipart")
        assert api_errors(refused) == [
            {"code": "encoding", "field": "file", "message": "not UTF-8 text: send what nvidia-smi prints."}
        ]


@pytest.mark.django_db(transaction=True)
def test_the_documented_curl_one_liner_works(live_server, organization, assessor):
    """`nvidia-smi -q -x | curl -sf -H "Authorization: Token $T" -F site=... -F hostname=... -F file=@- URL`."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    from accounts import services as account_services

    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    _, token = account_services.api_token_issue(user=assessor, organization=organization, name="cron")
    command = [
        curl, "-sf", "-H", f"Authorization: Token {token}", "-F", "site=Frankfurt", "-F", "hostname=gpu-node-17",
        "-F", "file=@-", f"{live_server.url}{URL}",
    ]  # fmt: skip
    completed = subprocess.run(command, input=H100_MIG_XML.encode(), capture_output=True, timeout=30, check=False)
    assert completed.returncode == 0, completed.stderr
    assert b'"format":"nvidia-smi-xml"' in completed.stdout
    server = Server.objects.get(organization=organization, hostname="gpu-node-17")
    assert (server.accelerator_count, server.gpus.get().mig_instances.count()) == (1, 4)


def slurm_nodes(count: int) -> str:
    return "".join(
        f"NodeName=node-{n:03d} Arch=x86_64\n   CPUTot=64 RealMemory=515000\n   Gres=gpu:l4:8(S:0-1)\n\n"
        for n in range(count)
    )


@pytest.mark.django_db
def test_recording_a_cluster_takes_as_many_queries_for_40_nodes_as_for_1(
    organization, frankfurt, django_assert_num_queries
):
    """Writes are bulk: planning and recording 40 nodes (320 GPUs) is the same number of queries as 1 node."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(text: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            services.discover(organization=organization, text=text, site="Frankfurt")
        return len(captured.captured_queries)

    first, again_small = run(slurm_nodes(1)), run(slurm_nodes(1))  # created, then updated
    Server.objects.all().delete()
    with django_assert_num_queries(first):
        services.discover(organization=organization, text=slurm_nodes(5), site="Frankfurt")
    with django_assert_num_queries(again_small):
        services.discover(organization=organization, text=slurm_nodes(5), site="Frankfurt")
    assert ServerGpu.objects.filter(organization=organization).count() == 40


@pytest.mark.django_db
def test_a_json_body_too_large_for_a_field_is_a_413_asking_for_a_file(api_client_for, organization, assessor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client_for(assessor, organization).post(
        URL, {"site": "Frankfurt", "hostname": "h", "output": H100_CSV * 3}, format="json"
    )
    assert response.status_code == 413
    assert api_errors(response)[0]["message"].startswith("The request body is larger than a JSON or form field may be")


@pytest.mark.django_db
def test_a_note_is_said_once_for_many_gpus(organization, frankfurt):
    text = (CORPUS / "nvidia-smi-table" / "rtx-6000-ada-x8-truncated_550.127.05.txt").read_text()
    plan = services.discovery_plan(organization=organization, text=text, site="Frankfurt", hostname="ada")
    assert plan.notes == [
        "nvidia-smi's table cuts long names: matched by the name's start and the memory size (`nvidia-smi -q -x` "
        "prints the whole name).",
        "'NVIDIA RTX 6000 Ada Gene...' (cut by nvidia-smi's table, 49140 MiB) read as NVIDIA RTX 6000 Ada.",
    ]


@pytest.mark.django_db
def test_a_discovered_hostname_the_server_field_refuses_is_refused_with_nothing_written(organization, frankfurt):
    plan = services.discovery_plan(organization=organization, text=H100_CSV, site="Frankfurt", hostname="bad host/x!")
    assert [(e.field, e.code) for e in plan.errors] == [("hostname", "invalid_hostname")]
    assert "Enter a hostname or FQDN" in plan.errors[0].message
    assert [item["field"] for item in problems(organization, H100_CSV, hostname="bad host/x!")] == ["hostname"]


def as_powershell_saves_it(text: str) -> bytes:
    """What Windows PowerShell 5's ``nvidia-smi > gpus.txt`` writes: UTF-16LE with its byte-order mark, CRLF lines."""
    return "\ufeff".encode("utf-16-le") + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-16-le")


@pytest.mark.django_db
class TestSavedByPowerShell:
    """nvidia-smi's output redirected to a file by Windows PowerShell 5 (UTF-16 with a byte-order mark) comes in
    through every channel, as the same output saved as UTF-8 does."""

    TABLE = CORPUS / "nvidia-smi-table" / "h100-80gb-hbm3-mig_590.48.01.txt"

    def test_the_api(self, api_client_for, organization, assessor, frankfurt):
        upload = SimpleUploadedFile("gpus.txt", as_powershell_saves_it(H100_CSV))
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "hostname": "gpu-node-17", "file": upload}, format="multipart"
        )
        assert response.status_code == 201, response.json()
        assert (response.json()["gpus"], response.json()["format"]) == (8, "nvidia-smi-csv")

    def test_the_command(self, organization, frankfurt, tmp_path, capsys):
        path = tmp_path / "gpus.txt"
        path.write_bytes(as_powershell_saves_it(self.TABLE.read_text()))
        call_command("discover", str(path), "--site", "Frankfurt", "--hostname", "h1", "--org", organization.slug)
        assert "Created h1 at Frankfurt: 1 × NVIDIA H100 SXM, 4 MIG devices" in capsys.readouterr().out

    def test_the_page(self, client, assessor, organization, frankfurt):
        from inventory.models import DiscoveryRun

        client.force_login(assessor)
        upload = SimpleUploadedFile("gpus.txt", as_powershell_saves_it(self.TABLE.read_text()))
        response = client.post(reverse("inventory:discover"), {"site": "Frankfurt", "hostname": "h1", "file": upload})
        run = DiscoveryRun.objects.get(organization=organization)
        assert response.url == reverse("inventory:discover_run", args=[run.pk])
        assert "nvidia-smi (the default table)" in client.get(response.url).content.decode()

    def test_utf16_without_its_mark_is_still_refused(self, api_client_for, organization, assessor, frankfurt):
        upload = SimpleUploadedFile("gpus.txt", as_powershell_saves_it(H100_CSV)[2:])
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "hostname": "h", "file": upload}, format="multipart"
        )
        assert response.status_code == 400
        assert api_errors(response)[0]["code"] in ("encoding", "unknown_format")


@pytest.mark.django_db
class TestGzipped:
    """A tool's output kept compressed (``nvidia-smi -q -x | gzip > gpus.xml.gz``) comes in through every channel,
    known by its bytes; once decompressed it is held to discovery's own limit (`INVENTORY_DISCOVERY_MAX_BYTES`), not
    the scrape upload's."""

    def test_the_api_reads_it_and_holds_it_to_the_discovery_limit(
        self, api_client_for, organization, assessor, frankfurt, settings
    ):
        client = api_client_for(assessor, organization)
        upload = SimpleUploadedFile("gpus.txt.gz", gzip.compress(H100_CSV.encode()))
        response = client.post(URL, {"site": "Frankfurt", "hostname": "h1", "file": upload}, format="multipart")
        assert response.status_code == 201, response.json()
        assert (response.json()["gpus"], response.json()["format"]) == (8, "nvidia-smi-csv")
        settings.INVENTORY_DISCOVERY_MAX_BYTES = 1000  # the file is small; what it holds is not
        bomb = gzip.compress(H100_CSV.encode() * 40)
        assert len(bomb) < 1000
        upload = SimpleUploadedFile("gpus.txt.gz", bomb)
        refused = client.post(URL, {"site": "Frankfurt", "hostname": "h2", "file": upload}, format="multipart")
        assert refused.status_code == 413
        assert [(e["code"], e.get("field")) for e in api_errors(refused)] == [("too_large", "file")]
        assert "more than 1,000 bytes" in api_errors(refused)[0]["message"]
        assert not Server.objects.filter(hostname="h2").exists()

    def test_the_command_and_the_page(self, client, assessor, organization, frankfurt, tmp_path, capsys, settings):
        path = tmp_path / "gpus.txt.gz"
        path.write_bytes(gzip.compress(H100_CSV.encode()))
        call_command("discover", str(path), "--site", "Frankfurt", "--hostname", "h1", "--org", organization.slug)
        assert "Created h1 at Frankfurt" in capsys.readouterr().out
        settings.INVENTORY_DISCOVERY_MAX_BYTES = 1000
        path.write_bytes(gzip.compress(H100_CSV.encode() * 40))
        with pytest.raises(CommandError, match="more than 1,000 bytes"):
            call_command("discover", str(path), "--site", "Frankfurt", "--hostname", "h2", "--org", organization.slug)
        client.force_login(assessor)
        upload = SimpleUploadedFile("gpus.txt.gz", path.read_bytes())
        page = client.post(reverse("inventory:discover"), {"site": "Frankfurt", "hostname": "h2", "file": upload})
        assert page.status_code == 200
        assert "more than 1,000 bytes" in page.content.decode()
        assert not Server.objects.filter(hostname="h2").exists()
