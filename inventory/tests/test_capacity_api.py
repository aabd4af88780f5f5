"""`/api/v1/capacity/`: totals, and estimates of stored or described workloads with hypothetical changes."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from inventory.models import AcceleratorType, ModelProfile, Site, Workload

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    return Organization.objects.get(slug="demo-corp")


@pytest.fixture
def demo_viewer(demo, viewer):
    Membership.objects.create(user=viewer, organization=demo, role=Role.VIEWER)
    return viewer


def test_summary_gives_every_site_and_workload(api_client_for, demo, demo_viewer):
    body = api_client_for(demo_viewer, demo).get(reverse("api:capacity:summary")).json()
    assert {s["site"] for s in body["sites"]} == {"Frankfurt DC", "Ashburn Colo"}
    assert body["total"]["it_power_kw"] == pytest.approx(269.2)
    assert body["total"]["accelerators"] == 264
    assert {w["workload"]: w["fits"] for w in body["workloads"]} == {
        "Customer assistant": True,
        "Maintenance-manual fine-tune": True,
    }
    assert "DGX H100" in body["sources"]["overhead"]


def test_estimate_a_stored_workload_with_formulas_and_sources(api_client_for, demo, demo_viewer):
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    body = (
        api_client_for(demo_viewer, demo)
        .post(reverse("api:capacity:estimate"), {"workload": workload.pk}, format="json")
        .json()
    )
    figures = {f["name"]: f for f in body["estimate"]["figures"]}
    assert figures["tensor_parallel"]["value"] == 2
    assert figures["weights_gb_per_gpu"]["unit"] == "GB"
    assert "bytes per value" in figures["weights_gb_per_gpu"]["formula"]
    assert figures["energy_cost_per_million_tokens"]["unit"] == "EUR/Mtoken"


def test_estimate_a_described_workload_with_a_hypothetical_change(api_client_for, demo, demo_viewer):
    site = Site.objects.get(organization=demo, name="Ashburn Colo")
    payload = {
        "workload_spec": {
            "kind": "inference",
            "model_profile": ModelProfile.objects.get(name="Llama-3.1-405B").pk,
            "precision": "fp8",
            "requests_per_second": 5,
            "prompt_tokens": 2000,
            "output_tokens": 400,
        },
        "change": {
            "accelerator_type": AcceleratorType.objects.get(model="B200").pk,
            "accelerator_count": 64,
            "site": site.pk,
            "pue": 1.3,
        },
    }
    body = api_client_for(demo_viewer, demo).post(reverse("api:capacity:estimate"), payload, format="json").json()
    assert body["estimate"]["fits"] is True
    assert "B200" in body["estimate"]["pool"]
    ashburn = next(s for s in body["sites"] if s["site"] == "Ashburn Colo")
    assert ashburn["pue"] == 1.3
    assert not Workload.objects.filter(name="estimate").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "workload"),
        ({"workload_spec": {"kind": "inference", "model_profile": 1}}, "workload_spec"),
        ({"workload": 999999}, "workload"),
        ({"workload": None, "change": {"pue": 0.5}}, "change"),
        ({"workload_spec": {"kind": "training"}, "change": {"accelerator_count": 4}}, "change"),
    ],
)
def test_bad_estimates_name_the_field(api_client_for, demo, demo_viewer, payload, field):
    response = api_client_for(demo_viewer, demo).post(reverse("api:capacity:estimate"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_another_organizations_workload_is_unknown(api_client_for, demo, other_organization, outsider):
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    response = api_client_for(outsider, other_organization).post(
        reverse("api:capacity:estimate"), {"workload": workload.pk}, format="json"
    )
    assert response.status_code == 400
    assert "workload" in response.json()


def test_anonymous_is_401(client):
    assert client.get(reverse("api:capacity:summary")).status_code == 401
