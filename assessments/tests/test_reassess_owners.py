"""A re-assessment is answered by the same team: it carries its predecessor's owners per area and question, each
with its due date while that is not past (a past one is refused anywhere else, `past_due_date`), and the page says
which it did not carry. One rule (`services.assignments_carry`), called by the page and the API alike."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import services
from assessments.models import AreaAssignment, Assessment, AssessmentStatus
from assessments.tests.factories import answer_all, start_assessment

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_MONTH = TODAY + dt.timedelta(days=30)


@pytest.fixture
def rosa(organization):
    return MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user


@pytest.fixture
def sam(organization):
    return MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="sam")).user


def scored(organization, user) -> Assessment:
    assessment = start_assessment(organization=organization, user=user, title="Readiness")
    answer_all(assessment, user)
    return assessment


def freeze(assessment: Assessment) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORED)
    assessment.refresh_from_db()
    return assessment


def own(assessment, area, user, by, *, due=None, question=""):
    services.assignment_set(
        assessment=assessment, area_ref=area, question_ref=question, assignee_id=user.pk, user=by, due_date=due
    )


def fell_due(assessment, area, day, question=""):
    """Time passed: the due date set then is in the past now."""
    AreaAssignment.objects.filter(assessment=assessment, area_ref=area, question_ref=question).update(due_date=day)


def owners_of(assessment) -> dict[tuple[str, str], tuple[str, dt.date | None]]:
    return {
        (a.area_ref, a.question_ref): (a.assignee.username, a.due_date)
        for a in AreaAssignment.objects.filter(assessment=assessment).select_related("assignee")
    }


@pytest.fixture
def previous(organization, assessor, rosa, sam):
    """Hardware: rosa, due next month; energy: sam, due last week; HW-PP-03: arjun, due today; talent: sam,
    who has since left the organization."""
    assessment = scored(organization, assessor)
    own(assessment, "hardware", rosa, assessor, due=NEXT_MONTH)
    own(assessment, "energy", sam, assessor, due=NEXT_MONTH)
    fell_due(assessment, "energy", TODAY - dt.timedelta(days=7))
    own(assessment, "hardware", assessor, rosa, due=TODAY, question="HW-PP-03")
    leaver = MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="lee")).user
    own(assessment, "talent", leaver, assessor)
    Membership.objects.filter(user=leaver).delete()
    return freeze(assessment)


def test_a_reassessment_carries_each_owner_and_the_due_dates_not_past(previous, assessor, rosa):
    new = services.assessment_reassess(previous=previous, user=rosa)
    assert owners_of(new) == {
        ("hardware", ""): ("rosa", NEXT_MONTH),
        ("energy", ""): ("sam", None),  # its due date was last week: not carried
        ("hardware", "HW-PP-03"): ("arjun", TODAY),  # due today is not past
    }
    carried = AreaAssignment.objects.get(assessment=new, area_ref="hardware", question_ref="")
    assert carried.assigned_by == assessor  # who gave the area to rosa, as before
    assert carried.reminded_for is None  # the new draft's due date is reminded of once more
    # The previous assessment keeps its own.
    assert len(owners_of(previous)) == 4


def test_the_rule_says_what_it_did_not_carry_and_why(previous, rosa):
    new = services.assessment_reassess(previous=previous, user=rosa)
    plan = services.reassess_owners(previous=previous, framework=new.framework)
    said = {
        (o.place, o.assignee.username): (o.carried, o.due_date_carried, o.due_date_past, o.left_because) for o in plan
    }
    assert said == {
        ("“Hardware Limitations”", "rosa"): (True, NEXT_MONTH, False, ""),
        ("question HW-PP-03", "arjun"): (True, TODAY, False, ""),
        ("“Energy Consumption”", "sam"): (True, None, True, ""),
        ("“Talent Shortage”", "lee"): (False, None, False, "no longer a member"),
    }
    assert [o.area_ref for o in plan][:2] == ["hardware", "hardware"]  # the framework's order


def test_the_page_says_which_owners_and_due_dates_were_not_carried(client, previous, assessor):
    client.force_login(assessor)
    response = client.post(reverse("assessments:reassess", args=[previous.pk]), follow=True)
    new = Assessment.objects.get(previous=previous)
    assert response.redirect_chain[-1][0] == reverse("assessments:detail", args=[new.pk])
    text = html.unescape(re.sub(r"\s+", " ", response.content.decode()))
    assert "3 owners of areas and questions carried over." in text
    last_week = TODAY - dt.timedelta(days=7)
    energy = f"“Energy Consumption” (sam, due {last_week.day} {last_week:%b %Y})"
    assert f"Due dates already past were not carried over: {energy}. Set new ones on their areas." in text
    assert "Owners not carried over: “Talent Shortage” (lee: no longer a member)." in text
    assert len(owners_of(new)) == 3


def test_the_api_carries_them_by_the_same_rule(api_client_for, organization, previous, assessor):
    client = api_client_for(assessor, organization)
    response = client.post(reverse("api:assessments:assessment-reassess", args=[previous.pk]))
    assert response.status_code == 201, response.content
    new = Assessment.objects.get(pk=response.json()["id"])
    listed = client.get(reverse("api:assessments:assessment-assignments", args=[new.pk])).json()
    assert {(row["area"], row["question_id"], row["due_date"]) for row in listed} == {
        ("hardware", "", NEXT_MONTH.isoformat()),
        ("energy", "", None),
        ("hardware", "HW-PP-03", TODAY.isoformat()),
    }


def test_question_owners_follow_their_question_onto_a_new_version(organization, assessor, rosa, sam):
    """1.0 -> 1.1: IN-RND-02 and IN-RND-03 merge into IN-RND-04 (the first owner is carried), TAL-TRN-02 is
    dropped (its owner is not), DM-STOR-03 is split and keeps its id."""
    previous = scored(organization, assessor)
    own(previous, "innovation", rosa, assessor, question="IN-RND-02")
    own(previous, "innovation", sam, assessor, question="IN-RND-03")
    own(previous, "talent", sam, assessor, question="TAL-TRN-02")
    own(previous, "data", rosa, assessor, question="DM-STOR-03", due=NEXT_MONTH)
    freeze(previous)
    new = services.assessment_reassess(previous=previous, user=assessor, framework_version="1.1")
    assert new.framework.version == "1.1"
    assert owners_of(new) == {
        ("innovation", "IN-RND-04"): ("rosa", None),
        ("data", "DM-STOR-03"): ("rosa", NEXT_MONTH),
    }
    plan = services.reassess_owners(previous=previous, framework=new.framework)
    assert sorted((o.question_ref, o.assignee.username, o.left_because) for o in plan) == [
        ("DM-STOR-03", "rosa", ""),
        ("IN-RND-04", "rosa", ""),
        ("IN-RND-04", "sam", "merged into IN-RND-04, whose owner is carried"),
        ("TAL-TRN-02", "sam", "not in version 1.1"),
    ]
