import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from inventory.models import AcceleratorType, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_client(client, monkeypatch, viewer):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    demo = Organization.objects.get(slug="demo-corp")
    Membership.objects.filter(user=viewer).delete()
    Membership.objects.create(user=viewer, organization=demo, role=Role.VIEWER)
    client.force_login(viewer)
    return client


def test_the_capacity_page_shows_verdicts_and_site_footprints(demo_client):
    page = demo_client.get(reverse("inventory:capacity")).content.decode()
    assert "Customer assistant" in page
    assert "fits" in page
    assert "Frankfurt DC" in page
    assert "163.2" in page  # Frankfurt IT kW
    assert "Every figure, with its formula and source" in page


def test_what_if_shows_the_effect_without_storing_it(demo_client):
    b200 = AcceleratorType.objects.get(model="B200")
    site = Site.objects.get(name="Ashburn Colo")
    page = demo_client.get(
        reverse("inventory:capacity"), {"accelerator_type": b200.pk, "accelerator_count": 8, "site": site.pk, "pue": 2}
    ).content.decode()
    assert "Showing a hypothetical inventory" in page
    assert Site.objects.get(pk=site.pk).pue == 1.5


def test_what_if_input_errors_are_shown_not_raised(demo_client):
    response = demo_client.get(reverse("inventory:capacity"), {"accelerator_count": 8, "pue": "0.2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the type of the accelerators to add." in page
    assert "Showing a hypothetical inventory" not in page


def test_an_empty_organization_is_told_what_to_do(client, organization, viewer):
    client.force_login(viewer)
    page = client.get(reverse("inventory:capacity")).content.decode()
    assert "Declare what you want to run" in page
    assert "Add a site" in page
