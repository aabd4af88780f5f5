import logging

from celery import shared_task
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
)
def score_assessment_task(self, assessment_id: int) -> dict:
    """Score a submitted assessment; idempotent (one stored result however often it runs)."""
    try:
        result = services.assessment_score(assessment_id=assessment_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.assessment_mark_failed(assessment_id=assessment_id, error="the database was unavailable")
        raise
    except Exception as error:  # a bug must not leave the assessment "scoring…" for ever
        logger.exception("scoring assessment %s failed", assessment_id)
        services.assessment_mark_failed(assessment_id=assessment_id, error=f"{type(error).__name__}: {error}")
        return {"assessment": assessment_id, "error": str(error)}
    build_roadmap_task.delay(assessment_id)
    return {"assessment": assessment_id, "readiness_index": result.readiness_index, "level": result.level}


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, acks_late=True)
def build_roadmap_task(assessment_id: int) -> dict:
    """Build the roadmap of a scored assessment (queued by scoring); idempotent, keeps people's tracking."""
    items = services.roadmap_build(assessment_id=assessment_id)
    return {"assessment": assessment_id, "items": len(items)}
