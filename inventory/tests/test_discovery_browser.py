"""In a real browser: paste and upload GPU tools' outputs on Inventory -> Discover, read the preview (the format
found, the servers, the unknown GPUs offered to the catalog), confirm, and see the server's GPUs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from inventory.models import AcceleratorType, Server, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).parent / "data" / "discovery"
SHOTS = os.environ.get("DISCOVERY_SCREENSHOTS")  # a folder: keep screenshots of the pages (to look at them)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def test_paste_a_table_preview_confirm_and_see_the_gpus(live_server, page, organization, assessor):
    Site.objects.create(organization=organization, name="Lab", country="DE")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/")
    page.get_by_role("link", name="Discover").click()
    page.get_by_label("Site").select_option("Lab")
    page.get_by_label("Hostname").fill("h200-a")
    page.get_by_label("Output").fill((CORPUS / "nvidia-smi-table" / "h200-mig_590.48.01.txt").read_text())
    shot(page, "1-discover-form")
    page.get_by_role("button", name="Check the output").click()
    page.wait_for_selector("#discover-hosts")
    assert "nvidia-smi (the default table)" in page.locator("h1").inner_text()
    assert page.locator("#count-new").inner_text() == "1"
    row = page.locator("#discover-hosts tbody tr").inner_text()
    assert "1 × NVIDIA H200 SXM (143771 MiB)" in row
    assert "700 W" in row
    shot(page, "2-discover-preview")
    page.get_by_role("button", name="Record these servers").click()
    page.wait_for_selector("text=Recorded: 1 new and 0 updated servers.")
    server = Server.objects.get(organization=organization, hostname="h200-a")
    page.goto(f"{live_server.url}/inventory/servers/{server.pk}/")
    assert page.locator("#server-gpus tbody tr").count() == 1
    assert "5 MIG devices" in page.locator("#gpus-heading + p").inner_text()
    shot(page, "3-server-gpus")


def test_upload_an_unknown_gpu_and_add_it_in_one_form(live_server, page, organization, assessor):
    Site.objects.create(organization=organization, name="Lab", country="DE")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/discover/")
    page.get_by_label("Site").select_option("Lab")
    page.get_by_label("Hostname").fill("ws-1")
    page.set_input_files("input[type=file]", str(CORPUS / "nvidia-smi-xml" / "rtx-4000-sff-ada-v13.xml"))
    page.get_by_role("button", name="Check the output").click()
    page.wait_for_selector("#discover-errors")
    assert "unknown GPU 'NVIDIA RTX 4000 SFF Ada Generation'" in page.locator("#discover-errors").inner_text()
    form = page.locator("form.unknown-gpu")
    assert form.get_by_label("Memory (GB)").input_value() == "20.0"
    assert form.get_by_label("Power (W)").input_value() == "70"
    assert form.get_by_label("Year").input_value() == ""  # not in the output: never guessed
    shot(page, "4-unknown-gpu")
    form.get_by_label("Bandwidth (GB/s)").fill("280")
    form.get_by_label("Year").fill("2023")
    form.get_by_role("button", name="Add").click()
    page.wait_for_selector("text=Record these servers")
    assert AcceleratorType.objects.get(organization=organization).nvidia_smi_names == [
        "NVIDIA RTX 4000 SFF Ada Generation"
    ]
    shot(page, "5-after-adding")


def test_a_cluster_and_a_refusal(live_server, page, organization, assessor):
    Site.objects.create(organization=organization, name="Lab", country="DE")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/discover/")
    page.get_by_label("Site").select_option("Lab")
    page.set_input_files("input[type=file]", str(CORPUS / "rocm-smi-text" / "mi300x-x4-concise.txt"))
    page.get_by_role("button", name="Check the output").click()
    page.wait_for_selector("#discover-errors")
    assert page.locator("#discover-errors tbody tr").count() == 1
    assert "run `rocm-smi --showallinfo --json`" in page.locator("#discover-errors").inner_text()
    shot(page, "6-refusal")


def test_the_netbox_page_dry_run_then_sync(live_server, page, organization, assessor, settings):
    from inventory.tests.netbox_replay import TOKEN, replaying

    settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = True
    log_in(page, live_server, assessor)
    with replaying("4.6.8") as replay:
        page.goto(f"{live_server.url}/inventory/netbox/")
        page.get_by_label("NetBox URL").fill(replay.url)
        page.get_by_label("API token").fill(TOKEN)
        page.get_by_label("Country of new sites").fill("US")
        page.get_by_role("button", name="Dry run").click()
        page.wait_for_selector("#netbox-counts")
        assert "would create 6" in page.locator("#netbox-counts").inner_text()
        assert page.locator("#netbox-devices tbody tr").count() == 6
        shot(page, "7-netbox-dry-run")
        assert not Server.objects.exists()
        page.get_by_role("button", name="Sync").click()  # the stored token is kept
        page.wait_for_selector("text=Last sync")
        assert "created 6" in page.locator("#netbox-counts").inner_text()
        shot(page, "8-netbox-sync")
    assert Server.objects.filter(organization=organization).count() == 6
