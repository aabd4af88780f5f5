"""Framework 1.2 (main's 1.1 and the questions answered by measured telemetry): they pre-fill from the inventory,
and a self-assessment claiming measurement or utilization the data does not show is flagged by the evidence
mechanism."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from assessments import scoring, selectors
from assessments.services import framework_parse
from assessments.services.answers import facts_by_question
from inventory.facts import compute_facts
from inventory.models import Server, ServerTelemetryDay, TelemetrySource
from inventory.tests.factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db

MEASURED_QUESTIONS = {
    "HW-PP-05": "tensor_active_mean_pct",
    "EN-COST-05": "telemetry_measurement",  # 1.1's question (measured or estimated), bound to the facts in 1.2
    "EN-COST-06": "measured_vs_rated_power_pct",
    "EN-COST-07": "idle_accelerators_pct",
    "SC-DRA-05": "measured_utilization_mean_pct",
    "SC-DRA-06": "measured_utilization_p95_pct",
}


def test_the_default_framework_is_1_4_with_the_measured_questions_bound():
    framework = selectors.default_framework()
    assert framework.version == "1.4"
    parsed = framework_parse(framework)
    bound = {q.id: q.inventory_fact for q in parsed.questions() if q.id in MEASURED_QUESTIONS}
    assert bound == MEASURED_QUESTIONS


def _idle_fleet(organization):
    site = SiteFactory(organization=organization)
    for n in range(3):
        server = ServerFactory(organization=organization, site=site, power_w=10_200)
        day = timezone.now().date() - timedelta(days=1)
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        ServerTelemetryDay.objects.create(
            organization=organization,
            server=server,
            day=day,
            source=TelemetrySource.DCGM_SCRAPE,
            window_start=moment,
            window_end=moment,
            sample_count=3,
            utilization_mean_pct=2.0 + n,
            utilization_p95_pct=8.0,
            tensor_active_mean_pct=1.0,
            accelerator_power_p95_w=900.0,
        )


def test_measured_facts_prefill_their_questions(organization):
    _idle_fleet(organization)
    parsed = framework_parse(selectors.default_framework())
    bound = facts_by_question(parsed, compute_facts(organization=organization))
    assert {qid for qid in MEASURED_QUESTIONS if qid in bound} == set(MEASURED_QUESTIONS)
    assert bound["EN-COST-07"] == (pytest.approx(100.0), "idle_accelerators_pct")
    assert bound["EN-COST-05"] == ("continuous", "telemetry_measurement")  # every accelerator measured


def test_facts_as_of_a_day_read_the_week_up_to_it_and_no_later_measurement(organization):
    """Scoring reads the facts as of the day the assessment was submitted (`measured_until`): measurements taken
    after it are not its evidence, and its words name its own window."""
    _idle_fleet(organization)  # measured yesterday
    earlier = timezone.now().date() - timedelta(days=30)
    facts = compute_facts(organization=organization, measured_until=earlier)
    assert facts["measured_accelerators_pct"].value == 0
    assert f"to {earlier:%d %b %Y}" in facts["measured_accelerators_pct"].explanation
    assert "tensor_active_mean_pct" not in facts
    assert compute_facts(organization=organization)["measured_accelerators_pct"].value == 100


def _fact_answers(parsed, organization) -> dict:
    bound = facts_by_question(parsed, compute_facts(organization=organization))
    return {qid: value for qid, (value, _) in bound.items()}


def _scalability_claims() -> dict[str, scoring.Answer]:
    """A respondent who says utilization is tracked and high, and every accelerator measured."""
    return {
        "SC-DRA-02": scoring.Answer("SC-DRA-02", True),
        "SC-DRA-05": scoring.Answer("SC-DRA-05", 75.0),
        "SC-DRA-06": scoring.Answer("SC-DRA-06", 95.0),
    }


def test_a_claim_of_measurement_without_telemetry_is_a_contradiction(organization):
    ServerFactory(organization=organization)  # no telemetry at all: coverage 0 %
    parsed = framework_parse(selectors.default_framework())
    facts = {
        qid: value for qid, (value, _) in facts_by_question(parsed, compute_facts(organization=organization)).items()
    }
    assert facts["EN-COST-05"] == "rated"
    claims = {"EN-COST-05": scoring.Answer("EN-COST-05", "continuous")}  # "measured continuously"
    evidence = scoring.score_evidence(parsed, claims, facts)
    assert evidence.area("energy").contradiction


def test_high_claimed_utilization_against_idle_measurements_is_a_contradiction(organization):
    _idle_fleet(organization)
    parsed = framework_parse(selectors.default_framework())
    facts = {
        qid: value for qid, (value, _) in facts_by_question(parsed, compute_facts(organization=organization)).items()
    }
    claims = _scalability_claims()
    evidence = scoring.score_evidence(parsed, claims, facts)
    assert evidence.area("scalability").contradiction
    assert "SC-DRA-05" in evidence.area("scalability").evidence_questions
    # answers matching the data are no contradiction
    honest = {
        "SC-DRA-05": scoring.Answer("SC-DRA-05", 3.0),
        "SC-DRA-06": scoring.Answer("SC-DRA-06", 8.0),
        "SC-INT-01": scoring.Answer("SC-INT-01", "none"),
    }
    assert not scoring.score_evidence(parsed, honest, facts).area("scalability").contradiction


@pytest.mark.parametrize("servers", [3, 30])
def test_the_facts_cost_a_fixed_number_of_queries_whatever_the_fleet(organization, servers):
    """Given the analysis and the costs (the scoring task's), the facts read the fleet in a fixed number of
    queries: the accelerator servers' versions and accelerators in one (their accelerators were counted again
    before), the measured ones in another, the idle GPUs, the fabrics, the storage (the workloads' datasets only
    where there is storage); never one per server."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory.analysis import analyse, costs_of

    _idle_fleet(organization)
    site = SiteFactory(organization=organization)
    ServerFactory.create_batch(servers, organization=organization, site=site, power_w=10_200)
    summary = analyse(organization=organization)
    costs = costs_of(organization=organization, summary=summary)
    with CaptureQueriesContext(connection) as queries:
        facts = compute_facts(organization=organization, summary=summary, costs=costs)
    assert len(queries) == FACTS_QUERIES
    active = Server.objects.filter(organization=organization, status="active", accelerator_count__gt=0)
    total = sum(active.values_list("accelerator_count", flat=True))
    assert f" of {total} active accelerators" in facts["measured_accelerators_pct"].explanation


FACTS_QUERIES = 5
