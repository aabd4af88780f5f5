"""Discovery from nvidia-smi: the parser (pure Python), the service, the command and the API endpoint, including
the operator's curl one-liner from docs/inventory-import.md."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from inventory import nvidia_smi, services
from inventory.capacity import DEFAULT_SERVER_OVERHEAD_FACTOR
from inventory.importing import ImportRejected
from inventory.models import AcceleratorType, Server, Site

DATA = Path(__file__).parent / "data" / "import"
H100_OUTPUT = (DATA / "nvidia-smi-h100.csv").read_text()
A100_OUTPUT = (DATA / "nvidia-smi-a100-noheader-nounits.csv").read_text()
L4_OUTPUT = (DATA / "nvidia-smi-l4.csv").read_text()
HEADER = "index, name, uuid, serial, memory.total [MiB], power.limit [W], driver_version\n"


# --- the parser -----------------------------------------------------------------------------------------------


class TestParser:
    def test_h100_with_header_and_units(self):
        output = nvidia_smi.parse(H100_OUTPUT)
        assert output.ok
        assert len(output.gpus) == 8
        first = output.gpus[0]
        assert first == nvidia_smi.Gpu(
            line=2,
            index=0,
            name="NVIDIA H100 80GB HBM3",
            uuid="GPU-5e3b0a51-8e0d-ea5b-3ac1-f0a41c7d5ab1",
            serial="1654922003641",
            memory_mib=81559.0,
            power_limit_w=700.0,
            driver_version="550.54.15",
        )
        assert [g.index for g in output.gpus] == list(range(8))

    def test_a100_without_header_or_units(self):
        output = nvidia_smi.parse(A100_OUTPUT)
        assert output.ok
        assert [(g.line, g.name, g.memory_mib, g.power_limit_w) for g in output.gpus] == [
            (n + 1, "NVIDIA A100-SXM4-80GB", 81920.0, 400.0) for n in range(4)
        ]
        assert output.gpus[0].driver_version == "535.129.03"

    def test_l4_with_a_blank_line_between_gpus(self):
        output = nvidia_smi.parse(L4_OUTPUT)
        assert output.ok
        assert [(g.line, g.index, g.name, g.power_limit_w) for g in output.gpus] == [
            (2, 0, "NVIDIA L4", 72.0),
            (4, 1, "NVIDIA L4", 72.0),
        ]

    def test_header_without_units(self):
        text = "index, name, uuid, serial, memory.total, power.limit, driver_version\n"
        text += "0, NVIDIA L4, GPU-1, 1, 23034, 72, 550\n"
        assert nvidia_smi.parse(text).gpus[0].memory_mib == 23034.0

    def test_units_without_header(self):
        text = "0, NVIDIA L4, GPU-1, 1322823051234, 23034 MiB, 72.00 W, 550.90.07\n"
        gpu = nvidia_smi.parse(text).gpus[0]
        assert (gpu.memory_mib, gpu.power_limit_w) == (23034.0, 72.0)

    def test_a_header_in_another_order_is_followed(self):
        text = "name, index, power.limit [W]\nNVIDIA L4, 3, 72.00 W\n"
        output = nvidia_smi.parse(text)
        assert output.ok
        assert (output.gpus[0].index, output.gpus[0].name, output.gpus[0].power_limit_w) == (3, "NVIDIA L4", 72.0)

    def test_not_available_values(self):
        text = "0, NVIDIA A10G, GPU-1, [N/A], 23028 MiB, [N/A], 535.54.03\n"
        gpu = nvidia_smi.parse(text).gpus[0]
        assert (gpu.serial, gpu.power_limit_w) == ("", None)

    def test_windows_line_endings_and_a_byte_order_mark(self):
        output = nvidia_smi.parse("\ufeff" + H100_OUTPUT.replace("\n", "\r\n"))
        assert output.ok
        assert len(output.gpus) == 8

    def test_garbage_lines_are_reported_with_their_line_number(self):
        text = HEADER + "0, NVIDIA L4, GPU-1, 1, 23034 MiB, 72.00 W, 550.90.07\nWarning: Permanently added 'gpu-17'\n"
        output = nvidia_smi.parse(text)
        assert len(output.gpus) == 1
        assert output.problems == [
            nvidia_smi.ParseProblem(
                3,
                None,
                "not a GPU line: expected 7 comma-separated values (index, name, uuid, serial, memory.total, "
                "power.limit, driver_version), found 1: \"Warning: Permanently added 'gpu-17'\"",
            )
        ]

    def test_the_driver_failure_message_is_not_a_gpu(self):
        text = (
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
            "NVIDIA driver is installed and running.\n"
        )
        output = nvidia_smi.parse(text)
        assert not output.ok
        assert output.problems[0].line == 1
        assert output.problems[0].message.startswith("not a GPU line: expected 7 comma-separated values")

    def test_bad_values(self):
        text = "x, NVIDIA L4, GPU-1, 1, 23034 MiB, 72.00 W, 550\n1, NVIDIA L4, GPU-2, 2, lots, 72.00 W, 550\n"
        assert nvidia_smi.parse(text).problems == [
            nvidia_smi.ParseProblem(1, "index", "index 'x' is not a GPU index (0, 1, ...)."),
            nvidia_smi.ParseProblem(2, "memory.total", "memory.total 'lots' is not a number with a unit."),
        ]

    def test_a_repeated_index(self):
        text = "0, NVIDIA L4, GPU-1, 1, 1 MiB, 72 W, 5\n0, NVIDIA L4, GPU-2, 2, 1 MiB, 72 W, 5\n"
        assert nvidia_smi.parse(text).problems == [
            nvidia_smi.ParseProblem(2, "index", "GPU index 0 appears twice (also line 1).")
        ]

    @pytest.mark.parametrize("text", ["", "\n\n", HEADER, "No devices were found\n"])
    def test_no_gpus(self, text):
        output = nvidia_smi.parse(text)
        assert not output.ok
        assert not output.gpus
        assert output.problems

    def test_the_parser_imports_no_django(self):
        source = Path(nvidia_smi.__file__).read_text()
        assert "django" not in source.replace("no Django", "")


# --- the service ---------------------------------------------------------------------------------------------------


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


def ingest(organization, text, site="Frankfurt", hostname="gpu-node-17"):
    return services.nvidia_smi_ingest(organization=organization, site=site, hostname=hostname, text=text)


def rejected(organization, text, **kwargs):
    with pytest.raises(ImportRejected) as caught:
        ingest(organization, text, **kwargs)
    assert not Server.objects.filter(organization=organization).exists()
    return [p.as_dict() for p in caught.value.problems]


@pytest.mark.django_db
class TestIngest:
    def test_creates_a_server_with_estimated_power(self, organization, frankfurt):
        discovery = ingest(organization, H100_OUTPUT)
        server = Server.objects.get(organization=organization, hostname="gpu-node-17")
        assert discovery.created
        assert (server.site, server.accelerator_type.model, server.accelerator_count) == (frankfurt, "H100 SXM", 8)
        assert (server.gpu_driver_version, server.status) == ("550.54.15", "active")
        expected = round(8 * 700 * DEFAULT_SERVER_OVERHEAD_FACTOR)
        assert (server.power_w, server.power_measured) == (expected, False)
        assert expected == 10200
        assert discovery.notes == [
            "power_w estimated as 10200 W: the GPUs' power limits (5600 W) times the server overhead factor 1.82; "
            "not measured (power_measured is false)."
        ]

    def test_updates_a_server_and_keeps_measured_power(self, organization, frankfurt):
        dublin = Site.objects.create(organization=organization, name="Dublin", country="IE")
        server = Server.objects.create(
            organization=organization,
            site=dublin,
            hostname="gpu-node-17",
            power_w=6100,
            power_measured=True,
            os="Rocky",
        )
        discovery = ingest(organization, A100_OUTPUT)
        server.refresh_from_db()
        assert not discovery.created
        assert (server.accelerator_type.model, server.accelerator_count, server.site) == ("A100 SXM 80GB", 4, frankfurt)
        assert (server.power_w, server.power_measured, server.os) == (6100, True, "Rocky")
        assert discovery.notes == ["moved from site 'Dublin' to 'Frankfurt'.", "power_w kept: 6100 W was measured."]

    def test_replaces_an_estimate_with_a_new_one(self, organization, frankfurt):
        Server.objects.create(
            organization=organization, site=frankfurt, hostname="gpu-node-17", power_w=1, power_measured=False
        )
        ingest(organization, L4_OUTPUT)
        assert Server.objects.get(hostname="gpu-node-17").power_w == round(2 * 72 * DEFAULT_SERVER_OVERHEAD_FACTOR)

    def test_without_power_limits_the_catalog_tdp_is_used(self, organization, frankfurt):
        text = "0, NVIDIA L4, GPU-1, 1, 23034 MiB, [N/A], 550\n"
        ingest(organization, text)
        l4 = AcceleratorType.objects.get(organization__isnull=True, model="L4")
        assert Server.objects.get(hostname="gpu-node-17").power_w == round(l4.tdp_w * DEFAULT_SERVER_OVERHEAD_FACTOR)

    def test_names_match_exactly_ignoring_case_and_surrounding_space(self, organization, frankfurt):
        ingest(organization, "0,   nvidia h100 80gb hbm3  , GPU-1, 1, 81559 MiB, 700.00 W, 550\n")
        assert Server.objects.get(hostname="gpu-node-17").accelerator_type.model == "H100 SXM"

    def test_an_unknown_gpu_is_reported_not_guessed(self, organization, frankfurt):
        text = HEADER + "0, NVIDIA H100 PCIe-ish, GPU-1, 1, 81559 MiB, 350.00 W, 550\n"
        assert rejected(organization, text) == [
            {
                "row": 2,
                "column": "name",
                "message": "unknown GPU 'NVIDIA H100 PCIe-ish': no accelerator type in the catalog lists it among its "
                "nvidia-smi names. Add a private accelerator type with this name.",
            }
        ]

    def test_mixed_gpu_models_are_an_error(self, organization, frankfurt):
        text = (
            HEADER + "0, NVIDIA L4, GPU-1, 1, 23034 MiB, 72 W, 550\n1, NVIDIA A10G, GPU-2, 2, 23028 MiB, 300 W, 550\n"
        )
        assert rejected(organization, text) == [
            {
                "row": None,
                "column": "name",
                "message": "mixed GPU models in one server: NVIDIA L4 (line 2); NVIDIA A10G (line 3). "
                "A server has one accelerator type.",
            }
        ]

    def test_unknown_site_garbage_and_missing_fields_are_all_reported(self, organization, other_organization):
        Site.objects.create(organization=other_organization, name="Theirs", country="FR")
        text = L4_OUTPUT + "ssh: connect to host gpu-node-17 port 22: Connection refused\n"
        assert rejected(organization, text, site="Theirs") == [
            {"row": None, "column": "site", "message": "unknown site 'Theirs'."},
            {
                "row": 5,
                "column": None,
                "message": "not a GPU line: expected 7 comma-separated values (index, name, uuid, serial, "
                "memory.total, power.limit, driver_version), found 1: 'ssh: connect to host gpu-node-17 port 22: "
                "Connection refused'",
            },
        ]
        assert rejected(organization, L4_OUTPUT, site="", hostname=" ") == [
            {"row": None, "column": "site", "message": "the site's name is required."},
            {"row": None, "column": "hostname", "message": "the server's hostname is required."},
        ]

    def test_a_private_accelerator_type_can_teach_a_new_name(self, organization, frankfurt):
        AcceleratorType.objects.create(
            organization=organization, vendor="NVIDIA", model="GH200", memory_gb=96, mem_bandwidth_gbps=4000,
            bf16_tflops=989, tdp_w=900, release_year=2024, source="datasheet",
            nvidia_smi_names=["NVIDIA GH200 480GB"],
        )  # fmt: skip
        ingest(organization, "0, NVIDIA GH200 480GB, GPU-1, 1, 97871 MiB, 900.00 W, 560.28.03\n")
        assert Server.objects.get(hostname="gpu-node-17").accelerator_type.model == "GH200"


@pytest.mark.django_db
class TestCommand:
    def test_ingests_a_file(self, organization, frankfurt, capsys):
        call_command(
            "ingest_nvidia_smi", str(DATA / "nvidia-smi-h100.csv"), "--site", "Frankfurt", "--hostname", "gpu-node-17",
            "--org", organization.slug,
        )  # fmt: skip
        out = capsys.readouterr().out
        assert "Created gpu-node-17 at Frankfurt: 8 x NVIDIA H100 SXM, driver 550.54.15." in out
        assert "power_w estimated as 10200 W" in out

    def test_reads_standard_input(self, organization, frankfurt, monkeypatch):
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(L4_OUTPUT))
        call_command("ingest_nvidia_smi", "-", "--site", "Frankfurt", "--hostname", "l4-1", "--org", organization.slug)
        assert Server.objects.get(hostname="l4-1").accelerator_count == 2

    def test_problems_exit_non_zero(self, organization, frankfurt, tmp_path, capsys):
        bad = tmp_path / "smi.csv"
        bad.write_text("0, NVIDIA Z9000, GPU-1, 1, 1 MiB, 1 W, 1\n")
        with pytest.raises(CommandError, match="Nothing was written"):
            call_command(
                "ingest_nvidia_smi", str(bad), "--site", "Frankfurt", "--hostname", "h", "--org", organization.slug
            )
        assert "line 1: unknown GPU 'NVIDIA Z9000'" in capsys.readouterr().err
        assert not Server.objects.exists()


# --- the API ---------------------------------------------------------------------------------------------------

URL = "/api/v1/inventory/discover/nvidia-smi/"


@pytest.mark.django_db
class TestApi:
    def test_the_route(self):
        assert reverse("api:inventory:discover-nvidia-smi") == URL

    def test_json_body(self, api_client_for, organization, assessor, frankfurt):
        client = api_client_for(assessor, organization)
        response = client.post(URL, {"site": "Frankfurt", "hostname": "gpu-node-17", "csv": H100_OUTPUT}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["created"] is True
        assert body["gpus"] == 8
        assert body["server"]["accelerator_type"] == "NVIDIA H100 SXM"
        assert (body["server"]["power_w"], body["server"]["power_measured"]) == (10200, False)
        assert body["notes"][0].startswith("power_w estimated as 10200 W")
        again = client.post(URL, {"site": "Frankfurt", "hostname": "gpu-node-17", "csv": H100_OUTPUT}, format="json")
        assert again.status_code == 200
        assert again.json()["created"] is False

    def test_multipart_with_a_file(self, api_client_for, organization, assessor, frankfurt):
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = api_client_for(assessor, organization)
        upload = SimpleUploadedFile("-", A100_OUTPUT.encode(), content_type="application/octet-stream")
        response = client.post(URL, {"site": "Frankfurt", "hostname": "a100-1", "file": upload}, format="multipart")
        assert response.status_code == 201, response.json()
        assert Server.objects.get(hostname="a100-1").accelerator_count == 4

    def test_problems_are_a_400_with_rows(self, api_client_for, organization, assessor, frankfurt):
        client = api_client_for(assessor, organization)
        text = HEADER + "0, NVIDIA Q1, GPU-1, 1, 1 MiB, 1 W, 1\n"
        response = client.post(URL, {"site": "Frankfurt", "hostname": "h", "csv": text}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["row"] == 2
        assert response.json()["error_count"] == 1
        assert not Server.objects.exists()

    @pytest.mark.parametrize(
        ("payload", "fmt"),
        [({"site": "Frankfurt", "hostname": "h"}, "json"), ([1, 2], "json"), ({"site": "F", "csv": 5}, "json")],
    )
    def test_malformed_requests_are_400_not_500(self, api_client_for, organization, assessor, frankfurt, payload, fmt):
        response = api_client_for(assessor, organization).post(URL, payload, format=fmt)
        assert response.status_code == 400
        assert response.json()["errors"]

    def test_latin1_upload_is_refused(self, api_client_for, organization, assessor, frankfurt):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("-", "0, NVIDIA Lé, x".encode("latin-1"))
        response = api_client_for(assessor, organization).post(
            URL, {"site": "Frankfurt", "hostname": "h", "file": upload}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"row": None, "column": "file", "message": "not UTF-8 text: send what nvidia-smi prints."}
        ]

    def test_viewers_cannot_and_anonymous_is_401(self, api_client_for, organization, viewer, frankfurt):
        from rest_framework.test import APIClient

        body = {"site": "Frankfurt", "hostname": "h", "csv": L4_OUTPUT}
        assert api_client_for(viewer, organization).post(URL, body, format="json").status_code == 403
        assert APIClient().post(URL, body, format="json").status_code == 401
        assert not Server.objects.exists()

    def test_the_site_is_looked_up_in_the_tokens_organization(
        self, api_client_for, organization, other_organization, outsider, frankfurt
    ):
        body = {"site": "Frankfurt", "hostname": "h", "csv": L4_OUTPUT}
        response = api_client_for(outsider, other_organization).post(URL, body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == [{"row": None, "column": "site", "message": "unknown site 'Frankfurt'."}]


@pytest.mark.django_db(transaction=True)
def test_the_documented_curl_one_liner_works(live_server, organization, assessor):
    """`nvidia-smi ... | curl -sf -H "Authorization: Token $T" -F site=... -F hostname=... -F file=@- URL`, for real."""
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
    completed = subprocess.run(command, input=H100_OUTPUT.encode(), capture_output=True, timeout=30, check=False)  # noqa: S603
    assert completed.returncode == 0, completed.stderr
    assert b'"created":true' in completed.stdout
    server = Server.objects.get(organization=organization, hostname="gpu-node-17")
    assert (server.accelerator_count, server.power_w) == (8, 10200)
