"""The dashboards' reads: stored results, roadmaps and the inventory in, the charts' input numbers out."""

import datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.models import AssessmentResult, RoadmapItem, RoadmapStatus, Score
from assessments.selectors import roadmap_of
from assessments.tests.factories import answer_all, good_value, low_value, start_assessment
from inventory import capacity, money
from inventory.analysis import analyse
from inventory.models import ServerStatus
from inventory.tests.factories import CloudCapacityFactory, ServerFactory, WorkloadFactory, h100
from reports import selectors
from reports.charts import AcceleratorCount, SiteEnergy, SitePower, SourceCount

from .dashboard_data import GRID_G_PER_KWH, SERVER_W, SITE_PUE, scored_assessment, servers, site

pytestmark = pytest.mark.django_db

AREA_NAMES = [
    "Hardware Limitations",
    "Energy Consumption",
    "Data Management",
    "Scalability of Infrastructure",
    "Latency Issues",
    "Talent Shortage",
    "Cost Management",
    "Compliance and Security",
    "Software Compatibility",
    "Continuous Innovation",
]
QUESTIONS_PER_AREA = [8, 8, 7, 8, 8, 7, 6, 8, 7, 7]


class TestAreaScores:
    def test_each_area_in_framework_order_with_its_target_score_of_20_per_level_above_the_first(
        self, organization, owner
    ):
        assessment = scored_assessment(organization, owner, target_levels={"hardware": 5, "talent": 2})
        areas = selectors.area_scores(assessment=assessment)
        assert [area.name for area in areas] == AREA_NAMES
        targets = {area.area_id: area.target for area in areas}
        assert targets["hardware"] == 80.0  # level 5
        assert targets["talent"] == 20.0  # level 2
        assert targets["energy"] == 60.0  # the framework's default, level 4
        assert targets["innovation"] == 40.0  # default level 3

    def test_scores_risks_and_evidence_are_the_stored_result(self, organization, owner):
        assessment = scored_assessment(organization, owner, value=low_value)
        result = AssessmentResult.objects.get(assessment=assessment)
        areas = selectors.area_scores(assessment=assessment)
        assert sum(area.high_risks for area in areas) == result.high_risks > 0
        assert sum(area.medium_risks for area in areas) == result.medium_risks
        stored = {row.ref: row for row in Score.objects.filter(result=result, scope="area")}
        for area in areas:
            assert area.score == stored[area.area_id].score
            assert area.level == stored[area.area_id].level
            assert area.self_score == stored[area.area_id].details["self_score"]
        assert all(area.previous is None for area in areas)
        assert all(area.evidence_score is None for area in areas)  # no inventory: no evidence

    def test_evidence_and_contradiction_come_from_the_inventory(self, organization, owner):
        servers(organization, 2)
        assessment = scored_assessment(organization, owner, value=low_value)
        checked = [area for area in selectors.area_scores(assessment=assessment) if area.evidence_score is not None]
        assert checked
        for area in checked:
            assert area.self_score is not None
            assert area.contradiction == (abs(area.self_score - area.evidence_score) > 30)
        assert any(area.contradiction for area in checked)  # answered 0 everywhere, the fleet says otherwise

    def test_previous_is_the_reassessed_one_even_when_another_was_submitted_in_between(self, organization, owner):
        first = scored_assessment(organization, owner, title="First", value=low_value)
        scored_assessment(organization, owner, title="Unrelated", value=good_value)
        again = scored_assessment(organization, owner, previous=first, value=good_value)
        first_scores = {a.area_id: a.score for a in selectors.area_scores(assessment=first)}
        areas = selectors.area_scores(assessment=again)
        assert {area.area_id: area.previous for area in areas} == first_scores
        readiness = selectors.readiness_of(assessment=again)
        assert readiness.previous_index == AssessmentResult.objects.get(assessment=first).readiness_index
        assert readiness.previous_title == "First"
        assert readiness.change == pytest.approx(round(readiness.index, 1) - round(readiness.previous_index, 1))

    def test_without_previous_the_last_one_submitted_before_counts(self, organization, owner):
        first = scored_assessment(organization, owner, title="Spring", value=low_value)
        second = scored_assessment(organization, owner, title="Autumn", value=good_value)
        assert selectors.readiness_of(assessment=second).previous_title == "Spring"
        assert selectors.readiness_of(assessment=first).previous_index is None
        latest = selectors.headline_assessment(organization=organization)
        assert latest == second

    def test_a_draft_has_nothing_to_show(self, organization, owner):
        draft = start_assessment(organization=organization, user=owner)
        assert selectors.area_scores(assessment=draft) == []
        assert selectors.subarea_scores(assessment=draft) == []
        assert selectors.source_counts(assessment=draft) == []
        assert selectors.risk_rows(assessment=draft) == []
        assert selectors.readiness_of(assessment=draft) == selectors.Readiness(None, None, None)
        assert selectors.headline_assessment(organization=organization) is None


