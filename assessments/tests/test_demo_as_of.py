"""The demo's assessments are scored on what was true when each was submitted: the spring baseline cites no
measurement taken after its spring date (the demo's week of telemetry is this week's)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_SLUG
from assessments.demo import BASELINE, REVIEW
from assessments.models import Assessment

pytestmark = pytest.mark.django_db

WINDOW = re.compile(r"\b(\d{2} [A-Z][a-z]{2}) to (\d{2} [A-Z][a-z]{2} \d{4})\b")
"""A measured window as the facts word it: "29 Nov to 05 Dec 2026"."""
MEASURED = ("HW-PP-05", "EN-COST-07", "SC-DRA-05", "SC-DRA-06")
"""Questions answered by the facts of measured telemetry (docs/telemetry.md)."""


def test_no_demo_assessment_cites_a_measurement_window_ending_after_it_was_submitted(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    cited, facts = {}, {}
    for assessment in Assessment.objects.filter(organization__slug=DEMO_SLUG).select_related("result"):
        words = json.dumps(assessment.result.facts) + " ".join(assessment.roadmap_items.values_list("why", flat=True))
        ends = [datetime.strptime(match.group(2), "%d %b %Y").date() for match in WINDOW.finditer(words)]
        submitted = assessment.submitted_at.astimezone(UTC).date()
        assert ends, f"{assessment.title} cites no measured window"  # the check reads real citations
        assert max(ends) <= submitted, f"{assessment.title}, submitted {submitted}, cites a window ending {max(ends)}"
        cited[assessment.title], facts[assessment.title] = ends, assessment.result.facts
    assert set(cited) == {BASELINE, REVIEW}
    # In spring nothing was measured yet; this week a quarter of the fleet is (the review's evidence is its own).
    assert facts[BASELINE]["measured_accelerators_pct"]["value"] == 0
    assert "tensor_active_mean_pct" not in facts[BASELINE]
    assert facts[REVIEW]["measured_accelerators_pct"]["value"] > 0
    assert "tensor_active_mean_pct" in facts[REVIEW]
    # The review's measured questions are the inventory's answers this week, people's in spring.
    sources = dict(
        Assessment.objects.get(organization__slug=DEMO_SLUG, title=REVIEW)
        .answers.filter(question_id__in=MEASURED)
        .values_list("question_id", "source")
    )
    assert sources == dict.fromkeys(MEASURED, "inventory")
