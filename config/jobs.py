"""Background jobs: one status shape for every job, publishing after commit, and the deadline reaper.

Every long piece of work (scoring an assessment, rendering a PDF report, an inventory import, a Prometheus pull) is
a row of its own model, with its own statuses, worked on by a Celery task. This module is what they share:

- :class:`JobStatus`, the one shape every status URL answers (the OpenAPI component ``JobStatus``)::

      {"kind": "report", "state": "queued|running|succeeded|failed", "progress": 0-100 or null,
       "message": "Rendering…", "error": {"code": ..., "message": ...} or null,
       "next_url": where to go when done or null, "retry_url": where to POST a retry or null}

  ``static/js/jobs.js`` follows any of them;
- :func:`enqueue`: a job's message is published once the state change that made the job has committed
  (``transaction.on_commit``), under a task id the row holds beforehand (:func:`new_task_id`); when the broker
  cannot be reached the state change is undone and :class:`~config.errors.Unavailable` (503,
  ``broker_unavailable``) raised, so nothing waits for a message that was never sent;
- the deadline reaper (:func:`reap_all`, the beat task ``infraready.reap_jobs``): a job still queued or running
  after its deadline (since it was queued or started, plus the task's time limit, plus :func:`margin`) is queued
  once more (``attempts`` records it), and failed with the reason the next time, with a retry.

Each task checks that its delivery is the job's current one (the row's task id) before it works: a message of a
dead worker redelivered by the broker (``acks_late``) carries the same id and takes the job up again, while a stale
message (the reaper queued the job afresh under a new id) does nothing. The jobs' own rules (which status is
which state, how a job is queued again, failed or retried) are service functions of their apps, listed in
``settings.INFRAREADY_JOB_REAPERS``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import ChannelError, OperationalError
from kombu.exceptions import ConnectionError as BrokerConnectionError

from .errors import ErrorItem, Unavailable

__all__ = [
    "BROKER_ERRORS",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "STATES",
    "SUCCEEDED",
    "JobStatus",
    "Reaped",
    "broker_unavailable",
    "enqueue",
    "lost_reason",
    "margin",
    "new_task_id",
    "percent",
    "queue_deadline",
    "reap",
    "reap_all",
    "run_deadline",
]

logger = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED)

BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, BrokerConnectionError, ChannelError)
"""What publishing raises when the broker cannot be reached: kombu wraps the transport's connection and channel
errors (Redis refused or timed out, the SQLite file locked) into its ``OperationalError`` once its retries are
spent; its own connection and channel errors, should one escape unwrapped."""

MAX_REQUEUES = 1
"""How many times the reaper queues a job again before it fails it."""


# --- the status shape ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobStatus:
    """Where a job stands, for people and programs alike. URLs are added by the view that answers (the API gives
    API URLs, a page's JSON gives pages): :meth:`with_urls`."""

    kind: str
    """What the job is: ``scoring``, ``report``, ``import``, ``prometheus_pull``."""
    state: str
    """One of `STATES`."""
    message: str
    """The state in words, for the page showing it ("Rendering…", "Importing: 600 of about 2000 rows.")."""
    progress: int | None = None
    """0-100 when the job can tell, else None."""
    error: ErrorItem | None = None
    """Why it failed (a failed job only)."""
    retryable: bool = False
    """A failed job that may be tried again (``retry_url``)."""
    next_url: str | None = None
    retry_url: str | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown job state {self.state!r}")

    @property
    def done(self) -> bool:
        return self.state in (SUCCEEDED, FAILED)

    def with_urls(self, *, next_url: str | None = None, retry_url: str | None = None) -> JobStatus:
        """The status with where to go when done, and where to retry (kept for a retryable failure only)."""
        return replace(
            self,
            next_url=next_url,
            retry_url=retry_url if self.state == FAILED and self.retryable else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "state": self.state,
            "progress": None if self.progress is None else max(0, min(100, int(self.progress))),
            "message": self.message,
            "error": None if self.error is None else {"code": self.error.code, "message": self.error.message},
            "next_url": self.next_url,
            "retry_url": self.retry_url,
        }


def percent(done: int, total: int) -> int | None:
    """``done`` of ``total`` as a whole percentage (capped at 100: totals may be estimates); None without a total."""
    if not total:
        return None
    return min(100, round(100 * done / total))


# --- publishing after commit --------------------------------------------------------------------------------------


def new_task_id() -> str:
    """The id a job's next message will carry; the row stores it before the message is published."""
    return str(uuid.uuid4())


def broker_unavailable(what: str) -> Unavailable:
    return Unavailable(
        f"The task queue cannot be reached, so {what} could not be started. Nothing was changed; try again in a "
        "minute.",
        code="broker_unavailable",
    )


def _eager() -> bool:
    from config.celery import app

    return bool(app.conf.task_always_eager)


def enqueue(publish: Callable[[], Any], *, undo: Callable[[], Any], what: str) -> None:
    """Publish a job's message once the current transaction commits (at once outside one).

    ``publish`` sends the message (``task.apply_async(..., task_id=...)``). When the broker cannot be reached,
    ``undo`` puts the job back as it was before (in its own transaction) and :class:`Unavailable` is raised (from
    ``on_commit``, so it reaches whoever committed: the service called outside a transaction, its caller
    otherwise). ``what`` names the work in that message ("scoring", "the report").

    Why not an outbox (a row a beat task sends later): a request that cannot queue its job must say so at once
    (503), with the item as it was; an outbox would answer 202 and leave the job waiting for the broker, which is
    what the deadline reaper already covers for the rare message lost after it was sent.

    With ``task_always_eager`` (the test suite, ``seed_demo``) the task runs in process: there is no broker to
    wait for, so it runs at once (the caller has already committed its state change, or shares its transaction).
    """

    def send() -> None:
        try:
            publish()
        except BROKER_ERRORS as error:
            logger.warning("%s not queued, the broker cannot be reached: %s", what, error)
            with transaction.atomic():
                undo()
            raise broker_unavailable(what) from None

    if _eager():
        send()
    else:
        transaction.on_commit(send)


# --- deadlines and the reaper -------------------------------------------------------------------------------------


def margin() -> timedelta:
    """Added to a task's time limit before the reaper takes a job as lost (clock skew, the limit's enforcement)."""
    return timedelta(seconds=int(getattr(settings, "INFRAREADY_JOB_DEADLINE_MARGIN", 120)))


def longest_task() -> int:
    return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 900))


