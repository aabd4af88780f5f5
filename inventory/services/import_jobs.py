"""Import jobs (the app's import pages, the API and the admin): an uploaded file, checked at once, validated
(here or, when large, by a Celery task), shown for confirmation, then imported all or nothing.

A job keeps its problems as `ErrorItem` dicts (``errors``, the first ones) and how many there are in all
(``error_count``). Files whose estimated row count exceeds `INVENTORY_IMPORT_ASYNC_ROWS` are handled by tasks
(`inventory.tasks`), which report progress on the job.

A job worked on by a task is a job of ``config.jobs``: its message is published once the job is stored (a broker
that cannot be reached undoes the step and raises `Unavailable`), the task checks it is the job's current message
(`import_job_begin`), and `import_job_reap` queues a job left by a dead worker once more, then fails it with a
retry (`import_job_retry`: the upload is kept until the import is done or refused).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organization
from config import jobs
from config.errors import Conflict, DomainError, ErrorItem, Invalid

from ..importing import INVENTORY, TextFacts
from ..models import ImportJob, ImportStatus
from .import_engine import ImportResult, import_setting
from .import_files import ImportFile, apply_file, file_notices, import_file_inspect, validate_file

logger = logging.getLogger(__name__)

UNEXPECTED = "The import stopped on an unexpected error; nothing was written. Please report it."
REFUSED = (
    "The database refused the rows (did someone change the inventory at the same time?); nothing was written. "
    "Try again."
)
FINISHED = (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED)


def job_errors(job: ImportJob) -> tuple[list[ErrorItem], int]:
    """A job's listed problems and how many there are in all."""
    items = [ErrorItem.from_dict(item) for item in job.errors or []]
    return items, max(job.error_count, len(items))


def import_job_notices(job: ImportJob) -> list[str]:
    """What a person should know of how the job's file was read (`import_files.file_notices`), from its upload on."""
    return file_notices(job.encoding or None)


def import_job_error(job: ImportJob) -> DomainError | None:
    """What an invalid (400) or failed (409) job refuses, as the one error contract; None otherwise."""
    items, total = job_errors(job)
    if job.status == ImportStatus.INVALID and items:
        return Invalid(items, total=total)
    if job.status == ImportStatus.FAILED:
        return Conflict(items or [ErrorItem(UNEXPECTED, "failed")], total=total)
    return None


def import_job_create(
    *,
    organization: Organization,
    user: Any,
    upload: UploadedFile,
    kind: str | None = None,
    file_format: str | None = None,
) -> ImportJob:
    """Check an uploaded file (size first) and store it as a job waiting for validation. Raises `ImportRejected`
    or `TooLarge` for a file that cannot be imported at all."""
    filename = (upload.name or "").rsplit("/", 1)[-1][:255]
    upload.seek(0)
    info = import_file_inspect(
        handle=upload, filename=filename, size=upload.size or 0, kind=kind, file_format=file_format
    )
    upload.seek(0)
    return ImportJob.objects.create(
        organization=organization,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        filename=filename,
        file_format=info.file_format,
        encoding=info.facts.encoding or "",
        kind=info.kind or INVENTORY,
        payload=upload,
        status=ImportStatus.VALIDATING,
        total_rows=info.facts.estimated_rows,
    )


def _job_info(job: ImportJob) -> ImportFile:
    """The job's file as its upload found it: the encoding decided then is the one its passes read it in."""
    return ImportFile(
        file_format=job.file_format,
        kind=None if job.kind == INVENTORY else job.kind,
        facts=TextFacts(0, 0, encoding=job.encoding or None),
    )


