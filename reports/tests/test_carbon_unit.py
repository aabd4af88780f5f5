"""Carbon reads in one unit, CO2-equivalent, wherever a person reads it: the grid intensity figures are
CO2-equivalent (inventory/data/grid_carbon_intensity.csv, from codecarbon's `global_energy_mix.json`, which takes Our
World in Data's lifecycle carbon intensity of electricity, Ember's figures in grams of CO2-equivalents per kWh), so
the energy dashboard, the capacity page, the roadmap and the PDF say gCO2e/kWh and tCO2e, never gCO2/kWh or tCO2
for the same numbers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from assessments.models import RoadmapItem
from assessments.services.roadmaps import _capacity_why
from inventory.models import GridRegion, Site
from reports import report_data
from reports import services as report_services

from .report_fixtures import FakeExporter, pdf_text, seed_demo

pytestmark = pytest.mark.django_db

CO2_NOT_EQUIVALENT = re.compile(r"\b[gkt]CO2(?!e)|\bCO2 per\b|tonnes of CO2(?!-equivalent)")
"""A carbon unit or phrase without the "e": "gCO2/kWh", "tCO2 / month", "tCO2/month", "tonnes of CO2 per month"."""


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def not_equivalent(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in CO2_NOT_EQUIVALENT.finditer(text)]


@pytest.fixture
def demo(monkeypatch, client):
    assessment = seed_demo(monkeypatch)
    owner = Membership.objects.filter(organization=assessment.organization, role=Role.OWNER).first().user
    client.force_login(owner)
    session = client.session
    session["active_organization_id"] = assessment.organization.pk
    session.save()
    return assessment


def test_the_pattern_finds_every_spelling_without_the_e():
    wrongs = ("381 gCO2/kWh", "4.3 tCO2 / month", "+0.52 tCO2/month", "133.2 tonnes of CO2 per month", "kg CO2 per")
    for wrong in wrongs:
        assert not_equivalent(wrong), wrong
    for right in ("381 gCO2e/kWh", "4.3 tCO2e / month", "133.2 tonnes of CO2-equivalent (tCO2e) per month"):
        assert not not_equivalent(right), right


def test_the_energy_dashboard_and_the_capacity_page_say_co2_equivalent(demo, client):
    energy = words(client.get(reverse("reports:dashboard_energy")).content.decode())
    assert "tCO2e/month" in energy
    assert "gCO2e/kWh on average" in energy
    assert not not_equivalent(energy)

    capacity = client.get(reverse("inventory:capacity")).content.decode()
    assert '<th scope="col" class="text-end">gCO2e/kWh</th>' in capacity
    assert '<th scope="col" class="text-end">tCO2e / month</th>' in capacity
    assert not not_equivalent(words(capacity))

    what_if = words(client.get(reverse("inventory:capacity"), {"pue": "1.2"}).content.decode())
    assert "Showing a hypothetical inventory" in what_if
    assert re.search(r"Recorded totals: .* kWh and [\d,.]+ tCO2e a month\.", what_if)
    assert not not_equivalent(what_if)


def test_the_report_says_co2_equivalent_in_its_html_and_its_pdf(demo):
    content = report_data.report_content(assessment=demo)
    html = words(report_services.report_html(content=content, blocks={}, charts_drawn=False, page_size="A4"))
    assert re.search(r"That emits [\d,.]+ tonnes of CO2-equivalent \(tCO2e\) per month", html)
    assert "gCO2e / kWh" in html
    assert "tCO2e / month" in html
    # The answers' appendix quotes the framework's versioned help text of EN-SUS-02 ("about 480 gCO2/kWh (Ember,
    # ...)"): a question's text is never rewritten; every figure of ours says gCO2e/kWh.
    quoted = "The global average is about 480 gCO2/kWh"
    assert not_equivalent(html.replace(quoted, "")) == []

    text = pdf_text(report_services.report_build(assessment=demo, exporter=FakeExporter()).pdf)
    assert "tonnes of CO2-equivalent (tCO2e) per month" in text
    assert not_equivalent(text.replace(quoted, "")) == []


def test_the_roadmap_adds_carbon_in_tco2e(demo, client):
    why = _capacity_why(
        {
            "workload": "Chat assistant",
            "reasons": [],
            "needed": 16,
            "add_accelerators": 8,
            "accelerator": "H100 SXM",
            "where": "Frankfurt DC",
            "add_it_kw": 10.2,
            "power_basis": "rated: 700 W x 1.821",
            "add_kwh_month": 9_680.0,
            "add_tco2_month": 3.688,
            "pue": 1.3,
            "g_per_kwh": 381.0,
        }
    )
    assert "+9,680 kWh and +3.69 tCO2e per month (PUE 1.3, 381 gCO2e/kWh)" in why
    assert not not_equivalent(why)

    # the demo's roadmap adds accelerators for a workload it cannot run, with their carbon
    adding = RoadmapItem.objects.filter(assessment=demo, kind="capacity", details__has_key="add_tco2_month").first()
    assert adding is not None
    assert re.search(r"\+[\d.]+ tCO2e per month \(PUE [\d.]+, [\d.]+ gCO2e/kWh\)", adding.why), adding.why
    page = words(client.get(reverse("assessments:roadmap", args=[demo.pk])).content.decode())
    assert re.search(r"\+[\d.]+ tCO2e/month", page)
    assert not not_equivalent(page)


def test_the_site_form_and_pages_name_the_grid_intensity_in_co2e(demo, client):
    site = Site.objects.filter(organization=demo.organization).first()
    for url in (reverse("inventory:site_create"), reverse("inventory:site_detail", args=[site.pk])):
        page = words(client.get(url).content.decode())
        assert "gCO2e/kWh" in page, url
        assert not not_equivalent(page), url
    field = Site._meta.get_field("grid_intensity_override")
    assert field.verbose_name == "grid intensity override (gCO2e/kWh)"
    assert field.help_text.startswith("gCO2e/kWh (CO2-equivalent) from your utility contract")
    germany = GridRegion.objects.get(country_code="DE")
    assert str(germany) == f"Germany ({germany.g_co2_per_kwh:g} gCO2e/kWh)"
    assert GridRegion._meta.get_field("g_co2_per_kwh").verbose_name == "grid intensity (gCO2e/kWh)"
