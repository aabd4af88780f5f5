"""In a real browser: a refused owner or piece of evidence is said beside its card, in view and announced (an
alert), the field to fix focused and what was typed kept; without JavaScript, a question someone else saved
meanwhile is kept as theirs with a plain button, and Enter in a field still saves the page."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import services
from assessments.models import Answer, AreaAssignment, Comment, Evidence
from assessments.tests.factories import ensure_default_framework, start_assessment
from assessments.tests.test_browser import session_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def assessment(transactional_db, organization, assessor):
    ensure_default_framework()
    return start_assessment(organization=organization, user=assessor)


@pytest.fixture
def rosa(organization):
    return MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user


def test_a_refused_owner_and_refused_evidence_are_said_beside_their_cards(
    live_server, browser, assessment, assessor, rosa
):
    context, page = session_page(browser, Client(), live_server, assessor, viewport={"width": 1280, "height": 720})
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/energy/")

    # An owner with a due date in the past.
    page.select_option("#area-assignee", label="rosa")
    page.fill("#area-due", YESTERDAY.isoformat())
    page.get_by_role("button", name="Save owner").click()
    alert = page.locator("#sign-off [role=alert]")
    expect(alert).to_contain_text("The due date is in the past.")
    expect(alert).to_be_in_viewport()
    expect(page.locator("#area-due")).to_be_focused()
    expect(page.locator("#area-due")).to_have_value(YESTERDAY.isoformat())
    expect(page.locator("#area-assignee")).to_have_value(str(rosa.pk))
    assert not AreaAssignment.objects.exists()
    # Corrected in place, it is saved.
    page.fill("#area-due", "")
    page.get_by_role("button", name="Save owner").click()
    expect(page.locator("[data-role=area-owner]")).to_contain_text("Owner: rosa")
    assert AreaAssignment.objects.get().assignee == rosa

    # Evidence, at the bottom of the page, whose expiry comes before its effective date, with a link the page's
    # browser takes but the rule does not.
    page.select_option("#evidence-question", "EN-COST-01")
    page.fill("#evidence-title-input", "PUE report 2024")
    page.fill("#evidence-url", "ftp://files.example/pue.pdf")
    page.fill("#evidence-effective", "2024-05-01")
    page.fill("#evidence-expires", "2024-01-01")
    page.get_by_role("button", name="Add evidence").click()
    alert = page.locator("#evidence [role=alert]")
    expect(alert).to_contain_text("Link: The link must be a web address")
    expect(alert).to_contain_text("Expires: The expiry must come after the effective date.")
    expect(alert).to_be_in_viewport()
    expect(page.locator("#evidence-url")).to_be_focused()
    expect(page.locator("#evidence-title-input")).to_have_value("PUE report 2024")
    expect(page.locator("#evidence-expires")).to_have_value("2024-01-01")
    assert not Evidence.objects.exists()
    page.fill("#evidence-url", "https://facilities.example/pue.pdf")
    page.fill("#evidence-expires", "2025-05-01")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#evidence table")).to_contain_text("PUE report 2024")
    assert Evidence.objects.get().url == "https://facilities.example/pue.pdf"
    # The page's autosave still works on a page shown again, and nothing went to the console.
    assert errors == []
    context.close()


def test_without_javascript_keep_theirs_is_a_button_and_enter_still_saves_the_page(
    live_server, browser, assessment, assessor, rosa
):
    area = services.framework_parse(assessment.framework).area("hardware")
    one, two = [q for q in area.questions() if q.type == "maturity"][:2]
    context, page = session_page(browser, Client(), live_server, rosa, java_script_enabled=False)
    url = f"{live_server.url}/assessments/{assessment.pk}/areas/hardware/"

    def arjun_answers(question, value):
        current = Answer.objects.filter(assessment=assessment, question_id=question.id).first()
        version = current.version if current else 0
        services.answers_save(
            assessment=assessment, items=[services.AnswerInput(question.id, value, version=version)], user=assessor
        )

    def conflict_on_one(mine):
        """Rosa opens the area; arjun answers one meanwhile; rosa answers one and two and saves."""
        page.goto(url)
        arjun_answers(one, 3)
        page.locator(f"#q-{one.id}").get_by_text(f"Level {mine}:").check()
        page.locator(f"#q-{two.id}").get_by_text("Level 2:").check()
        page.get_by_role("button", name="Save answers").click()
        box = page.locator(f"#q-{one.id} [data-role=conflict]")
        expect(box).to_be_visible()
        expect(page.locator(f"#q-{one.id}")).to_contain_text("was changed by arjun")
        expect(box.locator("[data-role=theirs]")).to_contain_text("3")
        return box

    # Enter in a field of another question saves the page (its default button), which overwrites theirs as the
    # message says; it does not keep theirs.
    conflict_on_one(1)
    page.locator(f"#q-{two.id}-evidence_url").press("Enter")
    expect(page.get_by_text("answers saved")).to_be_visible()
    assert Answer.objects.get(assessment=assessment, question_id=one.id).value == 1

    # Keep theirs: their answer stays, the rest of the page is saved.
    box = conflict_on_one(2)
    box.get_by_role("button", name="Keep theirs").click()
    expect(page.get_by_text(f"Kept arjun's answer to {one.id}.")).to_be_visible()
    expect(page.locator(f"#q-{one.id}").get_by_label("Level 3:", exact=False)).to_be_checked()
    kept = Answer.objects.get(assessment=assessment, question_id=one.id)
    assert (kept.value, kept.answered_by) == (3, assessor)
    assert Answer.objects.get(assessment=assessment, question_id=two.id).value == 2
    context.close()


def test_a_refused_comment_keeps_its_text_focused_beside_its_question(live_server, browser, assessment, assessor):
    context, page = session_page(browser, Client(), live_server, assessor, viewport={"width": 1280, "height": 720})
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/hardware/")
    comments = page.locator("#comments-HW-PP-03")
    comments.locator("summary").click()
    box = comments.get_by_role("textbox", name="Comment on HW-PP-03")
    typed = "@rosa the audit says otherwise " + "x" * 5000  # longer than a comment may be
    box.evaluate("(element, text) => { element.removeAttribute('maxlength'); element.value = text; }", typed)
    comments.get_by_role("button", name="Comment").click()
    alert = comments.locator("[role=alert]")
    expect(alert).to_contain_text("Comment: A comment has at most 5000 characters.")
    expect(alert).to_be_in_viewport()
    expect(box).to_be_focused()
    expect(box).to_have_value(typed)  # nothing typed is lost
    assert not Comment.objects.exists()
    box.fill("The audit of May says otherwise.")
    comments.get_by_role("button", name="Comment").click()
    expect(page.locator("#comments-HW-PP-03 .comment-body")).to_have_text("The audit of May says otherwise.")
    assert Comment.objects.get().body == "The audit of May says otherwise."
    context.close()