def _finish(
    job: ImportJob, *, status: str, result: ImportResult | None = None, failure: ErrorItem | None = None
) -> None:
    job.status = status
    if result is not None:
        job.total_rows = result.total_rows
        job.processed_rows = result.total_rows
        job.created_count = result.created
        job.updated_count = result.updated
        job.errors = result.errors_json()
        job.error_count = result.error_count
        job.preview = result.preview
    if failure is not None:
        job.errors = [failure.as_dict()]
        job.error_count = 1
    if status in FINISHED:
        job.finished = timezone.now()
    job.save()
    if status in (ImportStatus.DONE, ImportStatus.INVALID) and job.payload:
        # The upload is only needed until the import ends (a failed one keeps it, to be tried again).
        try:
            job.payload.delete(save=True)
        except OSError:
            logger.warning("could not delete the upload of import %s", job.pk, exc_info=True)


def _job_progress(job: ImportJob) -> Callable[[int], None]:
    def record(processed: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)

    return record


class _ProgressOutsideTransaction:
    """Writes a job's progress while the import transaction is open, on a connection of its own, so that status
    requests see it. SQLite allows one writer at a time: there progress is written only between passes."""

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.connection = None
        if connection.vendor != "sqlite":
            try:
                self.connection = connections.create_connection("default")
            except Exception:  # progress is a nicety: never fail an import for it
                logger.warning("no side connection for import progress", exc_info=True)

    def __call__(self, processed: int) -> None:
        if self.connection is None:
            return
        try:
            table = ImportJob._meta.db_table
            pk = ImportJob._meta.pk.get_db_prep_value(self.job_id, self.connection)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {self.connection.ops.quote_name(table)} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                    [processed, pk],
                )
        except DatabaseError:
            logger.warning("could not record import progress", exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def import_job_validate(*, job: ImportJob) -> ImportJob:
    """First pass: every problem, or READY with a preview and the counts of new and updated rows."""
    if job.status != ImportStatus.VALIDATING:
        return job
    try:
        with job.payload.open("rb") as handle:
            result = validate_file(job.organization, handle, _job_info(job), progress=_job_progress(job))
    except Exception:
        logger.exception("validating import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, failure=ErrorItem(UNEXPECTED, "failed"))
        return job
    _finish(job, status=ImportStatus.READY if result.ok else ImportStatus.INVALID, result=result)
    return job


def import_job_claim(*, job: ImportJob) -> bool:
    """READY -> RUNNING, once: a second confirmation (double click, two tabs) finds nothing to claim."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
        status=ImportStatus.RUNNING, processed_rows=0
    )
    if claimed:
        job.status, job.processed_rows = ImportStatus.RUNNING, 0
    return bool(claimed)


class _JobTaken(Exception):
    """The job is no longer this pass's (the reaper failed or queued it afresh): roll the rows back."""


def import_job_apply(*, job: ImportJob) -> ImportJob:
    """Second pass of a claimed (RUNNING) job: validate again and write, all or nothing. The job is marked done in
    the same transaction as its rows, so that a worker lost after the commit leaves nothing to import again."""
    if job.status != ImportStatus.RUNNING:
        return job

    def done(result: ImportResult) -> None:
        marked = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, task_id=job.task_id).update(
            status=ImportStatus.DONE, created_count=result.created, updated_count=result.updated
        )
        if not marked:
            raise _JobTaken

    progress = _ProgressOutsideTransaction(job.pk)
    try:
        with job.payload.open("rb") as handle:
            result = apply_file(job.organization, handle, _job_info(job), progress=progress, on_success=done)
    except _JobTaken:
        logger.warning("import %s was taken over while it was imported; its rows were rolled back", job.pk)
        job.refresh_from_db()
        return job
    except DatabaseError:
        logger.exception("import %s was refused by the database", job.pk)
        _finish(job, status=ImportStatus.FAILED, failure=ErrorItem(REFUSED, "conflict"))
        return job
    except Exception:
        logger.exception("import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, failure=ErrorItem(UNEXPECTED, "failed"))
        return job
    finally:
        progress.close()
    _finish(job, status=ImportStatus.DONE if result.ok else ImportStatus.INVALID, result=result)
    return job


def import_job_is_large(job: ImportJob) -> bool:
    return job.total_rows > import_setting("INVENTORY_IMPORT_ASYNC_ROWS")


JOB_FIELDS = (
    "status",
    "task_id",
    "queued",
    "started",
    "finished",
    "attempts",
    "processed_rows",
    "errors",
    "error_count",
)


def _job_state(job: ImportJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in JOB_FIELDS}


def _queue(job: ImportJob, *, task_id: str, undo: Callable[[], Any]) -> None:
    """Publish the message ``task_id`` of the job's pass (validate when VALIDATING, import when RUNNING) once the
    job's state has committed; ``undo`` and `Unavailable` when the broker cannot be reached."""
    from .. import tasks

    job_id = str(job.pk)
    if job.status == ImportStatus.RUNNING:

        def publish() -> None:
            tasks.import_job_apply.apply_async((job_id,), task_id=task_id)

    else:
        confirm = job.auto_confirm

        def publish() -> None:
            tasks.import_job_process.apply_async((job_id, confirm), task_id=task_id)

    jobs.enqueue(publish, undo=undo, what="the import")


def _to_worker(job: ImportJob, *, restore: dict[str, Any] | None, **changes: Any) -> None:
    """Hand the job's current pass to a worker: store a new message id (and ``changes``), then publish. When the
    broker cannot be reached the job gets back the fields of ``restore`` (None: a new job, deleted again)."""
    task_id = jobs.new_task_id()
    fields = {"task_id": task_id, "queued": timezone.now(), "started": None, **changes}
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)

    def undo() -> None:
        if restore is None:
            _discard(job)
        else:
            ImportJob.objects.filter(pk=job.pk, task_id=task_id).update(**restore)

    _queue(job, task_id=task_id, undo=undo)
    job.refresh_from_db()


def _started(job: ImportJob) -> None:
    job.started = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(started=job.started)


def _discard(job: ImportJob) -> None:
    """A new job whose message could not be sent: as if it had never been uploaded."""
    if job.payload:
        try:
            job.payload.delete(save=False)
        except OSError:
            logger.warning("could not delete the upload of import %s", job.pk, exc_info=True)
    ImportJob.objects.filter(pk=job.pk).delete()


def import_job_start(*, job: ImportJob, confirm: bool = False) -> ImportJob:
    """Validate a new job (and with `confirm`, import it when valid): here for a small file, else in a task.

    When the broker cannot be reached the job is deleted again (nothing was uploaded) and `Unavailable` raised."""
    job.auto_confirm = confirm
    if import_job_is_large(job):
        _to_worker(job, restore=None, auto_confirm=confirm)
        return job
    ImportJob.objects.filter(pk=job.pk).update(auto_confirm=confirm)
    _started(job)
    return import_job_process(job=job, confirm=confirm)


def import_job_begin(*, job_id: Any, task_id: str | None) -> ImportJob | None:
    """The task's first step: the job, when this delivery is its current message (or a redelivery of it after a
    lost worker), with the time its pass started; None for a stale message or a job that is no longer waiting."""
    found = ImportJob.objects.filter(pk=job_id, status__in=(ImportStatus.VALIDATING, ImportStatus.RUNNING))
    changes: dict[str, Any] = {"started": timezone.now()}
    if task_id is not None:
        found = found.filter(Q(task_id=task_id) | Q(task_id=""))
        changes["task_id"] = task_id
    if not found.update(**changes):
        return None
    return ImportJob.objects.select_related("organization").get(pk=job_id)


def import_job_process(*, job: ImportJob, confirm: bool = False) -> ImportJob:
    """A job's pass: validate it for confirmation, or, confirmed at upload (``confirm``), import it in one pass:
    every row is checked as it is written, all or nothing, and a file with a problem ends INVALID with every
    problem listed, as a validation would. Such a job is never READY in between (nothing to confirm twice)."""
    if confirm and job.status == ImportStatus.VALIDATING:
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
            status=ImportStatus.RUNNING, processed_rows=0
        )
        if claimed:
            job.status, job.processed_rows = ImportStatus.RUNNING, 0
            return import_job_apply(job=job)
        return job
    import_job_validate(job=job)
    if confirm and job.status == ImportStatus.READY and import_job_claim(job=job):
        import_job_apply(job=job)
    return job


