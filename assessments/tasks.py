"""Celery tasks of assessments: thin callers of `services` (the scoring job: `services.scoring_jobs`)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from inventory.analysis import shared_analysis

from . import services

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 270
"""Seconds scoring may take (a few seconds in practice; the inventory's facts are aggregated in the database)."""
TIME_LIMIT = 300
"""The hard limit; the deadline reaper (``config.jobs``) counts from it."""


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def score_assessment_task(self, assessment_id: int) -> dict:
    """Score a submitted assessment; idempotent (one stored result however often it runs). A message that is not
    the assessment's current one does nothing. The inventory analysis runs once for the scoring and the roadmap
    build it queues when that runs in this call (eager tasks)."""
    task_id = self.request.id
    if not services.assessment_scoring_claim(assessment_id=assessment_id, task_id=task_id):
        if services.assessment_scored_by(assessment_id=assessment_id, task_id=task_id):
            build_roadmap_task.delay(assessment_id)  # redelivered after scoring committed: the roadmap may be missing
        return {"assessment": assessment_id, "status": "unchanged"}
    with shared_analysis():
        return _score(self, assessment_id, task_id)


def _score(self, assessment_id: int, task_id: str) -> dict:
    try:
        result = services.assessment_score(assessment_id=assessment_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.assessment_mark_failed(
                assessment_id=assessment_id, error="The database was unavailable; try again.", task_id=task_id
            )
        raise
    except SoftTimeLimitExceeded:
        services.assessment_mark_failed(
            assessment_id=assessment_id,
            error=f"Scoring took longer than {SOFT_TIME_LIMIT} seconds and was stopped.",
            task_id=task_id,
        )
        return {"assessment": assessment_id, "error": "time limit"}
    except Exception as error:  # a bug must not leave the assessment "scoring…" for ever
        logger.exception("scoring assessment %s failed", assessment_id)
        services.assessment_mark_failed(
            assessment_id=assessment_id, error=f"{type(error).__name__}: {error}", task_id=task_id
        )
        return {"assessment": assessment_id, "error": str(error)}
    build_roadmap_task.delay(assessment_id)
    return {"assessment": assessment_id, "readiness_index": result.readiness_index, "level": result.level}


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def build_roadmap_task(assessment_id: int) -> dict:
    """Build the roadmap of a scored assessment (queued by scoring); idempotent, keeps people's tracking."""
    items = services.roadmap_build(assessment_id=assessment_id)
    return {"assessment": assessment_id, "items": len(items)}


@shared_task(name="assessments.tasks.roadmap_trackers_sync")
def roadmap_trackers_sync() -> dict[str, int]:
    """Beat: read back the state of every roadmap item pushed to an issue tracker."""
    return services.roadmap_trackers_sync()


@shared_task
def remind_due_assignments() -> int:
    """Daily (beat): email the owners of areas whose due date nears, once per due date (idempotent)."""
    return services.assignments_remind_due()
