"""The assessment pages: list, start, overview and results, area pages (with and without JavaScript), review,
submit, re-assess, framework upload; roles and organization scoping."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import selectors, services
from assessments.models import Answer, AnswerSource, Assessment, AssessmentStatus, Framework
from assessments.tests.factories import (
    answer_all,
    ensure_default_framework,
    framework_text,
    low_value,
    start_assessment,
)
from inventory.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

QUESTION_COUNT = 74  # in the shipped framework 1.0
LIST_QUERIES = 6
"""The list page: session, user, the memberships (twice: the page's and the navigation's), the page's count and
its assessments (with framework and result)."""


@pytest.fixture(autouse=True)
def framework(db):
    return ensure_default_framework()


@pytest.fixture
def assessment(organization, assessor):
    return start_assessment(organization=organization, user=assessor)


@pytest.fixture
def theirs(other_organization, outsider):
    return start_assessment(organization=other_organization, user=outsider, title="Their assessment")


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


def area_url(assessment, area_id="hardware"):
    return url("area", assessment.pk, area_id)


def logged_in(client, user):
    client.force_login(user)
    return client


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def hardware_post(**overrides):
    """A no-JS POST of the hardware area answering four questions (one of each type) and one N/A."""
    data = {
        "go": "stay",
        "HW-PP-01-value": "90",
        "HW-PP-03-value": "2",
        "HW-PP-03-note": "Forecast in a spreadsheet.",
        "HW-MEM-02-value": "yes",
        "HW-MEM-04-value": "1x-2x",
        "HW-MEM-04-evidence_url": "https://wiki.example.com/hosts",
        "HW-MEM-03-na": "on",
        "HW-MEM-03-na_reason": "We only serve models.",
    }
    return {**data, **overrides}


class TestList:
    def test_empty_state_for_an_assessor_offers_to_start(self, client, assessor):
        response = logged_in(client, assessor).get(url("list"))
        assert response.status_code == 200
        body = text_of(response)
        assert "No assessments yet" in body
        assert "Start an assessment" in body

    def test_a_viewer_sees_no_start_button(self, client, viewer):
        body = text_of(logged_in(client, viewer).get(url("list")))
        assert "No assessments yet" in body
        assert "Start an assessment" not in body

    def test_lists_the_organizations_assessments_only_with_progress(self, client, assessor, assessment, theirs):
        answer_all(assessment, assessor, skip=[q for q in _all_ids() if not q.startswith("HW-")])
        response = logged_in(client, assessor).get(url("list"))
        body = text_of(response)
        assert "GenAI readiness 2025" in body
        assert "Their assessment" not in body
        assert re.search(r"Generative AI Infrastructure Readiness <span[^>]*>1.0</span>", body)
        assert "In progress" in body
        assert f"{assessment.answers.count()} / {QUESTION_COUNT}" in body  # 8, and what the inventory answered
        assert "by arjun" in body

    def test_a_scored_assessment_shows_its_index_and_level(self, client, assessor, assessment):
        answer_all(assessment, assessor)
        services.assessment_submit(assessment=assessment, user=assessor)
        body = text_of(logged_in(client, assessor).get(url("list")))
        assert "Scored" in body
        assert "5 Optimized" in body or "4 Managed" in body

    def test_constant_number_of_queries(self, client, organization, assessor, django_assert_num_queries):
        start_assessment(organization=organization, user=assessor, title="A0")
        logged_in(client, assessor)
        client.get(url("list"))  # the session's first request
        with django_assert_num_queries(LIST_QUERIES):
            assert client.get(url("list")).status_code == 200
        for n in range(1, 6):
            scored = start_assessment(organization=organization, user=assessor, title=f"A{n}")
            if n % 2:
                answer_all(scored, assessor)
                services.assessment_submit(assessment=scored, user=assessor)
        with django_assert_num_queries(LIST_QUERIES):
            assert client.get(url("list")).content.decode().count('href="/assessments/') >= 6


def _all_ids():
    return [q.id for q in services.framework_parse(ensure_default_framework()).questions()]


class TestCreate:
    def test_form_has_a_target_per_area_with_level_names_and_defaults(self, client, assessor):
        response = logged_in(client, assessor).get(url("create"))
        assert response.status_code == 200
        form = response.context["form"]
        assert len(form.target_fields()) == 10
        assert form["target_hardware"].initial == 4
        assert form["target_talent"].initial == 3
        body = text_of(response)
        for name in ("1 Initial", "2 Developing", "3 Defined", "4 Managed", "5 Optimized"):
            assert name in body
        assert "Hardware Limitations" in body
        assert form["framework"].initial == selectors.default_framework().pk  # the newest version, 1.1

    def test_start_an_assessment_with_targets(self, client, organization, assessor, framework):
        response = logged_in(client, assessor).post(
            url("create"),
            {
                "title": "Readiness 2025",
                "scope": "Frankfurt site",
                "framework": framework.pk,
                "targets_for": framework.pk,
                "target_hardware": "5",
                "target_talent": "2",
            },
        )
        created = Assessment.objects.get(title="Readiness 2025")
        assert response.status_code == 302
        assert response["Location"] == area_url(created, "hardware")
        assert created.organization == organization
        assert created.created_by == assessor
        assert created.scope == "Frankfurt site"
        assert created.target_levels["hardware"] == 5
        assert created.target_levels["talent"] == 2
        assert created.target_levels["energy"] == 4  # not posted: the framework's default

    def test_a_title_is_required_and_targets_are_one_to_five(self, client, assessor, framework):
        response = logged_in(client, assessor).post(
            url("create"), {"title": "", "framework": framework.pk, "targets_for": framework.pk, "target_cost": "9"}
        )
        assert response.status_code == 200
        assert "title" in response.context["form"].errors
        assert "target_cost" in response.context["form"].errors
        assert not Assessment.objects.exists()

    def test_switching_framework_asks_for_its_targets_first(self, client, organization, assessor, framework):
        own, _ = services.framework_load(text=framework_text(version="9.0"), organization=organization)
        response = logged_in(client, assessor).post(
            url("create"), {"title": "On ours", "framework": own.pk, "targets_for": framework.pk}
        )
        assert response.status_code == 200
        assert "Set the target levels" in text_of(response) or "Check the target levels" in text_of(response)
        assert response.context["form"].targets_framework == own
        response = client.post(url("create"), {"title": "On ours", "framework": own.pk, "targets_for": own.pk})
        assert response.status_code == 302
        assert Assessment.objects.get(title="On ours").framework == own

    def test_another_organizations_framework_cannot_be_chosen(self, client, assessor, other_organization, framework):
        theirs, _ = services.framework_load(text=framework_text(version="9.0"), organization=other_organization)
        response = logged_in(client, assessor).post(
            url("create"), {"title": "X", "framework": theirs.pk, "targets_for": theirs.pk}
        )
        assert response.status_code == 200
        assert "framework" in response.context["form"].errors

    def test_questions_bound_to_the_inventory_are_prefilled(self, client, organization, assessor, framework):
        SiteFactory(organization=organization, name="Frankfurt", pue=1.3)
        logged_in(client, assessor).post(
            url("create"), {"title": "With inventory", "framework": framework.pk, "targets_for": framework.pk}
        )
        created = Assessment.objects.get(title="With inventory")
        answer = created.answers.get(question_id="EN-COST-01")
        assert answer.source == AnswerSource.INVENTORY
        assert answer.value == pytest.approx(1.3)

    def test_viewers_may_not_start_one(self, client, viewer, framework):
        logged_in(client, viewer)
        assert client.get(url("create")).status_code == 403
        assert client.post(url("create"), {"title": "X", "framework": framework.pk}).status_code == 403
        assert not Assessment.objects.exists()

    def test_anonymous_is_sent_to_log_in(self, client):
        response = client.get(url("create"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestAreaPage:
    def test_shows_the_areas_questions_with_inputs_per_type(self, client, assessor, assessment):
        response = logged_in(client, assessor).get(area_url(assessment))
        assert response.status_code == 200
        body = text_of(response)
        assert "Hardware Limitations" in body
        assert "Insufficient Processing Power" in body
        assert "Memory Constraints" in body
        assert "Why it matters" in body
        # maturity: five radios with the level descriptions
        assert body.count('name="HW-PP-03-value"') == 5
        assert "No capacity plan; accelerators are bought ad hoc when a project is blocked." in body
        # yes_no: two radios; choice: one per option with its label; numeric: a number input with unit and bounds
        assert body.count('name="HW-MEM-02-value"') == 2
        assert body.count('name="HW-MEM-04-value"') == 4
        assert "1 to 2 times the accelerator memory" in body
        assert re.search(r'type="number"[^>]*name="HW-PP-01-value"[^>]*min="0" max="100"', body)
        # "not applicable" only where the framework allows it
        assert 'name="HW-MEM-03-na"' in body
        assert 'name="HW-PP-03-na"' not in body
        assert 'data-answers-url="/api/v1/assessments/' in body
        assert "Save answers" in body
        assert response.context["next_area"].id == "energy"
        assert response.context["previous_area"] is None

    def test_previous_and_next_area_links(self, client, assessor, assessment):
        body = text_of(logged_in(client, assessor).get(area_url(assessment, "energy")))
        assert area_url(assessment, "hardware") in body
        assert area_url(assessment, "data") in body
        last = text_of(client.get(area_url(assessment, "innovation")))
        assert url("review", assessment.pk) in last

    def test_unknown_area_is_404(self, client, assessor, assessment):
        assert logged_in(client, assessor).get(area_url(assessment, "nope")).status_code == 404

    def test_no_js_post_saves_the_answers_of_the_area(self, client, assessor, assessment):
        response = logged_in(client, assessor).post(area_url(assessment), hardware_post())
        assert response.status_code == 302
        assert response["Location"] == area_url(assessment)
        answers = {a.question_id: a for a in assessment.answers.filter(question_id__startswith="HW-")}
        assert answers["HW-PP-01"].value == 90
        assert answers["HW-PP-03"].value == 2
        assert answers["HW-PP-03"].note == "Forecast in a spreadsheet."
        assert answers["HW-MEM-02"].value is True
        assert answers["HW-MEM-04"].value == "1x-2x"
        assert answers["HW-MEM-04"].evidence_url == "https://wiki.example.com/hosts"
        assert answers["HW-MEM-03"].not_applicable
        assert answers["HW-MEM-03"].na_reason == "We only serve models."
        assert all(a.answered_by == assessor and a.source == AnswerSource.SELF for a in answers.values())
        page = client.get(response["Location"])
        body = text_of(page)
        assert "5 answers saved." in body
        assert "Answered by arjun" in body
        assert re.search(r'value="2" checked', body)
        assert "9 of 8" not in body
        assert "5 of 8 answered" in body

    def test_save_and_next_goes_to_the_next_area(self, client, assessor, assessment):
        response = logged_in(client, assessor).post(area_url(assessment), hardware_post(go="next"))
        assert response["Location"] == area_url(assessment, "energy")

    def test_a_bad_numeric_value_is_an_error_naming_the_question_and_nothing_is_saved(
        self, client, assessor, assessment
    ):
        response = logged_in(client, assessor).post(area_url(assessment), hardware_post(**{"HW-PP-01-value": "lots"}))
        assert response.status_code == 200
        body = text_of(response)
        assert "HW-PP-01: “lots” is not a number." in body
        assert "Nothing was saved" in body
        assert not assessment.answers.filter(source=AnswerSource.SELF).exists()
        # what was posted is shown again
        assert re.search(r'value="yes" checked', body)

    def test_out_of_bounds_and_missing_reason_are_errors(self, client, assessor, assessment):
        data = hardware_post(**{"HW-PP-01-value": "150", "HW-MEM-03-na_reason": ""})
        body = text_of(logged_in(client, assessor).post(area_url(assessment), data))
        assert "HW-PP-01: must be at most 100 %." in body
        assert "HW-MEM-03: say why it does not apply." in body
        assert not assessment.answers.filter(source=AnswerSource.SELF).exists()

    def test_unchanged_answers_keep_who_gave_them(self, client, organization, assessor, owner):
        SiteFactory(organization=organization, pue=1.3)
        assessment = start_assessment(organization=organization, user=assessor)
        services.answers_save(assessment=assessment, items=[services.AnswerInput("EN-COST-02", 2)], user=owner)
        page = logged_in(client, assessor).get(area_url(assessment, "energy"))
        data = {"go": "stay"}
        for question in page.context["subareas"][0]["questions"] + page.context["subareas"][1]["questions"]:
            data[f"{question.id}-value"] = question.raw_value
            data[f"{question.id}-note"] = question.note
        data["EN-COST-04-value"] = "liquid"
        response = client.post(area_url(assessment, "energy"), data)
        assert response.status_code == 302
        answers = {a.question_id: a for a in assessment.answers.all()}
        assert answers["EN-COST-01"].source == AnswerSource.INVENTORY
        assert answers["EN-COST-02"].answered_by == owner
        assert answers["EN-COST-04"].answered_by == assessor

    def test_clearing_a_numeric_answer_removes_it(self, client, assessor, assessment):
        logged_in(client, assessor).post(area_url(assessment), hardware_post())
        client.post(area_url(assessment), hardware_post(**{"HW-PP-01-value": ""}))
        assert not assessment.answers.filter(question_id="HW-PP-01").exists()
        assert assessment.answers.filter(source=AnswerSource.SELF).count() == 4

    def test_a_note_on_an_inventory_answer_leaves_it_the_inventorys(self, client, organization, assessor):
        """A note (or an evidence link) alone: the answer stays the inventory's, with how the inventory gave it, so
        it still counts as evidence and follows the scope; the note is kept beside it, and through a scope change.
        Changing the value makes it self-reported (it used to take a note alone for that, and then went stale)."""
        site = SiteFactory(organization=organization, pue=1.3)
        assessment = start_assessment(organization=organization, user=assessor)
        explanation = assessment.answers.get(question_id="EN-COST-01").inventory_note
        assert explanation.startswith("From the inventory:")
        page = logged_in(client, assessor).get(area_url(assessment, "energy"))
        data = {"go": "stay"}
        for question in page.context["subareas"][0]["questions"] + page.context["subareas"][1]["questions"]:
            data[f"{question.id}-value"] = question.raw_value
        data["EN-COST-01-note"] = "Checked against the utility bill."
        data["EN-COST-01-evidence_url"] = "https://wiki.example.com/pue"
        assert client.post(area_url(assessment, "energy"), data).status_code == 302
        answer = assessment.answers.get(question_id="EN-COST-01")
        assert (answer.source, answer.answered_by, answer.value) == (AnswerSource.INVENTORY, None, 1.3)
        assert (answer.note, answer.evidence_url) == (
            "Checked against the utility bill.",
            "https://wiki.example.com/pue",
        )
        assert answer.inventory_note == explanation
        body = text_of(client.get(area_url(assessment, "energy")))
        assert "Filled in from the inventory" in body
        assert "Checked against the utility bill." in body

        site.pue = 1.5  # the inventory changes: the answer follows it, the note stays
        site.save()
        services.answers_prefill_from_inventory(assessment=assessment)
        answer = assessment.answers.get(question_id="EN-COST-01")
        assert (answer.source, answer.value, answer.note) == (
            AnswerSource.INVENTORY, 1.5, "Checked against the utility bill.",
        )  # fmt: skip
        assert "1.5" in answer.inventory_note

        data["EN-COST-01-value"] = "1.4"  # changed: the member's own answer now
        data["EN-COST-01-version"] = str(answer.version)
        assert client.post(area_url(assessment, "energy"), data).status_code == 302
        answer = assessment.answers.get(question_id="EN-COST-01")
        assert (answer.source, answer.answered_by, answer.value, answer.inventory_note) == (
            AnswerSource.SELF, assessor, 1.4, "",
        )  # fmt: skip

    def test_inventory_prefilled_answer_shows_the_badge_and_its_note(self, client, organization, assessor):
        SiteFactory(organization=organization, pue=1.3)
        assessment = start_assessment(organization=organization, user=assessor)
        note = assessment.answers.get(question_id="EN-COST-01").inventory_note
        response = logged_in(client, assessor).get(area_url(assessment, "energy"))
        body = text_of(response)
        assert "From the inventory" in body
        assert note.split("(")[0].removeprefix("From the inventory:").strip() in body
        assert "From the inventory From the inventory" not in body  # the badge, then the words: not twice
        assert "Filled in from the inventory" in body
        assert re.search(r'name="EN-COST-01-value" value="1.3"', body)

    def test_editing_an_inventory_answer_makes_it_self_reported(self, client, organization, assessor):
        SiteFactory(organization=organization, pue=1.3)
        assessment = start_assessment(organization=organization, user=assessor)
        response = logged_in(client, assessor).post(
            area_url(assessment, "energy"), {"EN-COST-01-value": "1.25", "go": "stay"}
        )
        assert response.status_code == 302
        answer = assessment.answers.get(question_id="EN-COST-01")
        assert answer.source == AnswerSource.SELF
        assert answer.value == 1.25
        assert answer.answered_by == assessor

    def test_the_page_posts_answers_to_the_api_with_its_csrf_token(self, assessor, assessment):
        """What questionnaire.js does: POST one answer as JSON with the token of the page's form."""
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(assessor)
        page = browser.get(area_url(assessment))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        api_url = page.context["answers_api_url"]
        payload = {"question_id": "HW-PP-03", "value": 3, "not_applicable": False, "note": "", "evidence_url": ""}
        refused = browser.post(api_url, json.dumps(payload), content_type="application/json")
        assert refused.status_code == 403
        response = browser.post(api_url, json.dumps(payload), content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 200, response.content
        assert response.json()[0]["answered_by"] == "arjun"
        assert assessment.answers.get(question_id="HW-PP-03").value == 3


class TestViewers:
    def test_a_viewer_reads_everything_read_only(self, client, assessor, viewer, assessment):
        answer_all(assessment, assessor, skip=_all_ids()[10:])
        for page in (url("detail", assessment.pk), url("review", assessment.pk), area_url(assessment)):
            assert logged_in(client, viewer).get(page).status_code == 200
        body = text_of(client.get(area_url(assessment)))
        assert "data-autosave" not in body
        assert "Save answers" not in body
        assert 'name="HW-PP-03-value" id="q-HW-PP-03-value-0" value="0" disabled' in body
        assert "questionnaire.js" not in body
        review = text_of(client.get(url("review", assessment.pk)))
        assert "Submit for scoring" not in review

    def test_a_viewers_posts_are_forbidden(self, client, assessor, viewer, assessment):
        answer_all(assessment, assessor)
        logged_in(client, viewer)
        assert client.post(area_url(assessment), hardware_post()).status_code == 403
        assert client.post(url("submit", assessment.pk)).status_code == 403
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.DRAFT
        services.assessment_submit(assessment=assessment, user=assessor)
        assert client.post(url("reassess", assessment.pk)).status_code == 403
        assert Assessment.objects.count() == 1


class TestScoping:
    @pytest.mark.parametrize("name", ["detail", "review"])
    def test_another_organizations_assessment_is_404(self, client, assessor, theirs, name):
        assert logged_in(client, assessor).get(url(name, theirs.pk)).status_code == 404

    def test_another_organizations_area_and_posts_are_404(self, client, assessor, theirs):
        logged_in(client, assessor)
        assert client.get(area_url(theirs)).status_code == 404
        assert client.post(area_url(theirs), hardware_post()).status_code == 404
        assert client.post(url("submit", theirs.pk)).status_code == 404
        assert client.post(url("reassess", theirs.pk)).status_code == 404
        assert not theirs.answers.filter(source=AnswerSource.SELF).exists()


class TestDetail:
    def test_overview_with_progress_per_area(self, client, assessor, assessment):
        answer_all(assessment, assessor, skip=[q for q in _all_ids() if not q.startswith("HW-")])
        response = logged_in(client, assessor).get(url("detail", assessment.pk))
        assert response.status_code == 200
        body = text_of(response)
        assert f"{assessment.answers.count()} of {QUESTION_COUNT} answered" in body
        assert "1. Hardware Limitations" in body
        assert "8 of 8" in body
        assert area_url(assessment, "latency") in body
        assert "In progress" in body
        assert "Review and submit" in body

    def test_while_scoring_it_says_so_and_polls_the_status(self, client, assessor, assessment):
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORING)
        body = text_of(logged_in(client, assessor).get(url("detail", assessment.pk)))
        assert "Scoring…" in body
        assert f'data-job-status="/api/v1/assessments/{assessment.pk}/status/"' in body
        assert "js/jobs.js" in body

    def test_a_failed_scoring_shows_the_error(self, client, assessor, assessment):
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.FAILED, scoring_error="boom")
        body = text_of(logged_in(client, assessor).get(url("detail", assessment.pk)))
        assert "Scoring failed." in body
        assert "boom" in body
        assert f'action="{url("retry", assessment.pk)}"' in body
        assert "Score again" in body


