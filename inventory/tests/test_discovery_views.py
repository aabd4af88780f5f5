"""Inventory -> Discover and Inventory -> NetBox in the app: paste or upload, the preview with the format found, the
confirmation, an unknown GPU added to the catalog in one form, the server page showing its GPUs."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import AcceleratorType, DiscoveryRun, RunStatus, Server, Site
from inventory.tests.netbox_replay import TOKEN, replaying

CORPUS = Path(__file__).parent / "data" / "discovery"
H100_MIG_TABLE = (CORPUS / "nvidia-smi-table" / "h100-80gb-hbm3-mig_590.48.01.txt").read_text()
RTX5090 = (CORPUS / "nvidia-smi-q" / "rtx-5090_570.124.06.txt").read_text()


@pytest.fixture
def lab(organization):
    return Site.objects.create(organization=organization, name="Lab", country="DE")


@pytest.fixture
def signed_in(client, assessor):
    client.force_login(assessor)
    return client


@pytest.mark.django_db
def test_paste_preview_confirm_then_the_server_page(signed_in, organization, lab):
    page = signed_in.get(reverse("inventory:discover"))
    assert page.status_code == 200
    assert b"nvidia-smi -q -x" in page.content
    response = signed_in.post(
        reverse("inventory:discover"), {"site": "Lab", "hostname": "h100-a", "output": H100_MIG_TABLE}
    )
    run = DiscoveryRun.objects.get(organization=organization)
    assert response.url == reverse("inventory:discover_run", args=[run.pk])
    preview = signed_in.get(response.url).content.decode()
    assert "nvidia-smi (the default table)" in preview
    assert "Recognized as the output of <code>nvidia-smi</code>" in preview
    assert "Rated accelerator power" in preview
    assert ">Action<" in preview
    assert ">new<" in preview
    assert not Server.objects.exists()

    signed_in.post(reverse("inventory:discover_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert (run.status, run.text) == (RunStatus.DONE, "")
    server = Server.objects.get(organization=organization, hostname="h100-a")
    detail = signed_in.get(reverse("inventory:server_detail", args=[server.pk])).content.decode()
    assert 'id="server-gpus"' in detail
    assert "4 MIG devices" in detail
    assert '<strong id="rated-accelerator-power">700 W</strong>' in detail
    signed_in.post(reverse("inventory:discover_confirm", args=[run.pk]))  # a second click does nothing
    assert Server.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_gpu_is_added_from_the_preview_then_the_output_is_valid(signed_in, organization, lab):
    upload = SimpleUploadedFile("rtx5090.txt", RTX5090.encode())
    response = signed_in.post(reverse("inventory:discover"), {"site": "Lab", "hostname": "ws-1", "file": upload})
    run = DiscoveryRun.objects.get()
    assert run.status == RunStatus.INVALID
    preview = signed_in.get(response.url).content.decode()
    assert "unknown GPU &#x27;NVIDIA GeForce RTX 5090&#x27;" in preview
    assert 'name="memory_gb" value="31.8"' in preview
    assert 'name="tdp_w" value="575"' in preview
    signed_in.post(
        reverse("inventory:discover_accelerator", args=[run.pk]),
        {"name": "NVIDIA GeForce RTX 5090", "vendor": "NVIDIA", "model": "GeForce RTX 5090", "memory_gb": "31.8",
         "tdp_w": "575", "mem_bandwidth_gbps": "1792", "release_year": "2025"},
    )  # fmt: skip
    entry = AcceleratorType.objects.get(organization=organization)
    assert (entry.model, entry.memory_gb, entry.tdp_w, entry.nvidia_smi_names) == (
        "GeForce RTX 5090", 31.8, 575, ["NVIDIA GeForce RTX 5090"],
    )  # fmt: skip
    run.refresh_from_db()
    assert run.status == RunStatus.READY


@pytest.mark.django_db
def test_an_unknown_gpus_year_is_not_guessed_and_is_required(signed_in, organization, lab):
    """No tool prints a GPU's release year: the form leaves it empty for the person (an RTX 3080 is from 2020, not
    this year), and adding without it names the field and adds nothing."""
    upload = SimpleUploadedFile("rtx3080.xml", (CORPUS / "nvidia-smi-xml" / "rtx-3080-v13.xml").read_bytes())
    response = signed_in.post(reverse("inventory:discover"), {"site": "Lab", "hostname": "ws-2", "file": upload})
    run = DiscoveryRun.objects.get()
    preview = signed_in.get(response.url).content.decode()
    (year_input,) = re.findall(r'<input[^>]*name="release_year"[^>]*>', preview)
    assert "value=" not in year_input
    assert "required" in year_input
    assert str(datetime.date.today().year) not in year_input
    posted = {"name": "NVIDIA GeForce RTX 3080", "vendor": "NVIDIA", "model": "GeForce RTX 3080", "memory_gb": "10",
              "tdp_w": "320", "mem_bandwidth_gbps": "760", "release_year": ""}  # fmt: skip
    refused = signed_in.post(reverse("inventory:discover_accelerator", args=[run.pk]), posted, follow=True)
    assert "Year: This field is required." in [str(message) for message in refused.context["messages"]]
    assert not AcceleratorType.objects.filter(organization=organization).exists()
    signed_in.post(reverse("inventory:discover_accelerator", args=[run.pk]), {**posted, "release_year": "2020"})
    assert AcceleratorType.objects.get(organization=organization).release_year == 2020


@pytest.mark.django_db
def test_an_invalid_output_lists_every_problem_and_promises_no_server(signed_in, organization, lab):
    text = "index, name, memory.total [MiB], power.limit [W]\n0, NVIDIA H100 80GB HBM3, 81559 MiB, 700.00 W\n"
    text += "1, NVIDIA H100 80GB HBM3, abc MiB, -5 W\n"
    upload = SimpleUploadedFile("gpus.csv", text.encode())
    response = signed_in.post(reverse("inventory:discover"), {"site": "Lab", "hostname": "h100-a", "file": upload})
    assert DiscoveryRun.objects.get().status == RunStatus.INVALID
    preview = signed_in.get(response.url).content.decode()
    assert "&#x27;abc MiB&#x27; is not a number" in preview
    assert "&#x27;-5 W&#x27; is below zero" in preview
    # Each problem with its line and the output's column it is in.
    problems = preview[
        preview.index('id="discover-errors"') : preview.index("</table>", preview.index('id="discover-errors"'))
    ]
    assert re.search(r">3</td><td><code>memory.total</code></td><td>[^<]*&#x27;abc MiB&#x27;", problems), problems
    assert re.search(r">3</td><td><code>power.limit</code></td><td>[^<]*&#x27;-5 W&#x27;", problems), problems
    # What was read is shown, but not as servers about to be created: no action column, no "new".
    hosts = preview[preview.index('id="discover-hosts-heading"') :]
    assert "nothing will be written" in hosts[: hosts.index("</h2>")]
    assert ">Action<" not in hosts
    assert ">new<" not in hosts
    assert "What changes" not in hosts
    assert not Server.objects.exists()


@pytest.mark.django_db
def test_problems_of_the_request_show_on_the_form(signed_in, organization, lab):
    response = signed_in.post(reverse("inventory:discover"), {"site": "", "output": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not DiscoveryRun.objects.exists()


@pytest.mark.django_db
def test_viewers_cannot_discover(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("inventory:discover")).status_code == 403
    assert client.get(reverse("inventory:netbox")).status_code == 403


@pytest.mark.django_db
def test_the_netbox_page_runs_a_dry_run_and_shows_what_would_change(signed_in, organization, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = True
    with replaying("4.2.9") as replay:
        form = {"url": replay.url, "token": TOKEN, "new_site_country": "US", "verify_tls": "on", "dry_run": "1"}
        signed_in.post(reverse("inventory:netbox_sync"), form)
    page = signed_in.get(reverse("inventory:netbox")).content.decode()
    assert "would create <strong>6</strong>" in page
    assert "dgx-h100-02" in page
    assert "GPU 8 (NVIDIA H100 SXM5 80GB) is failed in NetBox: not counted." in page
    assert TOKEN not in page
    assert not Server.objects.exists()
    status = signed_in.get(reverse("inventory:netbox_status")).json()
    assert (status["status"], status["busy"], status["progress_pct"]) == ("ok", False, 100)
