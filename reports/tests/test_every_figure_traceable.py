"""Every figure of the demo is reproducible: on the capacity page, in the capacity API, in the inventory and energy
dashboards' figure sets and in the PDF's data, each figure has a value with its unit, a formula, inputs (each with
its unit and origin) and a source. Walks them all and fails on the first incomplete one, naming it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from inventory.analysis import analysis_of
from inventory.capacity import Figure
from reports import dashboards, report_data, services

from .report_fixtures import FakeExporter, pdf_text, seed_demo

pytestmark = pytest.mark.django_db

SNAKE_CASE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
CITED_NAMES = {"gpu_memory_utilization", "max_num_seqs", "grid_carbon_intensity", "global_energy_mix", "private_infra"}
"""Names the PDF may print because it cites them: another project's settings and the reference data's file name."""


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


@pytest.fixture
def demo_viewer(demo, viewer):
    Membership.objects.create(user=viewer, organization=demo.organization, role=Role.VIEWER)
    return viewer


def incomplete(figure: Figure | dict[str, Any]) -> list[str]:
    """What a figure lacks (an object, or a figure as the API gives it)."""
    if isinstance(figure, Figure):
        return list(figure.missing())
    gaps = [part for part in ("value", "unit", "formula", "source") if figure.get(part) in (None, "")]
    if not figure.get("inputs"):
        gaps.append("inputs")
    for item in figure.get("inputs") or []:
        if item.get("value") is None or not item.get("unit") or not item.get("origin"):
            gaps.append(f"input {item.get('name')}")
    return gaps


def api_figures(body: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every figure in an API response: any object with a formula, wherever it is."""
    if isinstance(body, dict):
        if "formula" in body:
            yield where, body
            return
        for key, value in body.items():
            yield from api_figures(value, f"{where}.{key}")
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from api_figures(value, f"{where}[{index}]")


def check(figures: list[tuple[str, Any]]) -> int:
    problems = [f"{where}: {incomplete(figure)}" for where, figure in figures if incomplete(figure)]
    assert problems == [], "\n".join(problems)
    return len(figures)


def test_every_figure_of_the_demo_has_formula_inputs_origins_and_source(client, api_client_for, demo, demo_viewer):
    organization = demo.organization
    client.force_login(demo_viewer)
    session = client.session
    session["active_organization_id"] = organization.pk
    session.save()

    # The capacity page
    context = client.get(reverse("inventory:capacity")).context
    summary = context["summary"]
    page = [(f"page {v.workload.name}", f) for v, figures, _, _ in context["verdicts"] for f in figures]
    page += [(f"page site {s.site.name}", f) for s in summary.sites for f in s.figures]
    page += [("page total", f) for f in summary.figures]
    # The money: total cost of ownership per site and in total, build or rent per workload
    costs = context["costs"]
    money = [(f"page TCO {c.site.name}", f) for c in costs.sites for f in c.figures]
    money += [("page TCO total", f) for f in costs.figures]
    money += [(f"page rent {w.verdict.workload.name}", f) for w in costs.workloads for f in w.figures]
    assert check(money) >= 12
    page += money
    assert check(page) >= 45
    assert [a.what for a in context["assumptions"]][:3] == ["Server power", "Unified memory", "Load"]  # on the page

    # The API: the summary and an estimate
    api = api_client_for(demo_viewer, organization)
    body = api.get(reverse("api:capacity:summary")).json()
    workload = summary.verdicts[0].workload
    estimate = api.post(reverse("api:capacity:estimate"), {"workload": workload.pk}, format="json").json()
    assert check(list(api_figures(body)) + list(api_figures(estimate))) >= 60
    # One load basis for every power figure, where the demo measures twelve servers: never "an upper bound".
    load = body["assumptions"]["load"]
    assert load.startswith("each active server at its measured power where telemetry gives it (the highest daily p95")
    assert load == next(a.value for a in context["assumptions"] if a.what == "Load")
    notes = {f.note for _, f in page if "full rated power" in f.note}
    assert notes
    assert all("measured power where telemetry gives it" in note for note in notes)
    assert not any("upper bound" in f.note for _, f in page)

    # The dashboards' figure sets
    dashboard = dashboards.inventory_dashboard(organization=organization)
    sets = [
        (f"dashboard {key} {group.title}", f)
        for key, groups in dashboard.figures.items()
        for group in groups
        for f in group.figures
    ]
    sets += [(f"energy card {key}", f) for key, figures in dashboard.energy_figures.items() for f in figures]
    assert {key for key, groups in dashboard.figures.items() if groups} == {
        "accelerators",
        "capacity",
        "power",
        "energy",
    }
    assert set(dashboard.energy_figures) == {"facility", "overhead", "carbon", "cost"}
    assert check(sets) >= 30

    # The PDF's data
    content = report_data.report_content(assessment=demo)
    pdf = [(f"pdf {group.title}", f) for group in content.capacity.appendix for f in group.figures]
    pdf += [(f"pdf chapter {v.workload}", f) for v in content.capacity.verdicts for f in v.figures]
    assert check(pdf) >= 60


