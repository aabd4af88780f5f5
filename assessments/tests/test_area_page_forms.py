"""The area page's forms, as people use them without JavaScript: a refused owner, review, comment or piece of
evidence is shown at once beside its card, with what was typed, its problems announced (an alert) and the field to
fix focused; a question someone else saved meanwhile offers "Keep theirs" as a plain button."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import services
from assessments.models import Answer, AreaAssignment, AreaReview, Comment, Evidence, ReviewStatus
from assessments.tests.factories import ensure_default_framework, start_assessment

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def rosa(organization):
    return MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user


@pytest.fixture
def assessment(organization, assessor):
    ensure_default_framework()
    return start_assessment(organization=organization, user=assessor)


def area_url(assessment, area="hardware"):
    return reverse("assessments:area", args=[assessment.pk, area])


def section(page: str, dom_id: str) -> str:
    """The card with this id, as the page has it."""
    match = re.search(rf'<section class="card[^"]*" id="{dom_id}".*?</section>', page, re.S)
    assert match, f"no #{dom_id} card"
    return match.group(0)


def tag(page: str, dom_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<(?:input|select|div|textarea)[^>]* id="{dom_id}"[^>]*>', page)
    assert match, f"no #{dom_id}"
    return match.group(0)


def messages_above(page: str) -> str:
    """What the page says at its top (Django's messages), before the area's title."""
    return page.split("<h1", 1)[0]


# --- an owner refused -----------------------------------------------------------------------------------------------


def test_a_refused_owner_is_shown_beside_its_card_with_what_was_typed(client, assessment, assessor, rosa):
    client.force_login(assessor)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, "hardware"])
    response = client.post(owner_url, {"assignee": str(rosa.pk), "due_date": YESTERDAY.isoformat()})
    assert response.status_code == 200  # shown again at once, not sent elsewhere
    page = html.unescape(response.content.decode())
    card = section(page, "sign-off")
    assert 'role="alert"' in card
    assert "The owner was not saved." in card
    assert "The due date is in the past." in card
    assert "The due date is in the past." not in messages_above(page)
    # What was typed is still there; the field to fix says so, points at the problem and takes the focus.
    assert re.search(rf'<option value="{rosa.pk}" selected>rosa</option>', card)
    due = tag(card, "area-due")
    assert f'value="{YESTERDAY.isoformat()}"' in due
    assert 'aria-invalid="true"' in due
    assert 'aria-describedby="area-owner-errors"' in due
    assert "autofocus" in due
    assert "autofocus" not in tag(card, "area-assignee")
    # The page shown again at the owner form's address: its other forms still post where they belong.
    assert f'action="{owner_url}"' in card
    assert f'<form method="post" action="{area_url(assessment)}" novalidate id="answers-form"' in page
    assert not AreaAssignment.objects.exists()


def test_an_impossible_date_and_a_non_member_are_refused_the_same_way(client, assessment, assessor, outsider):
    client.force_login(assessor)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, "hardware"])
    card = section(
        client.post(owner_url, {"assignee": str(assessor.pk), "due_date": "2030-02-30"}).content.decode(), "sign-off"
    )
    assert "Enter the due date as a date." in card
    assert "autofocus" in tag(card, "area-due")
    card = section(client.post(owner_url, {"assignee": str(outsider.pk), "due_date": ""}).content.decode(), "sign-off")
    assert "The owner must be a member of the organization." in card
    assert 'aria-invalid="true"' in tag(card, "area-assignee")
    assert outsider.username not in card
    assert not AreaAssignment.objects.exists()


def test_a_refused_question_owner_opens_its_form_with_what_was_typed(client, assessment, assessor, rosa):
    client.force_login(assessor)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, "hardware"])
    form = {"question_id": "HW-PP-03", "assignee": str(rosa.pk), "due_date": YESTERDAY.isoformat()}
    card = html.unescape(section(client.post(owner_url, form).content.decode(), "sign-off"))
    assert '<details class="w-100" id="question-owner" open>' in card
    assert "The question's owner was not saved." in card
    assert "The owner was not saved." not in card  # the area's own form is not to blame
    assert '<option value="HW-PP-03" selected>' in card
    assert f'value="{YESTERDAY.isoformat()}"' in tag(card, "question-owner-due")
    assert "autofocus" in tag(card, "question-owner-due")
    assert f'action="{owner_url}"' in card
    # A question of another area is refused on that field.
    card = section(client.post(owner_url, {**form, "question_id": "EN-COST-01"}).content.decode(), "sign-off")
    assert "Choose a question of this area." in card
    assert "autofocus" in tag(card, "question-owner-question")


def test_an_owner_saved_still_goes_back_to_its_card(client, assessment, assessor, rosa):
    client.force_login(assessor)
    owner_url = reverse("assessments:area_owner", args=[assessment.pk, "hardware"])
    response = client.post(owner_url, {"assignee": str(rosa.pk), "due_date": ""})
    assert response["Location"] == area_url(assessment) + "#sign-off"
    assert AreaAssignment.objects.get().assignee == rosa


# --- a review refused -----------------------------------------------------------------------------------------------


def review_url(assessment, area="hardware"):
    return reverse("assessments:area_review", args=[assessment.pk, area])


def test_a_refused_review_is_shown_beside_the_sign_off_card(client, assessment, assessor):
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 2)], user=assessor)
    services.area_review_request(assessment=assessment, area_ref="hardware", user=assessor)
    client.force_login(assessor)
    response = client.post(review_url(assessment), {"action": "approve"})
    assert response.status_code == 200  # shown again at once, not sent to the top of the page
    page = html.unescape(response.content.decode())
    card = section(page, "sign-off")
    alert = tag(card, "review-errors")
    assert 'role="alert"' in alert
    assert "autofocus" in alert  # no field is to blame: the problem takes the focus
    assert "The area was not approved." in card
    assert "another member must review and approve it" in card
    assert "another member must review" not in messages_above(page)
    assert f'action="{review_url(assessment)}"' in card
    assert f'<form method="post" action="{area_url(assessment)}" novalidate id="answers-form"' in page
    assert AreaReview.objects.get().status == ReviewStatus.IN_REVIEW


def test_a_note_too_long_is_refused_on_its_field_with_what_was_typed(client, assessment, assessor):
    services.area_review_request(assessment=assessment, area_ref="hardware", user=assessor)
    client.force_login(assessor)
    note = "Check the budget figures <again>. " + "x" * 470
    response = client.post(review_url(assessment), {"action": "reopen", "note": note})
    assert response.status_code == 200
    raw = section(response.content.decode(), "sign-off")
    card = html.unescape(raw)
    assert "The area was not sent back to draft." in card
    assert f"What to change: Say it in at most 500 characters (it has {len(note)})." in card
    field = tag(raw, "review-note")
    assert f'value="{html.escape(note)}"' in field
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="review-errors"' in field
    assert "autofocus" in field
    assert "autofocus" not in tag(raw, "review-errors")
    assert AreaReview.objects.get().status == ReviewStatus.IN_REVIEW


def test_a_review_done_still_goes_back_to_the_sign_off_card(client, assessment, assessor):
    client.force_login(assessor)
    response = client.post(review_url(assessment), {"action": "request"})
    assert response.status_code == 302
    assert response["Location"] == area_url(assessment) + "#sign-off"
    assert AreaReview.objects.get().status == ReviewStatus.IN_REVIEW
    assert client.post(review_url(assessment), {"action": "publish"}).status_code == 404


# --- a comment refused ----------------------------------------------------------------------------------------------


def comment_url(assessment, area="hardware"):
    return reverse("assessments:area_comment", args=[assessment.pk, area])


def comments(page: str, question_id: str) -> str:
    """The comments of one question, as the page has them."""
    match = re.search(rf'<details class="mt-2 comments" id="comments-{question_id}".*?</fieldset>', page, re.S)
    assert match, f"no comments for {question_id}"
    return match.group(0)


def box(page: str, form_id: str) -> str:
    """The text field of the comment form with this id (a textarea with its text, or an input)."""
    match = re.search(rf'<(textarea|input)[^>]* form="{form_id}"[^>]*>(?:[^<]*</textarea>)?', page)
    assert match, f"no box for #{form_id}"
    return match.group(0)


TOO_LONG = "@rosa the <audit> says otherwise: " + "x" * 5000


def test_a_refused_comment_keeps_its_text_beside_its_question(client, assessment, assessor):
    client.force_login(assessor)
    response = client.post(comment_url(assessment), {"question_id": "HW-PP-03", "body": TOO_LONG})
    assert response.status_code == 200
    page = response.content.decode()
    thread = comments(page, "HW-PP-03")
    assert '<details class="mt-2 comments" id="comments-HW-PP-03" data-role="comments" open>' in thread
    assert 'role="alert"' in thread
    assert "Your comment was not added." in thread
    assert "Comment: A comment has at most 5000 characters." in thread  # the error names the field
    assert "at most 5000 characters" not in messages_above(page)
    text = box(thread, "comment-HW-PP-03")
    assert html.escape(TOO_LONG, quote=False) in text  # nothing typed is lost (and it is escaped)
    assert 'aria-invalid="true"' in text
    assert 'aria-describedby="comment-errors"' in text
    assert "autofocus" in text
    assert page.count("autofocus") == 1
    assert "comment-errors" not in comments(page, "HW-PP-01")  # other questions' boxes are not to blame
    assert f'<form method="post" action="{comment_url(assessment)}" id="comment-HW-PP-03" hidden>' in page
    assert not Comment.objects.exists()


def test_a_refused_reply_keeps_its_text_in_its_threads_box(client, assessment, assessor, rosa):
    first = services.comment_add(assessment=assessment, question_ref="HW-PP-03", body="Why 2?", user=rosa)
    other = services.comment_add(assessment=assessment, question_ref="HW-PP-03", body="And 3?", user=rosa)
    client.force_login(assessor)
    response = client.post(
        comment_url(assessment), {"question_id": "HW-PP-03", "parent_id": str(other.pk), "body": TOO_LONG}
    )
    assert response.status_code == 200
    thread = comments(response.content.decode(), "HW-PP-03")
    assert "Your reply was not added." in thread
    assert "Reply: A comment has at most 5000 characters." in thread
    reply = box(thread, f"reply-{other.pk}")
    assert f'value="{html.escape(TOO_LONG)}"' in reply
    assert "autofocus" in reply
    assert "autofocus" not in box(thread, f"reply-{first.pk}")
    assert "autofocus" not in box(thread, "comment-HW-PP-03")
    assert Comment.objects.count() == 2


def test_a_reply_to_a_comment_of_another_question_is_refused_at_the_questions_box(client, assessment, assessor, rosa):
    elsewhere = services.comment_add(assessment=assessment, question_ref="HW-PP-01", body="Why?", user=rosa)
    client.force_login(assessor)
    response = client.post(
        comment_url(assessment), {"question_id": "HW-PP-03", "parent_id": str(elsewhere.pk), "body": "Agreed."}
    )
    page = response.content.decode()
    thread = comments(page, "HW-PP-03")
    assert "Reply to a comment on the same question." in thread
    assert ">Agreed.</textarea>" in box(thread, "comment-HW-PP-03")
    assert "autofocus" in tag(thread, "comment-errors")  # the text is not to blame: the problem takes the focus
    assert "comment-errors" not in comments(page, "HW-PP-01")
    assert Comment.objects.count() == 1


def test_a_refused_edit_keeps_its_text_and_another_members_comment_says_why(client, assessment, assessor, rosa):
    mine = services.comment_add(assessment=assessment, question_ref="HW-PP-03", body="Draft.", user=assessor)
    theirs = services.comment_add(assessment=assessment, question_ref="HW-PP-03", body="Reply.", user=rosa)
    client.force_login(assessor)
    edit = reverse("assessments:area_comment_edit", args=[assessment.pk, "hardware", mine.pk])
    response = client.post(edit, {"body": TOO_LONG})
    assert response.status_code == 200
    thread = comments(response.content.decode(), "HW-PP-03")
    assert '<details class="mb-1" open><summary class="small">Edit your comment</summary>' in thread
    assert "Your comment: A comment has at most 5000 characters." in thread
    text = box(thread, f"edit-comment-{mine.pk}")
    assert html.escape(TOO_LONG, quote=False) in text
    assert "autofocus" in text
    mine.refresh_from_db()
    assert mine.body == "Draft."
    # Someone else's comment has no edit box: the refusal is said beside the comment, and takes the focus.
    edit = reverse("assessments:area_comment_edit", args=[assessment.pk, "hardware", theirs.pk])
    thread = comments(client.post(edit, {"body": "x"}).content.decode(), "HW-PP-03")
    where = thread[thread.index(f'id="comment-{theirs.pk}"') :]
    assert "Only its author can edit a comment." in where[: where.index("</div>\n</div>")]
    assert "autofocus" in tag(thread, "comment-errors")


def test_a_comment_added_still_goes_back_to_its_question(client, assessment, assessor):
    client.force_login(assessor)
    response = client.post(comment_url(assessment), {"question_id": "HW-PP-03", "body": "Looks right."})
    assert response.status_code == 302
    assert response["Location"] == area_url(assessment) + "#comments-HW-PP-03"
    assert Comment.objects.get().body == "Looks right."
    page = client.get(response["Location"]).content.decode()
    assert "Comment added." in messages_above(page)
    assert "comment-errors" not in page


# --- evidence refused -----------------------------------------------------------------------------------------------


def test_refused_evidence_is_shown_beside_its_card_with_what_was_typed(client, assessment, assessor):
    client.force_login(assessor)
    evidence_url = reverse("assessments:area_evidence", args=[assessment.pk, "energy"])
    typed = {
        "question_id": "EN-COST-01",
        "title": "PUE report <2024>",
        "url": "ftp://files.example/pue.pdf",
        "effective_date": "2024-05-01",
        "expires_on": "2024-01-01",
    }
    response = client.post(evidence_url, typed)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    card = section(page, "evidence")
    assert 'role="alert"' in card
    assert "The evidence was not added." in card
    assert "Link: The link must be a web address" in card
    assert "Expires: The expiry must come after the effective date." in card
    assert "not added" not in messages_above(page)
    assert '<option value="EN-COST-01" selected>' in card
    raw = section(response.content.decode(), "evidence")  # escaped, as any text the page shows
    assert 'value="PUE report &lt;2024&gt;"' in tag(raw, "evidence-title-input")
    assert 'value="ftp://files.example/pue.pdf"' in tag(card, "evidence-url")
    assert 'value="2024-05-01"' in tag(card, "evidence-effective")
    assert 'value="2024-01-01"' in tag(card, "evidence-expires")
    # The first field to fix (in the form's order) takes the focus; both are marked.
    assert "autofocus" in tag(card, "evidence-url")
    assert 'aria-invalid="true"' in tag(card, "evidence-expires")
    assert "autofocus" not in tag(card, "evidence-expires")
    assert f'action="{evidence_url}"' in card
    assert not Evidence.objects.exists()


def test_refused_evidence_with_a_file_asks_for_the_file_again(client, assessment, assessor):
    client.force_login(assessor)
    evidence_url = reverse("assessments:area_evidence", args=[assessment.pk, "energy"])
    upload = SimpleUploadedFile("pue.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")
    response = client.post(
        evidence_url, {"question_id": "EN-COST-01", "title": "PUE", "effective_date": "2024-05-01", "file": upload}
    )
    card = html.unescape(section(response.content.decode(), "evidence"))
    assert "File: This file's content is not one of the types accepted" in card
    assert "Choose the file again: a browser does not keep it." in card
    assert "autofocus" in tag(card, "evidence-file")


def test_evidence_for_a_question_of_another_area_or_with_no_date_is_refused_on_its_field(client, assessment, assessor):
    client.force_login(assessor)
    evidence_url = reverse("assessments:area_evidence", args=[assessment.pk, "energy"])
    link = {"title": "PUE", "url": "https://facilities.example/pue"}
    card = section(
        client.post(evidence_url, {**link, "question_id": "HW-PP-03", "effective_date": "2024-05-01"}).content.decode(),
        "evidence",
    )
    assert "Question: Choose a question of this area." in card
    card = section(
        client.post(evidence_url, {**link, "question_id": "EN-COST-01", "effective_date": ""}).content.decode(),
        "evidence",
    )
    assert "Effective: Give a date." in card
    assert "autofocus" in tag(card, "evidence-effective")
    assert not Evidence.objects.exists()


def test_evidence_added_goes_back_to_the_evidence_card(client, assessment, assessor):
    client.force_login(assessor)
    evidence_url = reverse("assessments:area_evidence", args=[assessment.pk, "energy"])
    response = client.post(
        evidence_url,
        {
            "question_id": "EN-COST-01",
            "title": "PUE",
            "url": "https://facilities.example/pue",
            "effective_date": "2024-05-01",
        },
    )
    assert response["Location"] == area_url(assessment, "energy") + "#evidence"
    assert Evidence.objects.get().title == "PUE"


# --- "Keep theirs" without JavaScript -------------------------------------------------------------------------------


def maturity_questions(assessment, count):
    area = services.framework_parse(assessment.framework).area("hardware")
    return area, [q for q in area.questions() if q.type == "maturity"][:count]


def opened(assessment, area) -> dict[str, str]:
    """The area page's form as it was opened: every question's version (nothing answered yet by hand)."""
    versions = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "version"))
    return {f"{q.id}-version": str(versions.get(q.id, 0)) for q in area.questions()}


def test_a_conflict_offers_keep_theirs_as_a_plain_button(client, assessment, assessor, rosa):
    area, (one,) = maturity_questions(assessment, 1)
    client.force_login(rosa)
    form = opened(assessment, area)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(one.id, 3, version=0)], user=assessor)
    response = client.post(area_url(assessment), {**form, f"{one.id}-value": "1", "go": "stay"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"{one.id} was changed by arjun" in page
    card = page[page.index(f'id="q-{one.id}"') :]
    box = card[card.index('data-role="conflict"') : card.index("</div>", card.index('data-role="conflict"'))]
    assert "Their answer (arjun):" in box
    assert f'<button class="btn btn-sm btn-outline-secondary" type="submit" name="keep_theirs" value="{one.id}"' in box
    assert f'name="{one.id}-made_from" value="0"' in box  # the version rosa's answer was made from
    # Enter in any field saves the page: the form's first (default) button is "Save answers", not "Keep theirs".
    answers_form = page[page.index('id="answers-form"') :]
    first_button = re.search(r"<button[^>]*>", answers_form).group(0)
    assert 'name="go" value="stay"' in first_button


def test_keep_theirs_leaves_their_answer_and_saves_the_rest_of_the_page(client, assessment, assessor, rosa):
    area, (one, two) = maturity_questions(assessment, 2)
    client.force_login(rosa)
    form = opened(assessment, area)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(one.id, 3, version=0)], user=assessor)
    mine = {**form, f"{one.id}-value": "1", f"{two.id}-value": "2"}
    conflicted = client.post(area_url(assessment), {**mine, "go": "stay"})
    assert conflicted.status_code == 200
    assert not Answer.objects.filter(assessment=assessment, question_id=two.id).exists()  # all or none
    # The page as shown again: one now carries arjun's version, and the version rosa's answer was made from.
    again = {**mine, f"{one.id}-version": "1", f"{one.id}-made_from": "0"}
    response = client.post(area_url(assessment), {**again, "keep_theirs": one.id}, follow=True)
    assert response.redirect_chain[-1][0] == area_url(assessment)
    text = html.unescape(response.content.decode())
    assert "Kept arjun's answer to " + one.id + ". 1 answer saved." in text
    stored = {a.question_id: a for a in Answer.objects.filter(assessment=assessment, question_id__in=[one.id, two.id])}
    assert (stored[one.id].value, stored[one.id].answered_by, stored[one.id].version) == (3, assessor, 1)
    assert (stored[two.id].value, stored[two.id].answered_by) == (2, rosa)


def test_keeping_theirs_on_one_question_leaves_another_conflict_open(client, assessment, assessor, rosa):
    area, (one, two) = maturity_questions(assessment, 2)
    client.force_login(rosa)
    form = opened(assessment, area)
    services.answers_save(
        assessment=assessment,
        items=[services.AnswerInput(one.id, 3, version=0), services.AnswerInput(two.id, 4, version=0)],
        user=assessor,
    )
    mine = {**form, f"{one.id}-value": "1", f"{two.id}-value": "2"}
    assert client.post(area_url(assessment), mine).status_code == 200
    shown_again = {
        **mine,
        f"{one.id}-version": "1",
        f"{one.id}-made_from": "0",
        f"{two.id}-version": "1",
        f"{two.id}-made_from": "0",
    }
    response = client.post(area_url(assessment), {**shown_again, "keep_theirs": one.id})
    assert response.status_code == 200  # two is still to decide: nothing is saved
    page = html.unescape(response.content.decode())
    assert f"{two.id} was changed by arjun" in page
    assert f"{one.id} was changed by arjun" not in page
    assert f'name="keep_theirs" value="{two.id}"' in page
    assert f'name="keep_theirs" value="{one.id}"' not in page
    assert f'name="{one.id}-version" value="1"' in page  # arjun's answer, in the fields
    stored = dict(
        Answer.objects.filter(assessment=assessment, question_id__in=[one.id, two.id]).values_list(
            "question_id", "value"
        )
    )
    assert stored == {one.id: 3, two.id: 4}
    # "Save answers" then overwrites the one still in conflict, as its message says.
    saved = client.post(area_url(assessment), {**shown_again, f"{one.id}-value": "3", "go": "stay"})
    assert saved.status_code == 302
    stored = dict(
        Answer.objects.filter(assessment=assessment, question_id__in=[one.id, two.id]).values_list(
            "question_id", "value"
        )
    )
    assert stored == {one.id: 3, two.id: 2}


def test_keep_theirs_names_an_answer_removed_meanwhile_and_ignores_other_areas(client, assessment, assessor, rosa):
    area, (one,) = maturity_questions(assessment, 1)
    client.force_login(rosa)
    response = client.post(
        area_url(assessment), {**opened(assessment, area), "keep_theirs": [one.id, "EN-COST-01"]}, follow=True
    )
    assert f"Left {one.id} unanswered, as it now is." in html.unescape(response.content.decode())
    assert not Answer.objects.filter(assessment=assessment, question_id=one.id).exists()
