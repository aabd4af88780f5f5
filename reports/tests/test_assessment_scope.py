"""An assessment's scope (the sites, workloads and cloud capacity it covers): its facts, evidence, roadmap and PDF
read only that scope. On the demo organization, a Frankfurt-only assessment mentions nothing of Ashburn, its A100
and L40S servers or the AWS reservation."""

from __future__ import annotations

import re

import pytest

from assessments import services
from assessments.models import Assessment
from assessments.selectors import result_for
from assessments.tests.factories import answer_all, weak_value
from inventory.facts import compute_facts, distinct_regions
from inventory.models import Site
from reports import report_data
from reports import services as report_services

from .report_fixtures import FakeExporter, pdf_text, seed_demo

pytestmark = pytest.mark.django_db

OUTSIDE_FRANKFURT = ("Ashburn", "us-east", "A100", "L40S", "AWS", "p5.48xlarge", "iad-", "USD")


@pytest.fixture
def frankfurt_only(monkeypatch) -> Assessment:
    demo = seed_demo(monkeypatch)
    user = demo.organization.memberships.get(user__username="demo").user
    frankfurt = Site.objects.get(organization=demo.organization, name="Frankfurt DC")
    assessment = services.assessment_create(
        organization=demo.organization, framework=demo.framework, title="Frankfurt only", user=user, sites=[frankfurt]
    )
    answer_all(assessment, user, weak_value)
    services.assessment_submit(assessment=assessment, user=user)
    assessment.refresh_from_db()
    assert assessment.status == "scored", assessment.scoring_error
    return assessment


def test_the_default_scope_is_the_whole_organization_and_says_so(monkeypatch, client):
    demo = seed_demo(monkeypatch)
    assert demo.analysis_scope.whole_organization
    assert demo.scope_label == "whole organization"
    client.force_login(demo.organization.memberships.get(user__username="demo").user)
    page = client.get(f"/assessments/{demo.pk}/").content.decode()
    assert re.search(r"Scope:</span> whole organization", page)


def test_a_frankfurt_only_assessment_reads_only_frankfurt(frankfurt_only, client):
    assessment = frankfurt_only
    assert assessment.scope_label == "Frankfurt DC"
    result = result_for(assessment=assessment)
    facts = " ".join(f"{f.name} {f.value} {f.explanation}" for f in result.facts)
    evidence = " ".join(f"{e.value} {e.explanation}" for area in result.areas for e in area.evidence)
    for outside in OUTSIDE_FRANKFURT:
        assert outside not in facts, outside
        assert outside not in evidence, outside
    by_name = {f.name: f for f in result.facts}
    assert by_name["regions_count"].value == 1
    assert by_name["regions_count"].explanation == "eu-central"
    assert by_name["interconnect_kind"].value == "infiniband"
    assert "128 accelerators" in by_name["accelerators_older_than_3y_pct"].explanation  # 16 DGX H100, no A100
    assert assessment.result.inventory == {
        "sites": 1,
        "servers": 16,
        "accelerators": 128,
        "it_kw": 138.3,
    }  # 163.2 kW rated; part of it measured (the demo week of telemetry)

    roadmap = " ".join(f"{i.title} {i.why} {i.action}" for i in assessment.roadmap_items.all())
    for outside in ("Ashburn", "A100", "L40S", "AWS"):
        assert outside not in roadmap, outside

    text = pdf_text(report_services.report_build(assessment=assessment, exporter=FakeExporter()).pdf)
    assert "Frankfurt DC" in text
    # Renting is priced from the committed list prices (the organization's AWS record is outside the scope), which
    # are in USD: dollars appear only as a list price's, never as Ashburn's.
    flat = " ".join(text.split())
    assert "list price Google Cloud a3-highgpu-8g" in flat
    for dollars in re.finditer("USD", flat):
        before = flat[max(0, dollars.start() - 400) : dollars.start()]
        assert "list price" in before, before
    for outside in OUTSIDE_FRANKFURT[:-1]:  # all but USD
        assert outside not in text, outside

    client.force_login(assessment.organization.memberships.get(user__username="demo").user)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert re.search(r"Scope:</span> Frankfurt DC", page)


