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

from reports import dashboards, selectors
from reports.charts import TrendPoint, trend

from .dashboard_data import scored_assessment, servers, site

OVERVIEW_COLD = 10
"""Session, user, membership, member count, the user's organizations (5, as on every page); what is assigned to
the user (1, "assigned to me", never cached); every scored assessment with its result, and their scores (2: the
trend's points, and the latest with the one it is compared with), the top roadmap items (1), whether there are
servers (1). Issue 16's goal: 12 or fewer."""
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


def _agrees_with_the_selectors(organization) -> None:
    latest, results = selectors.headline_with_results(selectors.scored_with_results(organization=organization))
    expected = selectors.headline_assessment(organization=organization)
    assert latest.pk == expected.pk
    reference = selectors.results_of(assessment=expected)
    assert results.current == reference.current
    assert results.previous == reference.previous
    assert results.previous_title == reference.previous_title


@pytest.mark.django_db
def test_the_latest_and_its_previous_read_from_the_trend_are_those_of_the_selectors(organization, owner):
    assert selectors.headline_with_results([]) == (None, selectors.Results(None))
    first = scored_assessment(organization, owner, title="First")
    _agrees_with_the_selectors(organization)  # no previous one
    second = scored_assessment(organization, owner, title="Second")
    _agrees_with_the_selectors(organization)  # the last one submitted before it
    again = scored_assessment(organization, owner, previous=first)  # re-assesses the first, not the second
    latest, results = selectors.headline_with_results(selectors.scored_with_results(organization=organization))
    assert latest.pk == again.pk
    assert results.previous_title == "First"
    _agrees_with_the_selectors(organization)
    type(second).objects.filter(pk__in=[first.pk, second.pk, again.pk]).update(submitted_at=again.submitted_at)
    _agrees_with_the_selectors(organization)  # one instant: the highest id is the latest


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
