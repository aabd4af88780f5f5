"""A server's measured days on its page: a pure builder (daily p95 power against rated, utilization) with its
data table, handed to the inventory's server page by the reports app."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import ServerTelemetryDay, TelemetrySource
from inventory.tests.factories import ServerFactory, SiteFactory
from reports.charts import ServerDay, server_days


def test_power_bars_against_rated_and_utilization_lines_with_the_same_numbers_in_the_table():
    days = [
        ServerDay("2026-11-30", server_power_p95_w=7012.4, accelerator_power_p95_w=5088.0, utilization_mean_pct=81.4,
                  utilization_p95_pct=97.0),
        ServerDay("2026-12-01", server_power_p95_w=None, accelerator_power_p95_w=4100.6, utilization_mean_pct=61.6,
                  utilization_p95_pct=None),
    ]  # fmt: skip
    chart = server_days(days, rated_w=10_200.0, window="2026-11-26 to 2026-12-02")
    traces = {trace.name: trace for trace in chart.figure.data}
    assert list(traces) == [
        "Server power p95 (W)",
        "Accelerator power p95 (W)",
        "Rated power (W)",
        "Utilization mean (%)",
        "Utilization p95 (%)",
    ]
    assert list(traces["Server power p95 (W)"].y) == [7012, None]
    assert list(traces["Rated power (W)"].y) == [10200, 10200]
    assert traces["Utilization mean (%)"].yaxis == "y2"  # the 0-100 % axis on the right
    assert list(chart.figure.layout.yaxis2.range) == [0, 100]
    assert chart.table.rows == (
        ("2026-11-30", 7012, 5088, 10200, 81, 97),
        ("2026-12-01", None, 4101, 10200, 62, None),
    )
    assert "Window: 2026-11-26 to 2026-12-02 (UTC days)." in chart.how_to_read


def test_a_server_measured_by_dcgm_only_has_no_server_power_bars_and_without_days_no_chart():
    chart = server_days([ServerDay("2026-12-01", accelerator_power_p95_w=900.0, utilization_mean_pct=3.0)])
    assert [trace.name for trace in chart.figure.data] == ["Accelerator power p95 (W)", "Utilization mean (%)"]
    empty = server_days([])
    assert empty.figure is None
    assert empty.empty == "No measurements of this server in the window."


@pytest.mark.django_db
def test_the_server_page_draws_its_measured_days(client, organization, viewer):
    site = SiteFactory(organization=organization)
    measured = ServerFactory(organization=organization, site=site, hostname="gpu-busy", power_w=10_200)
    quiet = ServerFactory(organization=organization, site=site, hostname="gpu-new")
    day = timezone.now().date() - timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    ServerTelemetryDay.objects.create(
        organization=organization, server=measured, day=day, source=TelemetrySource.DCGM_SCRAPE,
        window_start=moment, window_end=moment, sample_count=1, utilization_mean_pct=64.0,
        utilization_p95_pct=90.0, accelerator_power_p95_w=4000.0, accelerator_power_max_w=4100.0,
    )  # fmt: skip
    client.force_login(viewer)
    page = client.get(reverse("inventory:server_detail", args=[measured.pk])).content.decode()
    assert 'data-chart="server-measured-days"' in page
    assert "vendor/plotly/plotly.min.js" in page  # the page loads the charts' scripts
    row = f'<th scope="row" class="fw-normal">{day.isoformat()}</th><td>—</td><td>4,000</td><td>10,200</td><td>64</td>'
    assert row in page  # no server power (DCGM only), accelerators' p95, rated 10,200 W, 64 % mean
    other = client.get(reverse("inventory:server_detail", args=[quiet.pk])).content.decode()
    assert "server-measured-days" not in other
    assert "vendor/plotly/plotly.min.js" not in other
