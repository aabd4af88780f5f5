"""Scoring and building a roadmap write in bulk: a fixed number of queries whatever the number of items (the only
extra statements are the database's own batches of a bulk insert: none on PostgreSQL, one per ~30 rows on
SQLite, whose statements take at most 999 parameters), and one raise of the organization's data version."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.db.models import AutoField
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from assessments import services
from assessments.models import Assessment, AssessmentStatus, RoadmapItem, RoadmapStatus, Score
from assessments.selectors import roadmap_of
from assessments.tests import factories
from assessments.tests.factories import good_value, low_value, start_assessment
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory

pytestmark = pytest.mark.django_db

ROADMAP_READS = 14
"""A savepoint; the assessment (locked, with its result); the result's scores; the answers; the assessment's scope
(3: the sites, workloads and cloud reservations it covers, issue 14); the capacity of that scope (sites with their
grid row, servers grouped by site, type and power source, cloud, accelerator types, workloads); the evidence (its
expired pieces become "refresh evidence" items, issue 18); the items there; the savepoint's release."""
ROADMAP_BUILD_QUERIES = ROADMAP_READS + 3
"""Besides the INSERT statements: the reads, then the data version (a savepoint, the UPDATE, its release)."""
SCORING_QUERIES = 29
"""Besides the scores' INSERT statements: a savepoint; the assessment (locked); its answers and their evidence
(counted per question: expired evidence lowers the confidence, issue 18); the result there; the assessment's scope
(3: sites, workloads, cloud reservations, issue 14); the capacity analysis of that scope (5), which the facts reuse
(sites, power, grid intensity, accelerators' age, regions), and the inventory's other facts (5: the accelerator
servers' versions and accelerators, fabrics, storage, those measured in the window, their GPUs' idle count); the
cost facts in the reporting currency (3: the reference rates, the organization's overrides, the cloud prices, issue
14); the result row; the status; the data version (3); the organization's webhook endpoints (assessment.scored); the
release. The same for 3 and 60 servers."""


def insert_batches(model, count: int) -> int:
    """How many INSERT statements the database needs for ``count`` rows of ``model`` in one ``bulk_create``."""
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoField)]
    return math.ceil(count / connection.ops.bulk_batch_size(fields, [None] * count)) if count else 0


