"""Measured rungs of the power ladder: Redfish whole-server power, DCGM accelerator power plus the non-accelerator
share, then the server model's maximum draw, recorded power and TDP; every figure says which rung it used, in SQL
at a constant number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory import capacity, selectors
from inventory.analysis import analyse
from inventory.models import Server, ServerModel, ServerTelemetryDay, TelemetrySource
from inventory.tests.factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db

TDP = 8 * 700 * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
SHARE = 8 * 700 * selectors.NON_ACCELERATOR_SHARE


def measured(server, *, days_ago=1, source=TelemetrySource.REDFISH, **figures):
    day = timezone.now().date() - timedelta(days=days_ago)
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return ServerTelemetryDay.objects.create(
        organization=server.organization,
        server=server,
        day=day,
        source=source,
        window_start=moment,
        window_end=moment,
        sample_count=12,
        **figures,
    )


def ladder_fleet(organization):
    site = SiteFactory(organization=organization, name="Lab", power_capacity_kw=200.0)
    model = ServerModel.objects.create(
        organization=organization,
        vendor="Acme",
        model="GPU-8",
        power_ports=[{"name": f"PSU {i}", "type": "iec-60320-c20", "maximum_draw": 3000} for i in range(6)],
    )
    assert model.max_draw_w == 9000  # N+N: 3 of 6 x 3000 W
    redfish = ServerFactory(organization=organization, site=site, hostname="redfish", power_w=None)
    measured(redfish, server_power_p50_w=5000, server_power_p95_w=6000, server_power_max_w=6500)
    measured(redfish, days_ago=3, server_power_p50_w=5000, server_power_p95_w=6400, server_power_max_w=7000)
    measured(redfish, days_ago=20, server_power_p95_w=9999)  # outside the window
    dcgm = ServerFactory(organization=organization, site=site, hostname="dcgm", power_w=10_200)
    measured(dcgm, source=TelemetrySource.DCGM_SCRAPE, accelerator_power_p95_w=3000)
    old = ServerFactory(organization=organization, site=site, hostname="old", power_w=10_200)
    measured(old, days_ago=9, source=TelemetrySource.DCGM_SCRAPE, accelerator_power_p95_w=3000)
    ServerFactory(organization=organization, site=site, hostname="model", power_w=None, server_model=model)
    ServerFactory(organization=organization, site=site, hostname="tdp", power_w=None)
    return site


def test_each_server_takes_the_first_rung_measured_first(organization):
    ladder_fleet(organization)
    watts, source = selectors.server_power_expression()
    rows = {
        row["hostname"]: (row["s"], row["w"])
        for row in Server.objects.filter(organization=organization)
        .annotate(w=watts, s=source)
        .values("hostname", "s", "w")
    }
    assert rows["redfish"] == ("measured_server", 6400.0)  # the highest daily p95 of the window
    assert rows["dcgm"][0] == "measured_accelerators"
    assert rows["dcgm"][1] == pytest.approx(3000 + SHARE)
    assert rows["old"] == ("recorded", 10_200.0)  # its measurement is older than the window
    assert rows["model"] == ("server_model", 9000.0)
    assert rows["tdp"][0] == "tdp"
    assert rows["tdp"][1] == pytest.approx(TDP)


def test_the_ladder_without_its_measured_rungs_gives_unmeasured_servers_the_same_figures(organization):
    ladder_fleet(organization)
    full = selectors.server_power_expression()
    rated = selectors.server_power_expression(measured=False)
    unmeasured = Server.objects.filter(organization=organization).filter(~selectors.has_measured_power())
    assert sorted(unmeasured.values_list("hostname", flat=True)) == ["model", "old", "tdp"]  # "old": out of window
    both = unmeasured.annotate(w=full[0], s=full[1], rw=rated[0], rs=rated[1]).values_list("w", "s", "rw", "rs")
    for watts, source, rated_watts, rated_source in both:
        assert (rated_watts, rated_source) == (watts, source)


def test_a_measured_server_on_a_rated_rung_joins_the_group_of_the_unmeasured(organization):
    site = SiteFactory(organization=organization, name="Lab")
    # DCGM power without accelerators: the measured rung needs them, so the recorded rung applies.
    odd = ServerFactory(organization=organization, site=site, power_w=1000, accelerator_count=0)
    measured(odd, source=TelemetrySource.DCGM_SCRAPE, accelerator_power_p95_w=50)
    ServerFactory(organization=organization, site=site, power_w=500, accelerator_count=0)
    (group,) = selectors.fleet_groups(organization=organization)
    assert (group.power_source, group.servers, group.watts) == ("recorded", 2, 1500.0)


def test_the_site_footprint_says_which_rung_and_sets_measured_beside_rated(organization):
    ladder_fleet(organization)
    with CaptureQueriesContext(connection) as queries:
        summary = analyse(organization=organization)
    assert len(queries) == 5  # as without telemetry: the measured rungs are subqueries of the grouped read
    (site,) = summary.sites
    assert site.power_sources == {
        "measured_server": 1,
        "measured_accelerators": 1,
        "recorded": 1,
        "server_model": 1,
        "tdp": 1,
    }
    assert site.power_sources_in_words == (
        "1 server measured (Redfish), 7-day p95; 1 server measured accelerators (DCGM), 7-day p95 + "
        "non-accelerator share; 1 server recorded server power; 1 server server model's maximum draw; "
        "1 server TDP x 1.821"
    )
    assert site.it_power_kw == pytest.approx((6400 + 3000 + SHARE + 10_200 + 9000 + TDP) / 1000)
    # rated: the redfish server on TDP (no recorded power), dcgm on its recorded 10.2 kW
    assert site.rated_it_power_kw == pytest.approx((TDP + 10_200 + 10_200 + 9000 + TDP) / 1000)
    assert site.measured_it_power_kw == pytest.approx((6400 + 3000 + SHARE) / 1000)
    assert site.measured_rated_kw == pytest.approx((TDP + 10_200) / 1000)
    assert site.measured_vs_rated_pct == pytest.approx(100 * (6400 + 3000 + SHARE) / (TDP + 10_200))
    inputs = {i.name: i for i in next(f for f in site.figures if f.name == "it_power_kw").inputs}
    assert inputs["1 server, measured (Redfish), 7-day p95"].value == 6400.0
    assert "BMC over Redfish" in inputs["1 server, measured (Redfish), 7-day p95"].origin
    assert "1 server, server model's maximum draw" in inputs
    assert summary.measured_servers == 2
    assert summary.power_sources_in_words.startswith("1 server measured (Redfish), 7-day p95")


def test_the_overview_reads_the_same_ladder(organization):
    ladder_fleet(organization)
    (row,) = selectors.inventory_overview(organization=organization).power_by_site
    site = analyse(organization=organization).sites[0]
    assert row.power_kw == pytest.approx(site.it_power_kw)
    assert row.rated_power_kw == pytest.approx(site.rated_it_power_kw)


def test_a_pool_of_measured_servers_takes_their_measured_power_per_accelerator(organization):
    site = SiteFactory(organization=organization, name="Lab")
    server = ServerFactory(organization=organization, site=site, power_w=None)
    measured(server, server_power_p95_w=8000)
    ServerFactory(organization=organization, site=site, power_w=None)
    (pool,) = [p for p in analyse(organization=organization).pools if p.site is not None]
    assert pool.pool.server_power_w_per_accelerator == pytest.approx((8000 + TDP) / 16)
    assert pool.pool.power_source == "measured (Redfish), 7-day p95 (1 of 2 servers; TDP x 1.821 for the other 1)"


def test_query_count_does_not_grow_with_measured_servers(organization):
    site = SiteFactory(organization=organization)
    for n in range(6):
        server = ServerFactory(organization=organization, site=site)
        measured(server, server_power_p95_w=7000 + n)
        measured(server, days_ago=2, accelerator_power_p95_w=4000, source=TelemetrySource.PROMETHEUS)
    with CaptureQueriesContext(connection) as queries:
        summary = analyse(organization=organization)
    assert len(queries) == 5
    assert summary.power_sources == {"measured_server": 6}


# --------------------------------------------------------------------------------------------------
# Facts from measured telemetry
# --------------------------------------------------------------------------------------------------


def test_measured_facts_utilization_idle_tensor_and_power(organization):
    from inventory.facts import FACTS, compute_facts

    site = SiteFactory(organization=organization)
    busy = ServerFactory(organization=organization, site=site, power_w=10_200)  # 8 GPUs
    idle = ServerFactory(organization=organization, site=site, power_w=10_200, accelerator_count=4)
    ServerFactory(organization=organization, site=site)  # 8 GPUs without telemetry
    for days_ago, util in ((1, 70.0), (2, 50.0)):
        measured(
            busy,
            days_ago=days_ago,
            source=TelemetrySource.PROMETHEUS,
            utilization_mean_pct=util,
            utilization_p95_pct=90.0,
            tensor_active_mean_pct=30.0,
            accelerator_power_p95_w=4000.0,
        )
    measured(idle, source=TelemetrySource.PROMETHEUS, utilization_mean_pct=3.0, utilization_p95_pct=6.0)
    measured(idle, server_power_p95_w=5100.0)
    measured(idle, days_ago=12, source=TelemetrySource.PROMETHEUS, utilization_mean_pct=100.0)  # outside
    facts = compute_facts(organization=organization)
    assert facts["measured_accelerators_pct"].value == pytest.approx(100 * 12 / 20)
    assert facts["measured_utilization_mean_pct"].value == pytest.approx((8 * 60 + 4 * 3) / 12)
    assert facts["measured_utilization_p95_pct"].value == pytest.approx((8 * 90 + 4 * 6) / 12)
    assert facts["idle_accelerators_pct"].value == pytest.approx(100 * 4 / 12)
    assert facts["tensor_active_mean_pct"].value == pytest.approx(30.0)
    measured_w = 4000 + SHARE + 5100
    assert facts["measured_vs_rated_power_pct"].value == pytest.approx(100 * measured_w / 20_400)
    assert "4 of 12 measured accelerators averaged under 5%" in facts["idle_accelerators_pct"].explanation
    for name in ("measured_utilization_mean_pct", "idle_accelerators_pct", "measured_vs_rated_power_pct"):
        assert FACTS[name].unit == "%"
        assert FACTS[name].meaning


def test_without_telemetry_only_the_coverage_fact_is_there_at_zero(organization):
    from inventory.facts import compute_facts

    ServerFactory(organization=organization)
    facts = compute_facts(organization=organization)
    assert facts["measured_accelerators_pct"].value == 0
    assert "no measured telemetry" in facts["measured_accelerators_pct"].explanation
    for name in ("measured_utilization_mean_pct", "idle_accelerators_pct", "measured_vs_rated_power_pct"):
        assert name not in facts


def test_mixed_gpu_servers_count_every_gpu_in_its_own_pool(organization):
    from inventory.models import AcceleratorType, ServerGpu

    site = SiteFactory(organization=organization, name="Lab")
    h100 = AcceleratorType.objects.get(organization=None, model="H100 SXM")
    a100 = AcceleratorType.objects.get(organization=None, model="A100 SXM 80GB")
    mixed = ServerFactory(organization=organization, site=site, accelerator_type=h100, accelerator_count=4)
    for position in range(6):
        ServerGpu.objects.create(
            organization=organization,
            server=mixed,
            position=position,
            accelerator_type=h100 if position < 4 else a100,
            name="NVIDIA H100 80GB HBM3" if position < 4 else "NVIDIA A100-SXM4-80GB",
        )
    with CaptureQueriesContext(connection) as queries:
        summary = analyse(organization=organization)
    assert len(queries) == 5  # the GPU records come in the grouped read (UNION ALL)
    (footprint,) = summary.sites
    assert footprint.accelerators == 6
    assert footprint.servers == 1
    assert footprint.power_sources == {"recorded": 1}
    assert footprint.it_power_kw == pytest.approx(10.2)  # the server's power once
    pools = {p.label: p for p in summary.pools}
    assert set(pools) == {"4 x NVIDIA H100 SXM at Lab", "2 x NVIDIA A100 SXM 80GB at Lab"}
    assert "2 in mixed-GPU servers" in pools["2 x NVIDIA A100 SXM 80GB at Lab"].origins.pool
    assert summary.accelerators == 6


def test_the_server_page_shows_its_power_in_the_model_and_its_measured_days(client, organization, viewer):
    from django.urls import reverse

    site = SiteFactory(organization=organization)
    server = ServerFactory(organization=organization, site=site, power_w=10_200)
    measured(server, server_power_p50_w=6000, server_power_p95_w=7650, server_power_max_w=8000)
    measured(
        server,
        source=TelemetrySource.DCGM_SCRAPE,
        utilization_mean_pct=71.4,
        utilization_p95_pct=96.0,
        tensor_active_mean_pct=33.0,
        accelerator_power_p95_w=5200,
        accelerator_power_max_w=5400,
    )
    other = ServerFactory(organization=organization, site=site, power_w=None)
    client.force_login(viewer)
    page = client.get(reverse("inventory:server_detail", args=[server.pk])).content.decode()
    assert (
        'id="server-power-in-model">7,650 W</strong>, measured (Redfish), 7-day p95 (75% of its rated 10,200 W)' in page
    )
    day = (timezone.now().date() - timedelta(days=1)).isoformat()
    assert f'<th scope="row" class="fw-normal">{day}</th>' in page
    assert "71" in page
    assert "5,200" in page
    page = client.get(reverse("inventory:server_detail", args=[other.pk])).content.decode()
    assert "TDP x 1.821" in page
    assert "No measured telemetry from" in page
