"""The assessments in Django's admin: every page opens for a superuser; other staff see only their organizations'
rows (and the shared frameworks), and what the application derives is read-only."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.demo import DEMO_OPERATOR_USERNAME, seed_operator
from accounts.tests.factories import UserFactory
from assessments import services
from assessments.models import Answer, Assessment, AssessmentResult, Framework, RoadmapItem, Score
from assessments.selectors import answer_shown, framework_of
from assessments.tests.factories import answer_all, ensure_default_framework, start_assessment, weak_value

pytestmark = pytest.mark.django_db

MODELS = [Framework, Assessment, AssessmentResult, RoadmapItem]


def admin_url(model, action, *args):
    return reverse(f"admin:assessments_{model._meta.model_name}_{action}", args=args)


@pytest.fixture(autouse=True)
def framework(db):
    return ensure_default_framework()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def scored(organization, other_organization, assessor, outsider):
    """A scored assessment in each organization."""
    made = {}
    for org, user, title in ((organization, assessor, "Acme 2025"), (other_organization, outsider, "Other 2025")):
        assessment = start_assessment(organization=org, user=user, title=title)
        answer_all(assessment, user, weak_value)  # low answers: the roadmap has items
        services.assessment_submit(assessment=assessment, user=user)
        made[org.slug] = assessment
    return made


class TestSuperuser:
    @pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
    def test_every_changelist_and_change_page_opens(self, model, client, superuser, scored):
        client.force_login(superuser)
        assert client.get(admin_url(model, "changelist")).status_code == 200
        assert client.get(admin_url(model, "changelist"), {"q": "acme"}).status_code == 200
        obj = model.objects.first()
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200

    def test_assessment_filters(self, client, superuser, scored, framework):
        client.force_login(superuser)
        for params in ({"status__exact": "scored"}, {"framework__id__exact": framework.pk}):
            response = client.get(admin_url(Assessment, "changelist"), params)
            assert response.status_code == 200
            assert response.context["cl"].result_count == 2

    def test_the_framework_definition_is_shown_read_only(self, client, superuser, framework):
        client.force_login(superuser)
        response = client.get(admin_url(Framework, "change", framework.pk))
        body = response.content.decode()
        assert "HW-PP-01" in body
        assert 'name="title"' not in body
        assert client.get(admin_url(Framework, "add")).status_code == 403

    def test_an_assessment_shows_its_answers_read_only(self, client, superuser, scored):
        client.force_login(superuser)
        assessment = scored["acme-ai"]
        body = client.get(admin_url(Assessment, "change", assessment.pk)).content.decode()
        assert "HW-PP-03" in body
        assert 'name="answers-0-value"' not in body
        assert 'name="title"' in body  # title and scope may be corrected

    def test_a_result_shows_its_scores_read_only(self, client, superuser, scored):
        client.force_login(superuser)
        result = scored["acme-ai"].result
        body = client.get(admin_url(AssessmentResult, "change", result.pk)).content.decode()
        assert "hardware.processing-power" in body
        assert 'name="scores-0-score"' not in body

    def test_the_assessment_changelist_runs_a_constant_number_of_queries(
        self, client, superuser, organization, assessor, django_assert_num_queries
    ):
        start_assessment(organization=organization, user=assessor, title="first")
        client.force_login(superuser)
        with CaptureQueriesContext(connection) as one:
            client.get(admin_url(Assessment, "changelist"))
        for n in range(10):
            start_assessment(organization=organization, user=assessor, title=f"more {n}")
        with django_assert_num_queries(len(one)):
            response = client.get(admin_url(Assessment, "changelist"))
        assert response.context["cl"].result_count == 11


class TestStaff:
    @pytest.fixture
    def staff_owner(self, owner):
        owner.is_staff = True
        owner.save()
        owner.user_permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
        return owner

    def test_sees_only_their_organizations_rows_and_the_shared_frameworks(
        self, client, staff_owner, scored, organization, framework
    ):
        client.force_login(staff_owner)
        titles = [a.title for a in client.get(admin_url(Assessment, "changelist")).context["cl"].result_list]
        assert titles == ["Acme 2025"]
        results = client.get(admin_url(AssessmentResult, "changelist")).context["cl"].result_list
        assert [r.assessment.title for r in results] == ["Acme 2025"]
        frameworks = client.get(admin_url(Framework, "changelist")).context["cl"].result_list
        assert framework in frameworks  # 1.0 to 1.3 are shared; no organization's own framework is listed here
        assert {f.organization_id for f in frameworks} == {None}
        theirs = scored["other-corp"]
        assert client.get(admin_url(Assessment, "change", theirs.pk)).status_code == 302  # "not found" redirect
        assert client.get(admin_url(AssessmentResult, "change", theirs.result.pk)).status_code == 302

    def test_they_may_correct_the_title_of_their_assessment(self, client, staff_owner, scored):
        client.force_login(staff_owner)
        ours = scored["acme-ai"]
        assert client.get(admin_url(Assessment, "change", ours.pk)).status_code == 200
        response = client.post(
            admin_url(Assessment, "change", ours.pk),
            {
                "title": "Acme 2025, corrected",
                "scope": "",
                "answers-TOTAL_FORMS": "0",
                "answers-INITIAL_FORMS": "0",
                "answers-MIN_NUM_FORMS": "0",
                "answers-MAX_NUM_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content
        ours.refresh_from_db()
        assert ours.title == "Acme 2025, corrected"
        assert ours.status == "scored"

    def test_a_shared_framework_is_read_only_for_them(self, client, staff_owner, framework):
        client.force_login(staff_owner)
        assert client.get(admin_url(Framework, "change", framework.pk)).status_code == 200
        assert client.post(admin_url(Framework, "delete", framework.pk), {"post": "yes"}).status_code == 403
        assert Framework.objects.filter(pk=framework.pk).exists()

    def test_a_roadmap_items_owner_is_chosen_among_its_organizations_members(
        self, client, staff_owner, scored, organization, assessor, outsider
    ):
        """The owner field names no one outside the item's organization: not in its choices, and not next to the
        field when another organization's user id is posted (a raw id field printed any user's name by id)."""
        client.force_login(staff_owner)
        item = RoadmapItem.objects.filter(organization=organization).order_by("rank").first()
        url = admin_url(RoadmapItem, "change", item.pk)
        body = client.get(url).content.decode()
        assert assessor.username in body
        assert outsider.username not in body
        refused = client.post(url, {"status": "proposed", "status_reason": "", "owner": outsider.pk, "due_date": ""})
        assert refused.status_code == 200
        assert "owner" in refused.context["adminform"].form.errors
        assert outsider.username not in refused.content.decode()
        item.refresh_from_db()
        assert item.owner_id is None
        saved = client.post(url, {"status": "proposed", "status_reason": "", "owner": assessor.pk, "due_date": ""})
        assert saved.status_code == 302
        item.refresh_from_db()
        assert item.owner == assessor

    def test_staff_without_an_organization_see_nothing(self, client, db):
        user = UserFactory(username="staffer", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="assessments"))
        client.force_login(user)
        assert client.get(admin_url(Assessment, "changelist")).status_code == 403


def test_roadmap_tracking_in_the_admin_follows_the_apps_rules(client, superuser, scored, organization):
    item = RoadmapItem.objects.filter(organization=organization).order_by("rank").first()
    client.force_login(superuser)
    url = admin_url(RoadmapItem, "change", item.pk)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"status": "dismissed", "status_reason": "", "owner": "", "due_date": ""})
    assert refused.status_code == 200
    assert "Say why the item is dismissed." in refused.content.decode()
    saved = client.post(
        url, {"status": "dismissed", "status_reason": "Done by the landlord", "owner": "", "due_date": ""}
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.status_reason, item.updated_by) == ("dismissed", "Done by the landlord", superuser)
    past = client.post(
        url, {"status": "accepted", "status_reason": "", "owner": "", "due_date": "2020-01-01"}
    ).content.decode()
    assert "The due date is in the past." in past
    item.refresh_from_db()
    assert (item.status, item.due_date) == ("dismissed", None)


class TestOperatorReadsRoundedNumbers:
    """An operator reads the numbers the app computes as the app writes them (one decimal for scores, an answer
    as the questionnaire words it), never the stored float."""

    RAW_INDEX = 73.40619302012674
    RAW_AREA = 70.38341346153847
    RAW_ANSWER = 47.19999999999999

    @pytest.fixture
    def operator(self, organization):
        seed_operator(organization, "operator-password-123")
        return get_user_model().objects.get(username=DEMO_OPERATOR_USERNAME)

    @pytest.fixture
    def raw(self, scored):
        """The acme assessment, its result, a score and a roadmap item holding floats with long tails."""
        assessment = scored["acme-ai"]
        AssessmentResult.objects.filter(assessment=assessment).update(
            readiness_index=self.RAW_INDEX, answers_index=self.RAW_AREA
        )
        Score.objects.filter(result__assessment=assessment, scope="area").update(score=self.RAW_AREA)
        item = RoadmapItem.objects.filter(assessment=assessment).order_by("rank").first()
        RoadmapItem.objects.filter(pk=item.pk).update(
            priority=12.345678901, current_area_score=self.RAW_AREA, expected_area_score=self.RAW_INDEX
        )
        Answer.objects.filter(assessment=assessment, question_id="HW-PP-01").update(value=self.RAW_ANSWER)
        return assessment, item

    def test_the_results_list_and_page_show_scores_with_one_decimal(self, client, operator, raw):
        assessment, _ = raw
        client.force_login(operator)
        listed = client.get(admin_url(AssessmentResult, "changelist"))
        assert listed.status_code == 200
        body = listed.content.decode()
        assert '<td class="field-readiness_index">73.4</td>' in body
        assert "73.406" not in body
        page = client.get(admin_url(AssessmentResult, "change", assessment.result.pk)).content.decode()
        for text in ("73.4", "70.4"):
            assert text in page
        for raw_text in ("73.406", "70.383"):  # not in the fields, the title or the scores' rows
            assert raw_text not in page
        assert 'name="readiness_index"' not in page
        ordered = client.get(admin_url(AssessmentResult, "changelist"), {"o": "5"})  # by readiness index
        assert ordered.status_code == 200

    def test_a_roadmap_items_scores_read_with_one_decimal(self, client, operator, raw):
        _, item = raw
        client.force_login(operator)
        page = client.get(admin_url(RoadmapItem, "change", item.pk)).content.decode()
        for text in ("Current area score:", "Expected area score:", "70.4", "73.4", "12.3"):
            assert text in page
        for raw_text in ("70.383", "73.406", "12.345"):
            assert raw_text not in page
        assert 'name="current_area_score"' not in page  # computed: not a field of the form
        saved = client.post(  # the tracking fields still save
            admin_url(RoadmapItem, "change", item.pk),
            {"status": "accepted", "status_reason": "", "owner": "", "due_date": ""},
        )
        assert saved.status_code == 302
        item.refresh_from_db()
        assert (item.status, item.current_area_score) == ("accepted", self.RAW_AREA)

    def test_an_assessments_answers_read_as_the_app_words_them(self, client, operator, raw):
        assessment, _ = raw
        client.force_login(operator)
        page = client.get(admin_url(Assessment, "change", assessment.pk)).content.decode()
        question = framework_of(assessment.framework).question("HW-PP-01")
        assert answer_shown(question=question, value=self.RAW_ANSWER) == "47.2 %"
        assert "47.2 %" in page
        assert "47.1999" not in page
        assert "Level " in page  # maturity answers by their level's words

    def test_stored_json_reads_with_its_floats_rounded(self, client, operator, raw):
        """A result's facts and a roadmap item's details kept their floats' tails (88.37209302325581)."""
        assessment, item = raw
        facts = {"average_pue": {"value": 1.4097543514838349, "unit": "ratio", "label": "Average PUE"}}
        AssessmentResult.objects.filter(assessment=assessment).update(facts=facts)
        RoadmapItem.objects.filter(pk=item.pk).update(details={"self_score": 77.08333333333333, "evidence": []})
        client.force_login(operator)
        page = client.get(admin_url(AssessmentResult, "change", assessment.result.pk)).content.decode()
        assert "1.41" in page
        assert "1.4097" not in page
        page = client.get(admin_url(RoadmapItem, "change", item.pk)).content.decode()
        assert "77.083" in page
        assert "77.08333" not in page
        assert AssessmentResult.objects.get(assessment=assessment).facts == facts  # stored as it was
