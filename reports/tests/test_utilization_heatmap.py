"""The measured utilization heatmap (hosts by day): a pure builder with its data table, on the energy page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import ServerTelemetryDay, TelemetrySource
from inventory.tests.factories import ServerFactory, SiteFactory
from reports.charts import HostDayUtilization, utilization_heatmap


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_the_heatmap_has_a_row_per_host_a_column_per_day_and_the_same_numbers_in_its_table():
    cells = [
        HostDayUtilization("gpu-a", "2026-11-30", 81.4, 97.0),
        HostDayUtilization("gpu-a", "2026-12-01", 78.6, 95.0),
        HostDayUtilization("gpu-b", "2026-12-01", 2.2, 4.0),
    ]
    chart = utilization_heatmap(cells, window="26 Nov to 02 Dec 2026 (UTC days)")
    trace = chart.figure.data[0]
    assert list(trace.x) == ["2026-11-30", "2026-12-01"]
    assert list(trace.y) == ["gpu-b", "gpu-a"]  # the busiest at the top
    assert [list(row) for row in trace.z] == [[None, 2], [81, 79]]
    assert chart.table.rows == (
        ("gpu-a", "2026-11-30", 81, 97),
        ("gpu-a", "2026-12-01", 79, 95),
        ("gpu-b", "2026-12-01", 2, 4),
    )
    assert "Window: 26 Nov to 02 Dec 2026" in chart.how_to_read
    assert chart.csv().splitlines()[0] == "Host,Day,Mean utilization (%),p95 utilization (%)"


def test_without_measurements_the_heatmap_says_what_to_do():
    chart = utilization_heatmap([])
    assert chart.figure is None
    assert "dcgm-exporter scrape" in chart.empty


@pytest.mark.django_db
def test_the_energy_page_shows_the_heatmap_of_measured_servers(owner_client, organization):
    site = SiteFactory(organization=organization)
    server = ServerFactory(organization=organization, site=site, hostname="gpu-busy")
    day = timezone.now().date() - timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    ServerTelemetryDay.objects.create(
        organization=organization,
        server=server,
        day=day,
        source=TelemetrySource.DCGM_SCRAPE,
        window_start=moment,
        window_end=moment,
        sample_count=1,
        utilization_mean_pct=64.0,
        utilization_p95_pct=90.0,
    )
    response = owner_client.get(reverse("reports:dashboard_energy"))
    page = response.content.decode()
    assert 'id="chart-utilization-heatmap"' in page
    assert "measured power where telemetry gives it" in page
    chart = response.context["charts"]["utilization"]
    assert chart.table.rows == (("gpu-busy", day.isoformat(), 64, 90),)
    csv = owner_client.get(reverse("reports:chart_csv", args=["energy", "utilization-heatmap"]))
    assert csv.status_code == 200
    assert "gpu-busy" in csv.content.decode()