def not_waiting(job: ImportJob) -> Conflict:
    """Why a job that is not READY cannot be confirmed (409)."""
    return Conflict(
        f"This import is {job.get_status_display().lower()}; only a valid one waiting for confirmation can be "
        "confirmed."
    )


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Import a validated (READY) job: here for a small file, else in a task. Idempotent: a job that is no longer
    waiting is returned as it is (callers that must refuse use `not_waiting`). When the broker cannot be reached
    the job waits for confirmation again and `Unavailable` is raised."""
    if not import_job_claim(job=job):
        return job
    if import_job_is_large(job):
        _to_worker(job, restore={**_job_state(job), "status": ImportStatus.READY})
        return job
    _started(job)
    return import_job_apply(job=job)


def import_job_retry(*, job: ImportJob) -> ImportJob:
    """Validate a failed job's file again (and import it when valid if it was to be imported at once): here for a
    small file, else in a task. 409 unless it failed and its file is kept; 503 when the broker is down (it stays
    failed)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.FAILED or not locked.payload:
            raise Conflict(
                f"Only a failed import whose file is kept can be tried again; this one is "
                f"{locked.get_status_display().lower()}. Upload the file again.",
                code="not_retryable",
            )
        before = _job_state(locked)
        fresh = {
            "status": ImportStatus.VALIDATING,
            "finished": None,
            "attempts": 0,
            "processed_rows": 0,
            "errors": [],
            "error_count": 0,
        }
        ImportJob.objects.filter(pk=locked.pk).update(**fresh)
    job.refresh_from_db()
    if import_job_is_large(job):
        _to_worker(job, restore=before)
        return job
    _started(job)
    return import_job_process(job=job, confirm=job.auto_confirm)


