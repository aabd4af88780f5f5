"""Money over the database: ECB reference rates loaded as data, owners' overrides shown with who and when, the
reporting currency, the capacity API's converted totals with their rates and date (the demo's pages, API and PDF:
reports/tests/test_money_everywhere.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from config.testing import error_fields
from inventory.analysis import analysis_of, costs_of
from inventory.exchange import services as rate_services
from inventory.exchange.selectors import rate_table_for
from inventory.models import ExchangeRate, ExchangeRateOverride

from .factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_the_ecb_reference_rates_are_loaded_as_dated_sourced_data():
    usd = ExchangeRate.objects.filter(currency="USD").latest("date")
    assert usd.date == date(2026, 10, 30)
    assert usd.rate_per_eur == Decimal("1.1172")
    assert "ecb.europa.eu" in usd.source
    assert ExchangeRate.objects.values("currency").distinct().count() >= 25


def test_an_owner_overrides_a_rate_and_the_override_is_shown(organization, owner):
    rate_services.rate_override_set(organization=organization, currency="usd", rate_per_eur="1.10", user=owner)
    rate = rate_table_for(organization=organization).get("USD")
    assert rate.per_eur == Decimal("1.10")
    assert rate.overridden_by == "olivia"
    assert "set by olivia" in rate.described
    assert rate_services.rate_override_clear(organization=organization, currency="USD")
    assert rate_table_for(organization=organization).get("USD").per_eur == Decimal("1.1172")


def two_sites(organization):
    frankfurt = SiteFactory(
        organization=organization, name="Frankfurt", currency="EUR", electricity_price_per_kwh="0.20", pue=1.5
    )
    ashburn = SiteFactory(
        organization=organization,
        name="Ashburn",
        country="US",
        currency="USD",
        electricity_price_per_kwh="0.10",
        pue=1.5,
        colocation_per_month=Decimal("1000"),
    )
    ServerFactory(organization=organization, site=frankfurt, purchase_cost=Decimal("60000"), purchase_date=None)
    ServerFactory(organization=organization, site=ashburn, purchase_cost=Decimal("120000"), depreciation_years=4)
    return frankfurt, ashburn


def test_the_tco_worked_example_over_two_currencies(organization):
    two_sites(organization)  # each server 10.2 kW and 8 accelerators (the factory's)
    costs = costs_of(organization=organization, summary=analysis_of(organization=organization))
    energy_eur = 10.2 * 1.5 * 730 * 0.20
    energy_usd = 10.2 * 1.5 * 730 * 0.10
    frankfurt = next(c for c in costs.sites if c.site.name == "Frankfurt")
    ashburn = next(c for c in costs.sites if c.site.name == "Ashburn")
    assert frankfurt.total.by_currency == {"EUR": pytest.approx(60000 / 60 + energy_eur)}
    assert ashburn.total.by_currency == {"USD": pytest.approx(120000 / 48 + energy_usd + 1000)}
    expected = 60000 / 60 + energy_eur + (120000 / 48 + energy_usd + 1000) / 1.1172
    assert costs.total.converted == pytest.approx(expected)
    assert costs.per_accelerator_hour == pytest.approx(expected / (16 * 730))
    assert costs.included == ("Hardware depreciation", "Energy", "Colocation and space")
    figure = costs.figure("tco_per_month")
    assert "converted into EUR" in figure.formula
    assert any(i.unit == "USD/EUR" and "2026-10-30" in i.origin for i in figure.inputs)


def test_the_capacity_api_gives_per_currency_totals_and_a_converted_total_with_rates(
    api_client_for, organization, viewer
):
    two_sites(organization)
    body = api_client_for(viewer, organization).get(reverse("api:capacity:summary")).json()
    energy = body["total"]["cost_per_month_converted"]
    assert set(energy["by_currency"]) == {"EUR", "USD"}
    assert energy["currency"] == "EUR"
    amounts = {currency: Decimal(amount) for currency, amount in energy["by_currency"].items()}  # decimal strings
    assert Decimal(energy["converted"]) == pytest.approx(
        amounts["EUR"] + amounts["USD"] / Decimal("1.1172"), abs=Decimal("0.01")
    )
    assert energy["rates"] == [
        {
            "currency": "USD",
            "rate_per_eur": 1.1172,
            "date": "2026-10-30",
            "source": energy["rates"][0]["source"],
            "overridden": False,
            "overridden_by": "",
            "overridden_at": None,
        }
    ]
    assert energy["rates_date"] == "2026-10-30"
    money = body["money"]
    assert money["reporting_currency"] == "EUR"
    assert set(money["tco_per_month"]["by_currency"]) == {"EUR", "USD"}
    assert money["includes"] == ["Hardware depreciation", "Energy", "Colocation and space"]
    assert "cost_per_month" not in body["total"]  # no single amount over two currencies


def test_the_reporting_currency_is_set_by_owners_in_the_api(api_client_for, organization, owner, viewer):
    two_sites(organization)
    url = reverse("api:accounts:organization")
    assert (
        api_client_for(viewer, organization).patch(url, {"reporting_currency": "USD"}, format="json").status_code == 403
    )
    api = api_client_for(owner, organization)
    bad = api.patch(url, {"reporting_currency": "dollars"}, format="json")
    assert bad.status_code == 400
    assert error_fields(bad) == {"reporting_currency"}
    response = api.patch(url, {"reporting_currency": "usd"}, format="json")
    assert response.status_code == 200
    assert response.json()["organization"]["reporting_currency"] == "USD"
    money = api.get(reverse("api:capacity:summary")).json()["money"]
    assert money["reporting_currency"] == "USD"
    tco = money["tco_per_month"]
    amounts = {currency: Decimal(amount) for currency, amount in tco["by_currency"].items()}
    assert Decimal(tco["converted"]) == pytest.approx(
        amounts["USD"] + amounts["EUR"] * Decimal("1.1172"), abs=Decimal("0.01")
    )


def test_rate_overrides_through_the_api(api_client_for, organization, owner, assessor):
    url = reverse("api:capacity:exchange-rates")
    denied = api_client_for(assessor, organization).post(url, {"currency": "USD", "rate_per_eur": "1.2"}, format="json")
    assert denied.status_code == 403
    api = api_client_for(owner, organization)
    created = api.post(url, {"currency": "usd", "rate_per_eur": "1.2", "note": "budget 2026"}, format="json")
    assert created.status_code == 201
    usd = next(r for r in created.json()["rates"] if r["currency"] == "USD")
    assert usd["overridden"] is True
    assert usd["overridden_by"] == "olivia"
    assert "budget 2026" in usd["source"]
    assert error_fields(api.post(url, {"currency": "EUR", "rate_per_eur": "2"}, format="json")) == {"currency"}
    assert api.delete(reverse("api:capacity:exchange-rate", args=["USD"])).status_code == 204
    assert api.delete(reverse("api:capacity:exchange-rate", args=["USD"])).status_code == 404
    assert not ExchangeRateOverride.objects.filter(organization=organization).exists()


def test_the_exchange_rates_page_shows_overrides_and_lets_owners_set_them(client, organization, owner, viewer):
    client.force_login(owner)
    url = reverse("inventory:exchange_rates")
    response = client.post(url, {"currency": "USD", "rate_per_eur": "1.25", "note": "treasury"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "overridden" in page
    assert "olivia" in page
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert "ecb.europa.eu" in page
    assert "Use this rate" not in page
    assert client.post(url, {"currency": "USD", "rate_per_eur": "1.3"}).status_code == 403


def test_the_settings_page_changes_the_reporting_currency(client, organization, owner):
    client.force_login(owner)
    url = reverse("accounts:organization_settings")
    version = organization.data_version
    response = client.post(url, {"name": "Acme AI", "industry": "", "country": "DE", "reporting_currency": "gbp"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.reporting_currency == "GBP"
    assert organization.data_version > version  # every converted total changes: the cached pages are rebuilt


@pytest.mark.parametrize("code", ["ÄBC", "aß", "€€€", "US", "USDX", "U S", "E1R"])
def test_one_currency_rule_in_the_api_the_settings_page_the_rates_and_the_models(
    api_client_for, client, organization, owner, code
):
    """Three Latin letters, whatever the case: `str.isalpha` let "ÄBC" through as a reporting currency, and
    `upper()` turns "aß" into "ASS". The API, the settings page, the rate overrides and the models refuse alike."""
    from django.core.exceptions import ValidationError

    from accounts.forms import OrganizationForm
    from config.validators import CURRENCY_CODE_MESSAGE

    api = api_client_for(owner, organization)
    bad = api.patch(reverse("api:accounts:organization"), {"reporting_currency": code}, format="json")
    assert bad.status_code == 400
    assert error_fields(bad) == {"reporting_currency"}
    form = OrganizationForm(
        data={"name": "Acme", "industry": "", "country": "", "reporting_currency": code}, instance=organization
    )
    assert not form.is_valid()
    assert form.errors["reporting_currency"]
    rate = api.post(reverse("api:capacity:exchange-rates"), {"currency": code, "rate_per_eur": "1.2"}, format="json")
    assert error_fields(rate) == {"currency"}
    organization.reporting_currency = code
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert CURRENCY_CODE_MESSAGE in refused.value.message_dict["reporting_currency"]
    organization.refresh_from_db()
    assert organization.reporting_currency == "EUR"


@pytest.mark.parametrize("code", ["ÄB", "12", "D", "DEU"])
def test_one_country_rule_for_organizations_and_sites(api_client_for, organization, owner, code):
    from accounts import services
    from config.errors import Invalid

    api = api_client_for(owner, organization)
    bad = api.patch(reverse("api:accounts:organization"), {"country": code}, format="json")
    assert bad.status_code == 400
    assert error_fields(bad) == {"country"}
    with pytest.raises(Invalid):
        services.organization_create(name="Other", creator=owner, country=code)
    assert api.patch(reverse("api:accounts:organization"), {"country": " de "}, format="json").status_code == 200
    organization.refresh_from_db()
    assert organization.country == "DE"


@pytest.mark.parametrize(
    ("model", "per_instance_hour", "per_instance"),
    [("A100 SXM 80GB", 40.96, 8), ("L40S", 1.861, 1)],  # AWS p4de.24xlarge and g6e.xlarge in the list price table
)
def test_without_a_cloud_record_renting_is_priced_from_the_list_price_table(
    organization, model, per_instance_hour, per_instance
):
    """A new organization records its servers but no cloud capacity: build or rent compares with the committed
    list price of its accelerator. The table's rows are catalog models ("A100 SXM 80GB"), the pool's accelerator
    its vendor and model ("NVIDIA A100 SXM 80GB"): compared whole they never matched, and every such workload was
    told "no cloud price for NVIDIA A100 SXM 80GB in your records or the list price table"."""
    from inventory.models import AcceleratorType

    from .factories import WorkloadFactory

    site = SiteFactory(organization=organization, name="Dallas", country="US", currency="USD")
    kind = AcceleratorType.objects.get(organization=None, model=model)
    ServerFactory.create_batch(3, organization=organization, site=site, accelerator_type=kind, power_w=6500)
    WorkloadFactory(organization=organization, name="Support chatbot", requests_per_second=1.0)

    costs = costs_of(organization=organization, summary=analysis_of(organization=organization))

    (workload,) = costs.workloads
    assert workload.note == ""
    assert workload.rent_per_gpu_hour == pytest.approx(per_instance_hour / per_instance / 1.1172)  # USD into EUR
    assert "list price AWS" in workload.rent_origin
    assert workload.rent == pytest.approx(workload.gpu_hours * workload.rent_per_gpu_hour)


def test_accelerators_a_what_if_adds_cost_what_the_organization_paid_for_that_type(organization):
    """Adding 8 GPUs in a what-if added their energy and no hardware, so each GPU-hour got cheaper the more were
    added. They are priced at what the organization paid per accelerator of that type (the factory's 8 H100 per
    server: €60,000 / 8 = €7,500 each), new, over 5 years; in the site's currency when it has that price."""
    from inventory.analysis import WhatIf, analyse
    from inventory.models import AcceleratorType

    frankfurt, ashburn = two_sites(organization)
    h100 = AcceleratorType.objects.get(model="H100 SXM")
    before = costs_of(organization=organization, summary=analysis_of(organization=organization))
    what_if = WhatIf(accelerator_type=h100, accelerator_count=8, site=frankfurt)
    after = costs_of(organization=organization, summary=analyse(organization=organization, what_if=what_if))
    site = next(c for c in after.sites if c.site.name == "Frankfurt")
    old = next(c for c in before.sites if c.site.name == "Frankfurt")
    energy_added = 8 * 700 * 1.8214 / 1000 * 1.5 * 730 * 0.20  # rated at TDP x 1.821
    assert site.total.by_currency["EUR"] == pytest.approx(
        old.total.by_currency["EUR"] + 8 * 7500 / 60 + energy_added, rel=1e-3
    )
    line = next(line for line in site.lines if line.kind == "depreciation")
    assert (
        "What-if: the 8 NVIDIA H100 SXM added, at the €7,500 per accelerator the organization paid for 8 of them"
        in (line.origin)
    )
    assert site.added_unpriced == 0
    # Ashburn paid in dollars ($120,000 / 8 = $15,000 each): its what-if is priced in dollars
    at_ashburn = WhatIf(accelerator_type=h100, accelerator_count=8, site=ashburn)
    costs = costs_of(organization=organization, summary=analyse(organization=organization, what_if=at_ashburn))
    usd = next(c for c in costs.sites if c.site.name == "Ashburn")
    assert "at the $15,000 per accelerator" in next(line for line in usd.lines if line.kind == "depreciation").origin


def test_accelerators_of_a_type_never_bought_say_their_hardware_is_not_counted(organization):
    from inventory.analysis import WhatIf, analyse
    from inventory.models import AcceleratorType

    frankfurt, _ = two_sites(organization)
    b200 = AcceleratorType.objects.get(model="B200")
    what_if = WhatIf(accelerator_type=b200, accelerator_count=8, site=frankfurt)
    costs = costs_of(organization=organization, summary=analyse(organization=organization, what_if=what_if))
    site = next(c for c in costs.sites if c.site.name == "Frankfurt")
    assert site.added_unpriced == 8
    tco = next(f for f in site.figures if f.name == "tco_per_month")
    assert any(i.name.startswith("accelerators a what-if adds without a price") for i in tco.inputs)