def test_sub_areas_are_named_and_ordered_within_their_area(organization, owner):
    assessment = scored_assessment(organization, owner)
    subareas = selectors.subarea_scores(assessment=assessment)
    assert len(subareas) == 20
    hardware = [sub for sub in subareas if sub.area_name == "Hardware Limitations"]
    assert [sub.subarea_name for sub in hardware] == ["Insufficient Processing Power", "Memory Constraints"]
    assert hardware[0].position < hardware[1].position
    assert all(sub.score is not None for sub in subareas)


def test_answers_are_counted_by_source_per_area(organization, owner):
    servers(organization, 1)  # inventory facts pre-fill the questions bound to them
    assessment = start_assessment(organization=organization, user=owner)
    prefilled = set(assessment.answers.filter(source="inventory").values_list("question_id", flat=True))
    assert "EN-COST-01" in prefilled
    answer_all(assessment, owner, skip={"HW-PP-03", "HW-PP-04", "DM-STOR-02", "EN-COST-04", *prefilled})
    na = services.AnswerInput("EN-COST-04", not_applicable=True, na_reason="No metering")
    services.answers_save(assessment=assessment, items=[na], user=owner)
    services.assessment_submit(assessment=assessment, user=owner)
    assessment.refresh_from_db()
    counts = {count.area_name: count for count in selectors.source_counts(assessment=assessment)}
    assert list(counts) == AREA_NAMES
    for name, total in zip(AREA_NAMES, QUESTIONS_PER_AREA, strict=True):
        count = counts[name]
        assert count.self_reported + count.from_inventory + count.not_applicable + count.unanswered == total
    assert counts["Hardware Limitations"].unanswered == 2
    assert counts["Data Management"].unanswered == 1
    assert counts["Energy Consumption"].not_applicable == 1
    assert sum(count.unanswered for count in counts.values()) == 3
    answered_from_inventory = assessment.answers.filter(source="inventory", not_applicable=False).count()
    assert sum(count.from_inventory for count in counts.values()) == answered_from_inventory > 0
    assert counts["Talent Shortage"] == SourceCount("Talent Shortage", 7, 0, 0, 0)  # no inventory-bound question


def test_risks_high_first_with_their_recommendation(organization, owner):
    assessment = scored_assessment(organization, owner, value=low_value)
    risks = selectors.risk_rows(assessment=assessment)
    result = AssessmentResult.objects.get(assessment=assessment)
    assert len(risks) == result.high_risks + result.medium_risks
    levels = [row.risk for row in risks]
    assert levels == sorted(levels, key=["high", "medium"].index)
    names = selectors.framework_names(framework=assessment.framework)
    first = risks[0]
    question = names.questions[first.question_id]
    assert first.question == question.text
    assert first.recommendation == question.recommendation.title
    area_id = Score.objects.get(result=result, scope="question", ref=first.question_id).area_ref
    assert first.area == names.area(area_id)
    assert first.url == f"/assessments/{assessment.pk}/areas/{area_id}/#q-{first.question_id}"


class TestRoadmap:
    def test_entries_in_rank_order_with_area_names_and_status_labels(self, organization, owner):
        assessment = scored_assessment(organization, owner)
        items = list(roadmap_of(assessment=assessment))
        services.roadmap_item_update(item=items[1], changes={"status": RoadmapStatus.DONE}, user=owner)
        entries = selectors.roadmap_entries(assessment=assessment)
        assert [entry.rank for entry in entries] == list(range(1, len(items) + 1))
        assert entries[1].status == "Done"
        assert entries[0].status == "Proposed"
        names = selectors.framework_names(framework=assessment.framework)
        assert entries[0].area_name == names.area(items[0].area_ref)
        assert {entry.phase for entry in entries} <= {"now", "next", "later"}

    def test_items_no_longer_in_the_plan_are_left_out(self, organization, owner):
        assessment = scored_assessment(organization, owner)
        RoadmapItem.objects.filter(assessment=assessment, rank=1).update(in_plan=False)
        entries = selectors.roadmap_entries(assessment=assessment)
        assert 1 not in [entry.rank for entry in entries]

    def test_top_items_are_the_first_five_linking_to_the_roadmap_page(self, organization, owner):
        assessment = scored_assessment(organization, owner)
        top = selectors.top_roadmap_items(assessment=assessment)
        items = list(roadmap_of(assessment=assessment))[:5]
        assert [item.title for item in top] == [item.title for item in items]
        assert top[0].url == f"/assessments/{assessment.pk}/roadmap/#item-{items[0].item_id}"
        assert top[0].phase.startswith(("Now", "Next", "Later"))

    def test_top_items_are_the_next_open_ones_as_in_the_pdf(self, organization, owner):
        """Done and dismissed items are left out (the overview listed them with "· Done"; the PDF did not)."""
        assessment = scored_assessment(organization, owner)
        items = list(roadmap_of(assessment=assessment))
        RoadmapItem.objects.filter(pk=items[0].pk).update(status=RoadmapStatus.DONE)
        RoadmapItem.objects.filter(pk=items[1].pk).update(status=RoadmapStatus.DISMISSED, status_reason="Not for us")
        top = selectors.top_roadmap_items(assessment=assessment)
        assert [item.title for item in top] == [item.title for item in items[2:7]]
        assert {item.status for item in top}.isdisjoint({"Done", "Dismissed"})