def import_time_limit() -> int:
    from .. import tasks

    return int(tasks.import_job_process.time_limit or settings.CELERY_TASK_TIME_LIMIT)


def import_job_reap(*, now: datetime) -> jobs.Reaped:
    """Jobs still validating or importing after their deadline (a dead worker, or a web process that died while it
    worked on a small file): queued once more, then failed with the reason (the file is kept for a retry)."""
    busy = (ImportStatus.VALIDATING, ImportStatus.RUNNING)
    stuck = ImportJob.objects.filter(status__in=busy).filter(
        Q(started__lt=jobs.run_deadline(import_time_limit(), now=now))
        | Q(started__isnull=True, queued__lt=jobs.queue_deadline(now=now))
        | Q(started__isnull=True, queued__isnull=True, created__lt=jobs.queue_deadline(now=now))
    )

    def requeue(job: ImportJob) -> bool:
        task_id = jobs.new_task_id()
        before = _job_state(job)
        changed = ImportJob.objects.filter(pk=job.pk, status=job.status, task_id=job.task_id).update(
            task_id=task_id, queued=now, started=None, processed_rows=0, attempts=F("attempts") + 1
        )
        if changed:
            _queue(
                job,
                task_id=task_id,
                undo=lambda: ImportJob.objects.filter(pk=job.pk, task_id=task_id).update(**before),
            )
        return bool(changed)

    def fail(job: ImportJob) -> bool:
        doing = "importing the rows" if job.status == ImportStatus.RUNNING else "validating the file"
        reason = jobs.lost_reason(started=job.started is not None, doing=doing, taking_up="this import")
        item = ErrorItem(f"{reason} Nothing was written; try again.", "worker_lost")
        return bool(
            ImportJob.objects.filter(pk=job.pk, status=job.status, task_id=job.task_id).update(
                status=ImportStatus.FAILED, errors=[item.as_dict()], error_count=1, finished=now
            )
        )

    return jobs.reap(stuck, attempts=lambda j: j.attempts, requeue=requeue, fail=fail)
