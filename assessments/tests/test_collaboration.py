"""Owners per area, review and sign-off, comments with mentions, no lost updates: the services and the API."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import services
from assessments.models import Answer, AreaAssignment, AreaReview, Assessment, Comment, ReviewStatus
from assessments.tests.factories import ensure_default_framework, good_value, start_assessment
from config.errors import Conflict, Invalid
from config.testing import api_errors

pytestmark = pytest.mark.django_db


def url(name, *args, **query):
    path = reverse(f"api:assessments:{name}", args=args)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def reviewer(organization):
    return MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user


@pytest.fixture
def assessment(organization, assessor):
    ensure_default_framework()
    return start_assessment(organization=organization, user=assessor, sign_off_required=True)


@pytest.fixture
def framework(assessment):
    return services.framework_parse(assessment.framework)


def first_question(framework, area_index=0):
    area = framework.areas[area_index]
    return area, next(q for q in area.questions() if q.type == "maturity")


def approve_all(assessment, framework, reviewer):
    for area in framework.areas:
        services.area_review_request(assessment=assessment, area_ref=area.id, user=reviewer)
        services.area_review_approve(assessment=assessment, area_ref=area.id, user=reviewer)


# --- no lost updates ------------------------------------------------------------------------------------------------


def test_answers_carry_a_version_raised_by_every_save(assessment, framework, assessor):
    _, question = first_question(framework)
    first = services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1)], user=assessor)
    assert first[0].version == 1
    again = services.answers_save(
        assessment=assessment, items=[services.AnswerInput(question.id, 2, version=1)], user=assessor
    )
    assert again[0].version == 2
    assert Answer.objects.get(assessment=assessment, question_id=question.id).version == 2


def test_a_stale_save_from_someone_else_is_refused_with_both_values(assessment, framework, assessor, reviewer):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3, version=1)], user=assessor)
    with pytest.raises(Conflict) as refused:  # rosa opened the page at version 1 and answers 2
        services.answers_save(
            assessment=assessment, items=[services.AnswerInput(question.id, 2, version=1)], user=reviewer
        )
    item = refused.value.errors[0]
    assert item.code == "stale_answer"
    assert item.current["value"] == 3
    assert item.current["version"] == 2
    assert item.current["answered_by"] == "arjun"
    assert "arjun" in item.message
    assert "yours is" in item.message
    assert Answer.objects.get(assessment=assessment, question_id=question.id).value == 3  # nothing lost
    # Overwriting is a choice: send again with the current version.
    saved = services.answers_save(
        assessment=assessment, items=[services.AnswerInput(question.id, 2, version=2)], user=reviewer
    )
    assert saved[0].value == 2
    assert saved[0].version == 3


def test_a_first_answer_given_meanwhile_by_someone_else_is_not_overwritten(assessment, framework, assessor, reviewer):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1, version=0)], user=assessor)
    with pytest.raises(Conflict):
        services.answers_save(
            assessment=assessment, items=[services.AnswerInput(question.id, 2, version=0)], user=reviewer
        )


def test_your_own_newer_save_and_saves_without_version_go_through(assessment, framework, assessor):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3)], user=assessor)
    assert Answer.objects.get(assessment=assessment, question_id=question.id).version == 3


def test_two_members_answering_different_areas_lose_nothing(assessment, framework, assessor, reviewer):
    _, one = first_question(framework, 0)
    _, two = first_question(framework, 1)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(one.id, 2, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(two.id, 3, version=0)], user=reviewer)
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "value"))
    assert stored[one.id] == 2
    assert stored[two.id] == 3


def test_api_answers_a_stale_save_with_409_in_the_one_error_shape(
    api_client_for, organization, assessment, framework, assessor, reviewer
):
    _, question = first_question(framework)
    mine = api_client_for(assessor, organization)
    theirs = api_client_for(reviewer, organization)
    answers = url("assessment-answers", assessment.pk)
    first = mine.post(answers, {"question_id": question.id, "value": 1, "version": 0}, format="json")
    assert first.status_code == 200
    assert first.json()[0]["version"] == 1
    assert mine.post(answers, {"question_id": question.id, "value": 3, "version": 1}, format="json").status_code == 200
    response = theirs.post(answers, {"question_id": question.id, "value": 2, "version": 1}, format="json")
    assert response.status_code == 409
    [error] = api_errors(response)
    assert error["code"] == "stale_answer"
    assert error["field"] == "version"
    assert error["index"] == 0
    assert error["current"]["value"] == 3
    assert error["current"]["version"] == 2
    assert mine.get(answers).json()[0]["version"] == 2


def test_removing_an_answer_someone_else_changed_since_is_refused(
    api_client_for, organization, assessment, framework, assessor, reviewer
):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3)], user=assessor)
    target = url("assessment-clear-answer", assessment.pk, question.id)
    response = api_client_for(reviewer, organization).delete(f"{target}?version=1")
    assert response.status_code == 409
    assert api_errors(response)[0]["current"]["value"] == 3
    assert api_client_for(reviewer, organization).delete(f"{target}?version=2").status_code == 204


def test_the_page_without_javascript_refuses_a_stale_answer_too(client, assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3)], user=assessor)
    client.force_login(reviewer)
    page = reverse("assessments:area", args=[assessment.pk, area.id])
    response = client.post(page, {f"{question.id}-value": "2", f"{question.id}-version": "1", "go": "stay"})
    assert response.status_code == 200
    assert "was changed by arjun" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, question_id=question.id).value == 3


def maturity_questions(framework, count):
    """The first area with ``count`` maturity questions, and those."""
    for area in framework.areas:
        questions = [q for q in area.questions() if q.type == "maturity"]
        if len(questions) >= count:
            return area, questions[:count]
    raise AssertionError(f"no area has {count} maturity questions")


def test_a_page_of_answers_leaves_the_questions_its_member_did_not_change_to_whoever_changed_them(
    assessment, framework, assessor, reviewer
):
    """Rosa opened the area (one, two unanswered; three at version 1); arjun then answered one and changed three.
    Rosa's page (without JavaScript) posts every question of the area as she saw it, with her answer to two: only
    two is hers, the others she did not touch are not hers to overwrite nor a conflict."""
    _, (one, two, three) = maturity_questions(framework, 3)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(three.id, 1, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(one.id, 4, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(three.id, 3, version=1)], user=assessor)
    page = [
        services.AnswerInput(one.id, None, version=0),
        services.AnswerInput(two.id, 2, version=0),
        services.AnswerInput(three.id, 1, version=1),
    ]
    applied = services.answers_apply(assessment=assessment, items=page, user=reviewer)
    assert (applied.saved, applied.cleared) == (1, 0)
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "value"))
    assert (stored[one.id], stored[two.id], stored[three.id]) == (4, 2, 3)
    # A question she did change since arjun's save is still his to keep or hers to overwrite.
    with pytest.raises(Conflict) as refused:
        services.answers_apply(
            assessment=assessment, items=[services.AnswerInput(three.id, 2, version=1)], user=reviewer
        )
    assert [item.current["value"] for item in refused.value.errors] == [3]


def test_the_page_without_javascript_saves_your_answer_beside_others_changed_meanwhile(
    client, assessment, framework, assessor, reviewer
):
    area, (one, two) = maturity_questions(framework, 2)
    client.force_login(reviewer)
    page = reverse("assessments:area", args=[assessment.pk, area.id])
    form = {f"{q.id}-version": "0" for q in area.questions()}  # rosa opened the area: nothing answered
    services.answers_save(assessment=assessment, items=[services.AnswerInput(one.id, 4, version=0)], user=assessor)
    response = client.post(page, {**form, f"{two.id}-value": "2", "go": "stay"})
    assert response.status_code == 302
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "value"))
    assert (stored[one.id], stored[two.id]) == (4, 2)


def test_the_page_shown_again_keeps_the_version_each_untouched_answer_was_made_from(
    client, assessment, framework, assessor, reviewer
):
    """After a mistake, a question rosa did not touch is shown as she saw it with the version it was made from, so
    saving the corrected page does not remove or overwrite arjun's answer given meanwhile; a question that
    conflicted takes the current version (saving again overwrites it, as its message says)."""
    area, (one, two, three, four) = maturity_questions(framework, 4)
    client.force_login(reviewer)
    page = reverse("assessments:area", args=[assessment.pk, area.id])
    versions = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "version"))
    form = {f"{q.id}-version": str(versions.get(q.id, 0)) for q in area.questions()}
    for q in area.questions():  # the inventory's answers, as the page shows them
        answer = Answer.objects.filter(assessment=assessment, question_id=q.id).first()
        if answer is not None and answer.value is not None:
            form[f"{q.id}-value"] = str(answer.value)
    services.answers_save(
        assessment=assessment,
        items=[services.AnswerInput(one.id, 4, version=0), services.AnswerInput(three.id, 4, version=0)],
        user=assessor,
    )
    mine = {**form, f"{two.id}-value": "2", f"{three.id}-value": "1"}
    mistaken = client.post(page, {**mine, f"{four.id}-value": "x"})
    assert mistaken.status_code == 200
    html = mistaken.content.decode()
    assert f'name="{one.id}-version" value="0"' in html
    assert f'name="{three.id}-version" value="0"' in html
    conflicted = client.post(page, mine)
    assert conflicted.status_code == 200
    html = conflicted.content.decode()
    assert f"{three.id} was changed by arjun" in html
    assert f'name="{one.id}-version" value="0"' in html
    assert f'name="{three.id}-version" value="1"' in html  # saving again overwrites arjun's answer to three
    assert client.post(page, {**mine, f"{three.id}-version": "1", "go": "stay"}).status_code == 302
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "value"))
    assert (stored[one.id], stored[two.id], stored[three.id]) == (4, 2, 1)


# --- owners per area ------------------------------------------------------------------------------------------------


def test_assigning_an_area_emails_its_owner_and_lists_it_as_assigned_to_them(
    api_client_for, organization, assessment, framework, assessor, reviewer, django_capture_on_commit_callbacks
):
    reviewer.email = "rosa@example.com"
    reviewer.save()
    area = framework.areas[1]
    due = timezone.localdate() + dt.timedelta(days=10)
    client = api_client_for(assessor, organization)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("assessment-assignments", assessment.pk),
            {"area": area.id, "assignee_id": reviewer.pk, "due_date": due.isoformat()},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["area_name"] == area.name
    assert response.json()["assignee"] == "rosa"
    [message] = mail.outbox
    assert message.to == ["rosa@example.com"]
    assert area.name in message.subject
    assert "arjun" in message.body
    mine = api_client_for(reviewer, organization).get(url("assessment-assigned-to-me")).json()
    assert [(row["assessment"], row["area"], row["due_date"], row["review_status"]) for row in mine] == [
        (assessment.pk, area.id, due.isoformat(), "draft")
    ]
    listed = api_client_for(reviewer, organization).get(url("assessment-list", assigned_to="me")).json()
    assert [row["id"] for row in listed["results"]] == [assessment.pk]
    assert api_client_for(assessor, organization).get(url("assessment-list", assigned_to="me")).json()["count"] == 0


def test_an_owner_must_be_a_member_and_a_question_must_be_of_the_area(
    api_client_for, organization, assessment, framework, assessor, outsider
):
    client = api_client_for(assessor, organization)
    area = framework.areas[0]
    other_question = next(framework.areas[1].questions())
    response = client.post(
        url("assessment-assignments", assessment.pk), {"area": area.id, "assignee_id": outsider.pk}, format="json"
    )
    assert response.status_code == 400
    assert api_errors(response)[0]["code"] == "not_a_member"
    response = client.post(
        url("assessment-assignments", assessment.pk),
        {"area": area.id, "question_id": other_question.id, "assignee_id": assessor.pk},
        format="json",
    )
    assert response.status_code == 400
    assert api_errors(response)[0]["code"] == "unknown_question"


def test_due_reminders_are_sent_once_per_due_date(
    assessment, framework, assessor, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.INFRAREADY_DUE_SOON_DAYS = 2
    reviewer.email = "rosa@example.com"
    reviewer.save()
    today = timezone.localdate()
    soon = services.assignment_set(
        assessment=assessment,
        area_ref=framework.areas[0].id,
        assignee_id=reviewer.pk,
        user=assessor,
        due_date=today + dt.timedelta(days=1),
    )
    services.assignment_set(
        assessment=assessment,
        area_ref=framework.areas[1].id,
        assignee_id=reviewer.pk,
        user=assessor,
        due_date=today + dt.timedelta(days=9),
    )
    mail.outbox.clear()
    from assessments.tasks import remind_due_assignments

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_due_assignments() == 1
        assert remind_due_assignments() == 0  # idempotent
    [message] = mail.outbox
    assert framework.areas[0].name in message.subject
    assert "0 of" in message.body
    services.assignment_set(  # a new due date: one new reminder
        assessment=assessment,
        area_ref=framework.areas[0].id,
        assignee_id=reviewer.pk,
        user=assessor,
        due_date=today + dt.timedelta(days=2),
    )
    assert services.assignments_remind_due() == 1
    soon.refresh_from_db()
    assert soon.reminded_for == today + dt.timedelta(days=2)


def test_a_removed_member_is_no_longer_reminded_of_the_organizations_assessment(
    assessment, framework, assessor, reviewer, organization, settings, django_capture_on_commit_callbacks
):
    """A member removed from the organization keeps no access: the reminder (the assessment's title, the area,
    its progress, a link) is not emailed to them, though the area still names them as its owner."""
    from accounts import services as accounts_services

    settings.INFRAREADY_DUE_SOON_DAYS = 2
    reviewer.email = "rosa@example.com"
    reviewer.save()
    services.assignment_set(
        assessment=assessment,
        area_ref=framework.areas[0].id,
        assignee_id=reviewer.pk,
        user=assessor,
        due_date=timezone.localdate() + dt.timedelta(days=1),
    )
    accounts_services.membership_remove(membership=reviewer.memberships.get(organization=organization))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.assignments_remind_due() == 0
    assert mail.outbox == []


def test_the_beat_schedule_reminds_daily(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["remind-due-assignments"]
    assert schedule == {"task": "assessments.tasks.remind_due_assignments", "schedule": 24 * 3600}


# --- review and sign-off --------------------------------------------------------------------------------------------


def test_an_area_is_approved_only_in_review_and_never_by_its_answerer(assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    with pytest.raises(Conflict) as refused:
        services.area_review_approve(assessment=assessment, area_ref=area.id, user=reviewer)
    assert refused.value.errors[0].code == "not_in_review"
    services.area_review_request(assessment=assessment, area_ref=area.id, user=assessor)
    with pytest.raises(Conflict) as refused:
        services.area_review_approve(assessment=assessment, area_ref=area.id, user=assessor)
    assert refused.value.errors[0].code == "reviewer_is_answerer"
    review = services.area_review_approve(assessment=assessment, area_ref=area.id, user=reviewer)
    assert review.status == ReviewStatus.APPROVED
    assert review.reviewed_by == reviewer


def test_asking_for_a_review_emails_the_members_who_may_approve(
    organization, assessment, framework, assessor, reviewer, django_capture_on_commit_callbacks
):
    area, question = first_question(framework)
    owner = MembershipFactory(organization=organization, role=Role.OWNER, user=UserFactory(username="omar")).user
    viewer = MembershipFactory(organization=organization, role=Role.VIEWER, user=UserFactory(username="vic")).user
    outsider = MembershipFactory(role=Role.OWNER, user=UserFactory(username="zed")).user  # another organization's
    for user in (assessor, reviewer, owner, viewer, outsider):
        user.email = f"{user.username}@example.com"
        user.save()
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.area_review_request(assessment=assessment, area_ref=area.id, user=assessor)
    # Not the one who asked, not omar (he answered in the area), not the viewer, not another organization's member.
    assert [message.to for message in mail.outbox] == [["rosa@example.com"]]
    [message] = mail.outbox
    assert message.subject == f"[InfraReady] arjun asks you to review “{area.name}” in {assessment.title}"
    assert "Hello rosa" in message.body
    assert reverse("assessments:area", args=[assessment.pk, area.id]) in message.body


def test_changing_an_approved_area_sends_it_back_to_review(assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    services.area_review_request(assessment=assessment, area_ref=area.id, user=assessor)
    services.area_review_approve(assessment=assessment, area_ref=area.id, user=reviewer)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    review = AreaReview.objects.get(assessment=assessment, area_ref=area.id)
    assert review.status == ReviewStatus.IN_REVIEW
    assert "arjun" in review.note


def test_api_review_actions_and_409_for_the_answerer(
    api_client_for, organization, assessment, framework, assessor, reviewer
):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    mine = api_client_for(assessor, organization)
    review = url("assessment-review-area", assessment.pk, area.id)
    assert mine.post(review, {"action": "request"}, format="json").json()["status"] == "in_review"
    response = mine.post(review, {"action": "approve"}, format="json")
    assert response.status_code == 409
    assert api_errors(response)[0]["code"] == "reviewer_is_answerer"
    assert "another member" in api_errors(response)[0]["message"]
    approved = api_client_for(reviewer, organization).post(review, {"action": "approve"}, format="json").json()
    assert approved["status"] == "approved"
    assert approved["reviewed_by"] == "rosa"
    rows = mine.get(url("assessment-reviews", assessment.pk)).json()
    assert [row["status"] for row in rows].count("approved") == 1
    assert len(rows) == len(framework.areas)


def test_submitting_needs_every_area_approved(api_client_for, organization, assessment, framework, assessor, reviewer):
    _, question = first_question(framework)
    services.answers_save(
        assessment=assessment, items=[services.AnswerInput(question.id, good_value(question))], user=assessor
    )
    client = api_client_for(assessor, organization)
    response = client.post(url("assessment-submit", assessment.pk), {}, format="json")
    assert response.status_code == 409
    assert api_errors(response)[0]["code"] == "sign_off_missing"
    assert framework.areas[0].name in api_errors(response)[0]["message"]
    approve_all(assessment, framework, reviewer)
    assert client.post(url("assessment-submit", assessment.pk), {}, format="json").status_code == 202
    assessment.refresh_from_db()
    assert assessment.submitted_by == assessor
    assert assessment.sign_off_overridden_by is None


def test_only_an_owner_overrides_the_sign_off_and_it_is_recorded(
    api_client_for, organization, assessment, framework, assessor, owner
):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    body = {"override_reason": "Board meeting tomorrow; security signs off next week."}
    response = api_client_for(assessor, organization).post(url("assessment-submit", assessment.pk), body, format="json")
    assert response.status_code == 409
    assert api_errors(response)[0]["code"] == "override_needs_owner"
    response = api_client_for(owner, organization).post(url("assessment-submit", assessment.pk), body, format="json")
    assert response.status_code == 202
    assessment.refresh_from_db()
    assert assessment.sign_off_overridden_by == owner
    assert assessment.sign_off_overridden_at is not None
    assert assessment.sign_off_override_reason == body["override_reason"]
    data = api_client_for(owner, organization).get(url("assessment-detail", assessment.pk)).json()
    assert data["sign_off_overridden_by"] == "olivia"
    assert data["sign_off_override_reason"] == body["override_reason"]


# --- comments -------------------------------------------------------------------------------------------------------


def test_threaded_comments_with_mentions_email_the_members_mentioned(
    api_client_for,
    organization,
    assessment,
    framework,
    assessor,
    reviewer,
    outsider,
    django_capture_on_commit_callbacks,
):
    reviewer.email = "rosa@example.com"
    reviewer.save()
    outsider.email = "oscar@example.com"
    outsider.save()
    _, question = first_question(framework)
    client = api_client_for(assessor, organization)
    comments = url("assessment-comments", assessment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        top = client.post(
            comments, {"question_id": question.id, "body": "@rosa can you check this? cc @oscar."}, format="json"
        )
    assert top.status_code == 201
    assert top.json()["mentions"] == ["rosa"]
    assert [m.to for m in mail.outbox] == [["rosa@example.com"]]
    first = top.json()["id"]
    reply = api_client_for(reviewer, organization).post(
        comments, {"question_id": question.id, "body": "Checked.", "parent_id": first}, format="json"
    )
    deeper = client.post(
        comments, {"question_id": question.id, "body": "Thanks.", "parent_id": reply.json()["id"]}, format="json"
    )
    assert reply.json()["parent_id"] == first
    assert deeper.json()["parent_id"] == first
    listed = client.get(comments, {"question_id": question.id}).json()
    assert [(c["author"], c["parent_id"]) for c in listed] == [("arjun", None), ("rosa", first), ("arjun", first)]
    other = next(framework.areas[1].questions())
    response = client.post(comments, {"question_id": other.id, "body": "x", "parent_id": first}, format="json")
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "parent_id"


def test_its_author_edits_a_comment_and_the_members_it_newly_mentions_are_emailed(
    api_client_for, organization, assessment, framework, assessor, reviewer, django_capture_on_commit_callbacks
):
    ines = MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="ines")).user
    for user, address in ((reviewer, "rosa@example.com"), (ines, "ines@example.com")):
        user.email = address
        user.save()
    _, question = first_question(framework)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(
            assessment=assessment, question_ref=question.id, body="@rosa is this right?", user=assessor
        )
    mail.outbox.clear()
    edit = url("assessment-edit-comment", assessment.pk, comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(assessor, organization).patch(
            edit, {"body": "  @rosa is this right? @ines too.  "}, format="json"
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["body"] == "@rosa is this right? @ines too."
    assert body["mentions"] == ["ines", "rosa"]
    assert body["edited"] is not None
    assert [m.to for m in mail.outbox] == [["ines@example.com"]]  # rosa was mentioned (and emailed) already
    # Another member, even one who may comment, cannot change it; an empty text is refused; nothing changes.
    refused = api_client_for(reviewer, organization).patch(edit, {"body": "Mine now."}, format="json")
    assert refused.status_code == 403
    assert api_errors(refused)[0]["code"] == "permission_denied"
    empty = api_client_for(assessor, organization).patch(edit, {"body": "   "}, format="json")
    assert empty.status_code == 400
    assert api_errors(empty)[0]["field"] == "body"
    comment.refresh_from_db()
    assert comment.body == "@rosa is this right? @ines too."


def test_a_comment_with_a_control_or_text_direction_character_is_refused_at_its_body(
    api_client_for, organization, assessment, framework, assessor
):
    # The comment's field rule (validate_text, as for notes): line breaks and tabs are text, a NUL, a bell or a
    # right-to-left override (which makes the text read differently from what is stored) are not.
    _, question = first_question(framework)
    kept = services.comment_add(
        assessment=assessment, question_ref=question.id, body="Line one\n\tline two", user=assessor
    )
    assert kept.body == "Line one\n\tline two"
    for body in ("pay \u202etxt.exe", "ring \x07 the bell"):
        with pytest.raises(Invalid) as refused:
            services.comment_add(assessment=assessment, question_ref=question.id, body=body, user=assessor)
        assert (refused.value.errors[0].field, refused.value.errors[0].code) == ("body", "invalid_characters")
    edit = url("assessment-edit-comment", assessment.pk, kept.pk)
    response = api_client_for(assessor, organization).patch(edit, {"body": "now \u202eevil"}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in api_errors(response)] == [("body", "invalid_characters")]
    kept.refresh_from_db()
    assert kept.body == "Line one\n\tline two"


def test_the_api_refuses_a_comment_in_the_pages_words(api_client_for, organization, assessment, framework, assessor):
    """An empty or too long comment read "This field may not be blank." and "Ensure this field has no more than 5000
    characters." in the API (DRF's), "Write something to comment." on the page (the service's)."""
    _, question = first_question(framework)
    client = api_client_for(assessor, organization)
    add = url("assessment-comments", assessment.pk)
    for body, code, message in (
        ("   ", "required", "Write something to comment."),
        ("x" * 5001, "max_length", "A comment has at most 5000 characters."),
    ):
        response = client.post(add, {"question_id": question.id, "body": body}, format="json")
        assert response.status_code == 400
        assert [(e["field"], e["code"], e["message"]) for e in api_errors(response)] == [("body", code, message)]
    kept = services.comment_add(assessment=assessment, question_ref=question.id, body="Kept.", user=assessor)
    response = client.patch(url("assessment-edit-comment", assessment.pk, kept.pk), {"body": ""}, format="json")
    assert [(e["field"], e["code"]) for e in api_errors(response)] == [("body", "required")]
    assert Comment.objects.filter(assessment=assessment).count() == 1


