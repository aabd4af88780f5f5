"""In a real browser, the lifecycle pages of issue 18: evidence added on an area page (expired, then removed), an
answer's history after two changes, an own comment edited, and a re-assessment onto framework 1.1 previewed and
started."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.framework_files import FRAMEWORK_1_1_FILE
from assessments.models import Assessment, AssessmentStatus, Evidence
from assessments.tests.factories import answer_all, ensure_default_framework, start_assessment
from assessments.tests.test_browser import status_of
from assessments.tests.test_collaboration_browser import level, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_evidence_history_and_an_edited_comment_on_the_area_page(live_server, browser, organization, assessor):
    ensure_default_framework()
    assessment = start_assessment(organization=organization, user=assessor)
    framework = services.framework_parse(assessment.framework)
    area = framework.areas[0]
    question = next(q for q in area.questions() if q.type == "maturity")
    services.comment_add(assessment=assessment, question_ref=question.id, body="Check the PDU @nobody", user=assessor)
    context, page, errors = logged_in(browser, live_server, assessor)
    try:
        page.goto(f"{live_server.url}/assessments/{assessment.pk}/areas/{area.id}/")

        # Two answers to one question, saved by the page's autosave.
        level(page, question.id, 2)
        expect(status_of(page, question.id)).to_have_text("Saved")
        page.reload()
        level(page, question.id, 4)
        expect(status_of(page, question.id)).to_have_text("Saved")

        # Evidence that expired yesterday: listed with its badge, then removed.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        page.select_option("#evidence-question", question.id)
        page.fill("#evidence-title-input", "PDU audit 2025")
        page.fill("#evidence-url", "https://example.com/pdu-audit.pdf")
        page.fill("#evidence-effective", (yesterday - datetime.timedelta(days=365)).isoformat())
        page.fill("#evidence-expires", yesterday.isoformat())
        page.get_by_role("button", name="Add evidence").click()
        row = page.locator("#evidence tbody tr", has_text="PDU audit 2025")
        expect(row).to_contain_text("expired")
        assert Evidence.objects.get(assessment=assessment).expires_on == yesterday
        row.get_by_role("button", name="Remove").click()
        expect(page.locator("#evidence")).to_contain_text("No evidence yet.")
        assert not Evidence.objects.filter(assessment=assessment).exists()

        # The comment, edited by its author: the page says so and keeps the new text.
        thread = page.locator(f"#comments-{question.id}")
        thread.get_by_text("Edit your comment").click()
        thread.get_by_label("Your comment, to change").fill("Check the PDU ratings first.")
        thread.get_by_role("button", name="Save").click()
        expect(page.locator(".alert", has_text="Comment changed.")).to_be_visible()
        expect(page.locator(f"#comments-{question.id}")).to_contain_text("Check the PDU ratings first.")
        expect(page.locator(f"#comments-{question.id}")).to_contain_text("edited")

        # The answer's history: the two values, newest first, with who changed it.
        page.goto(f"{live_server.url}/assessments/{assessment.pk}/history/?question={question.id}")
        expect(page.get_by_role("heading", name=f"History of the answers to {question.id}")).to_be_visible()
        history = page.locator("main")
        expect(history).to_contain_text("arjun")
        changes = " ".join(history.inner_text().split())
        assert f"{question.id}: Changed Value, Version · arjun" in changes
        assert "Value 2 4 Version 1 2" in changes  # newest first: the change from 2 to 4, then the creation
        assert changes.index("Value 2 4") < changes.index(f"{question.id}: Created · arjun")
        assert not errors, errors
    finally:
        context.close()


def test_a_reassessment_onto_version_1_1_is_previewed_then_started(live_server, browser, organization, assessor):
    ensure_default_framework()
    services.framework_load(text=FRAMEWORK_1_1_FILE.read_bytes())
    previous = start_assessment(organization=organization, user=assessor, title="Readiness 2025")
    answer_all(previous, assessor)
    Assessment.objects.filter(pk=previous.pk).update(status=AssessmentStatus.SCORED)
    context, page, errors = logged_in(browser, live_server, assessor)
    try:
        page.goto(f"{live_server.url}/assessments/{previous.pk}/")
        page.get_by_role("link", name="Re-assess onto another version…").click()
        page.select_option("#framework_version", "1.1")
        page.get_by_role("button", name="Show what changes").click()
        expect(page.get_by_text("From version 1.0 to 1.1")).to_be_visible()
        for heading in ("New questions", "Dropped", "Merged into one question"):
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.locator("main")).to_contain_text("EN-COST-05")
        page.get_by_role("button", name="Start the re-assessment on version 1.1").click()
        page.wait_for_url(lambda url: f"/assessments/{previous.pk}/" not in url)
        started = Assessment.objects.get(previous=previous)
        assert started.framework.version == "1.1"
        assert f"/assessments/{started.pk}/" in page.url
        assert not errors, errors
    finally:
        context.close()
