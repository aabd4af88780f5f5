"""Issue 18: every change of an inventory record is kept (who, when, before, after), shown per record on the page
and in the API, exportable as CSV; imports record it in a fixed number of statements; the admin's history is
scoped to the staff member's organizations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from inventory.models import Server, Site
from inventory.tests.factories import SiteFactory
from inventory.tests.test_import import DATA, run_import

pytestmark = pytest.mark.django_db


def test_an_edit_through_the_api_is_kept_with_its_author_and_both_values(api_client_for, organization, assessor):
    site = SiteFactory(organization=organization, name="Frankfurt", pue=1.3)
    client = api_client_for(assessor, organization)
    response = client.patch(reverse("api:inventory:site-detail", args=[site.pk]), {"pue": 1.25}, format="json")
    assert response.status_code == 200, response.json()
    entries = client.get(reverse("api:inventory:site-history", args=[site.pk])).json()
    assert [e["action"] for e in entries] == ["changed", "created"]
    assert entries[0]["who"] == assessor.get_username()
    assert [(c["field"], c["before"], c["after"]) for c in entries[0]["changes"]] == [("pue", "1.3", "1.25")]
    csv = client.get(reverse("api:inventory:site-history", args=[site.pk]), {"export": "csv"}).content.decode()
    assert "Frankfurt" in csv
    assert ",1.3,1.25," in csv


def test_another_organizations_record_history_is_not_found(api_client_for, organization, other_organization, outsider):
    site = SiteFactory(organization=organization)
    client = api_client_for(outsider, other_organization)
    assert client.get(reverse("api:inventory:site-history", args=[site.pk])).status_code == 404


def test_the_record_page_links_its_history_page(client, organization, viewer):
    site = SiteFactory(organization=organization, name="Frankfurt", pue=1.3)
    site.pue = 1.2
    site.save()
    client.force_login(viewer)
    detail = client.get(reverse("inventory:site_detail", args=[site.pk])).content.decode()
    history_url = reverse("inventory:site_history", args=[site.pk])
    assert history_url in detail
    page = client.get(history_url).content.decode().replace("\n", "")
    assert "Changed PUE" in page or "Changed Pue" in page
    assert "<td>1.3</td><td>1.2</td>" in page
    csv = client.get(history_url, {"export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")


def test_an_import_records_the_history_of_the_rows_it_writes(organization):
    SiteFactory(organization=organization, name="Frankfurt")
    SiteFactory(organization=organization, name="Dublin")
    run_import(organization, (DATA / "servers.csv").read_bytes(), "servers.csv")
    content = "hostname,site,status,cpu_cores\ngpu-fra-01,Dublin,retired,96\nnew-01,Frankfurt,planned,\n"
    run_import(organization, content, "servers.csv")
    server = Server.objects.get(hostname="gpu-fra-01")
    records = list(Server.history.filter(id=server.pk).order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert {r.history_change_reason for r in records} == {"imported from a file"}
    assert (records[0].status, records[1].status, records[1].cpu_cores) == ("active", "retired", 96)
    assert Server.history.filter(hostname="new-01").count() == 1
    unchanged = Server.objects.exclude(hostname__in=["gpu-fra-01", "new-01"]).first()
    assert Server.history.filter(id=unchanged.pk).count() == 1  # an unchanged row gets no entry


class TestAdminHistory:
    @pytest.fixture
    def staff(self, organization):
        user = UserFactory(username="stella", is_staff=True)
        MembershipFactory(user=user, organization=organization, role=Role.OWNER)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="inventory"))
        return user

    def test_history_is_shown_for_own_records_and_refused_for_others(self, staff, organization, other_organization):
        ours = SiteFactory(organization=organization)
        theirs = SiteFactory(organization=other_organization)
        theirs_id = theirs.pk
        client = Client()
        client.force_login(staff)
        assert client.get(reverse("admin:inventory_site_history", args=[ours.pk])).status_code == 200
        record = Site.history.filter(id=theirs_id).latest("history_date")
        one_record = reverse("admin:inventory_site_simple_history", args=[theirs_id, record.history_id])
        never_existed = reverse("admin:inventory_site_history", args=[theirs_id + 1000])
        assert client.get(never_existed).status_code == 404
        # Another organization's row is "not found" like an id that never existed (a 403 would tell it exists).
        assert client.get(reverse("admin:inventory_site_history", args=[theirs_id])).status_code == 404
        assert client.get(one_record).status_code == 404
        theirs.delete()  # a deleted row's history is read from its last record: still not theirs to see
        assert client.get(reverse("admin:inventory_site_history", args=[theirs_id])).status_code == 404
        assert client.get(one_record).status_code == 404
        assert Site.history.filter(id=theirs_id, history_type="-").exists()
