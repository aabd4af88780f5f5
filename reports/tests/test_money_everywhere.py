"""No page, API response or PDF of the demo adds euros and dollars as they are (issue 14): each total over its
two currencies is shown per currency, or converted into the reporting currency with the rate and its date."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from inventory.analysis import analysis_of, costs_of
from inventory.money import format_money
from reports import services as report_services

from .report_fixtures import FakeExporter, pdf_text, seed_demo

pytestmark = pytest.mark.django_db


def naive_sums(costs) -> set[str]:
    """The amounts a page would show if it added euros and dollars as they are (the defect of issue 14)."""
    shown = set()
    for total in (costs.energy, costs.total):
        naive = sum(total.by_currency.values())
        shown |= {f"{naive:,.0f}", f"{naive:.0f}", format_money(naive, "EUR"), format_money(naive, "USD")}
    return shown


def test_no_page_api_response_or_pdf_of_the_demo_adds_euros_and_dollars(client, api_client_for, monkeypatch):
    assessment = seed_demo(monkeypatch)
    organization = assessment.organization
    owner = Membership.objects.filter(organization=organization, role=Role.OWNER).first().user
    costs = costs_of(organization=organization, summary=analysis_of(organization=organization))
    assert set(costs.total.by_currency) == {"EUR", "USD"}  # the demo has sites in two currencies
    assert costs.total.converted is not None
    forbidden = naive_sums(costs)

    client.force_login(owner)
    session = client.session
    session["active_organization_id"] = organization.pk
    session.save()
    for name in (
        "home",
        "inventory:capacity",
        "reports:dashboard_energy",
        "reports:dashboard_inventory",
        "inventory:exchange_rates",
    ):
        text = re.sub(r"<[^>]+>", " ", client.get(reverse(name)).content.decode())
        assert not [amount for amount in forbidden if amount in text], name
        assert "USD + EUR" not in text
        assert "EUR + USD" not in text

    body = api_client_for(owner, organization).get(reverse("api:capacity:summary")).json()
    dumped = json.dumps(body)
    naive = {round(sum(t.by_currency.values()), 6) for t in (costs.energy, costs.total)}
    assert not [v for v in re.findall(r"\d+\.\d+", dumped) if round(float(v), 6) in naive]
    for figure in _figures(body):
        currencies = {m for i in figure["inputs"] for m in re.findall(r"^([A-Z]{3})(?:/month)?$", i["unit"])}
        if len(currencies) > 1:  # amounts in several currencies: converted, with the rates as inputs
            assert "converted" in figure["formula"], figure["label"]
            assert any(re.fullmatch(r"[A-Z]{3}/EUR", i["unit"]) for i in figure["inputs"]), figure["label"]

    text = pdf_text(report_services.report_build(assessment=assessment, exporter=FakeExporter()).pdf)
    assert "Total cost of ownership per month" in text
    assert "1 EUR = 1.1172 USD" in text
    assert not [amount for amount in forbidden if amount in text]


def _figures(body):
    if isinstance(body, dict):
        if "formula" in body and "inputs" in body:
            yield body
            return
        for value in body.values():
            yield from _figures(value)
    elif isinstance(body, list):
        for value in body:
            yield from _figures(value)