def test_the_area_page_edits_your_own_comments_only(client, assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    mine = services.comment_add(assessment=assessment, question_ref=question.id, body="Draft note.", user=assessor)
    theirs = services.comment_add(
        assessment=assessment, question_ref=question.id, body="Reply.", user=reviewer, parent_id=mine.pk
    )
    client.force_login(assessor)
    page_url = reverse("assessments:area", args=[assessment.pk, area.id])
    page = client.get(page_url).content.decode()
    assert f'id="edit-comment-{mine.pk}"' in page
    assert f'id="edit-comment-{theirs.pk}"' not in page  # no form for someone else's comment
    assert page.count("Edit your comment") == 1
    edit = reverse("assessments:area_comment_edit", args=[assessment.pk, area.id, mine.pk])
    response = client.post(edit, {"body": "Final note."}, follow=True)
    assert "Comment changed." in response.content.decode()
    assert "Final note." in response.content.decode()
    edited = response.content.decode()
    assert re.search(r"(now|\d+\xa0seconds? ago), edited", edited), "a comment of a moment ago"
    assert "0\xa0minutes" not in edited
    type(mine).objects.filter(pk=mine.pk).update(created=timezone.now() - dt.timedelta(minutes=3))
    assert "3\xa0minutes ago, edited" in client.get(page_url).content.decode()
    response = client.post(
        reverse("assessments:area_comment_edit", args=[assessment.pk, area.id, theirs.pk]), {"body": "x"}, follow=True
    )
    assert "Only its author can edit a comment." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.body == "Reply."
    other_area = framework.areas[1].id  # a comment is edited through its own area's page only
    assert (
        client.post(reverse("assessments:area_comment_edit", args=[assessment.pk, other_area, mine.pk])).status_code
        == 404
    )


# --- constant queries -----------------------------------------------------------------------------------------------


def _count(client, path, django_assert_num_queries=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_collaboration_lists_run_a_constant_number_of_queries(
    api_client_for, organization, assessment, framework, assessor, reviewer
):
    client = api_client_for(reviewer, organization)
    paths = {
        "assigned": url("assessment-assigned-to-me"),
        "assignments": url("assessment-assignments", assessment.pk),
        "reviews": url("assessment-reviews", assessment.pk),
        "comments": url("assessment-comments", assessment.pk),
    }
    client.get(paths["reviews"])  # the token's first use of the day is recorded
    questions = list(framework.questions())

    def grow(n):
        for area in framework.areas[:n]:
            services.assignment_set(assessment=assessment, area_ref=area.id, assignee_id=reviewer.pk, user=assessor)
            services.area_review_request(assessment=assessment, area_ref=area.id, user=assessor)
        for question in questions[:n]:
            comment = services.comment_add(
                assessment=assessment, question_ref=question.id, body="@arjun @rosa look", user=assessor
            )
            services.comment_add(
                assessment=assessment, question_ref=question.id, body="ok", user=reviewer, parent_id=comment.pk
            )

    grow(1)
    few = {name: _count(client, path) for name, path in paths.items()}
    AreaAssignment.objects.all().delete()
    AreaReview.objects.all().delete()
    grow(6)
    many = {name: _count(client, path) for name, path in paths.items()}
    assert many == few
    # the token, the membership (checked, then read), then the assessment and one query per table (two for
    # the comments: their mentions are prefetched)
    assert few == {"assigned": 5, "assignments": 6, "reviews": 6, "comments": 6}


# --- the pages ------------------------------------------------------------------------------------------------------


def test_the_area_page_shows_owner_review_comments_and_versions(
    client, organization, assessment, framework, assessor, reviewer
):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    services.assignment_set(assessment=assessment, area_ref=area.id, assignee_id=reviewer.pk, user=assessor)
    comment = services.comment_add(assessment=assessment, question_ref=question.id, body="Why 2?", user=reviewer)
    services.comment_add(
        assessment=assessment, question_ref=question.id, body="See the audit.", user=assessor, parent_id=comment.pk
    )
    client.force_login(reviewer)
    page = client.get(reverse("assessments:area", args=[assessment.pk, area.id])).content.decode()
    assert "Owner: <strong>rosa</strong>" in page
    assert 'data-version="1"' in page
    assert "Why 2?" in page
    assert "See the audit." in page
    assert "Ask for review" in page


def test_review_comment_and_owner_forms_call_the_services(client, assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    review_url = reverse("assessments:area_review", args=[assessment.pk, area.id])
    client.force_login(assessor)
    client.post(review_url, {"action": "request"})
    response = client.post(review_url, {"action": "approve"}, follow=True)
    assert "another member must review" in response.content.decode()
    client.post(
        reverse("assessments:area_owner", args=[assessment.pk, area.id]),
        {"assignee": str(reviewer.pk), "due_date": ""},
    )
    client.post(
        reverse("assessments:area_comment", args=[assessment.pk, area.id]),
        {"question_id": question.id, "body": "@rosa please approve"},
    )
    client.force_login(reviewer)
    page = client.get("/").content.decode()
    assert "Assigned to me" in page
    assert area.name in page
    client.post(review_url, {"action": "approve"})
    assert AreaReview.objects.get(assessment=assessment, area_ref=area.id).status == ReviewStatus.APPROVED
    assert AreaAssignment.objects.get(assessment=assessment).assignee == reviewer


def test_the_area_page_sets_and_clears_a_question_owner(client, assessment, framework, assessor, reviewer):
    area, question = first_question(framework)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, area.id])
    client.force_login(assessor)
    page = client.get(reverse("assessments:area", args=[assessment.pk, area.id])).content.decode()
    assert "Owner of one question" in page
    assert f'<option value="{question.id}">{question.id}</option>' in page
    response = client.post(owner_url, {"question_id": question.id, "assignee": str(reviewer.pk)}, follow=True)
    assert f"rosa owns question {question.id}." in response.content.decode()
    assert "Owner of this question: <strong>rosa</strong>" in response.content.decode()
    assigned = AreaAssignment.objects.get(assessment=assessment)
    assert (assigned.area_ref, assigned.question_ref, assigned.assignee) == (area.id, question.id, reviewer)
    # A question of another area is refused by name; clearing the question's owner keeps the area's.
    other = next(framework.areas[1].questions())
    response = client.post(owner_url, {"question_id": other.id, "assignee": str(reviewer.pk)}, follow=True)
    assert "Choose a question of this area." in response.content.decode()
    client.post(owner_url, {"assignee": str(assessor.pk)})
    response = client.post(owner_url, {"question_id": question.id, "assignee": ""}, follow=True)
    assert f"Question {question.id} has no owner now." in response.content.decode()
    assert list(AreaAssignment.objects.values_list("question_ref", "assignee__username")) == [("", "arjun")]


def test_the_owner_form_refuses_an_impossible_date_and_another_organizations_user(
    client, assessment, framework, assessor, outsider
):
    """A date that is well formed but does not exist (30 February) was a 500; a user of another organization is
    refused without being named."""
    area, _ = first_question(framework)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, area.id])
    client.force_login(assessor)
    response = client.post(owner_url, {"assignee": str(assessor.pk), "due_date": "2030-02-30"}, follow=True)
    assert response.status_code == 200
    assert "Enter the due date as a date." in response.content.decode()
    response = client.post(owner_url, {"assignee": str(outsider.pk), "due_date": ""}, follow=True)
    assert response.status_code == 200
    assert "The owner must be a member of the organization." in response.content.decode()
    assert outsider.username not in response.content.decode()
    assert not AreaAssignment.objects.exists()


