"""Celery tasks of the inventory: thin callers of `services` (they never raise: the job records the outcome)."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import ImportJob


@shared_task
def import_job_process(job_id: str, confirm: bool = False) -> str | None:
    """Validate an uploaded import file; with `confirm`, import it right away when it is valid (the API)."""
    job = ImportJob.objects.select_related("organization").filter(pk=job_id).first()
    if job is None:
        return None
    return services.import_job_process(job=job, confirm=confirm).status


@shared_task
def import_job_apply(job_id: str) -> str | None:
    """Import a confirmed (running) job in one transaction."""
    job = ImportJob.objects.select_related("organization").filter(pk=job_id).first()
    if job is None:
        return None
    return services.import_job_apply(job=job).status
