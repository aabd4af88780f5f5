"""In a real browser, the collaborative flow: two members in two browser sessions answer different areas at the
same time and lose nothing; one changes an answer someone else has changed since the page was opened and sees
both answers inline, then overwrites; a third member (who answered nothing) approves; the assessment submits."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import selectors, services
from assessments.models import Answer, AreaReview, AssessmentStatus, ReviewStatus
from assessments.tests.factories import ensure_default_framework, start_assessment
from assessments.tests.test_browser import status_of, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(browser, live_server, user):
    """A browser context of its own, logged in as ``user`` (a test client per user: one session each)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return context, page, errors


def level(page, question_id, value):
    page.locator(f"#q-{question_id}").get_by_text(f"Level {value}:").click()


def level_words(page, question_id, value) -> str:
    """A level's radio label as the page reads it ("Level 3: A rolling …")."""
    label = page.locator(f"#q-{question_id} label").filter(has_text=f"Level {value}:")
    return " ".join(label.inner_text().split())


def test_two_members_answer_one_reviewer_approves_and_the_assessment_submits(
    live_server, browser, organization, assessor, owner
):
    ensure_default_framework()
    rosa = MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user
    assessment = start_assessment(organization=organization, user=owner, sign_off_required=True)
    framework = services.framework_parse(assessment.framework)
    hardware, energy = framework.areas[0], framework.areas[1]
    one = next(q for q in hardware.questions() if q.type == "maturity")
    two = next(q for q in energy.questions() if q.type == "maturity")
    base = f"{live_server.url}/assessments/{assessment.pk}/areas"

    arjun_context, arjun, arjun_errors = logged_in(browser, live_server, assessor)
    rosa_context, rosa_page, rosa_errors = logged_in(browser, live_server, rosa)
    arjun.goto(f"{base}/{hardware.id}/")
    rosa_page.goto(f"{base}/{energy.id}/")

    # Both answer at the same time, each in their own area: both answers are kept.
    level(arjun, one.id, 2)
    level(rosa_page, two.id, 3)
    expect(status_of(arjun, one.id)).to_have_text("Saved")
    expect(status_of(rosa_page, two.id)).to_have_text("Saved")
    stored = {a.question_id: (a.value, a.answered_by.username) for a in Answer.objects.filter(assessment=assessment)}
    assert stored[one.id] == (2, "arjun")
    assert stored[two.id] == (3, "rosa")

    # Rosa opens the hardware page; Arjun changes his answer meanwhile; Rosa's change meets it.
    rosa_page.goto(f"{base}/{hardware.id}/")
    expect(rosa_page.locator(f"#q-{one.id}")).to_have_attribute("data-version", "1")
    level(arjun, one.id, 3)
    wait_until(lambda: Answer.objects.get(assessment=assessment, question_id=one.id).version == 2)
    level(rosa_page, one.id, 1)
    conflict = rosa_page.locator(f"#q-{one.id} [data-role=conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("was changed by arjun")
    # Both answers worded alike, as the radio buttons read: "Level 3: …" beside "Level 1: …", never "3: …".
    expect(conflict.locator("[data-role=theirs]")).to_have_text(level_words(rosa_page, one.id, 3))
    expect(conflict.locator("[data-role=yours]")).to_have_text(level_words(rosa_page, one.id, 1))
    expect(conflict.locator("p").first).to_contain_text(f"their answer is “{level_words(rosa_page, one.id, 3)}”")
    assert Answer.objects.get(assessment=assessment, question_id=one.id).value == 3  # nothing was lost
    conflict.get_by_role("button", name="Overwrite with mine").click()
    expect(status_of(rosa_page, one.id)).to_have_text("Saved")
    expect(conflict).to_be_hidden()
    answer = Answer.objects.get(assessment=assessment, question_id=one.id)
    assert (answer.value, answer.answered_by.username, answer.version) == (1, "rosa", 3)

    # Rosa asks for the area's review; she answered in it, so she cannot approve it herself.
    rosa_page.get_by_role("button", name="Ask for review").click()
    expect(rosa_page.locator("[data-role=review-status]")).to_have_text("In review")
    expect(rosa_page.get_by_text("You gave answers here: another member approves it.")).to_be_visible()
    assert rosa_page.get_by_role("button", name="Approve this area").count() == 0

    # Olivia answered nothing there: she approves.
    olivia_context, olivia, olivia_errors = logged_in(browser, live_server, owner)
    olivia.goto(f"{base}/{hardware.id}/")
    olivia.get_by_role("button", name="Approve this area").click()
    expect(olivia.locator("[data-role=review-status]")).to_have_text("Approved")
    assert AreaReview.objects.get(assessment=assessment, area_ref=hardware.id).status == ReviewStatus.APPROVED

    # The other areas are reviewed the same way (by the services, to keep the test short); then it submits.
    for area in framework.areas[1:]:
        services.area_review_request(assessment=assessment, area_ref=area.id, user=rosa)
        services.area_review_approve(assessment=assessment, area_ref=area.id, user=owner)
    arjun.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    expect(arjun.get_by_text("Every area must be approved first")).to_have_count(0)
    arjun.get_by_role("button", name="Submit", exact=True).click()
    arjun.wait_for_selector("text=submitted for scoring")
    assessment.refresh_from_db()
    assert assessment.status in (AssessmentStatus.SCORING, AssessmentStatus.SCORED)
    assert assessment.sign_off_overridden_by is None
    assert arjun_errors == []
    assert olivia_errors == []
    # Rosa's console saw the refused save (409) only.
    assert all("409" in text for text in rosa_errors), rosa_errors
    for context in (arjun_context, rosa_context, olivia_context):
        context.close()


def test_a_conflict_on_a_number_shows_both_answers_with_their_unit(live_server, browser, organization, assessor):
    """The autosave's conflict box words your answer as the server words theirs (``yours`` beside
    ``current.shown``): a number with its unit on both sides, never a bare "166.25" beside "€202/month"."""
    ensure_default_framework()
    rosa = MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="rosa")).user
    assessment = start_assessment(organization=organization, user=assessor)
    question = services.framework_parse(assessment.framework).question("CO-OPEX-01")  # money per month
    area = f"{live_server.url}/assessments/{assessment.pk}/areas/cost/"
    arjun_context, arjun, arjun_errors = logged_in(browser, live_server, assessor)
    rosa_context, rosa_page, _ = logged_in(browser, live_server, rosa)
    arjun.goto(area)
    rosa_page.goto(area)  # both open the page before either answers

    arjun.fill(f"#q-{question.id}-value", "202")
    arjun.press(f"#q-{question.id}-value", "Tab")
    expect(status_of(arjun, question.id)).to_have_text("Saved")
    rosa_page.fill(f"#q-{question.id}-value", "166.25")
    rosa_page.press(f"#q-{question.id}-value", "Tab")
    conflict = rosa_page.locator(f"#q-{question.id} [data-role=conflict]")
    expect(conflict).to_be_visible()

    currency = organization.reporting_currency
    theirs = selectors.answer_shown(question=question, value=202, currency=currency)
    yours = selectors.answer_shown(question=question, value=166.25, currency=currency)
    expect(conflict.locator("[data-role=theirs]")).to_have_text(theirs)
    expect(conflict.locator("[data-role=yours]")).to_have_text(yours)
    expect(conflict.locator("p").first).to_contain_text(f"their answer is “{theirs}”, yours is “{yours}”")
    symbol, _, per = rosa_page.locator(f"#q-{question.id} .input-group-text").inner_text().partition("/")  # "€/month"
    for side in ("theirs", "yours"):
        expect(conflict.locator(f"[data-role={side}]")).to_contain_text(symbol)
        expect(conflict.locator(f"[data-role={side}]")).to_contain_text(f"/{per}")
    assert Answer.objects.get(assessment=assessment, question_id=question.id).value == 202  # nothing was lost
    conflict.get_by_role("button", name="Keep theirs").click()
    expect(rosa_page.locator(f"#q-{question.id}-value")).to_have_value("202")
    assert arjun_errors == []
    for context in (arjun_context, rosa_context):
        context.close()
