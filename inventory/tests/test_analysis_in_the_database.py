"""The inventory analysis aggregates in the database: one power rule as an SQL ladder, pools from grouped rows, a
scope applied in the SQL, money per currency, exact query counts at two fleet sizes, and a cached capacity page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import capacity, selectors
from inventory.analysis import Scope, analyse, analysis_of, shared_analysis
from inventory.facts import compute_facts
from inventory.models import AcceleratorType, ExchangeRate, Server
from inventory.tests.factories import CloudCapacityFactory, ServerFactory, SiteFactory, WorkloadFactory

pytestmark = pytest.mark.django_db

ANALYSIS_QUERIES = 5
"""Sites with their country's grid row; active servers grouped by site, accelerator type and power source; cloud
reservations; the accelerator types in use; the workloads with their model profiles."""
CAPACITY_PAGE_WARM = 6
"""Session, user, membership, the navigation's memberships, the what-if form's accelerator types and sites."""
COST_QUERIES = 4
"""The costs over the analysis (`analysis.costs_of`): the active servers' purchase costs, the reference rates, the
organization's rate overrides, its cloud capacity prices."""
CAPACITY_PAGE_COLD = CAPACITY_PAGE_WARM + ANALYSIS_QUERIES + COST_QUERIES
CAPACITY_API_COLD = 4 + ANALYSIS_QUERIES + COST_QUERIES
"""The token with its user and organization, the token's member check, its last use, the membership, then the
analysis and its costs."""


def l40s() -> AcceleratorType:
    return AcceleratorType.objects.get(organization=None, model="L40S")


def fleet(organization, servers: int) -> None:
    """``servers`` active servers over two sites in two currencies: H100 with recorded power, L40S without."""
    frankfurt = SiteFactory(
        organization=organization, name="Frankfurt", currency="EUR", electricity_price_per_kwh="0.20"
    )
    ashburn = SiteFactory(
        organization=organization, name="Ashburn", country="US", currency="USD", electricity_price_per_kwh="0.08"
    )
    rows = []
    for n in range(servers):
        h100 = n % 2 == 0
        rows.append(
            Server(
                organization=organization,
                site=frankfurt if n % 3 else ashburn,
                hostname=f"gpu-{n:05d}",
                accelerator_type=AcceleratorType.objects.get(organization=None, model="H100 SXM") if h100 else l40s(),
                accelerator_count=8 if h100 else 4,
                power_w=10_200 if h100 else None,
            )
        )
    Server.objects.bulk_create(rows)
    CloudCapacityFactory(organization=organization)
    WorkloadFactory(organization=organization, name="Chat")


# --------------------------------------------------------------------------------------------------
# The power rule
# --------------------------------------------------------------------------------------------------


def test_each_server_takes_the_first_rung_of_the_power_ladder(organization):
    site = SiteFactory(organization=organization, name="Lab")
    ServerFactory(organization=organization, site=site, hostname="recorded", power_w=9000)
    ServerFactory(organization=organization, site=site, hostname="zero", power_w=0)  # 0 W is not a reading
    ServerFactory(organization=organization, site=site, hostname="tdp", power_w=None)
    ServerFactory(
        organization=organization, site=site, hostname="cpu", accelerator_type=None, accelerator_count=0, power_w=None
    )
    watts, source = selectors.server_power_expression()
    rows = dict(
        Server.objects.filter(organization=organization).annotate(w=watts, s=source).values_list("hostname", "s")
    )
    assert rows == {"recorded": "recorded", "zero": "tdp", "tdp": "tdp", "cpu": "none"}
    drawn = dict(Server.objects.filter(organization=organization).annotate(w=watts).values_list("hostname", "w"))
    tdp = 8 * 700 * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
    assert drawn == {"recorded": 9000.0, "zero": pytest.approx(tdp), "tdp": pytest.approx(tdp), "cpu": 0.0}
    (footprint,) = analyse(organization=organization).sites
    assert footprint.power_sources == {"recorded": 1, "tdp": 2, "none": 1}
    assert footprint.it_power_kw == pytest.approx((9000 + 2 * tdp) / 1000)
    inputs = {i.name: i.value for i in next(f for f in footprint.figures if f.name == "it_power_kw").inputs}
    assert inputs == {
        "1 server, recorded server power": 9000.0,
        "2 servers, TDP x 1.821": pytest.approx(2 * tdp),
        "1 server, no power known": 0.0,
    }


