"""In a real browser: an assessor records a site and a server through the forms and finds them in the lists."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_site_and_a_server(live_server, page, organization, assessor):
    page.goto(f"{live_server.url}/inventory/")
    page.get_by_label("Username").fill(assessor.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Inventory of Acme AI"
    assert page.get_by_text("No inventory yet").is_visible()

    page.get_by_role("link", name="Add a site").click()
    page.get_by_label("Name").fill("Frankfurt")
    page.get_by_label("Country").fill("de")
    page.get_by_label("Power capacity (kW)").fill("250")
    page.get_by_role("button", name="Create site").click()
    page.wait_for_selector("text=Site “Frankfurt” created.")
    assert page.locator("h1").inner_text().startswith("Frankfurt")

    page.goto(f"{live_server.url}/inventory/servers/new/")
    page.get_by_label("Hostname").fill("gpu001.example.net")
    page.get_by_label("Site").select_option(label="Frankfurt")
    page.get_by_label("Accelerator type").select_option(label="NVIDIA H100 SXM")
    page.get_by_label("Accelerator count").fill("8")
    page.get_by_label("Power (W)").fill("10200")
    page.get_by_role("button", name="Create server").click()
    page.wait_for_selector("text=Server “gpu001.example.net” created.")
    assert page.get_by_text("8 × NVIDIA H100 SXM").first.is_visible()

    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Servers").click()
    row = page.get_by_role("row", name="gpu001.example.net")
    assert row.get_by_role("link", name="Frankfurt").is_visible()
    assert "8 × NVIDIA H100 SXM" in row.inner_text()

    page.get_by_role("link", name="Inventory", exact=True).first.click()
    assert page.locator("#total-accelerators").inner_text() == "8"
