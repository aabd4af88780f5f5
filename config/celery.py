"""Celery application.

Tasks go through a broker to ``celery -A config worker``: Redis when ``CELERY_BROKER_URL`` is set, else the
embedded broker, a SQLite file in the project folder (``make demo`` starts the worker beside the web server; see
``config.settings.base``). ``CELERY_TASK_ALWAYS_EAGER`` (the test suite) runs them in process instead.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("infraready")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="infraready.ping", bind=True)
def ping(self) -> dict[str, str]:
    """Prove that a worker runs tasks and reaches the database; used by health checks and integration tests."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"worker": "eager" if self.request.is_eager else self.request.hostname, "database": connection.vendor}


@app.task(name="infraready.reap_jobs")
def reap_jobs() -> dict[str, dict[str, int]]:
    """Beat: queue once more, then fail with the reason, every job past its deadline (``config.jobs``)."""
    from config.jobs import reap_all

    return reap_all()