def test_the_ladder_is_the_one_rule_of_the_overview_the_facts_and_the_analysis(organization):
    site = SiteFactory(organization=organization, name="Lab", power_capacity_kw=100.0)
    ServerFactory(organization=organization, site=site, power_w=None)
    ServerFactory(organization=organization, site=site, power_w=6500)
    expected_kw = (8 * 700 * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR + 6500) / 1000
    (overview,) = selectors.inventory_overview(organization=organization).power_by_site
    assert overview.rated_power_kw == pytest.approx(expected_kw)
    assert analyse(organization=organization).sites[0].it_power_kw == pytest.approx(expected_kw)
    facts = compute_facts(organization=organization)
    assert facts["power_headroom_pct"].value == pytest.approx(100 * (100 - expected_kw) / 100)


def test_pools_come_from_grouped_rows_with_the_same_numbers(organization):
    fleet(organization, 12)
    summary = analyse(organization=organization)
    pools = {p.label: p for p in summary.pools if p.site is not None}
    # Frankfurt: servers 2, 4, 8, 10 (H100 at 10.2 kW) and 1, 5, 7, 11 (L40S without recorded power);
    # Ashburn: 0, 6 (H100) and 3, 9 (L40S)
    assert set(pools) == {
        "32 x NVIDIA H100 SXM at Frankfurt",
        "16 x NVIDIA L40S at Frankfurt",
        "16 x NVIDIA H100 SXM at Ashburn",
        "8 x NVIDIA L40S at Ashburn",
    }
    assert len(summary.pools) == 5  # and the cloud reservation
    frankfurt_h100 = pools["32 x NVIDIA H100 SXM at Frankfurt"].pool
    assert frankfurt_h100.server_power_w_per_accelerator == pytest.approx(10_200 / 8)
    assert frankfurt_h100.power_source == "recorded server power (4 of 4 servers)"
    assert pools["16 x NVIDIA L40S at Frankfurt"].pool.server_power_w_per_accelerator is None  # TDP x 1.821
    frankfurt = next(s for s in summary.sites if s.site.name == "Frankfurt")
    l40s_w = 4 * l40s().tdp_w * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
    assert frankfurt.it_power_kw == pytest.approx((4 * 10_200 + 4 * l40s_w) / 1000)
    assert frankfurt_h100.site_power_draw_kw == pytest.approx(4 * l40s_w / 1000)  # the site's draw besides the pool
    assert summary.accelerators == 32 + 16 + 16 + 8


def test_a_scope_is_applied_in_the_sql(organization):
    fleet(organization, 6)
    whole = analyse(organization=organization)
    frankfurt = next(s for s in whole.sites if s.site.name == "Frankfurt")
    other = WorkloadFactory(organization=organization, name="Other")
    scope = Scope.of(sites=[frankfurt.site.pk], workloads=[other.pk], cloud_capacity=[])
    with CaptureQueriesContext(connection) as queries:
        summary = analyse(organization=organization, scope=scope)
    assert len(queries) == ANALYSIS_QUERIES - 1  # no cloud reservation in scope: Django runs no query for it
    assert [s.site.name for s in summary.sites] == ["Frankfurt"]
    assert all(p.site is not None and p.site.name == "Frankfurt" for p in summary.pools)
    assert [v.workload.name for v in summary.verdicts] == ["Other"]
    assert summary.scope == scope
    assert summary.scope.key != "all"


# --------------------------------------------------------------------------------------------------
# Money per currency
# --------------------------------------------------------------------------------------------------


def test_money_is_totalled_per_currency_never_across(organization):
    fleet(organization, 6)
    summary = analyse(organization=organization)
    assert set(summary.total.by_currency) == {"EUR", "USD"}
    assert not hasattr(summary.total, "cost_per_month")  # no sum of euros and dollars to read by mistake
    for currency, cost in summary.total.costs:
        assert cost == pytest.approx(sum(s.footprint.cost_per_month for s in summary.sites if s.currency == currency))
    costs = [f for f in summary.figures if f.name.startswith("cost_per_month_")]
    assert {f.unit for f in costs} == {"EUR/month", "USD/month"}
    assert summary.monthly_cost_per_accelerator is None
    # The fact is in the reporting currency (EUR by default): the dollars converted at the ECB rate, never added.
    fact = compute_facts(organization=organization)["monthly_cost_per_accelerator"]
    usd_per_eur = float(ExchangeRate.objects.filter(currency="USD").latest("date").rate_per_eur)
    euros = (
        summary.total.by_currency["EUR"].cost_per_month + summary.total.by_currency["USD"].cost_per_month / usd_per_eur
    )
    assert fact.unit == "EUR/month"
    assert fact.value == pytest.approx(euros / summary.accelerators)
    assert "1 EUR = " in fact.explanation
    assert "energy only" in fact.explanation
    naive = sum(cost for _, cost in summary.total.costs) / summary.accelerators
    assert fact.value != pytest.approx(naive)


