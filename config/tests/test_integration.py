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