class TestReviewAndSubmit:
    def test_review_lists_unanswered_questions_per_area(self, client, assessor, assessment):
        answer_all(assessment, assessor, skip=["HW-PP-02", "CO-INV-01"])
        response = logged_in(client, assessor).get(url("review", assessment.pk))
        body = text_of(response)
        assert f"{QUESTION_COUNT - 2} of {QUESTION_COUNT} questions answered" in body
        assert f"{area_url(assessment, 'hardware')}#q-HW-PP-02" in body
        assert f"{area_url(assessment, 'cost')}#q-CO-INV-01" in body
        assert "7 of 8 answered" in body
        assert "2 questions are still unanswered" in body
        assert "Submit" in body

    def test_submit_scores_and_shows_the_results(self, client, assessor, assessment):
        answer_all(assessment, assessor, value=low_value, skip=_all_ids()[8:])
        answer_all(assessment, assessor, skip=_all_ids()[:8])
        response = logged_in(client, assessor).post(url("submit", assessment.pk))
        assert response.status_code == 302
        assert response["Location"] == url("detail", assessment.pk)
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.SCORED
        assert assessment.submitted_by == assessor
        page = client.get(response["Location"])
        body = text_of(page)
        assert "submitted for scoring" in body
        assert "Readiness index" in body
        result = assessment.result
        shown = page.context["result"]  # the typed result the page reads
        assert shown.level_name in body
        assert str(shown.shown_index) in body
        assert shown.level_name.split()[1] in ("Initial", "Developing", "Defined", "Managed", "Optimized")
        assert result.high_risks + result.medium_risks > 0
        # the risky hardware questions with their recommendation titles
        assert "High risk" in body
        assert "Close the gap for workloads the fleet cannot run" in body
        assert "Re-assess" in body
        rows = {row.area_id: row for row in shown.areas}
        assert rows["hardware"].target_name == "4 Managed"
        assert rows["talent"].target_name == "3 Defined"

    def test_submitting_nothing_is_refused_with_a_message(self, client, assessor, assessment):
        assessment.answers.all().delete()  # what the inventory answered
        response = logged_in(client, assessor).post(url("submit", assessment.pk), follow=True)
        assert response.status_code == 200
        assert "Answer at least one question before submitting." in text_of(response)
        assessment.refresh_from_db()
        assert assessment.status == AssessmentStatus.DRAFT

    def test_a_submitted_assessment_is_frozen(self, client, assessor, assessment):
        answer_all(assessment, assessor)
        logged_in(client, assessor).post(url("submit", assessment.pk))
        body = text_of(client.get(area_url(assessment)))
        assert "answers are frozen" in body
        assert "data-autosave" not in body
        assert "Save answers" not in body
        response = client.post(area_url(assessment), hardware_post(**{"HW-PP-03-value": "0"}), follow=True)
        assert response.status_code == 200
        assert "its answers are frozen" in text_of(response)
        assert assessment.answers.get(question_id="HW-PP-03").value == 3
        again = client.post(url("submit", assessment.pk), follow=True)
        assert again.status_code == 200
        assert "already been submitted" in text_of(again)

    def test_submit_needs_post(self, client, assessor, assessment):
        assert logged_in(client, assessor).get(url("submit", assessment.pk)).status_code == 405


