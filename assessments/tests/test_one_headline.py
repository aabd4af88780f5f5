"""One headline score per assessment: the roadmap what-if starts from the readiness index and the area scores as
scored (the ones every page shows), says "projected after the roadmap" next to the projection, and names the
questionnaire-only number as such."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from assessments import selectors
from assessments.results import score_text
from assessments.selectors import result_for, roadmap_of

from .factories import answer_all, good_value, start_assessment, weak_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(organization, assessor):
    from assessments import services

    assessment = start_assessment(organization=organization, user=assessor, title="Readiness")
    answer_all(assessment, assessor, weak_value)
    services.assessment_submit(assessment=assessment, user=assessor)
    assessment.refresh_from_db()
    return assessment


def test_the_what_if_starts_from_the_headline_and_says_what_each_number_is(client, scored, viewer):
    stored = result_for(assessment=scored)
    gaps = [item for item in roadmap_of(assessment=scored) if item.kind == "gap"][:3]
    projections = selectors.roadmap_projections(assessment=scored, done_ids=[i.item_id for i in gaps])
    assert projections["now"].index == stored.readiness_index
    assert projections["now"].areas == {area.area_id: area.score for area in stored.areas}
    assert projections["projected"].index >= projections["now"].index

    client.force_login(viewer)
    page = html.unescape(
        client.get(
            reverse("assessments:roadmap", args=[scored.pk]), {"done": [i.item_id for i in gaps]}
        ).content.decode()
    )
    assert f'<span id="index-as-scored">{stored.index_text}</span> as scored → ' in page
    assert "projected after the roadmap" in page
    assert "The self-assessed scores alone, before inventory evidence:" in page
    assert f"{projections['self_now'].index:.1f} → {projections['self_projected'].index:.1f}" in page
    for area in stored.areas:  # the what-if table shows the same area scores as the result page
        if area.area_id == gaps[0].area_ref:
            assert f'{area.name}</th><td class="text-end">{score_text(area.score)}</td>' in page


def _prefilled(assessment) -> set[str]:
    return set(assessment.answers.filter(source="inventory").values_list("question_id", flat=True))


def test_without_the_evidence_is_the_self_assessed_column_weighted_by_the_areas(client, organization, assessor):
    """The sentence under a contradiction gives the index of the self-assessed column (weighted by the areas'
    weights), not the questionnaire's mean of all answers, which also counts the answers pre-filled from the
    inventory (the demo said 74.2 where its Self-assessed column gives 75.4)."""
    from assessments import services
    from inventory.models import Site

    Site.objects.create(organization=organization, name="Old DC", country="PL", pue=2.1, renewable_share_pct=0)
    assessment = start_assessment(organization=organization, user=assessor, title="Optimistic")
    answer_all(assessment, assessor, good_value, skip=_prefilled(assessment))  # the pre-filled answers stay
    services.assessment_submit(assessment=assessment, user=assessor)
    stored = result_for(assessment=assessment)
    assert stored.contradicted
    scored = [(area.self_score, area.weight) for area in stored.areas if area.self_score is not None]
    expected = sum(s * w for s, w in scored) / sum(w for _, w in scored)
    assert stored.self_index == pytest.approx(expected)
    assert stored.self_index != pytest.approx(stored.answers_index)  # pre-filled answers count in the latter only
    client.force_login(assessor)
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert (
        f"Without the evidence the readiness index would be {stored.shown_self_index} (the self-assessed scores "
        "alone, weighted by the areas' weights)."
    ) in page


def test_the_change_column_adds_up_with_the_rounded_scores():
    from assessments.views.roadmap import ProjectedArea

    assert ProjectedArea("latency", "Latency", 85.84, 89.16).change == 3.4  # 89.2 - 85.8, not 3.32 shown as 3.3
