"""Liveness and readiness probes for load balancers and orchestrators (no authentication, no session)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means not ready
        return f"{type(error).__name__}: {error}".strip()
    return None


def check_broker() -> str | None:
    """Redis answers; or the embedded broker's SQLite file opens and its queue can be read (see settings)."""
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
            if settings.INFRAREADY_EMBEDDED_BROKER:
                # A virtual transport connects without touching its storage: declare the queue the worker reads
                # (idempotent), which opens the file and counts its messages.
                conn.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    except Exception as error:  # any transport error means not ready
        return f"{type(error).__name__}: {error}".strip()
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready when the database answers and, unless tasks run in process, the broker too; 503 names what failed."""
    checks: dict[str, str] = {}
    failures: dict[str, str] = {}
    parts = {"database": check_database}
    if settings.INFRAREADY_BROKER_CONFIGURED:
        parts["broker"] = check_broker
    for name, check in parts.items():
        error = check()
        checks[name] = "ok" if error is None else "failed"
        if error is not None:
            failures[name] = error
    body = {"status": "ok" if not failures else "unavailable", "checks": checks}
    if failures:
        body["errors"] = failures
    return JsonResponse(body, status=503 if failures else 200)