class TestReassess:
    def test_reassess_starts_a_new_assessment_from_the_answers(self, client, assessor, assessment):
        answer_all(assessment, assessor)
        services.assessment_submit(assessment=assessment, user=assessor)
        response = logged_in(client, assessor).post(url("reassess", assessment.pk))
        new = Assessment.objects.exclude(pk=assessment.pk).get()
        assert response["Location"] == url("detail", new.pk)
        assert new.previous == assessment
        assert new.status == AssessmentStatus.DRAFT
        assert new.answers.count() == QUESTION_COUNT
        body = text_of(client.get(response["Location"]))
        assert "Re-assessment of" in body

    def test_a_draft_is_not_reassessed(self, client, assessor, assessment):
        response = logged_in(client, assessor).post(url("reassess", assessment.pk), follow=True)
        assert "still in progress" in text_of(response)
        assert Assessment.objects.count() == 1


class TestFrameworkUpload:
    def test_upload_a_file(self, client, organization, assessor):
        upload = SimpleUploadedFile("ours.yaml", framework_text(version="2.0", title="Our framework").encode())
        response = logged_in(client, assessor).post(url("framework_upload"), {"file": upload})
        framework = Framework.objects.get(organization=organization, version="2.0")
        assert response.status_code == 302
        assert response["Location"] == f"{url('create')}?framework={framework.pk}"
        page = client.get(response["Location"])
        assert "Loaded Our framework 2.0 (74 questions)" in text_of(page)
        assert page.context["form"].targets_framework == framework

    def test_a_bad_file_lists_every_problem_by_path(self, client, assessor):
        definition = framework_text(version="2.0")
        bad = definition.replace("weight: 1.2", "weight: -1", 1).replace(
            "default_target_level: 3", "default_target_level: 9", 1
        )
        response = logged_in(client, assessor).post(url("framework_upload"), {"content": bad})
        assert response.status_code == 200
        problems = response.context["problems"]
        assert len(problems) >= 2
        body = text_of(response)
        assert "areas[0].weight: must be &gt; 0" in body
        assert "default_target_level: must be &lt;= 5" in body
        assert not Framework.objects.filter(version="2.0").exists()

    def test_same_version_with_other_content_is_refused(self, client, organization, assessor):
        services.framework_load(text=framework_text(version="2.0"), organization=organization)
        response = logged_in(client, assessor).post(
            url("framework_upload"), {"content": framework_text(version="2.0", title="Changed")}
        )
        assert "already loaded with different content" in text_of(response)

    def test_nothing_sent(self, client, assessor):
        response = logged_in(client, assessor).post(url("framework_upload"), {})
        assert "Choose a framework file, or paste its text." in text_of(response)

    def test_viewers_may_not_upload(self, client, viewer):
        logged_in(client, viewer)
        assert client.get(url("framework_upload")).status_code == 403
        assert client.post(url("framework_upload"), {"content": framework_text(version="2.0")}).status_code == 403

    def test_an_owner_may_upload(self, client, owner):
        assert logged_in(client, owner).get(url("framework_upload")).status_code == 200


