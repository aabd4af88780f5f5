"""Empty states lead to the step that comes first: a new organization's "Add server" form (and its empty server list)
says there is no site yet and links to adding one, instead of offering an empty site list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["server", "storage", "network"])
def test_a_form_that_needs_a_site_links_to_adding_one_first(client, organization, assessor, kind):
    client.force_login(assessor)
    page = client.get(reverse(f"inventory:{kind}_create")).content.decode()
    assert 'id="first-steps"' in page
    assert "There are no sites yet" in page
    assert f'href="{reverse("inventory:site_create")}">Add a site first</a>' in page


def test_once_a_site_exists_the_hint_is_gone(client, organization, assessor):
    SiteFactory(organization=organization)
    client.force_login(assessor)
    assert 'id="first-steps"' not in client.get(reverse("inventory:server_create")).content.decode()
    assert 'id="first-steps"' not in client.get(reverse("inventory:server_list")).content.decode()


def test_the_empty_server_list_points_to_the_site_first(client, organization, assessor):
    client.force_login(assessor)
    page = client.get(reverse("inventory:server_list")).content.decode()
    assert f'href="{reverse("inventory:site_create")}">Add a site first</a>' in page
    assert "Add the first server" not in page  # it would open a form with nothing to choose


def test_a_viewer_is_told_who_adds_them(client, organization, viewer):
    client.force_login(viewer)
    page = client.get(reverse("inventory:server_list")).content.decode()
    assert "There are no sites yet" in page
    assert reverse("inventory:site_create") not in page


def test_workloads_have_the_shared_model_profiles_so_no_hint(client, organization, assessor):
    client.force_login(assessor)
    assert 'id="first-steps"' not in client.get(reverse("inventory:workload_create")).content.decode()