def test_scope_is_set_by_name_in_the_api_and_carried_to_the_re_assessment(monkeypatch, api_client_for):
    demo = seed_demo(monkeypatch)
    user = demo.organization.memberships.get(user__username="demo").user
    client = api_client_for(user, demo.organization)
    response = client.post("/api/v1/assessments/", {"title": "Frankfurt", "sites": ["Frankfurt DC"]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    frankfurt = Site.objects.get(organization=demo.organization, name="Frankfurt DC")
    assert body["sites"] == [frankfurt.pk]
    assert body["scope_label"] == "Frankfurt DC"
    missing = client.post("/api/v1/assessments/", {"title": "x", "sites": ["Paris"]}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"].startswith("sites")

    assessment = Assessment.objects.get(pk=body["id"])
    answer_all(assessment, user, weak_value)
    services.assessment_submit(assessment=assessment, user=user)
    again = services.assessment_reassess(previous=assessment, user=user)
    assert list(again.sites.all()) == [frankfurt]
    assert again.scope_label == "Frankfurt DC"

    changed = client.patch(f"/api/v1/assessments/{again.pk}/", {"sites": []}, format="json")
    assert changed.status_code == 200
    assert changed.json()["scope_label"] == "whole organization"


def test_the_scope_form_sets_the_sites(monkeypatch, client):
    demo = seed_demo(monkeypatch)
    user = demo.organization.memberships.get(user__username="demo").user
    draft = services.assessment_create(organization=demo.organization, framework=demo.framework, title="d", user=user)
    frankfurt = Site.objects.get(organization=demo.organization, name="Frankfurt DC")
    client.force_login(user)
    response = client.post(f"/assessments/{draft.pk}/scope/", {"sites": [frankfurt.pk], "scope": "Plant 2"})
    assert response.status_code == 302
    assert draft.scope_label == "Frankfurt DC"
    assert Assessment.objects.get(pk=draft.pk).scope == "Plant 2"
    facts = compute_facts(organization=demo.organization, scope=draft.analysis_scope)
    assert facts["regions_count"].value == 1


def test_regions_are_counted_once_whatever_their_spelling():
    assert distinct_regions(["eu-central", "EU-Central ", "us-east-1", "us-east-1", ""]) == ["eu-central", "us-east-1"]


def test_report_content_states_the_scope(frankfurt_only):
    content = report_data.report_content(assessment=frankfurt_only)
    assert content.scope_label == "Frankfurt DC"
    assert content.inventory_scored == (
        "1 site",
        "16 active servers",
        "128 accelerators",
        "138.3 kW IT power",
    )  # measured in part: 163.2 kW rated
    assert content.inventory_changes == ()


def test_what_changed_since_scoring_only_when_it_differs():
    from reports.report_data.content import inventory_changes, inventory_words

    scored = {"sites": 2, "servers": 38, "accelerators": 264, "it_kw": 232.4}
    assert inventory_changes(scored, dict(scored)) == ()
    assert inventory_changes({}, scored) == ()  # a result scored before the counts were recorded
    assert inventory_changes(scored, {**scored, "accelerators": 300}) == ("accelerators: 264 when scored, 300 today",)
    assert inventory_words(scored)[2] == "264 accelerators"


def test_answers_pre_filled_from_the_inventory_are_rounded_by_unit(monkeypatch):
    from inventory.facts import shown

    demo = seed_demo(monkeypatch)
    draft = services.assessment_create(
        organization=demo.organization, framework=demo.framework, title="d", user=None, sites=demo.sites.all()
    )
    answers = list(draft.answers.filter(source="inventory"))
    values = [a.value for a in answers if isinstance(a.value, float)]
    assert values
    assert all(round(value, 2) == value for value in values), values
    notes = [a.inventory_note for a in answers]
    assert any("InfiniBand" in note for note in notes)
    assert not any("infiniband" in note for note in notes)
    assert shown(94.21718589203854, "%") == "94.2 %"
    assert shown("infiniband", "choice") == "InfiniBand"


def test_the_roadmap_acts_on_the_demo_finding(monkeypatch):
    """The demo's training run cannot finish by its deadline: the roadmap adds the accelerators it needs."""
    from assessments.models import RoadmapItem

    seed_demo(monkeypatch)
    item = RoadmapItem.objects.get(assessment__title="Autumn readiness review", kind="capacity")
    assert item.title == "Add 69 NVIDIA H100 SXM at Frankfurt DC to run Domain model training (70B)"
    assert item.in_plan