class TestNavigation:
    def test_the_nav_bar_links_to_assessments_and_marks_it_active(self, client, viewer):
        body = text_of(logged_in(client, viewer).get(url("list")))
        assert re.search(r'<a class="nav-link active" href="/assessments/" aria-current="page">Assessments</a>', body)

    def test_a_user_in_two_organizations_sees_the_active_ones(self, client, organization, assessor, theirs):
        user = UserFactory(username="dual")
        MembershipFactory(user=user, organization=organization, role=Role.VIEWER)
        MembershipFactory(user=user, organization=theirs.organization, role=Role.VIEWER)
        logged_in(client, user)
        client.post(reverse("accounts:switch_organization"), {"organization": theirs.organization.slug})
        assert client.get(url("detail", theirs.pk)).status_code == 200
        assert "Their assessment" in text_of(client.get(url("list")))


def test_answers_of_one_question_stay_one_row(client, assessor, assessment):
    logged_in(client, assessor).post(area_url(assessment), hardware_post())
    client.post(area_url(assessment), hardware_post(**{"HW-PP-03-value": "4"}))
    assert Answer.objects.filter(assessment=assessment, question_id="HW-PP-03").count() == 1
    assert Answer.objects.get(assessment=assessment, question_id="HW-PP-03").value == 4


