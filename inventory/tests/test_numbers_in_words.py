"""Numbers as people read them on the inventory's pages, the capacity model's reasons and the charts' tables: one
way for large numbers (powers of ten as the capacity figures write them), thousands grouped, the same decimals down
a column, prices with their currency."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.capacity import format_column
from inventory.models import WorkloadKind
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_a_column_keeps_one_number_of_decimals_groups_thousands_and_writes_powers_of_ten():
    assert format_column(["GPU", 106, 10.2, None]) == ["GPU", "106.0", "10.2", None]
    assert format_column([7680.0, 80.0]) == ["7,680", "80"]
    assert format_column([8.47e22, 1.5]) == ["8.47 x 10²²", "1.5"]


def test_inventory_lists_group_thousands_and_write_tokens_in_powers_of_ten(client, organization, viewer):
    ServerFactory(organization=organization, power_w=10200)
    WorkloadFactory(
        organization=organization,
        name="Pretrain",
        kind=WorkloadKind.TRAINING,
        training_tokens=2e11,
        deadline_days=14,
        requests_per_second=None,
    )
    client.force_login(viewer)
    servers = _text(client.get(reverse("inventory:server_list")))
    assert "10,200" in servers
    assert "10200" not in servers
    workloads = _text(client.get(reverse("inventory:workload_list")))
    assert "2 x 10¹¹ tokens in 14 days" in workloads
    assert "e+" not in workloads


@pytest.mark.django_db
def test_the_history_shows_prices_with_their_currency(client, organization, viewer):
    site = SiteFactory(organization=organization, electricity_price_per_kwh=Decimal("0.1900"), currency="EUR")
    site.electricity_price_per_kwh = Decimal("0.1875")
    site.save()
    client.force_login(viewer)
    page = _text(client.get(reverse("inventory:site_history", args=[site.pk])))
    assert "€0.19 per kWh" in page
    assert "€0.1875 per kWh" in page
    assert "0.1900" not in page


def test_an_exchange_rate_is_shown_with_the_precision_the_conversion_used():
    from inventory.capacity import Input

    rate = Input("rate USD per EUR", 1.1172, "USD/EUR", "1 EUR = 1.1172 USD (ECB reference rate of 2026-10-30)")
    assert rate.shown == "1.1172 USD/EUR"
    assert f"{35556 / 1.1172:,.0f}" == "31,826"  # what the figure computed, reproducible from what is shown


def test_requests_in_flight_read_as_the_requests_figure_does():
    from inventory.capacity import InferenceWorkload, Pool, fit_inference, format_value
    from inventory.tests.test_capacity import H100_SXM, LLAMA31_8B

    fit = fit_inference(InferenceWorkload(LLAMA31_8B, "bf16", 500, 500, 200), Pool(H100_SXM, 64, "dc", None, 0))
    reason = next(text for text in fit.reasons if "requests in flight" in text)
    figure = format_value(fit.in_flight_requests, "requests")  # the figure "Requests in flight", as pages show it
    assert figure.endswith(" requests")
    assert f"; {figure} in flight" in reason
    assert "," in figure  # above a thousand: grouped like every other figure
