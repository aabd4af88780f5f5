"""When two members answer the same question, the conflict words both answers the way the questionnaire offers them:
"Level 3: …" beside "Level 1: …", never "3: …" beside "Level 1: …", and a number with its unit on both sides (the
service's message, the API's ``current`` and ``yours``, the page without JavaScript; the browser test drives the
page with it)."""

from dataclasses import replace

import pytest
from django.urls import reverse

from assessments import selectors, services
from assessments.tests.factories import ensure_default_framework, start_assessment
from assessments.views.questionnaire import question_view
from config.errors import Conflict
from config.testing import api_errors

from .test_collaboration import first_question, reviewer, url  # noqa: F401  (reviewer: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(organization, assessor):
    ensure_default_framework()
    return start_assessment(organization=organization, user=assessor)


@pytest.fixture
def framework(assessment):
    return services.framework_parse(assessment.framework)


def radio_words(question, value) -> str:
    """A level's radio button on the area page, as its label reads ("Level 3: A rolling …")."""
    choice = next(c for c in question_view(question, None).choices if c.value == str(value))
    return f"{choice.label}: {choice.description}"


def test_every_level_is_worded_as_its_radio_button(framework):
    maturity = [q for q in framework.questions() if q.type == "maturity"]
    assert maturity
    for question in maturity:
        for value in range(len(question.levels)):
            shown = selectors.answer_shown(question=question, value=value)
            assert shown == radio_words(question, value), question.id
            assert shown.startswith(f"Level {value}: ")
            assert not shown.removeprefix(f"Level {value}: ").startswith(f"{value}:")  # the number once


def test_a_level_without_its_number_in_the_framework_is_worded_by_its_position(framework):
    _, question = first_question(framework)
    bare = replace(question, levels=("None", "Some", "Half", "Most", "All"))
    assert selectors.answer_shown(question=bare, value=2) == "Level 2: Half" == radio_words(bare, 2)


def stale(assessment, question, assessor, reviewer):  # noqa: F811
    """Arjun answers 1 then 3; Rosa, who opened the page at version 1, answers 2."""
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1, version=0)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3, version=1)], user=assessor)
    with pytest.raises(Conflict) as refused:
        services.answers_save(
            assessment=assessment, items=[services.AnswerInput(question.id, 2, version=1)], user=reviewer
        )
    return refused.value.errors[0]


def test_the_conflict_words_both_answers_alike(assessment, framework, assessor, reviewer):  # noqa: F811
    _, question = first_question(framework)
    item = stale(assessment, question, assessor, reviewer)
    theirs, yours = radio_words(question, 3), radio_words(question, 2)
    assert f"their answer is “{theirs}”, yours is “{yours}”" in item.message
    assert item.current["shown"] == theirs


def test_the_api_and_the_page_without_javascript_word_them_alike_too(
    api_client_for,
    client,
    organization,
    assessment,
    framework,
    assessor,
    reviewer,  # noqa: F811
):
    area, question = first_question(framework)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 1)], user=assessor)
    services.answers_save(assessment=assessment, items=[services.AnswerInput(question.id, 3)], user=assessor)
    theirs = radio_words(question, 3)

    response = api_client_for(reviewer, organization).post(
        url("assessment-answers", assessment.pk), {"question_id": question.id, "value": 2, "version": 1}, format="json"
    )
    assert response.status_code == 409
    [error] = api_errors(response)
    assert error["current"]["shown"] == theirs
    assert f"yours is “{radio_words(question, 2)}”" in error["message"]

    client.force_login(reviewer)
    page = reverse("assessments:area", args=[assessment.pk, area.id])
    response = client.post(page, {f"{question.id}-value": "2", f"{question.id}-version": "1", "go": "stay"})
    assert response.status_code == 200
    assert f"their answer is “{theirs}”, yours is “{radio_words(question, 2)}”" in response.content.decode()


def test_the_api_words_your_answer_as_it_words_theirs(
    api_client_for,
    organization,
    assessment,
    framework,
    assessor,
    reviewer,  # noqa: F811
):
    """The 409 carries your answer in words (``yours``) beside theirs (``current.shown``): the autosave's conflict
    box shows both, so a number reads with its unit on both sides ("€166/month" beside "€202/month"), never a
    bare "166.25" beside a value with its unit."""
    _, level_question = first_question(framework)
    money, share = framework.question("CO-OPEX-01"), framework.question("HW-PP-01")
    currency = organization.reporting_currency
    saved = [(level_question, 3, 2), (money, 202, 166.25), (share, 62.25, 40)]
    services.answers_save(
        assessment=assessment, items=[services.AnswerInput(q.id, theirs) for q, theirs, _ in saved], user=assessor
    )
    client = api_client_for(reviewer, organization)
    refused = {}
    for question, theirs, yours in saved:
        response = client.post(
            url("assessment-answers", assessment.pk),
            {"question_id": question.id, "value": yours, "version": 0},
            format="json",
        )
        assert response.status_code == 409
        [error] = api_errors(response)
        assert error["current"]["shown"] == selectors.answer_shown(question=question, value=theirs, currency=currency)
        assert error["yours"] == selectors.answer_shown(question=question, value=yours, currency=currency)
        assert f"yours is “{error['yours']}”" in error["message"]  # the words the message uses
        refused[question.id] = (error["current"]["shown"], error["yours"])
    assert refused[level_question.id] == (radio_words(level_question, 3), radio_words(level_question, 2))
    assert refused[share.id] == ("62.3 %", "40.0 %")
    symbol, _, per = selectors.question_unit_shown(question=money, currency=currency).partition("/")  # "€/month"
    for side in refused[money.id]:
        assert side.startswith(symbol), side
        assert side.endswith(f"/{per}"), side
