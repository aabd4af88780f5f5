"""A money question's thresholds are compared with its answer in one currency: framework 1.3 writes CO-OPEX-01's
(energy cost per accelerator per month) in euros, and they are converted into the organization's reporting
currency, the one its answers and inventory facts are in, when the assessment is scored. Written in no currency
(1.0-1.2), they were read in whatever the answer was in: about 700 Swedish kronor a month (€64) scored 0."""

from __future__ import annotations

import pytest

from assessments import scoring, services
from assessments.framework_files import FRAMEWORK_1_2_FILE, FRAMEWORK_1_3_FILE, read_framework
from assessments.models import Framework, Score
from assessments.tests.factories import answer_all, good_value, start_assessment
from inventory.models import ExchangeRateOverride

V13 = scoring.Framework.from_dict(read_framework(FRAMEWORK_1_3_FILE.read_bytes()))
V12 = scoring.Framework.from_dict(read_framework(FRAMEWORK_1_2_FILE.read_bytes()))


def test_thresholds_in_euros_are_converted_into_the_answers_currency():
    converted, missing = scoring.in_currency(V13, "SEK", {"EUR": 11.0}.get)
    cost = converted.question("CO-OPEX-01").numeric
    assert (cost.full_score_at, cost.zero_score_at, cost.currency) == (660.0, 2750.0, "SEK")
    assert missing == ()
    # 700 SEK a month: 100 x (700 - 2,750) / (660 - 2,750) = 98.1; against the euro figures as written it was 0.
    answers = {"CO-OPEX-01": scoring.Answer("CO-OPEX-01", 700)}
    assert scoring.score_assessment(converted, answers).question("CO-OPEX-01").score == pytest.approx(98.09, abs=0.01)
    assert scoring.score_assessment(V13, answers).question("CO-OPEX-01").score == 0
    # Everything else is the same framework.
    others = [q for q in converted.questions() if q.id != "CO-OPEX-01"]
    assert others == [q for q in V13.questions() if q.id != "CO-OPEX-01"]


def test_thresholds_already_in_the_answers_currency_or_in_none_are_left_alone():
    assert scoring.in_currency(V13, "EUR", lambda code: pytest.fail("no rate needed"))[0] is V13
    assert scoring.in_currency(V12, "SEK", lambda code: pytest.fail("1.2 names no currency"))[0] is V12


def test_a_missing_rate_keeps_the_thresholds_and_says_which_currency():
    converted, missing = scoring.in_currency(V13, "XAF", lambda code: None)
    assert converted.question("CO-OPEX-01").numeric == V13.question("CO-OPEX-01").numeric
    assert missing == ("EUR",)


@pytest.mark.django_db
def test_an_organization_reporting_in_kronor_is_scored_at_its_own_rate(organization, assessor):
    organization.reporting_currency = "SEK"
    organization.save(update_fields=["reporting_currency"])
    ExchangeRateOverride.objects.create(organization=organization, currency="SEK", rate_per_eur="11")
    framework = Framework.objects.get(organization=None, slug="genai-infrastructure", version="1.3")
    assessment = start_assessment(organization=organization, user=assessor, framework=framework)
    answer_all(assessment, assessor, lambda q: 700 if q.id == "CO-OPEX-01" else good_value(q))
    result = services.assessment_score(assessment_id=assessment.pk)
    score = Score.objects.get(result=result, ref="CO-OPEX-01")
    assert score.score == pytest.approx(98.09, abs=0.01)
