"""The scoring task reads the fleet once: the facts reuse the capacity analysis, and the roadmap build it queues
shares it (eager tasks); it costs the same queries for a small and a large fleet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, AssessmentStatus, RoadmapItem
from assessments.tasks import score_assessment_task
from assessments.tests import factories
from inventory.models import Server
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory, h100

pytestmark = pytest.mark.django_db


def grouped_fleet_reads(queries) -> int:
    """How many times the fleet was read (the analysis' one grouped query of the servers)."""
    return sum(
        "GROUP BY" in q["sql"] and '"inventory_server"' in q["sql"] and "power_source" in q["sql"] for q in queries
    )


def submitted(organization, assessor, title: str) -> Assessment:
    assessment = factories.start_assessment(organization=organization, user=assessor, title=title)
    factories.answer_all(assessment, assessor, factories.weak_value)
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORING)
    return assessment


def test_score_and_roadmap_read_the_fleet_once_in_as_many_queries_for_50_servers_as_for_2(organization, assessor):
    site = SiteFactory(organization=organization, name="Lab", power_capacity_kw=1000.0)
    ServerFactory.create_batch(2, organization=organization, site=site)
    WorkloadFactory(organization=organization, requests_per_second=100_000.0)  # fits neither fleet: a capacity item
    small = submitted(organization, assessor, "Small")
    with CaptureQueriesContext(connection) as small_queries:
        score_assessment_task.apply(args=[small.pk]).get()
    Server.objects.bulk_create(
        Server(organization=organization, site=site, hostname=f"more-{n}", accelerator_type=h100(), accelerator_count=8)
        for n in range(48)
    )
    large = submitted(organization, assessor, "Large")
    with CaptureQueriesContext(connection) as large_queries:
        score_assessment_task.apply(args=[large.pk]).get()
    assert grouped_fleet_reads(small_queries) == grouped_fleet_reads(large_queries) == 1
    assert len(small_queries) == len(large_queries)
    assert RoadmapItem.objects.filter(assessment=large, kind="capacity").count() == 1