def test_the_review_page_offers_owners_an_override_and_the_overview_shows_it(
    client, assessment, framework, assessor, owner
):
    _, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 2)], user=assessor)
    client.force_login(assessor)
    page = client.get(reverse("assessments:review", args=[assessment.pk])).content.decode()
    assert "Every area must be approved first" in page
    assert "Submit without every sign-off" not in page
    client.force_login(owner)
    page = client.get(reverse("assessments:review", args=[assessment.pk])).content.decode()
    assert "Submit without every sign-off" in page
    client.post(reverse("assessments:submit", args=[assessment.pk]), {"override_reason": "Audit deadline."})
    page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "olivia overrode the sign-off" in page
    assert "Audit deadline." in page
    # the same sentence as the PDF's cover (`ReportContent.sign_off`): one wording, on the model
    said = Assessment.objects.get(pk=assessment.pk).sign_off_override_text
    day = timezone.localtime(Assessment.objects.get(pk=assessment.pk).sign_off_overridden_at)
    assert said == (
        f"Submitted without every area approved: olivia overrode the sign-off on {day:%-d %B %Y}. "
        "Reason: “Audit deadline.”"
    )
    assert escape(said) in page


# --- the admin ------------------------------------------------------------------------------------------------------


def test_the_admin_shows_each_organization_only_its_owners_reviews_and_comments(
    client, organization, other_organization, assessment, framework, assessor, owner, outsider
):
    from django.contrib.auth.models import Permission

    from assessments.models import Comment

    theirs = start_assessment(organization=other_organization, user=outsider, title="Other 2025")
    area, question = first_question(framework)
    for target, user in ((assessment, assessor), (theirs, outsider)):
        services.assignment_set(assessment=target, area_ref=area.id, assignee_id=user.pk, user=user)
        services.area_review_request(assessment=target, area_ref=area.id, user=user)
        services.comment_add(assessment=target, question_ref=question.id, body="note", user=user)
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
    client.force_login(owner)
    for model in (AreaAssignment, AreaReview, Comment):
        name = model._meta.model_name
        response = client.get(reverse(f"admin:assessments_{name}_changelist"))
        assert response.status_code == 200
        assert [row.assessment_id for row in response.context["cl"].result_list] == [assessment.pk]
        other = model.objects.get(assessment=theirs)
        assert client.get(reverse(f"admin:assessments_{name}_change", args=[other.pk])).status_code == 302
        mine = model.objects.get(assessment=assessment)
        page = client.get(reverse(f"admin:assessments_{name}_change", args=[mine.pk]))
        assert page.status_code == 200
        assert client.get(reverse(f"admin:assessments_{name}_add")).status_code == 403
