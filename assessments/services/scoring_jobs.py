"""The scoring job of a submitted assessment (``config.jobs``): queued by `assessment_submit`, taken up by
`tasks.score_assessment_task`, queued once more and then failed by the reaper when past its deadline, retried by
people.

An assessment being scored holds the id of the message that scores it (``scoring_task_id``); a delivery with
another id (a message the reaper replaced) does nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config import jobs
from config.errors import Conflict

from ..models import Assessment, AssessmentStatus

SCORING = "scoring this assessment"
JOB_FIELDS = ("status", "scoring_task_id", "scoring_queued", "scoring_started", "scoring_attempts", "scoring_error")


def job_state(assessment: Assessment) -> dict[str, Any]:
    return {name: getattr(assessment, name) for name in JOB_FIELDS}


def scoring_queue(*, assessment_id: int, task_id: str, before: dict[str, Any], what: str = "scoring") -> None:
    """Publish the scoring message ``task_id`` once the state change committed; when the broker cannot be reached,
    put the assessment back as ``before`` (its fields, as they were) and raise `Unavailable`."""
    from ..tasks import score_assessment_task

    def undo() -> None:
        Assessment.objects.filter(pk=assessment_id, scoring_task_id=task_id).update(**before)

    jobs.enqueue(lambda: score_assessment_task.apply_async((assessment_id,), task_id=task_id), undo=undo, what=what)


def scoring_fields(task_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """A scoring job queued afresh under ``task_id``."""
    return {
        "status": AssessmentStatus.SCORING,
        "scoring_task_id": task_id,
        "scoring_queued": now or timezone.now(),
        "scoring_started": None,
        "scoring_error": "",
    }


def assessment_scoring_claim(*, assessment_id: int, task_id: str | None) -> bool:
    """The task's first step: whether this delivery scores the assessment (it is being scored, under this message;
    a redelivery of the same message after a lost worker takes it up again). Records when it started."""
    found = Assessment.objects.filter(pk=assessment_id, status=AssessmentStatus.SCORING)
    if task_id is None:
        return bool(found.update(scoring_started=timezone.now()))
    found = found.filter(Q(scoring_task_id=task_id) | Q(scoring_task_id=""))
    return bool(found.update(scoring_started=timezone.now(), scoring_task_id=task_id))


def assessment_scored_by(*, assessment_id: int, task_id: str | None) -> bool:
    """Whether the assessment was scored under this message (a redelivery after scoring committed: the roadmap may
    still have to be built)."""
    return Assessment.objects.filter(
        pk=assessment_id, status=AssessmentStatus.SCORED, scoring_task_id=task_id or ""
    ).exists()


def assessment_mark_failed(*, assessment_id: int, error: str, task_id: str | None = None) -> None:
    """Scoring failed (a short reason for people); only the job of ``task_id`` when given."""
    found = Assessment.objects.filter(pk=assessment_id).exclude(status=AssessmentStatus.SCORED)
    if task_id is not None:
        found = found.filter(scoring_task_id=task_id)
    found.update(status=AssessmentStatus.FAILED, scoring_error=error[:2000])


def assessment_scoring_retry(*, assessment: Assessment) -> Assessment:
    """Score a failed assessment again (its frozen answers). 409 unless it failed; 503 when the broker is down
    (it stays failed)."""
    task_id = jobs.new_task_id()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.FAILED:
            raise Conflict(
                f"Only an assessment whose scoring failed can be scored again; this one is "
                f"{locked.get_status_display().lower()}.",
                code="not_failed",
            )
        before = job_state(locked)
        Assessment.objects.filter(pk=locked.pk).update(**scoring_fields(task_id), scoring_attempts=0)
    scoring_queue(assessment_id=assessment.pk, task_id=task_id, before=before, what="scoring")
    assessment.refresh_from_db()
    return assessment


def scoring_time_limit() -> int:
    from ..tasks import score_assessment_task

    return int(score_assessment_task.time_limit or settings.CELERY_TASK_TIME_LIMIT)


def assessment_scoring_reap(*, now: datetime) -> jobs.Reaped:
    """Assessments still scoring after their deadline: queued once more, then failed with the reason."""
    stuck = Assessment.objects.filter(status=AssessmentStatus.SCORING).filter(
        Q(scoring_started__lt=jobs.run_deadline(scoring_time_limit(), now=now))
        | Q(scoring_started__isnull=True, scoring_queued__lt=jobs.queue_deadline(now=now))
        | Q(scoring_started__isnull=True, scoring_queued__isnull=True, submitted_at__lt=jobs.queue_deadline(now=now))
    )

    def requeue(assessment: Assessment) -> bool:
        task_id = jobs.new_task_id()
        before = job_state(assessment)
        changed = Assessment.objects.filter(
            pk=assessment.pk, status=AssessmentStatus.SCORING, scoring_task_id=assessment.scoring_task_id
        ).update(**scoring_fields(task_id, now=now), scoring_attempts=F("scoring_attempts") + 1)
        if changed:
            scoring_queue(assessment_id=assessment.pk, task_id=task_id, before=before)
        return bool(changed)

    def fail(assessment: Assessment) -> bool:
        reason = jobs.lost_reason(
            started=assessment.scoring_started is not None, doing=SCORING, taking_up="the scoring of this assessment"
        )
        return bool(
            Assessment.objects.filter(
                pk=assessment.pk, status=AssessmentStatus.SCORING, scoring_task_id=assessment.scoring_task_id
            ).update(status=AssessmentStatus.FAILED, scoring_error=f"{reason} The answers are kept: try again.")
        )

    return jobs.reap(stuck, attempts=lambda a: a.scoring_attempts, requeue=requeue, fail=fail)
