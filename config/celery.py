"""Celery application.

With no ``CELERY_BROKER_URL`` the settings make every task run eagerly, in process (see ``config.settings.base``);
with one, tasks go through the broker to ``celery -A config worker``.
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
