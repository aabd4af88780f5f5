"""A result is compared only with the latest earlier result of an assessment of the same scope (the same sites,
workloads and cloud reservations, or both the whole organization): never a Munich-only check with a
whole-organization review. Where none exists, no change is shown."""

from __future__ import annotations

import pytest

from assessments import services
from assessments.models import Assessment
from assessments.tests.factories import answer_all, good_value, low_value, weak_value
from inventory.analysis import WHOLE_ORGANIZATION
from reports import selectors

from .dashboard_data import scored_assessment, site

pytestmark = pytest.mark.django_db


def _compared_with(assessment: Assessment) -> str | None:
    """The title the assessment's result is compared with, by both selectors (which must agree)."""
    by_query = selectors.results_of(assessment=assessment).previous_title
    headline, results = selectors.headline_with_results(
        selectors.scored_with_results(organization=assessment.organization)
    )
    if headline.pk == assessment.pk:
        assert results.previous_title == by_query
    return by_query


def test_the_scope_key_follows_the_sites_workloads_and_clouds_it_names(organization, owner):
    munich = site(organization, name="Munich Lab")
    whole = scored_assessment(organization, owner, title="Whole")
    assert whole.scope_key == WHOLE_ORGANIZATION.key == "all"
    scoped = scored_assessment(organization, owner, title="Munich", sites=[munich])
    assert scoped.scope_key == scoped.analysis_scope.key == f"s{munich.pk}-w*-c"
    draft = services.assessment_create(organization=organization, framework=None, title="Draft", user=owner)
    services.assessment_update(assessment=draft, changes={"sites": [munich]})
    draft.refresh_from_db()
    assert draft.scope_key == scoped.scope_key
    services.assessment_update(assessment=draft, changes={"sites": []})
    draft.refresh_from_db()
    assert draft.scope_key == "all"


def test_a_scoped_result_is_not_compared_with_a_whole_organization_one(organization, owner):
    munich = site(organization, name="Munich Lab")
    scored_assessment(organization, owner, title="Autumn readiness review", value=good_value)
    check = scored_assessment(organization, owner, title="Munich only check", value=low_value, sites=[munich])
    assert _compared_with(check) is None
    readiness = selectors.readiness_of(assessment=check)
    assert readiness.previous_index is None
    assert readiness.change is None
    assert readiness.previous_title is None
    assert all(area.previous is None for area in selectors.area_scores(assessment=check))


def test_each_scope_is_compared_with_its_own_latest_earlier_result(organization, owner):
    munich = site(organization, name="Munich Lab")
    berlin = site(organization, name="Berlin")
    scored_assessment(organization, owner, title="Spring baseline")
    scored_assessment(organization, owner, title="Munich in spring", sites=[munich])
    scored_assessment(organization, owner, title="Berlin in spring", sites=[berlin])
    scored_assessment(organization, owner, title="Munich and Berlin", sites=[munich, berlin])
    autumn = scored_assessment(organization, owner, title="Autumn review")
    assert _compared_with(autumn) == "Spring baseline"
    munich_again = scored_assessment(organization, owner, title="Munich in autumn", sites=[munich])
    assert _compared_with(munich_again) == "Munich in spring"


def test_a_reassessment_of_another_scope_is_not_its_comparison(organization, owner):
    munich = site(organization, name="Munich Lab")
    baseline = scored_assessment(organization, owner, title="Baseline")
    scored_assessment(organization, owner, title="Later whole")
    reassessed = services.assessment_reassess(previous=baseline, user=owner)
    services.assessment_update(assessment=reassessed, changes={"sites": [munich]})
    answer_all(reassessed, owner, weak_value)
    services.assessment_submit(assessment=reassessed, user=owner)
    reassessed.refresh_from_db()
    assert reassessed.previous_id == baseline.pk
    assert _compared_with(reassessed) is None
    # the same scope: the assessment it re-assesses comes first, as before
    again = scored_assessment(organization, owner, previous=baseline)
    assert again.scope_key == "all"
    assert _compared_with(again) == "Baseline"


def test_the_migration_gives_existing_assessments_their_scope_key(organization, owner):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0014_assessment_scope_key")
    munich = site(organization, name="Munich Lab")
    whole = scored_assessment(organization, owner, title="Whole")
    scoped = scored_assessment(organization, owner, title="Munich", sites=[munich])
    expected = {whole.pk: "all", scoped.pk: scoped.analysis_scope.key}
    Assessment.objects.update(scope_key="all")
    migration.fill_scope_keys(apps, None)
    assert dict(Assessment.objects.values_list("pk", "scope_key")) == expected


def _figure(chart) -> dict:
    """The chart's figure as a plain dict (the dashboards cache it so)."""
    return chart.figure if isinstance(chart.figure, dict) else chart.figure.to_plotly_json()


def _annotations(chart) -> list[str]:
    return [annotation["text"] for annotation in _figure(chart)["layout"].get("annotations", ())]


