"""In a real browser: upload a file, see the preview, confirm; the progress bar follows a running import."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from inventory.models import ImportJob, ImportStatus, Server, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent / "data" / "import"


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def test_upload_preview_confirm(live_server, page, organization, assessor):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    Site.objects.create(organization=organization, name="Dublin", country="IE")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/import/")
    page.set_input_files("input[type=file]", str(DATA / "servers.csv"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("text=The file is valid")
    assert page.locator("#count-new").inner_text() == "4"
    assert page.locator("#count-updated").inner_text() == "0"
    assert page.locator("#preview-servers tbody tr").count() == 4
    assert not Server.objects.exists()

    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_selector("text=Imported: 4 new, 0 updated.")
    assert Server.objects.filter(organization=organization).count() == 4


def test_a_bad_file_lists_its_problems(live_server, page, organization, assessor, tmp_path):
    bad = tmp_path / "servers.csv"
    bad.write_text("hostname,site\nn1,Atlantis\n")
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("#import-errors")
    assert page.locator("#import-errors tbody tr").inner_text().split("\t") == ["2", "site", "unknown site 'Atlantis'."]


def test_the_progress_bar_polls_until_the_import_ends(live_server, page, organization, assessor):
    job = ImportJob.objects.create(
        organization=organization, created_by=assessor, filename="servers.csv", file_format="csv", kind="servers",
        payload="imports/servers.csv", status=ImportStatus.RUNNING, total_rows=100000, processed_rows=25000,
    )  # fmt: skip
    log_in(page, live_server, assessor)
    page.goto(f"{live_server.url}/inventory/import/{job.pk}/")
    assert page.locator("#import-progress").get_attribute("aria-valuenow") == "25"
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=60000)
    page.wait_for_function("() => document.getElementById('import-progress').getAttribute('aria-valuenow') === '60'")
    assert "60000 of about 100000 rows" in page.locator("#import-progress-text").inner_text()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed_rows=100000, created_count=100000)
    page.wait_for_selector("text=Imported 100000 rows")
    assert page.locator("#import-progress").count() == 0