def run_deadline(time_limit: int, *, now: datetime | None = None) -> datetime:
    """A job started before this moment is past its deadline: its task's time limit and the margin are over."""
    return (now or timezone.now()) - timedelta(seconds=time_limit) - margin()


def queue_deadline(*, now: datetime | None = None) -> datetime:
    """A job queued before this moment and not started is past its deadline. A queued job waits for a free worker,
    which one task of the longest time limit may hold (prefetch 1): that limit and the margin."""
    return run_deadline(longest_task(), now=now)


def lost_reason(*, started: bool, doing: str, taking_up: str) -> str:
    """Why the reaper failed a job: it was queued twice and neither try came to an end."""
    if started:
        return f"The worker stopped while {doing} (it was queued once more, and that try did not finish either)."
    return f"No worker took up {taking_up}, though it was queued twice."


@dataclass
class Reaped:
    requeued: int = 0
    failed: int = 0
    skipped: int = 0
    """Left as they were: the broker could not be reached to queue them again (the next run tries again)."""

    def __iadd__(self, other: Reaped) -> Reaped:
        self.requeued += other.requeued
        self.failed += other.failed
        self.skipped += other.skipped
        return self

    def as_dict(self) -> dict[str, int]:
        return {"requeued": self.requeued, "failed": self.failed, "skipped": self.skipped}


Job = TypeVar("Job")


def reap(
    jobs: Iterable[Job],
    *,
    attempts: Callable[[Job], int],
    requeue: Callable[[Job], bool],
    fail: Callable[[Job], bool],
) -> Reaped:
    """For each job past its deadline: queue it once more (``attempts`` below `MAX_REQUEUES`), else fail it.

    ``requeue`` and ``fail`` change the row only if it is still the job found here (same status and task id:
    a job that finished meanwhile is left alone) and say whether they did. A broker that cannot be reached stops
    the re-queuing (every job would fail the same way) but not the failing."""
    done = Reaped()
    broker_down = False
    for job in jobs:
        if attempts(job) < MAX_REQUEUES:
            if broker_down:
                done.skipped += 1
                continue
            try:
                changed = requeue(job)
            except Unavailable:
                broker_down = True
                done.skipped += 1
                continue
            done.requeued += int(changed)
        else:
            done.failed += int(fail(job))
    return done


def reap_all(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every app's reaper (``settings.INFRAREADY_JOB_REAPERS``, functions of ``now``); what each did."""
    outcome: dict[str, dict[str, int]] = {}
    for path in getattr(settings, "INFRAREADY_JOB_REAPERS", []):
        reaper = import_string(path)
        try:
            outcome[path] = reaper(now=now or timezone.now()).as_dict()
        except Exception:  # one app's reaper failing must not keep the others from running
            logger.exception("job reaper %s failed", path)
            outcome[path] = {"error": 1}
    if any(sum(v for v in counts.values()) for counts in outcome.values()):
        logger.warning("job reaper: %s", outcome)
    return outcome