def test_the_gauge_and_the_radar_name_what_they_compare_with(organization, owner):
    from reports import dashboards

    munich = site(organization, name="Munich Lab")
    scored_assessment(organization, owner, title="Spring baseline", value=good_value)
    first = scored_assessment(organization, owner, title="Munich in spring", sites=[munich])
    second = scored_assessment(organization, owner, title="Munich in autumn", value=low_value, sites=[munich])

    charts = dashboards.assessment_charts(assessment=second)
    gauge, radar = charts["indicator"], charts["radar"]
    assert "Change since Munich in spring" in _annotations(gauge)
    assert "since Munich in spring, the last earlier one of the same scope" in gauge.how_to_read
    assert gauge.table.columns[-1] == "Compared with"
    assert gauge.table.rows[0][-1] == "Munich in spring"
    names = [trace["name"] for trace in _figure(radar)["data"]]
    assert "Previous: Munich in spring" in names
    assert "Previous: Munich in spring (0-100)" in radar.table.columns

    charts = dashboards.assessment_charts(assessment=first)  # the first of its scope: nothing to compare with
    gauge, radar = charts["indicator"], charts["radar"]
    assert _annotations(gauge) == []
    assert _figure(gauge)["data"][0]["mode"] == "gauge+number"
    assert "No earlier assessment of the same scope" in gauge.how_to_read
    assert gauge.table.rows[0][-3:] == (None, None, None)
    assert not [trace for trace in _figure(radar)["data"] if trace["name"].startswith("Previous")]


def test_the_pages_name_the_comparison_or_say_there_is_none(client, organization, owner):
    munich = site(organization, name="Munich Lab")
    scored_assessment(organization, owner, title="Autumn readiness review", value=good_value)
    check = scored_assessment(organization, owner, title="Munich only check", value=low_value, sites=[munich])
    client.force_login(owner)
    for url in ("/", f"/reports/assessments/{check.pk}/"):
        page = client.get(url).content.decode()
        assert "(no earlier assessment of the same scope to compare with)" in page, url
        assert "since Autumn readiness review" not in page, url
    again = scored_assessment(organization, owner, title="Munich again", sites=[munich])
    page = client.get(f"/reports/assessments/{again.pk}/").content.decode()
    assert "points since Munich only check" in page
    assert "no earlier assessment" not in page
    # The home page headlines the whole organization's review (test_home_headline), never a Munich check.
    overview = client.get("/").context["overview"]
    assert overview.headline.title == "Autumn readiness review"
    assert [other.title for other in overview.headline.later] == ["Munich again", "Munich only check"]


def test_the_trend_draws_one_index_line_per_scope_the_whole_organization_first():
    import datetime

    from reports.charts import TrendPoint, trend

    munich = f"s{7}-w*-c"
    points = [
        TrendPoint("Spring baseline", datetime.date(2025, 3, 1), 60.0, {"Power": 50.0}),
        TrendPoint("Munich only check", datetime.date(2025, 10, 1), 27.9, {"Power": 20.0}, munich, "Munich Lab"),
        TrendPoint("Autumn review", datetime.date(2025, 10, 1), 73.4, {"Power": 70.0}),
    ]
    chart = trend(points)
    index_lines = [trace for trace in chart.figure.data if trace.name.startswith("Readiness index")]
    assert [trace.name for trace in index_lines] == [
        "Readiness index: whole organization",
        "Readiness index: Munich Lab",
    ]
    whole, scoped = index_lines
    assert whole.y == (60.0, 73.4)  # never 73.4 then 27.9 on one line
    assert scoped.y == (27.9,)
    assert scoped.line.dash == "dash"
    power = [trace for trace in chart.figure.data if trace.name == "Power"]
    assert power[0].y == (50.0, 70.0)  # the areas of the whole organization's assessments
    assert "Each scope has its own readiness index line" in chart.how_to_read
    assert chart.table.rows == (
        ("Spring baseline", "whole organization", "2025-03-01", 60.0, 50.0),
        ("Munich only check", "Munich Lab", "2025-10-01", 27.9, 20.0),
        ("Autumn review", "whole organization", "2025-10-01", 73.4, 70.0),
    )


def test_the_trend_page_names_each_scope_by_its_sites_in_a_fixed_number_of_queries(client, organization, owner):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_dashboards_queries import ASSESSMENT_COLD

    def cold(url: str) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(owner)
    munich = site(organization, name="Munich Lab")
    berlin = site(organization, name="Berlin")
    scored_assessment(organization, owner, title="Spring baseline")
    scored_assessment(organization, owner, title="Munich only check", sites=[munich])
    one = (cold("/"), cold("/reports/trend/"))
    # the names of the scopes' sites: one query more than when every assessment is of the whole organization
    assert one == (ASSESSMENT_COLD[0] + 1, ASSESSMENT_COLD[3] + 1)
    scored_assessment(organization, owner, title="Munich and Berlin", sites=[munich, berlin])
    scored_assessment(organization, owner, title="Berlin", sites=[berlin])
    scored_assessment(organization, owner, title="Autumn review")
    assert (cold("/"), cold("/reports/trend/")) == one
    chart = client.get("/reports/trend/").context["chart"]
    names = [trace["name"] for trace in _figure(chart)["data"] if trace["name"].startswith("Readiness index")]
    assert names == [
        "Readiness index: whole organization",
        "Readiness index: Berlin",
        "Readiness index: Berlin, Munich Lab",
        "Readiness index: Munich Lab",
    ]
    assert [row[:2] for row in chart.table.rows] == [
        ("Spring baseline", "whole organization"),
        ("Munich only check", "Munich Lab"),
        ("Munich and Berlin", "Berlin, Munich Lab"),
        ("Berlin", "Berlin"),
        ("Autumn review", "whole organization"),
    ]
