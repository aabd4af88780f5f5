"""Dashboard pages run a fixed number of queries whatever the data size, fewer again from the cache, and a change
of the organization's data shows on the next view."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.selectors import roadmap_of
from inventory.tests.factories import WorkloadFactory
from reports.selectors import headline_assessment

from .dashboard_data import scored_assessment, servers, site

pytestmark = pytest.mark.django_db

INVENTORY_PAGES = ("/", "/reports/inventory/", "/reports/energy/", "/reports/charts/inventory/power-vs-capacity.csv")
INVENTORY_COLD = (10, 12, 12, 11)
"""The inventory dashboard's build reads the measured utilization of the window (the heatmap on the energy page,
telemetry2); the home page reads every scored assessment with its result once, for its trend and its latest."""
"""Queries of each inventory page built afresh, in the order of `INVENTORY_PAGES`: session, user, membership, and
the page's own aggregated reads (the fleet's capacity analysis: sites with their grid row, servers grouped by site,
accelerator type and power source, cloud reservations, accelerator types, workloads; the accelerators by site and
type come from it; the home page also reads what is assigned to the user). The dashboard's build also reads the
exchange rates (the reference rates and the organization's overrides: two queries) when its sites' energy costs are
in several currencies, to total them in the reporting currency."""
ASSESSMENT_COLD = (10, 8, 11, 6, 7)
"""Queries of each page of `assessment_pages` built afresh: session, user, membership, the page's reads (the home
page: every scored assessment with its result and their scores, two queries for the trend and the latest with the
one it is compared with, the roadmap's first items, ...; the roadmap page also reads the
organization's issue trackers and its members for the owner choices; it builds only its own charts, not the
whole assessment dashboard)."""
WARM = (6, 4, 4, 3, 6, 5, 10, 4, 4)
"""Queries of each page of `INVENTORY_PAGES` then `assessment_pages` from the cache: session, user, membership,
the home page's member count and "assigned to me", the assessment itself on its pages (the roadmap page's issue
trackers and tracking are not cached)."""


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def cold(client, url: str) -> int:
    cache.clear()
    return queries(client, url)


def assessment_pages(organization) -> tuple[str, ...]:
    latest = headline_assessment(organization=organization)
    return (
        "/",
        f"/reports/assessments/{latest.pk}/",
        f"/assessments/{latest.pk}/roadmap/",
        "/reports/trend/",
        f"/reports/assessments/{latest.pk}/charts/subarea-heatmap.csv",
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_inventory_pages_run_as_many_queries_for_50_servers_as_for_1(owner_client, organization, owner):
    frankfurt = site(organization, name="Frankfurt")
    ashburn = site(organization, name="Ashburn", currency="USD")
    servers(organization, 1, at=frankfurt)
    servers(organization, 1, at=ashburn, accelerator_count=4)
    WorkloadFactory(organization=organization)
    one = {url: cold(owner_client, url) for url in INVENTORY_PAGES}
    servers(organization, 30, at=frankfurt)
    servers(organization, 18, at=ashburn, accelerator_count=4)
    WorkloadFactory(organization=organization)
    fifty = {url: cold(owner_client, url) for url in INVENTORY_PAGES}
    assert fifty == one
    assert tuple(fifty.values()) == INVENTORY_COLD
    response = owner_client.get("/reports/inventory/")
    assert response.context["dashboard"].accelerators == 8 + 30 * 8 + 19 * 4  # the 50 servers are all there


def test_assessment_pages_run_as_many_queries_for_5_assessments_as_for_1(owner_client, organization, owner):
    servers(organization, 1)
    first = scored_assessment(organization, owner, title="First")
    one = {url: cold(owner_client, url) for url in assessment_pages(organization)}
    previous = first
    for _ in range(4):
        previous = scored_assessment(organization, owner, previous=previous)
    five = [cold(owner_client, url) for url in assessment_pages(organization)]
    assert five == list(one.values())
    assert tuple(five) == ASSESSMENT_COLD
    trend = owner_client.get("/reports/trend/").context["chart"]
    assert len(trend.table.rows) == 5


def test_each_page_is_built_once_then_comes_from_the_cache(owner_client, organization, owner):
    servers(organization, 2)
    WorkloadFactory(organization=organization)
    scored_assessment(organization, owner, title="First")
    warm = []
    for url in (*INVENTORY_PAGES, *assessment_pages(organization)):
        built = cold(owner_client, url)
        again = queries(owner_client, url)
        assert again < built, url
        warm.append(queries(owner_client, url))
    assert tuple(warm) == WARM


def test_saving_a_server_shows_on_the_next_view(owner_client, organization):
    frankfurt = site(organization, name="Frankfurt")
    (server,) = servers(organization, 1, at=frankfurt)
    before = owner_client.get("/reports/inventory/").context["charts"]["accelerators"]
    assert before.table.rows == (("Frankfurt", "NVIDIA H100 SXM", 8, 640.0),)
    assert owner_client.get("/reports/inventory/").context["charts"]["accelerators"] is not None  # from the cache
    server.accelerator_count = 4
    server.save()
    after = owner_client.get("/reports/inventory/").context["charts"]["accelerators"]
    assert after.table.rows == (("Frankfurt", "NVIDIA H100 SXM", 4, 320.0),)
    csv = owner_client.get("/reports/charts/inventory/accelerators-by-site.csv").content.decode()
    assert "Frankfurt,NVIDIA H100 SXM,4,320.0" in csv


def test_tracking_a_roadmap_item_shows_on_the_timeline(owner_client, organization, owner):
    assessment = scored_assessment(organization, owner)
    url = reverse("reports:dashboard_assessment", args=[assessment.pk])
    statuses = [row[4] for row in owner_client.get(url).context["charts"]["gantt"].table.rows]
    assert statuses[0] == "Proposed"
    item = roadmap_of(assessment=assessment).first()
    services.roadmap_item_update(item=item, changes={"status": "in_progress"}, user=owner)
    statuses = [row[4] for row in owner_client.get(url).context["charts"]["gantt"].table.rows]
    assert statuses[0] == "In progress"


def test_a_new_scored_assessment_moves_the_overview(owner_client, organization, owner):
    first = scored_assessment(organization, owner, title="First")
    assert owner_client.get("/").context["overview"].headline.pk == first.pk
    second = scored_assessment(organization, owner, title="Second", previous=first)
    overview = owner_client.get("/").context["overview"]
    assert overview.headline.pk == second.pk
    assert overview.readiness.previous_title == first.title
