"""In a real browser: emptying a numeric answer and leaving the field removes the answer (and the progress)."""

import pytest

from assessments import services
from assessments.models import Answer
from assessments.tests.factories import ensure_default_framework, start_assessment
from assessments.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_emptying_a_number_removes_the_answer(live_server, page, organization, assessor):
    ensure_default_framework()
    assessment = start_assessment(organization=organization, user=assessor)
    framework = services.framework_parse(assessment.framework)
    question = next(q for q in framework.questions() if q.type == "numeric")
    area = next(a for a in framework.areas if question in a.questions())
    services.answers_save(
        assessment=assessment, items=[services.AnswerInput(question.id, question.numeric.full_score_at)], user=assessor
    )
    log_in(page, live_server, assessor, f"/assessments/{assessment.pk}/areas/{area.id}/")
    progress = page.locator("[data-progress] [data-role=progress-text]").first
    answered_before = int(progress.inner_text().split(" of ")[0])

    field = page.locator(f'[name="{question.id}-value"]')
    field.fill("")
    field.press("Tab")
    status = page.locator(f"#q-{question.id} [data-role=status]")
    status.get_by_text("Answer removed").wait_for()

    assert not Answer.objects.filter(assessment=assessment, question_id=question.id).exists()
    assert int(progress.inner_text().split(" of ")[0]) == answered_before - 1