def test_trend_has_a_point_per_scored_assessment_in_submission_order(organization, owner):
    first = scored_assessment(organization, owner, title="Spring", value=low_value)
    second = scored_assessment(organization, owner, title="Autumn", value=good_value)
    start_assessment(organization=organization, user=owner, title="Draft")  # not scored: not on the trend
    points = selectors.trend_points(organization=organization)
    assert [point.label for point in points] == ["Spring", "Autumn"]
    assert points[0].index == AssessmentResult.objects.get(assessment=first).readiness_index
    assert points[1].index == AssessmentResult.objects.get(assessment=second).readiness_index
    assert points[1].index > points[0].index
    assert list(points[0].areas) == AREA_NAMES
    assert points[0].date == first.submitted_at.date()


def test_trend_of_another_organization_is_not_mixed_in(organization, other_organization, owner, outsider):
    scored_assessment(other_organization, outsider, title="Theirs")
    assert selectors.trend_points(organization=organization) == []


class TestInventory:
    def test_accelerators_are_summed_per_site_and_type_active_servers_and_cloud_only(self, organization):
        frankfurt = site(organization, name="Frankfurt")
        berlin = site(organization, name="Berlin")
        servers(organization, 2, at=frankfurt)
        servers(organization, 1, at=berlin, accelerator_count=4)
        servers(organization, 1, at=berlin, status=ServerStatus.RETIRED)
        ServerFactory(organization=organization, site=berlin, accelerator_type=None, accelerator_count=0)
        CloudCapacityFactory(organization=organization, region="eu-central-1", instances=2, accelerators_per_instance=8)
        memory = h100().memory_gb
        assert selectors.accelerator_counts(summary=analyse(organization=organization)) == [
            AcceleratorCount("Berlin", "NVIDIA H100 SXM", 4, 4 * memory),
            AcceleratorCount("Frankfurt", "NVIDIA H100 SXM", 16, 16 * memory),
            AcceleratorCount("AWS eu-central-1 (cloud)", "NVIDIA H100 SXM", 16, 16 * memory),
        ]

    def test_power_and_energy_per_site_from_the_capacity_model(self, organization):
        frankfurt = site(organization, name="Frankfurt", power_capacity_kw=300.0)
        servers(organization, 2, at=frankfurt)
        site(organization, name="Empty", currency="USD", electricity_price_per_kwh=None)
        summary = analyse(organization=organization)
        it_kw = 2 * SERVER_W / 1000
        assert selectors.site_powers(summary=summary) == [
            SitePower("Empty", 0.0, 0.0, 500.0),
            SitePower("Frankfurt", pytest.approx(it_kw), pytest.approx(it_kw * SITE_PUE), 300.0),
        ]
        facility_kwh = it_kw * SITE_PUE * capacity.HOURS_PER_MONTH  # 20.4 kW x 1.25 x 730 h = 18,615 kWh
        assert selectors.site_energies(summary=summary) == [  # the site that draws nothing is left out
            SiteEnergy(
                site="Frankfurt",
                currency="EUR",
                it_kwh_month=pytest.approx(it_kw * capacity.HOURS_PER_MONTH),
                facility_kwh_month=pytest.approx(facility_kwh),
                cost_month=pytest.approx(facility_kwh * 0.2),
                tco2_month=pytest.approx(facility_kwh * GRID_G_PER_KWH / 1e6),
                pue=SITE_PUE,
                grid_g_per_kwh=GRID_G_PER_KWH,
            )
        ]
        assert facility_kwh == pytest.approx(18_615)

    def test_costs_are_totalled_per_currency_never_across(self, organization):
        servers(organization, 1, at=site(organization, name="Frankfurt", currency="EUR"))
        servers(organization, 1, at=site(organization, name="Ashburn", currency="USD"))
        servers(organization, 1, at=site(organization, name="Nowhere", electricity_price_per_kwh=None))
        energies = selectors.site_energies(summary=analyse(organization=organization))
        totals = selectors.energy_totals(energies=energies)
        one_site_kwh = SERVER_W / 1000 * SITE_PUE * capacity.HOURS_PER_MONTH
        assert totals.costs == (("EUR", pytest.approx(one_site_kwh * 0.2)), ("USD", pytest.approx(one_site_kwh * 0.2)))
        assert totals.sites_without_price == ("Nowhere",)
        assert totals.facility_kwh == pytest.approx(3 * one_site_kwh)
        assert totals.overhead_pct == pytest.approx(100 * (SITE_PUE - 1) / SITE_PUE)
        assert totals.grid_g_per_kwh == pytest.approx(GRID_G_PER_KWH)
        assert totals.cost_total is None  # no reporting currency given: no converted total

        # In the reporting currency: the dollars converted at the rate stated, then added to the euros.
        usd = money.Rate("USD", Decimal("1.1172"), datetime.date(2026, 12, 3), "ECB")
        table = money.RateTable({"USD": usd})
        converted = selectors.energy_totals(energies=energies, currency="EUR", rates=lambda: table)
        assert converted.costs == totals.costs  # each currency apart, as before
        assert converted.cost_total.converted == pytest.approx(one_site_kwh * 0.2 + one_site_kwh * 0.2 / 1.1172)
        assert "1.1172" in converted.cost_total.rates_text
        missing = selectors.energy_totals(energies=energies, currency="EUR", rates=money.RateTable)
        assert (missing.cost_total.converted, missing.cost_total.missing) == (None, ("USD",))
        euros_only = [energy for energy in energies if energy.currency == "EUR"]
        untouched = selectors.energy_totals(energies=euros_only, currency="EUR", rates=lambda: pytest.fail("read"))
        assert untouched.cost_total is None  # one currency: nothing to convert, the rates are not read

    def test_workload_demand_is_the_gpus_the_model_needs_against_its_pool(self, organization):
        servers(organization, 2)  # 16 H100 at one site
        WorkloadFactory(organization=organization, name="Assistant")
        summary = analyse(organization=organization)
        verdict = summary.verdicts[0]
        (demand,) = selectors.workload_demands(summary=summary)
        memory = h100().memory_gb
        assert demand.workload == "Assistant"
        assert demand.fits == verdict.fits
        assert demand.memory_needed_gb == verdict.fit.gpus_needed * memory
        assert demand.memory_available_gb == 16 * memory
        assert demand.compute_needed_tflops == verdict.fit.gpus_needed * verdict.fit.peak_tflops
        assert demand.compute_available_tflops == 16 * verdict.fit.peak_tflops
        assert (demand.memory_needed_gb > demand.memory_available_gb) == (verdict.fit.gpus_needed > 16)
        assert demand.compute_rate == "BF16"  # the rate both compute numbers are at, named on the chart

    def test_workload_demand_names_the_precision_its_compute_is_at(self, organization):
        servers(organization, 2)  # 16 H100: twice the TFLOPS at FP8 as at BF16
        WorkloadFactory(organization=organization, name="FP8 assistant", precision="fp8")
        WorkloadFactory(organization=organization, name="BF16 assistant", precision="bf16")
        demands = {d.workload: d for d in selectors.workload_demands(summary=analyse(organization=organization))}
        assert (demands["FP8 assistant"].compute_rate, demands["BF16 assistant"].compute_rate) == ("FP8", "BF16")
        fp8, bf16 = (demands[name].compute_available_tflops for name in ("FP8 assistant", "BF16 assistant"))
        assert fp8 == pytest.approx(2 * bf16, rel=0.01)

    def test_a_workload_too_big_for_the_fleet_needs_more_than_it_has(self, organization):
        servers(organization, 1)  # 8 H100
        WorkloadFactory(organization=organization, name="Busy", requests_per_second=500.0)
        (demand,) = selectors.workload_demands(summary=analyse(organization=organization))
        assert not demand.fits
        assert demand.memory_needed_gb > demand.memory_available_gb == 8 * h100().memory_gb

    def test_a_workload_the_model_cannot_analyse_is_left_out(self, organization):
        servers(organization, 1)
        WorkloadFactory(organization=organization, name="Incomplete", prompt_tokens=None)
        assert selectors.workload_demands(summary=analyse(organization=organization)) == []
