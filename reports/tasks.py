"""Celery tasks of reports: thin callers of `services`; a report never stays queued or rendering for ever."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 120
"""Seconds a report may take (chart export is bounded well below: `services.CHART_EXPORT_TIMEOUT`)."""
TIME_LIMIT = 150
UNEXPECTED = "The report could not be rendered because of an unexpected error (logged for the administrators)."


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def render_report_task(self, report_id: int) -> dict:
    """Render a queued PDF report and store it; idempotent (a ready or failed report is left as it is, and a
    message that is not the report's current one does nothing)."""
    task_id = self.request.id
    try:
        report = services.report_render(report_id=report_id, task_id=task_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.report_mark_failed(
                report_id=report_id, error="The database was unavailable; try again.", task_id=task_id
            )
        raise
    except SoftTimeLimitExceeded:
        logger.warning("report %s: over the %d s time limit", report_id, SOFT_TIME_LIMIT)
        services.report_mark_failed(
            report_id=report_id,
            error=f"Rendering took longer than {SOFT_TIME_LIMIT} seconds and was stopped.",
            task_id=task_id,
        )
        return {"report": report_id, "status": "failed"}
    except Exception:  # a bug must not leave the report "rendering…" for ever
        logger.exception("rendering report %s failed", report_id)
        services.report_mark_failed(report_id=report_id, error=UNEXPECTED, task_id=task_id)
        return {"report": report_id, "status": "failed"}
    if report is None:
        return {"report": report_id, "status": "unchanged"}
    return {"report": report_id, "status": report.status, "pages": report.pages, "seconds": report.render_seconds}