def test_the_defects_an_auditor_found_are_gone(demo):
    summary = analysis_of(organization=demo.organization)
    verdicts = {v.workload.name: {f.name: f for f in v.figures} for v in summary.verdicts}
    tuning = verdicts["Maintenance-manual fine-tune"]
    assert tuning["memory_gb_per_gpu"].label.startswith("Model states per GPU")
    assert "vLLM" not in tuning["memory_gb_per_gpu"].source
    assert "ZeRO" in tuning["memory_gb_per_gpu"].source
    assert "vLLM" not in tuning["usable_memory_gb_per_gpu"].source
    assert tuning["meets_deadline"].value is True
    serving = verdicts["Customer assistant"]
    for name in ("gpus_needed", "output_tokens_per_second"):
        assert serving[name].source
        assert tuning["gpus_needed"].source
    assert "1.82" not in serving["it_power_kw"].formula
    watts = next(i for i in serving["it_power_kw"].inputs if i.name == "whole-server watts per GPU")
    # Frankfurt's H100 pool: 16 DGX H100, 8 of them measured by the demo's week of telemetry (56.719 kW in all),
    # the other 8 at their recorded 10.2 kW
    assert watts.value == pytest.approx((56_719 + 8 * 10_200) / 128)
    assert "measured (Redfish), 7-day p95" in watts.origin
    assert "recorded server power" in watts.origin
    cost = serving["monthly_energy_cost"]
    assert "PUE" in cost.source
    assert "tariff" in cost.source
    assert cost.note.startswith("energy only")
    assert {i.origin for i in cost.inputs if i.name == "PUE"} == {"Site Frankfurt DC: PUE 1.35 (recorded)"}
    assert serving["energy_cost_per_million_tokens"].source.startswith("definition of per-million-token pricing")
    frankfurt = next(s for s in summary.sites if s.site.name == "Frankfurt DC")
    grid = next(f for f in frankfurt.figures if f.name == "grid_g_co2_per_kwh")
    assert frankfurt.grid_basis == "country"
    assert grid.note == "the country's figure"
    assert "grid_carbon_intensity.csv row DE" in grid.inputs[0].origin
    price = next(f for f in frankfurt.figures if f.name == "cost_per_month")
    assert "Site Frankfurt DC: electricity price 0.19 EUR/kWh (recorded)" in [i.origin for i in price.inputs]
    for name in ("energy_kwh_per_month", "cost_per_month", "tco2_per_month"):
        assert next(f for f in frankfurt.figures if f.name == name).formula


def test_the_pages_show_the_calculations(client, demo, demo_viewer):
    client.force_login(demo_viewer)
    session = client.session
    session["active_organization_id"] = demo.organization.pk
    session.save()
    capacity_page = client.get(reverse("inventory:capacity")).content.decode()
    assert capacity_page.count('<details class="figure-calc') >= 45
    assert "Assumptions and sources" in capacity_page
    assert "USD + EUR" not in capacity_page
    assert "Site Frankfurt DC: PUE 1.35 (recorded)" in capacity_page
    energy = client.get(reverse("reports:dashboard_energy")).content.decode()
    assert energy.count('<details class="figure-calc') >= 10
    assert "Energy added by the PUE per month" in energy
    assert "show the calculation" in energy
    inventory = client.get(reverse("reports:dashboard_inventory")).content.decode()
    assert "Memory of the GPUs needed" in inventory
    assert "Compute of the GPUs needed" in inventory


def test_the_pdf_has_an_appendix_of_calculations_in_words(demo):
    rendered = services.report_build(assessment=demo, exporter=FakeExporter())
    text = pdf_text(rendered.pdf)
    appendix = text[text.index("Appendix: how each capacity figure is computed Every figure") :]
    appendix = appendix[: appendix.index("Method: how the scores are computed")]
    assert "Site Frankfurt DC: PUE 1.35 (recorded)" in " ".join(appendix.split())
    assert "Model states per GPU (ZeRO-3)" in appendix
    assert set(SNAKE_CASE.findall(appendix)) <= CITED_NAMES  # words, not our identifiers