@pytest.mark.parametrize("posted", ["other organization's", "99999999999999999999", "abc"])
def test_the_scope_form_refuses_a_site_that_is_not_one_of_the_organizations(
    client, assessment, assessor, organization, other_organization, posted
):
    """Another organization's site, an id beyond the column's range (SQLite's driver raised OverflowError: a 500)
    and a word are all "not one of the available choices", and nothing of the other organization is named."""
    ours = SiteFactory(organization=organization, name="Ours")
    theirs = SiteFactory(organization=other_organization, name="Theirs secret")
    value = str(theirs.pk) if posted == "other organization's" else posted
    client.force_login(assessor)
    url = reverse("assessments:scope", args=[assessment.pk])
    response = client.post(url, {"sites": [str(ours.pk), value], "scope": ""})
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert "Theirs secret" not in response.content.decode()
    assert list(Assessment.objects.get(pk=assessment.pk).sites.all()) == []


class TestDeleteADraft:
    """A stray draft (a re-assessment started on the wrong version, say) is deleted in the app by its creator or an
    owner, after a confirmation; someone else's draft, or a submitted assessment, is not offered and is refused."""

    def test_the_creator_deletes_their_draft_after_confirming(self, client, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        detail = text_of(logged_in(client, assessor).get(url("detail", assessment.pk)))
        assert "Delete this draft…" in detail
        confirm = client.get(url("delete", assessment.pk))
        assert confirm.status_code == 200
        assert "This cannot be undone." in text_of(confirm)
        assert Assessment.objects.filter(pk=assessment.pk).exists()  # a GET deletes nothing
        response = client.post(url("delete", assessment.pk))
        assert response.status_code == 302
        assert response["Location"] == url("list")
        assert not Assessment.objects.filter(pk=assessment.pk).exists()

    def test_another_assessors_draft_is_neither_offered_nor_deleted(self, client, organization, assessor, owner):
        other = MembershipFactory(organization=organization, role=Role.ASSESSOR, user=UserFactory(username="bo")).user
        assessment = start_assessment(organization=organization, user=owner)
        assert "Delete this draft" not in text_of(logged_in(client, other).get(url("detail", assessment.pk)))
        client.post(url("delete", assessment.pk))
        assert Assessment.objects.filter(pk=assessment.pk).exists()
        mine = start_assessment(organization=organization, user=other)
        assert "Delete this draft…" in text_of(logged_in(Client(), owner).get(url("detail", mine.pk)))

    def test_a_submitted_assessment_is_kept(self, client, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        answer_all(assessment, assessor)
        services.assessment_submit(assessment=assessment, user=assessor)
        assert "Delete this draft" not in text_of(logged_in(client, assessor).get(url("detail", assessment.pk)))
        client.post(url("delete", assessment.pk))
        assert Assessment.objects.filter(pk=assessment.pk).exists()
