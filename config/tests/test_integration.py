"""Against real services: `make test-integration` (PostgreSQL, Redis, and a `celery worker` process)."""

import pytest
from django.db import connection
from django.urls import reverse
from django_celery_results.models import TaskResult

from config.celery import ping

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_task_sent_through_redis_runs_in_a_worker_process_and_its_result_lands_in_postgresql(celery_worker_queue):
    assert connection.vendor == "postgresql"
    result = ping.apply_async(queue=celery_worker_queue)
    outcome = result.get(timeout=60)
    assert outcome["database"] == "postgresql"
    assert outcome["worker"].startswith(celery_worker_queue)  # run by the separate worker process, not eagerly
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.worker.startswith(celery_worker_queue)


def test_readyz_sees_the_real_database_and_broker(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_submitting_an_assessment_scores_it_and_builds_its_roadmap_in_the_worker(
    celery_worker_queue, organization, assessor
):
    import time

    from assessments import services
    from assessments.models import AssessmentStatus, RoadmapItem
    from assessments.tests.factories import answer_all, start_assessment, weak_value
    from config.celery import app

    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = celery_worker_queue
    try:
        task_id = services.assessment_submit(assessment=assessment, user=assessor)
    finally:
        app.conf.task_default_queue = default_queue

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not RoadmapItem.objects.filter(assessment=assessment).exists():
        time.sleep(0.5)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORED, assessment.scoring_error
    assert TaskResult.objects.get(task_id=task_id).worker.startswith(celery_worker_queue)
    roadmap_task = TaskResult.objects.get(
        task_name="assessments.tasks.build_roadmap_task", task_args__contains=str(assessment.pk)
    )
    assert roadmap_task.worker.startswith(celery_worker_queue)
    assert RoadmapItem.objects.filter(assessment=assessment).count() > 10


def test_a_requested_pdf_report_is_rendered_by_the_worker(celery_worker_queue, organization, assessor):
    import time

    from assessments import services as assessment_services
    from assessments.tests.factories import answer_all, start_assessment, weak_value
    from config.celery import app
    from reports import services
    from reports.models import Report, ReportStatus

    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = celery_worker_queue
    try:
        assessment_services.assessment_submit(assessment=assessment, user=assessor)
        deadline = time.monotonic() + 90
        while assessment.status != "scored" and time.monotonic() < deadline:
            time.sleep(0.5)
            assessment.refresh_from_db()
        report = services.report_request(organization=organization, assessment=assessment, user=assessor)
    finally:
        app.conf.task_default_queue = default_queue

    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (ReportStatus.READY, ReportStatus.FAILED):
            break
        time.sleep(0.5)
    assert report.status == ReportStatus.READY, report.error
    assert report.pages > 5
    # The worker stores the task's result just after the task has marked the report ready: wait for it.
    deadline = time.monotonic() + 20
    while not TaskResult.objects.filter(task_id=report.task_id).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert TaskResult.objects.get(task_id=report.task_id).worker.startswith(celery_worker_queue)
    assert Report.objects.filter(organization=organization).count() == 1
