"""The home page headlines the organization's readiness: the last scored assessment of the whole organization, even
when a check of 2 of its 5 sites was scored since; when every scored assessment names sites, the last of those,
its scope and answered share said in words. In as many queries either way."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.tests.factories import start_assessment, weak_value
from reports import selectors
from reports.selectors import ScopeWords, scope_text

from .dashboard_data import scored_assessment, site
from .test_dashboards_queries import ASSESSMENT_COLD

pytestmark = pytest.mark.django_db

SITES = ("Berlin", "Frankfurt", "Hamburg", "Munich Lab", "Paris")


@pytest.fixture
def five_sites(organization):
    return {name: site(organization, name=name) for name in SITES}


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def a_third_answered(organization, owner, *, title, **kwargs):
    """Scored with 30 % of the questions answered (22 of the framework's 74, none from the inventory)."""
    assessment = start_assessment(organization=organization, user=owner, title=title, **kwargs)
    assessment.answers.filter(source="inventory").delete()
    questions = list(services.framework_parse(assessment.framework).questions())
    items = [services.AnswerInput(q.id, weak_value(q)) for q in questions[:22]]
    services.answers_save(assessment=assessment, items=items, user=owner)
    services.assessment_submit(assessment=assessment, user=owner)
    assessment.refresh_from_db()
    assert (assessment.result.answered, assessment.result.total) == (22, 74)
    return assessment


def cold(client, url="/"):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


def test_scope_text_counts_the_sites_named_against_the_organizations():
    assert scope_text(ScopeWords("whole organization"), 5) == "the whole organization"
    assert scope_text(ScopeWords("Berlin, Munich Lab", ("Berlin", "Munich Lab")), 5) == (
        "2 of 5 sites (Berlin, Munich Lab)"
    )
    assert scope_text(ScopeWords("Paris", ("Paris",)), 1) == "1 of 1 site (Paris)"
    assert scope_text(ScopeWords("every site; workloads: Chat", ()), 5) == "every site; workloads: Chat"


def test_a_narrow_check_scored_since_does_not_take_the_headline(owner_client, organization, owner, five_sites):
    whole = scored_assessment(organization, owner, title="Spring baseline")
    check = a_third_answered(
        organization, owner, title="Munich and Berlin check", sites=[five_sites["Munich Lab"], five_sites["Berlin"]]
    )
    assert check.submitted_at > whole.submitted_at
    assert selectors.headline_assessment(organization=organization) == whole
    headline, results = selectors.headline_with_results(selectors.scored_with_results(organization=organization))
    assert headline == whole
    assert results.current.readiness_index == whole.result.readiness_index

    response, _ = cold(owner_client)
    overview = response.context["overview"]
    assert overview.headline.pk == whole.pk
    assert overview.headline.whole_organization
    assert overview.readiness.index == whole.result.readiness_index
    page = response.content.decode()
    assert 'id="overview-scope"' not in page
    assert "Scored since, for part of the organization:" in page
    assert f'href="/assessments/{check.pk}/">Munich and Berlin check</a>: 2 of 5 sites (Berlin, Munich Lab)' in page


def test_when_every_scored_assessment_is_scoped_the_headline_says_its_scope_and_answered_share(
    owner_client, organization, owner, five_sites
):
    scored_assessment(organization, owner, title="Paris check", sites=[five_sites["Paris"]])
    check = a_third_answered(
        organization, owner, title="Munich and Berlin check", sites=[five_sites["Munich Lab"], five_sites["Berlin"]]
    )
    assert selectors.headline_assessment(organization=organization) == check

    response, _ = cold(owner_client)
    headline = response.context["overview"].headline
    assert headline.pk == check.pk
    assert not headline.whole_organization
    assert headline.scope == "2 of 5 sites (Berlin, Munich Lab)"
    assert (headline.answered, headline.total, headline.answered_pct) == (22, 74, 30)
    page = " ".join(response.content.decode().split())
    assert (
        "<strong>Not the whole organization.</strong> Munich and Berlin check covers 2 of 5 sites (Berlin, Munich "
        "Lab), and 22 of its 74 questions are answered (30%): its index is the readiness of that part only."
    ) in page
    assert "No assessment of the whole organization has been scored yet: <a" in page


def test_a_whole_organization_headline_answered_in_part_says_so(owner_client, organization, owner):
    a_third_answered(organization, owner, title="Quick baseline")
    page = " ".join(cold(owner_client)[0].content.decode().split())
    assert '<span id="overview-answered">from 22 of its 74 questions (30%)</span>' in page
    assert 'id="overview-scope"' not in page


def test_the_headline_costs_no_query_more(owner_client, organization, owner, five_sites):
    """The sites' names are read once for the trend and the headline (one query more than when every assessment
    covers the whole organization, as before), the organization's sites counted in the query that asks whether it
    has servers."""
    munich, berlin = five_sites["Munich Lab"], five_sites["Berlin"]
    scored_assessment(organization, owner, title="Munich check", sites=[munich])
    _, scoped_only = cold(owner_client)
    assert scoped_only == ASSESSMENT_COLD[0] + 1
    scored_assessment(organization, owner, title="Whole")
    scored_assessment(organization, owner, title="Munich and Berlin", sites=[munich, berlin])
    response, mixed = cold(owner_client)
    assert mixed == scoped_only
    assert response.context["overview"].headline.whole_organization
