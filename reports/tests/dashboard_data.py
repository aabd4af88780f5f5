"""Data for the dashboards' tests: a fleet with known power, price and carbon, and scored assessments made through
the services (submitting scores eagerly and builds the roadmap)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from accounts.models import Organization
from assessments import scoring, services
from assessments.models import Assessment, AssessmentStatus
from assessments.tests.factories import answer_all, start_assessment, weak_value
from inventory.models import Server, Site
from inventory.tests.factories import ServerFactory, SiteFactory

SITE_PUE = 1.25
GRID_G_PER_KWH = 400.0
PRICE_PER_KWH = "0.2000"
SERVER_W = 10_200


def site(organization: Organization, **values: Any) -> Site:
    """A site with a known PUE, grid intensity (overridden) and electricity price in EUR."""
    defaults = {
        "name": "Frankfurt",
        "pue": SITE_PUE,
        "grid_intensity_override": GRID_G_PER_KWH,
        "electricity_price_per_kwh": PRICE_PER_KWH,
        "currency": "EUR",
        "power_capacity_kw": 500.0,
    }
    return SiteFactory(organization=organization, **{**defaults, **values})


def servers(organization: Organization, count: int, *, at: Site | None = None, **values: Any) -> list[Server]:
    """``count`` active servers of 8 H100 SXM drawing 10.2 kW each."""
    where = at or site(organization)
    return [ServerFactory(organization=organization, site=where, power_w=SERVER_W, **values) for _ in range(count)]


def scored_assessment(
    organization: Organization,
    user: Any,
    *,
    title: str = "Readiness",
    value: Callable[[scoring.Question], Any] = weak_value,
    skip: Iterable[str] = (),
    previous: Assessment | None = None,
    **kwargs: Any,
) -> Assessment:
    """An assessment answered with ``value`` (all questions but ``skip``), submitted and scored."""
    if previous is not None:
        assessment = services.assessment_reassess(previous=previous, user=user)
    else:
        assessment = start_assessment(organization=organization, user=user, title=title, **kwargs)
    answer_all(assessment, user, value, skip=skip)
    services.assessment_submit(assessment=assessment, user=user)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORED, assessment.scoring_error
    return assessment