def test_one_currency_gives_the_cost_per_accelerator_in_that_currency(organization):
    site = SiteFactory(organization=organization, currency="EUR", electricity_price_per_kwh="0.20", pue=1.5)
    ServerFactory(organization=organization, site=site)  # 10.2 kW, 8 accelerators
    fact = compute_facts(organization=organization)["monthly_cost_per_accelerator"]
    assert fact.unit == "EUR/month"
    assert fact.value == pytest.approx(10.2 * 1.5 * 730 * 0.20 / 8)
    assert "EUR" in fact.explanation


def test_a_site_without_a_price_has_no_cost_not_zero(organization):
    ServerFactory(organization=organization, site=SiteFactory(organization=organization, name="Lab"))
    summary = analyse(organization=organization)
    assert summary.sites[0].cost_per_month is None
    assert summary.total.by_currency == {}
    assert summary.total.unpriced_sites == ("Lab",)
    assert summary.monthly_cost_per_accelerator is None


# --------------------------------------------------------------------------------------------------
# Exact query counts at two fleet sizes
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("servers", [2, 60])
def test_the_analysis_runs_five_queries_whatever_the_fleet(organization, servers):
    fleet(organization, servers)
    with CaptureQueriesContext(connection) as queries:
        summary = analyse(organization=organization)
    assert len(queries) == ANALYSIS_QUERIES
    assert summary.accelerators == sum(8 if n % 2 == 0 else 4 for n in range(servers))
    assert not any("nvidia_smi_names" in q["sql"] for q in queries)  # the type's JSON column is not read
    assert sum("GROUP BY" in q["sql"] for q in queries) == 1


@pytest.mark.parametrize("servers", [2, 60])
def test_the_capacity_page_and_api_cost_the_same_at_any_size(client, api_client_for, organization, viewer, servers):
    fleet(organization, servers)
    client.force_login(viewer)
    url = reverse("inventory:capacity")
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert (len(cold), len(warm)) == (CAPACITY_PAGE_COLD, CAPACITY_PAGE_WARM)
    cache.clear()
    api = api_client_for(viewer, organization)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(reverse("api:capacity:summary")).status_code == 200
    assert len(queries) == CAPACITY_API_COLD


def test_the_capacity_page_is_built_again_after_a_change(client, organization, viewer):
    site = SiteFactory(organization=organization, name="Lab")
    server = ServerFactory(organization=organization, site=site)
    client.force_login(viewer)
    url = reverse("inventory:capacity")
    assert client.get(url).context["summary"].accelerators == 8
    assert client.get(url).context["summary"].accelerators == 8  # from the cache
    server.accelerator_count = 4
    server.save()  # raises the organization's data version
    assert client.get(url).context["summary"].accelerators == 4


def test_a_what_if_is_analysed_beside_the_cached_recorded_inventory(client, organization, viewer):
    fleet(organization, 4)
    client.force_login(viewer)
    url = reverse("inventory:capacity")
    client.get(url)  # the recorded inventory, cached
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"pue": "1.6"})
    assert page.context["baseline"] is not None
    assert page.context["what_if"].pue == 1.6
    # the fleet's grouped read (by site, type and power source), for the what-if only: the baseline is the cached one
    assert sum("GROUP BY" in q["sql"] and "power_source" in q["sql"] for q in queries) == 1


def test_analysis_of_is_cached_by_data_version(organization):
    fleet(organization, 2)
    first = analysis_of(organization=organization)
    with CaptureQueriesContext(connection) as queries:
        again = analysis_of(organization=organization)
    assert len(queries) == 0
    assert again.accelerators == first.accelerators


# --------------------------------------------------------------------------------------------------
# Once per task
# --------------------------------------------------------------------------------------------------


def test_within_a_shared_analysis_the_fleet_is_read_once(organization):
    fleet(organization, 4)
    with CaptureQueriesContext(connection) as queries, shared_analysis():
        first = analyse(organization=organization)
        facts = compute_facts(organization=organization)
        again = analyse(organization=organization)
    assert again is first
    assert "average_pue" in facts
    # the fleet's grouped read (by site, type and power source): once; the costs group the servers by purchase
    # batch, the facts' measured-telemetry read the daily summaries
    assert sum("GROUP BY" in q["sql"] and "power_source" in q["sql"] for q in queries) == 1
    with CaptureQueriesContext(connection) as outside:
        analyse(organization=organization)
    assert len(outside) == ANALYSIS_QUERIES  # nothing outlives the block


def test_an_organization_without_sites_has_no_figures_to_show(organization):
    summary = analyse(organization=organization)
    assert summary.sites == []
    assert summary.figures == ()
    assert summary.total.costs == ()
    assert summary.monthly_cost_per_accelerator is None
