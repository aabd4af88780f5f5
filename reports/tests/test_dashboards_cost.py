"""What a cold home page costs (exact query counts), and the trend's date axis framed on the plain dict as plotly's
``update_xaxes`` framed it on the figure."""

from __future__ import annotations

import datetime
import json

import plotly.io as pio
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import dashboards
from reports.charts import TrendPoint, trend

from .dashboard_data import scored_assessment, servers, site

OVERVIEW_COLD = 13
"""Session, user, membership, member count, the user's organizations (5, as on every page); what is assigned to
the user (1, "assigned to me", never cached); the latest scored
assessment with its result (1), the previous one with its result and the scores of both (2), the top roadmap
items (1), the trend's assessments with their results and their scores (2), whether there are servers (1)."""
OVERVIEW_WARM = 6


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_cold_home_page_runs_a_fixed_number_of_queries(client, organization, owner):
    client.force_login(owner)
    frankfurt = site(organization)
    servers(organization, 1, at=frankfurt)
    first = scored_assessment(organization, owner, title="First")
    cache.clear()
    assert _queries(client, "/") == OVERVIEW_COLD
    assert _queries(client, "/") == OVERVIEW_WARM
    scored_assessment(organization, owner, previous=first)
    servers(organization, 20, at=frankfurt)
    cache.clear()
    assert _queries(client, "/") == OVERVIEW_COLD
    assert _queries(client, "/") == OVERVIEW_WARM
    # the home page builds only its own charts; the assessment's dashboard is built when visited
    overview = client.get("/").context["overview"]
    assert set(overview.charts) == {"indicator", "radar", "area_bars", "trend"}
    assert overview.readiness.previous_index is not None


def _points(count: int) -> list[TrendPoint]:
    start = datetime.date(2025, 1, 10)
    return [
        TrendPoint(f"Review {n}", start + datetime.timedelta(days=40 * n), 30.0 + n, {"Power": 20.0 + n})
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 3, dashboards.TREND_TICKS + 4])
def test_the_trend_axis_is_framed_as_update_xaxes_framed_it(count):
    points = _points(count)
    expected = trend(points).figure
    dates = sorted({point.date for point in points})
    pad = max(datetime.timedelta(days=15), (dates[-1] - dates[0]) / 10)
    expected.update_xaxes(range=[(dates[0] - pad).isoformat(), (dates[-1] + pad).isoformat()])
    if len(dates) <= dashboards.TREND_TICKS:
        expected.update_xaxes(tickvals=[day.isoformat() for day in dates], tickformat="%-d %b %Y")
    framed = dashboards._trend(points).figure
    assert framed == json.loads(pio.to_json(expected, validate=False))
    assert framed["layout"]["xaxis"]["range"][0] == (dates[0] - pad).isoformat()
    assert ("tickvals" in framed["layout"]["xaxis"]) == (count <= dashboards.TREND_TICKS)
