"""`/api/v1/capacity/`: totals, and estimates of stored or described workloads with hypothetical changes."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from config.testing import api_errors, error_fields
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
    assert {s["site"] for s in body["sites"]} == {"Frankfurt DC", "Ashburn Colo", "Munich Lab"}
    # 12 servers measured by the demo's week of telemetry: 342.9 kW in the model, 371.2 kW rated (Munich Lab,
    # main's third demo site, is not measured)
    assert body["total"]["it_power_kw"] == pytest.approx(342.929)
    frankfurt = next(s for s in body["sites"] if s["site"] == "Frankfurt DC")
    assert frankfurt["rated_it_power_kw"] == pytest.approx(163.2)
    assert frankfurt["power_sources"] == {"measured_server": 5, "measured_accelerators": 3, "recorded": 8}
    assert frankfurt["power_sources_in_words"].startswith("5 servers measured (Redfish), 7-day p95")
    assert (frankfurt["measured_servers"], frankfurt["measured_rated_kw"]) == (8, pytest.approx(81.6))
    figure = next(f for f in frankfurt["figures"] if f["name"] == "it_power_kw")
    assert any(i["name"] == "5 servers, measured (Redfish), 7-day p95" for i in figure["inputs"])
    assert body["total"]["accelerators"] == 344
    assert {w["workload"]: w["fits"] for w in body["workloads"]} == {
        "Customer assistant": True,
        "Domain model training (70B)": False,
        "Maintenance-manual fine-tune": True,
    }
    assert "DGX H100" in body["sources"]["overhead"]
    # money per currency, never added: Frankfurt DC in EUR, Ashburn Colo in USD (IT power measured where the
    # demo's week of telemetry gives it: 138.319 kW x PUE 1.35 x 730 h x 0.19 EUR; 102.61 kW x 1.5 x 730 h x 0.0806 USD)
    assert body["total"]["cost_per_month_by_currency"] == {  # decimal strings, to the cent
        "EUR": "48833.22",  # Frankfurt DC (measured in part) and Munich Lab: 25,899.54 + 22,933.68
        "USD": "9056.05",
    }
    assert "cost_per_month" not in body["total"]
    assert frankfurt["grid_basis"] == "country"
    energy = next(f for f in frankfurt["figures"] if f["name"] == "energy_kwh_per_month")
    assert energy["formula"] == "IT power x PUE x hours in a month"
    assert {i["name"]: (i["value"], i["unit"], i["origin"]) for i in energy["inputs"]}["PUE"] == (
        1.35,
        "ratio",
        "Site Frankfurt DC: PUE 1.35 (recorded)",
    )
    assert [a["what"] for a in body["assumptions_table"]][0] == "Server power"


def test_the_schema_documents_every_figure_with_its_inputs(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert set(components["Figure"]["properties"]) >= {"value", "unit", "formula", "inputs", "source", "label"}
    assert set(components["FigureInput"]["properties"]) == {"name", "value", "unit", "origin"}
    summary = schema["paths"]["/api/v1/capacity/summary/"]["get"]["responses"]["200"]["content"]
    assert summary["application/json"]["schema"]["$ref"].endswith("/CapacitySummary")
    assert "cost_per_month_by_currency" in components["Total"]["properties"]


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


def test_an_estimate_adding_a_type_with_no_tdp_says_its_power_is_not_counted(api_client_for, demo, demo_viewer):
    site = Site.objects.get(organization=demo, name="Ashburn Colo")
    payload = {
        "workload_spec": {
            "kind": "inference",
            "model_profile": ModelProfile.objects.get(name="Llama-3.1-8B").pk,
            "precision": "bf16",
            "requests_per_second": 1,
            "prompt_tokens": 1000,
            "output_tokens": 200,
        },
        "change": {
            "accelerator_type": AcceleratorType.objects.get(model="TPU v5p").pk,
            "accelerator_count": 8,
            "site": site.pk,
        },
    }
    client = api_client_for(demo_viewer, demo)
    body = client.post(reverse("api:capacity:estimate"), payload, format="json").json()
    before = client.get(reverse("api:capacity:summary")).json()
    ashburn = next(s for s in body["sites"] if s["site"] == "Ashburn Colo")
    power = next(f for f in ashburn["figures"] if f["name"] == "it_power_kw")
    added = [i for i in power["inputs"] if "added" in i["name"]]
    assert added == [
        {
            "name": "8 added Google TPU v5p: no published TDP, not counted",
            "value": 0,
            "unit": "W",
            "origin": (
                "what-if: accelerators added; their type has no TDP, so their power is unknown and counted as 0 W"
            ),
        }
    ]
    assert ashburn["it_power_kw"] == next(s for s in before["sites"] if s["site"] == "Ashburn Colo")["it_power_kw"]


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
    assert any(name == field or name.startswith(f"{field}.") for name in error_fields(response))


def test_another_organizations_workload_is_unknown(api_client_for, demo, other_organization, outsider):
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    response = api_client_for(outsider, other_organization).post(
        reverse("api:capacity:estimate"), {"workload": workload.pk}, format="json"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"workload"}


def test_anonymous_is_401(client):
    assert client.get(reverse("api:capacity:summary")).status_code == 401


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"bogus": 1}, "bogus"),
        # The integrator's misspelling: `count` for `accelerator_count` was dropped, and 72 more GPUs "did not fit".
        ({"change": {"accelerator_type": "H100 SXM", "count": 72, "site": "Frankfurt DC"}}, "change.count"),
        ({"workload_spec": {"kind": "inference", "model": "Llama-3.1-8B"}}, "workload_spec.model"),
    ],
)
def test_an_unknown_field_of_an_estimate_is_a_400_naming_it_nested_too(api_client_for, demo, demo_viewer, extra, field):
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    body = {"workload": workload.pk, **extra}
    if "workload_spec" in extra:
        del body["workload"]
    response = api_client_for(demo_viewer, demo).post(reverse("api:capacity:estimate"), body, format="json")
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert (error["field"], error["code"]) == (field, "unknown_field")


@pytest.mark.parametrize("url", ["api:capacity:summary", "api:capacity:exchange-rates"])
def test_an_unknown_query_parameter_of_the_capacity_api_is_a_400_naming_it(api_client_for, demo, demo_viewer, url):
    response = api_client_for(demo_viewer, demo).get(reverse(url), {"foo": "1"})
    assert response.status_code == 400
    [error] = api_errors(response)
    assert (error["field"], error["code"]) == ("foo", "unknown_parameter")
    assert error["message"] == "Unknown parameter; this endpoint takes none but format."


MONEY_KEY = re.compile(r"(^|_)(cost|price|tco|converted|amount|rent)(_|$)(?!origin)")
DECIMAL = re.compile(r"-?\d+(\.\d+)?")


def _money_places(text, currency, where):
    assert isinstance(text, str), (where, text)
    assert DECIMAL.fullmatch(text), (where, text)
    places = len(text.partition(".")[2])
    per_kwh = where.endswith("price_per_kwh")
    assert places == (4 if per_kwh else 0 if currency == "JPY" else 2), (where, text, currency)


def _no_float_money(data, path="", row=None):
    """Every money amount of a capacity response is a decimal string in the currency named beside it."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            _no_float_money(item, f"{path}[{index}]")
        return
    if not isinstance(data, dict):
        return
    unit = data.get("unit")
    if isinstance(unit, str) and "value" in data and re.fullmatch(r"[A-Z]{3}(/(?![A-Z]{3}$).+)?", unit):
        _money_places(data["value"], unit[:3], f"{path}.price_per_kwh" if unit.endswith("/kWh") else path)
    for key, value in data.items():
        here = f"{path}.{key}"
        if key in ("assumptions", "sources"):  # words about the model, no amounts
            continue
        if isinstance(value, dict) and key.endswith("by_currency"):  # amounts keyed by their currency
            for currency, amount in value.items():
                _money_places(amount, currency, here)
        elif isinstance(value, dict | list):
            _no_float_money(value, here)
        elif MONEY_KEY.search(key) and value is not None:
            beside = data["reporting_currency"] if key == "cost_per_accelerator_hour" else None
            _money_places(value, beside or data.get("currency") or data["reporting_currency"], here)


