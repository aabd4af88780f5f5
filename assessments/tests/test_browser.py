"""In a real browser: an assessor starts an assessment, answers questions that save themselves as they are given,
finds them again after leaving the page, submits and sees the scores; the keyboard works, a phone-wide screen needs
no horizontal scrolling, and a page that is scoring reloads itself when the scores are in."""

import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD
from assessments import scoring, services
from assessments.models import AnswerSource, Assessment, AssessmentStatus
from assessments.tests.factories import answer_all, ensure_default_framework, start_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEVELS = r"[1-5] (Initial|Developing|Defined|Managed|Optimized)"


@pytest.fixture(autouse=True)
def framework(transactional_db):
    """Transactional tests flush the table the data migration filled: load the shipped framework again."""
    return ensure_default_framework()


def log_in(page, live_server, user, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def session_page(browser, client, live_server, user, **context_options):
    """A page already logged in as `user` (the session cookie of Django's test client)."""
    client.force_login(user)
    context = browser.new_context(**context_options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def status_of(page, question_id):
    return page.locator(f"#q-{question_id} [data-role=status]")


def test_answer_with_autosave_come_back_submit_and_see_the_scores(live_server, page, organization, assessor):
    log_in(page, live_server, assessor, "/assessments/")
    assert page.locator("h1").inner_text() == "Assessments"
    assert page.get_by_text("No assessments yet").is_visible()

    # Start an assessment
    page.get_by_role("link", name="Start an assessment").first.click()
    page.get_by_label("Title").fill("Readiness 2025")
    page.get_by_label("Hardware Limitations").select_option("5")
    assert page.get_by_label("Talent Shortage").input_value() == "3"
    page.get_by_role("button", name="Start assessment").click()
    page.wait_for_selector("text=Assessment “Readiness 2025” started.")
    assert page.locator("h1").inner_text() == "Hardware Limitations"
    assessment = Assessment.objects.get(title="Readiness 2025")
    assert assessment.target_levels["hardware"] == 5
    # The newest shipped version this database holds (1.0 after a flush, 1.3 when migrated): count its questions.
    shape = scoring.Framework.from_dict(assessment.framework.definition)
    hw = len(list(next(a for a in shape.areas if a.id == "hardware").questions()))
    total = len(list(shape.questions()))
    area_progress = page.locator("[data-progress=area] [data-role=progress-text]")
    expect(area_progress).to_have_text(f"0 of {hw} answered")
    overall_before = int(page.locator("[data-progress=overall]").get_attribute("data-answered"))

    # Answer four questions, one of each type: each is saved as soon as it is given.
    page.get_by_label("Note").first.fill("Forecast kept in a spreadsheet.")  # HW-PP-01's note: no answer yet
    expect(status_of(page, "HW-PP-01")).to_have_text("Give an answer to save the note and link.")
    page.locator("#q-HW-PP-01").get_by_label("Answer (%)").fill("90")
    expect(status_of(page, "HW-PP-01")).to_have_text("Saved")
    page.locator("#q-HW-PP-03").get_by_text("Level 2:").click()
    expect(status_of(page, "HW-PP-03")).to_have_text("Saved")
    page.locator("#q-HW-MEM-02").get_by_label("Yes").check()
    expect(status_of(page, "HW-MEM-02")).to_have_text("Saved")
    page.locator("#q-HW-MEM-04").get_by_label("1 to 2 times the accelerator memory").check()
    expect(status_of(page, "HW-MEM-04")).to_have_text("Saved")
    expect(area_progress).to_have_text(f"4 of {hw} answered")
    expect(page.locator("[data-progress=overall] [data-role=progress-text]")).to_have_text(
        f"{overall_before + 4} of {total} answered"
    )
    expect(page.locator("#q-HW-MEM-04 [data-role=meta]")).to_have_text("Answered by arjun, just now")

    # "Not applicable" needs a reason; given, it saves.
    page.locator("#q-HW-MEM-03").get_by_label("Not applicable", exact=True).check()
    expect(status_of(page, "HW-MEM-03")).to_have_text("Say why it does not apply to save it.")
    page.locator("#q-HW-MEM-03").get_by_label("Reason it does not apply").fill("We only serve models.")
    expect(status_of(page, "HW-MEM-03")).to_have_text("Saved")

    saved = {a.question_id: a for a in assessment.answers.filter(source=AnswerSource.SELF)}
    assert saved["HW-PP-01"].value == 90
    assert saved["HW-PP-01"].note == "Forecast kept in a spreadsheet."
    assert saved["HW-PP-03"].value == 2
    assert saved["HW-MEM-02"].value is True
    assert saved["HW-MEM-04"].value == "1x-2x"
    assert saved["HW-MEM-03"].not_applicable
    assert all(answer.answered_by == assessor for answer in saved.values())

    # Leave the page and come back: the answers are there.
    page.get_by_role("link", name="Energy Consumption →").click()
    assert page.locator("h1").inner_text() == "Energy Consumption"
    page.get_by_role("link", name="← Hardware Limitations").click()
    assert page.locator("h1").inner_text() == "Hardware Limitations"
    assert page.locator("#q-HW-PP-03").get_by_text("Level 2:").is_visible()
    assert page.locator("#q-HW-PP-03-value-2").is_checked()
    assert page.locator("#q-HW-MEM-02").get_by_label("Yes").is_checked()
    assert page.locator("#q-HW-MEM-04").get_by_label("1 to 2 times the accelerator memory").is_checked()
    assert page.locator("#q-HW-PP-01-value").input_value() == "90"
    assert page.locator("#q-HW-PP-01-note").input_value() == "Forecast kept in a spreadsheet."
    assert page.locator("#q-HW-MEM-03-na").is_checked()
    expect(area_progress).to_have_text(f"5 of {hw} answered")

    # Answer the rest quickly, then review and submit through the pages.
    answer_all(assessment, assessor, skip=saved)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.get_by_role("link", name="Review and submit").click()
    assert page.get_by_text(f"{total} of {total} questions answered").is_visible()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_selector("text=“Readiness 2025” submitted for scoring.")
    expect(page.locator("#readiness-index")).to_have_text(re.compile(r"^\d+(\.\d)? / 100$"))
    expect(page.locator("#readiness-level")).to_have_text(re.compile(f"^{LEVELS}$"))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORED
    assert page.get_by_role("table").get_by_role("link", name="Hardware Limitations").is_visible()

    # Frozen: the area page shows the answers read-only.
    page.get_by_role("link", name="See the answers").click()
    assert page.locator("#q-HW-PP-03-value-2").is_checked()
    assert page.locator("#q-HW-PP-03-value-2").is_disabled()
    assert page.get_by_role("button", name="Save answers").count() == 0


def test_keyboard_only_answering(live_server, browser, client, organization, assessor):
    assessment = start_assessment(organization=organization, user=assessor)
    context, page = session_page(browser, client, live_server, assessor)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/hardware/")
    # Focus the first level of HW-PP-04 and move with the arrow keys: the radio group answers and saves.
    page.locator("#q-HW-PP-04-value-0").focus()
    page.keyboard.press("ArrowDown")
    expect(status_of(page, "HW-PP-04")).to_have_text("Saved")
    assert page.locator("#q-HW-PP-04-value-1").is_checked()
    # Tab leaves the radio group for the next field of the question, its note; leaving the note saves it.
    page.keyboard.press("Tab")
    expect(page.locator("#q-HW-PP-04-note")).to_be_focused()
    page.keyboard.type("Measured by hand.")
    page.keyboard.press("Tab")
    expect(page.locator("#q-HW-PP-04-evidence_url")).to_be_focused()
    wait_until(lambda: assessment.answers.get(question_id="HW-PP-04").note == "Measured by hand.")
    expect(status_of(page, "HW-PP-04")).to_have_text("Saved")
    assert assessment.answers.get(question_id="HW-PP-04").value == 1
    context.close()
    assert not errors, errors


def test_a_note_on_an_inventory_answer_keeps_it_the_inventorys(live_server, browser, client, organization, assessor):
    """The autosave of a note on an answer filled in from the inventory: the card keeps its "From the inventory"
    box and says so (it used to hide the box and say "Answered by ..."), and so does the stored answer."""
    from inventory.tests.factories import SiteFactory

    SiteFactory(organization=organization, pue=1.3)
    assessment = start_assessment(organization=organization, user=assessor)
    context, page = session_page(browser, client, live_server, assessor)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/energy/")
    card = page.locator("#q-EN-COST-01")
    expect(card.locator("[data-role=inventory]")).to_be_visible()
    card.get_by_label("Note").fill("Checked against the utility bill.")
    card.get_by_label("Note").blur()
    expect(status_of(page, "EN-COST-01")).to_have_text("Saved")
    expect(card.locator("[data-role=inventory]")).to_be_visible()
    expect(card.locator("[data-role=meta]")).to_have_text("Filled in from the inventory; note and link saved just now")
    answer = assessment.answers.get(question_id="EN-COST-01")
    assert (answer.source, answer.note) == (AnswerSource.INVENTORY, "Checked against the utility bill.")
    card.get_by_label("Answer").fill("1.4")  # another value: the member's own
    card.get_by_label("Answer").blur()
    expect(card.locator("[data-role=meta]")).to_have_text("Answered by arjun, just now")
    expect(card.locator("[data-role=inventory]")).to_be_hidden()
    context.close()


def test_a_refused_answer_shows_the_error(live_server, browser, client, organization, assessor):
    """Submitted in another tab meanwhile: the API refuses the answer, and the question says why."""
    assessment = start_assessment(organization=organization, user=assessor)
    context, page = session_page(browser, client, live_server, assessor)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/hardware/")
    services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-PP-03", 2)], user=assessor)
    services.assessment_submit(assessment=assessment, user=assessor)
    page.locator("#q-HW-MEM-02").get_by_label("No", exact=True).check()
    expect(status_of(page, "HW-MEM-02")).to_have_text(
        "Error: This assessment has been submitted; its answers are frozen. Re-assess to change them."
    )
    assert "text-danger" in status_of(page, "HW-MEM-02").get_attribute("class")
    assert not assessment.answers.filter(question_id="HW-MEM-02").exists()
    context.close()


def test_pages_fit_a_phone_screen(live_server, browser, client, organization, assessor):
    assessment = start_assessment(organization=organization, user=assessor)
    context, page = session_page(browser, client, live_server, assessor, viewport={"width": 390, "height": 844})
    for path in (
        "/assessments/",
        "/assessments/new/",
        f"/assessments/{assessment.pk}/",
        f"/assessments/{assessment.pk}/areas/hardware/",
        f"/assessments/{assessment.pk}/areas/energy/",
        f"/assessments/{assessment.pk}/review/",
        "/assessments/frameworks/upload/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    context.close()


def test_a_page_that_is_scoring_reloads_itself_when_scored(live_server, page, organization, assessor):
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor)
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORING, scoring_started=timezone.now())
    log_in(page, live_server, assessor, f"/assessments/{assessment.pk}/")
    expect(page.locator("#scoring-progress[data-job-status]")).to_contain_text("Scoring…")
    assert page.locator("#readiness-index").count() == 0
    services.assessment_score(assessment_id=assessment.pk)  # what the worker does
    expect(page.locator("#readiness-level")).to_have_text(re.compile(f"^{LEVELS}$"), timeout=15_000)
    assert page.locator("[data-job-status]").count() == 0