def scored_with_gaps(organization: Organization, user, gaps: int, *, title: str = "Readiness") -> Assessment:
    """A scored assessment answered well but for ``gaps`` questions answered 0: a roadmap of ``gaps`` items (every
    question when ``gaps`` is None)."""
    assessment = start_assessment(organization=organization, user=user, title=title)
    ids = [q.id for q in services.framework_parse(assessment.framework).questions()]
    low = set(ids) if gaps is None else set(ids[:: len(ids) // gaps][:gaps])
    factories.answer_all(assessment, user, lambda q: low_value(q) if q.id in low else good_value(q))
    services.assessment_submit(assessment=assessment, user=user)
    return assessment


def build_from_scratch(assessment: Assessment) -> tuple[int, list[RoadmapItem]]:
    """The queries of building the roadmap when there is none yet, and its items; the data version rises once."""
    RoadmapItem.objects.filter(assessment=assessment).delete()
    before = data_version(assessment.organization)
    with CaptureQueriesContext(connection) as queries:
        items = services.roadmap_build(assessment_id=assessment.pk)
    assert data_version(assessment.organization) == before + 1
    return len(queries), items


def data_version(organization: Organization) -> int:
    return Organization.objects.values_list("data_version", flat=True).get(pk=organization.pk)


def test_a_74_item_roadmap_is_built_in_as_many_queries_as_a_10_item_one(organization, assessor):
    small = scored_with_gaps(organization, assessor, 10, title="Small")
    large = scored_with_gaps(organization, assessor, None, title="Large")
    small_queries, small_items = build_from_scratch(small)
    large_queries, large_items = build_from_scratch(large)
    assert (len(small_items), len(large_items)) == (10, 74)
    # The items' INSERT statements, and their history's (issue 18: one bulk INSERT, in the database's batches).
    history = RoadmapItem.history.model
    assert small_queries - insert_batches(RoadmapItem, 10) - insert_batches(history, 10) == ROADMAP_BUILD_QUERIES
    assert large_queries - insert_batches(RoadmapItem, 74) - insert_batches(history, 74) == ROADMAP_BUILD_QUERIES
    assert [item.rank for item in roadmap_of(assessment=large)] == list(range(1, 75))  # all written


def test_a_rebuild_changing_nothing_writes_nothing(organization, assessor, django_assert_num_queries):
    assessment = scored_with_gaps(organization, assessor, 10)
    before = data_version(organization)
    with django_assert_num_queries(ROADMAP_READS):  # the reads only
        services.roadmap_build(assessment_id=assessment.pk)
    assert data_version(organization) == before


@pytest.mark.parametrize("stale", [1, 6])
def test_a_rebuild_drops_stale_items_in_as_many_queries_however_many(organization, assessor, stale):
    assessment = scored_with_gaps(organization, assessor, 10)
    for n in range(stale):
        for status in (RoadmapStatus.PROPOSED, RoadmapStatus.ACCEPTED):
            RoadmapItem.objects.create(
                organization=organization, assessment=assessment, item_id=f"OLD-{status}-{n}", rank=90 + n,
                phase="now", kind="gap", title="Old", why="-", effort="S", effort_cost=1, priority=1, gap_points=1,
                status=status,
            )  # fmt: skip
    before = data_version(organization)
    with CaptureQueriesContext(connection) as queries:
        services.roadmap_build(assessment_id=assessment.pk)
    # the reads, the history of the dropped items (one INSERT), forgetting and deleting the untracked, setting the
    # tracked aside, and the data version
    assert len(queries) == ROADMAP_READS + 1 + 2 + 1 + 3
    assert data_version(organization) == before + 1
    assert RoadmapItem.objects.filter(assessment=assessment, item_id__startswith="OLD-proposed").count() == 0
    assert RoadmapItem.objects.filter(assessment=assessment, in_plan=False).count() == stale
    with CaptureQueriesContext(connection) as again:  # the tracked ones are already set aside: nothing to write
        services.roadmap_build(assessment_id=assessment.pk)
    assert len(again) == ROADMAP_READS
    assert data_version(organization) == before + 1


def test_scoring_runs_as_many_queries_for_a_large_fleet_as_for_a_small_one(organization, assessor):
    def score(title: str) -> int:
        assessment = start_assessment(organization=organization, user=assessor, title=title)
        factories.answer_all(assessment, assessor)
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORING)
        before = data_version(organization)
        with CaptureQueriesContext(connection) as queries:
            services.assessment_score(assessment_id=assessment.pk)
        assert data_version(organization) == before + 1
        return len(queries)

    site = SiteFactory(organization=organization)
    ServerFactory(organization=organization, site=site)
    WorkloadFactory(organization=organization)
    small = score("Small fleet")
    for _ in range(20):
        ServerFactory(organization=organization, site=SiteFactory(organization=organization))
    WorkloadFactory.create_batch(3, organization=organization)
    large = score("Large fleet")
    scores = 74 + 20 + 10  # questions, sub-areas, areas
    assert small == large == SCORING_QUERIES + insert_batches(Score, scores)


def test_scoring_the_same_answers_again_writes_nothing(organization, assessor, django_assert_num_queries):
    assessment = scored_with_gaps(organization, assessor, 3)
    before = data_version(organization)
    # a savepoint, the assessment, its answers and their evidence (counted), the result there, the release
    with django_assert_num_queries(6):
        services.assessment_score(assessment_id=assessment.pk)
    assert data_version(organization) == before