def test_money_in_the_capacity_api_is_decimal_strings_never_floats(api_client_for, demo, demo_viewer):
    client = api_client_for(demo_viewer, demo)
    summary = client.get(reverse("api:capacity:summary")).json()
    change = {"accelerator_type": "H100 SXM", "accelerator_count": 8, "site": "Frankfurt DC", "price_per_kwh": 0.21345}
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    estimate = client.post(reverse("api:capacity:estimate"), {"workload": workload.pk, "change": change}, format="json")
    for body in (summary, estimate.json()):
        _no_float_money(body)
        assert body["money"]["tco_per_month"]["converted"] is not None  # walked, not skipped
        assert any(site["cost_per_month"] for site in body["sites"])
    frankfurt = next(site for site in estimate.json()["sites"] if site["site"] == "Frankfurt DC")
    assert frankfurt["price_per_kwh"] == "0.2135"  # half away from zero, at the stored 4 decimals


def test_the_schema_documents_capacity_money_as_decimal_strings(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    money = {"type": "string", "format": "decimal"}
    assert money.items() <= schema["SiteFootprint"]["properties"]["cost_per_month"].items()
    assert money.items() <= schema["Money"]["properties"]["cost_per_accelerator_hour"].items()
    assert money.items() <= schema["Converted"]["properties"]["by_currency"]["additionalProperties"].items()
    assert money.items() <= schema["CostLine"]["properties"]["amount_per_month"].items()


def _floats(data):
    if isinstance(data, float):
        yield data
    elif isinstance(data, list):
        for item in data:
            yield from _floats(item)
    elif isinstance(data, dict):
        for item in data.values():
            yield from _floats(item)


def test_no_float_of_the_capacity_api_carries_a_binary_tail(api_client_for, demo, demo_viewer):
    """The demo's total IT power figure read 353.12899999999996 kW beside its field's 353.129: every float is
    written to 12 significant digits (what the arithmetic carries), the figures' values included."""
    client = api_client_for(demo_viewer, demo)
    summary = client.get(reverse("api:capacity:summary")).json()
    workload = Workload.objects.get(organization=demo, name="Customer assistant")
    estimate = client.post(reverse("api:capacity:estimate"), {"workload": workload.pk}, format="json").json()
    for body in (summary, estimate):
        values = list(_floats(body))
        assert len(values) > 50  # walked, not skipped
        tails = [v for v in values if float(f"{v:.12g}") != v]
        assert tails == []
    total = next(f for f in summary["total"]["figures"] if f["name"] == "it_power_kw")
    assert total["value"] == summary["total"]["it_power_kw"]
