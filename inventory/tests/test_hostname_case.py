"""A server's hostname is one name whatever its case (DNS names are case-insensitive): the form, the API, the import
and discovery find ``fra-h100-01`` when given ``FRA-H100-01``, and the stored spelling is kept."""

from __future__ import annotations

import io
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.urls import reverse

from config.testing import api_errors
from inventory import forms, services
from inventory.models import AcceleratorType, Server, Site
from inventory.tests.test_discovery import H100_CSV

pytestmark = pytest.mark.django_db

TAKEN = "A server with this hostname exists already in this organization."


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


def run_import(organization, content: str, **options):
    data = content.encode()
    return services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename="servers.csv", size=len(data), **options
    )


def test_the_form_refuses_another_case_of_an_existing_hostname(organization, frankfurt):
    Server.objects.create(organization=organization, site=frankfurt, hostname="fra-h100-01")
    form = forms.ServerForm(
        data={"hostname": "FRA-H100-01", "site": frankfurt.pk, "status": "active", "accelerator_count": 0},
        organization=organization,
    )
    assert not form.is_valid()
    assert form.errors["hostname"] == [TAKEN]


def test_the_api_refuses_another_case_of_an_existing_hostname(organization, frankfurt, assessor, api_client_for):
    Server.objects.create(organization=organization, site=frankfurt, hostname="fra-h100-01")
    response = api_client_for(assessor, organization).post(
        reverse("api:inventory:server-list"), {"hostname": "Fra-H100-01", "site": frankfurt.pk}, format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["message"]) for e in api_errors(response)] == [("hostname", TAKEN)]
    assert Server.objects.count() == 1


def test_another_organization_may_hold_the_same_name(organization, other_organization, frankfurt):
    Server.objects.create(organization=organization, site=frankfurt, hostname="fra-h100-01")
    theirs = Site.objects.create(organization=other_organization, name="F", country="DE")
    server = Server(organization=other_organization, site=theirs, hostname="FRA-H100-01")
    server.full_clean()


def test_a_file_naming_one_server_in_two_cases_is_refused(organization, frankfurt):
    result = run_import(organization, "hostname,site\nimp-case-01,Frankfurt\nIMP-CASE-01,Frankfurt\n")
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "hostname", "'IMP-CASE-01' appears more than once in the file (first on row 2).")
    ]
    assert not Server.objects.exists()


@pytest.mark.parametrize("chunk_size", [1, 1000])
def test_a_file_updates_the_server_whatever_the_case_and_keeps_its_spelling(
    organization, frankfurt, settings, chunk_size
):
    settings.INVENTORY_IMPORT_CHUNK_SIZE = chunk_size
    Server.objects.create(organization=organization, site=frankfurt, hostname="imp-case-01")
    result = run_import(organization, "hostname,site,os\nIMP-CASE-01,Frankfurt,Rocky 9\nimp-case-02,Frankfurt,\n")
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    assert sorted(Server.objects.values_list("hostname", "os")) == [("imp-case-01", "Rocky 9"), ("imp-case-02", "")]


def test_discovery_updates_the_server_whatever_the_case(organization, frankfurt):
    Server.objects.create(organization=organization, site=frankfurt, hostname="fra-h100-02")
    plan = services.discovery_plan(organization=organization, text=H100_CSV, site="Frankfurt", hostname="FRA-H100-02")
    assert not plan.errors
    assert [(h.hostname, h.action) for h in plan.hosts] == [("FRA-H100-02", "update")]
    services.discover(organization=organization, text=H100_CSV, site="Frankfurt", hostname="FRA-H100-02")
    server = Server.objects.get(organization=organization)
    assert server.hostname == "fra-h100-02"
    assert server.accelerator_type == AcceleratorType.objects.get(organization=None, model="H100 SXM")


def test_the_migration_renames_existing_case_duplicates_and_keeps_the_oldest(organization, frankfurt):
    """Rows stored under the old, case-sensitive constraint: the migration's data step (run here on the rows as
    they would be) renames all but the oldest of each group, so that the new constraint can be created."""
    migration = import_module("inventory.migrations.0022_server_hostname_unique_whatever_case")
    Server.objects.bulk_create([Server(organization=organization, site=frankfurt, hostname=f"gpu-{n}") for n in (1, 2)])
    first, second = Server.objects.order_by("id")
    with connection.cursor() as cursor:  # the old, case-sensitive state (the test's transaction restores the index)
        cursor.execute('DROP INDEX "server_unique_hostname_per_organization"')
    Server.objects.filter(pk=second.pk).update(hostname="GPU-1")
    migration.rename_case_duplicates(global_apps, None)
    assert dict(Server.objects.values_list("pk", "hostname")) == {
        first.pk: "gpu-1",
        second.pk: f"GPU-1-duplicate-{second.pk}",
    }
