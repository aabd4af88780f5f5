"""One inventory exporter: a text that a spreadsheet would run as a formula comes out neutralized (a leading ``'``)
from every channel that writes a spreadsheet file: the app's export page, the API, reports' data exports (CSV and
XLSX) and the admin's export actions. Every channel is called over HTTP, as a user would."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.tests.factories import UserFactory
from inventory.models import AcceleratorType, Server, Site

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","y")'
GUARDED = "'" + FORMULA


@pytest.fixture
def tricky(organization):
    site = Site.objects.create(organization=organization, name=FORMULA, country="DE")
    Server.objects.create(organization=organization, site=site, hostname="gpu-1", os=FORMULA)
    return organization


def csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_neutralized(cells: list[str]) -> None:
    assert GUARDED in cells
    assert FORMULA not in cells
    assert not any(cell[:1] in ("=", "+", "@") for cell in cells)


def test_the_app_export(client, tricky, viewer):
    client.force_login(viewer)
    response = client.get(reverse("inventory:export_download"), {"kind": "servers", "format": "csv"})
    assert_neutralized(csv_cells(body(response)))


def test_the_api_export(api_client_for, tricky, viewer):
    response = api_client_for(viewer, tricky).get(reverse("api:inventory:export"), {"kind": "sites", "format": "csv"})
    assert_neutralized(csv_cells(body(response)))


def test_reports_data_exports_csv_and_xlsx(client, api_client_for, tricky, viewer):
    response = api_client_for(viewer, tricky).get(
        "/api/v1/reports/exports/inventory/", {"format": "csv", "kind": "servers"}
    )
    assert response.status_code == 200
    assert_neutralized(csv_cells(body(response)))
    client.force_login(viewer)
    response = client.get("/reports/exports/inventory.xlsx", {"kind": "servers"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body(response)))
    values = [cell.value for row in workbook.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert_neutralized(values)
    assert not any(cell.data_type == "f" for row in workbook.active.iter_rows() for cell in row)


def test_the_admin_export_actions(client, tricky):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    rows = client.post(
        reverse("admin:inventory_server_changelist"),
        {"action": "export_csv", "_selected_action": list(Server.objects.values_list("pk", flat=True))},
    )
    assert_neutralized(csv_cells(body(rows)))
    private = AcceleratorType.objects.create(
        organization=tricky, vendor="Acme", model=FORMULA, memory_gb=1, mem_bandwidth_gbps=1, bf16_tflops=1,
        release_year=2025, source="test",
    )  # fmt: skip
    catalog = client.post(
        reverse("admin:inventory_acceleratortype_changelist"),
        {"action": "export_records", "_selected_action": [private.pk]},
    )
    assert_neutralized(csv_cells(body(catalog)))
