"""A re-assessment's title names the assessment once and the date of this re-assessment: it does not grow with each
re-assessment of a re-assessment, and it always fits the title column (varchar(200), enforced by PostgreSQL)."""

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, AssessmentStatus
from assessments.tests.factories import start_assessment

pytestmark = pytest.mark.django_db

TITLE_MAX = Assessment._meta.get_field("title").max_length


def submitted(assessment: Assessment) -> Assessment:
    """Frozen as a submit leaves it (scoring is not what this test is about)."""
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORED)
    assessment.refresh_from_db()
    return assessment


def test_ten_re_assessments_in_a_row_keep_one_suffix(organization, assessor):
    today = f"{timezone.now():%Y-%m-%d}"
    current = submitted(start_assessment(organization=organization, user=assessor, title="GenAI readiness 2025"))
    for _ in range(10):
        current = submitted(services.assessment_reassess(previous=current, user=assessor))
        assert current.title == f"GenAI readiness 2025 (re-assessment {today})"
    assert Assessment.objects.filter(organization=organization).count() == 11


def test_a_long_title_is_shortened_to_fit_the_column(organization, assessor):
    long_title = "Readiness of every site " + "x" * (TITLE_MAX - 24)
    assert len(long_title) == TITLE_MAX
    current = submitted(start_assessment(organization=organization, user=assessor, title=long_title))
    for _ in range(3):
        current = submitted(services.assessment_reassess(previous=current, user=assessor))
        assert len(current.title) <= TITLE_MAX
        assert current.title.startswith("Readiness of every site xxx")
        assert current.title.endswith(f" (re-assessment {timezone.now():%Y-%m-%d})")


def test_a_title_that_only_mentions_re_assessment_keeps_its_words(organization, assessor):
    first = submitted(
        start_assessment(organization=organization, user=assessor, title="Plan (re-assessment wanted by the board)")
    )
    review = services.assessment_reassess(previous=first, user=assessor)
    assert review.title.startswith("Plan (re-assessment wanted by the board) (re-assessment ")


def test_a_second_re_assessment_while_one_is_in_progress_is_refused_and_points_to_it(client, organization, assessor):
    """Two members of a team both press Re-assess: they answer one re-assessment together, not two drafts of the
    same name each holding half of the answers."""
    from django.urls import reverse

    from config.errors import Conflict

    previous = submitted(start_assessment(organization=organization, user=assessor, title="Q4 readiness"))
    first = services.assessment_reassess(previous=previous, user=assessor)
    with pytest.raises(Conflict) as refused:
        services.assessment_reassess(previous=previous, user=assessor)
    [item] = refused.value.errors
    assert item.code == "reassessment_in_progress"
    assert first.title in item.message
    assert item.current == {"id": first.pk, "title": first.title}
    client.force_login(assessor)
    response = client.post(reverse("assessments:reassess", args=[previous.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[first.pk])
    assert Assessment.objects.filter(previous=previous).count() == 1
    # Once that one is submitted, the assessment may be re-assessed again (a later round).
    submitted(first)
    assert services.assessment_reassess(previous=previous, user=assessor).pk != first.pk
