"""The inventory's XLSX export (reports) imports back into the inventory (a workbook a sheet per kind): an operator
edits the exported workbook and imports it. Here, in the app above both, as the layering wants."""

from __future__ import annotations

import pytest

from inventory.models import Server, Site
from inventory.tests.test_import import run_import
from reports.exports import inventory_export

pytestmark = pytest.mark.django_db


def test_the_inventory_xlsx_export_imports_back(organization, other_organization):
    Site.objects.create(organization=organization, name="Frankfurt", country="DE", pue=1.31, renewable_share_pct=42)
    Server.objects.create(organization=organization, site=Site.objects.get(name="Frankfurt"), hostname="n1")
    export = inventory_export(organization=organization, file_format="xlsx")
    result = run_import(other_organization, export.content, export.filename)
    assert (result.ok, result.created) == (True, 2), result.errors_json()
    theirs = Site.objects.get(organization=other_organization)
    assert (theirs.pue, theirs.renewable_share_pct) == (pytest.approx(1.31), pytest.approx(42))
