"""The NetBox sync from the app: an organization's NetBox (`NetboxConfig`: URL, token stored encrypted, device role,
country of new sites), a dry run or a sync queued as a Celery task, its progress, and what it changed or would
change (`last_result`). A run whose worker died, or whose message was lost, is not under way forever: past its
deadline (`config.jobs.run_deadline`: queued + the task's time limit + the margin) it may be started again, and the
jobs' reaper (`netbox_sync_reap`, in ``INFRAREADY_JOB_REAPERS``) marks it failed with the reason. A sync is
started by a person: the reaper does not queue it again on their behalf.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from config import jobs
from config.encryption import SecretUnreadable
from config.errors import Conflict, DomainError, Invalid, Unavailable

from ...models import NetboxConfig, SyncStatus
from ...telemetry.configuration import url_problem
from .apply import netbox_sync

logger = logging.getLogger(__name__)
BUSY = (SyncStatus.QUEUED, SyncStatus.RUNNING)
UNEXPECTED = "The sync stopped on an unexpected error. Please report it."
"""The page adds that nothing was written, as for every failed run."""


LOST = "The sync did not finish: its worker stopped, or no worker took it up, before its deadline. Start it again."
"""The reaper's reason (the page adds that nothing was written: the sync writes in one transaction at its end)."""


def _deadline(now: datetime | None = None) -> datetime:
    """A sync queued before this moment and still queued or running is lost (its task's time limit is the
    default one, `config.jobs.longest_task`)."""
    return jobs.run_deadline(jobs.longest_task(), now=now)


def netbox_config_for(*, organization: Organization) -> NetboxConfig | None:
    return NetboxConfig.objects.filter(organization=organization).first()


def is_busy(config: NetboxConfig) -> bool:
    """Queued or running, and queued after its deadline (an older one died with its worker or was never taken up)."""
    return config.status in BUSY and config.started is not None and config.started >= _deadline()


def netbox_sync_reap(*, now: datetime) -> jobs.Reaped:
    """Syncs still queued or running past their deadline: failed with the reason (`LOST`), never queued again."""
    stuck = NetboxConfig.objects.filter(status__in=BUSY, started__lt=_deadline(now))
    return jobs.Reaped(failed=stuck.update(status=SyncStatus.FAILED, last_error=LOST, last_result={}, finished=now))


def netbox_config_save(
    *,
    organization: Organization,
    url: str,
    token: str = "",
    device_role: str = "",
    new_site_country: str = "",
    verify_tls: bool = True,
) -> NetboxConfig:
    """Create or change the organization's NetBox; an empty `token` keeps the stored one. The model's rules apply."""
    config = netbox_config_for(organization=organization) or NetboxConfig(organization=organization)
    config.url = url.strip()
    config.device_role = device_role.strip()
    config.new_site_country = new_site_country.strip().upper()
    config.verify_tls = verify_tls
    if token.strip():
        config.set_token(token)
    if not config.has_token:
        raise Invalid("NetBox's API token is required.", code="required", field="token")
    if not config.url.startswith(("http://", "https://")):
        raise Invalid("Enter NetBox's address, e.g. https://netbox.example.net", field="url")
    if problem := url_problem(config.url, label="address"):  # the integrations' one rule (Prometheus, BMCs)
        raise Invalid(problem, field="url")
    if config.new_site_country and not (len(config.new_site_country) == 2 and config.new_site_country.isalpha()):
        raise Invalid("Enter the two-letter ISO country code, e.g. DE.", field="new_site_country")
    config.save()
    return config


def netbox_sync_start(*, config: NetboxConfig, dry_run: bool) -> NetboxConfig:
    """Queue a dry run or a sync; refused while one runs; the broker down fails it at once (`Unavailable`)."""
    from ... import tasks

    with transaction.atomic():
        locked = NetboxConfig.objects.select_for_update().get(pk=config.pk)
        if is_busy(locked):
            raise Conflict("A sync of this NetBox is already under way.")
        locked.status, locked.dry_run, locked.started, locked.finished = (
            SyncStatus.QUEUED,
            dry_run,
            timezone.now(),
            None,
        )
        locked.steps_done, locked.steps_total, locked.stage, locked.last_error = 0, 0, "queued", ""
        locked.save()
    try:
        result = tasks.netbox_sync_run.delay(locked.pk)
    except Exception as exc:  # the broker: kombu's OperationalError and friends
        logger.warning("NetBox sync not queued: %s", exc)
        _finish(locked, status=SyncStatus.FAILED, error="The task queue cannot be reached; try again.")
        raise Unavailable("The task queue cannot be reached: the sync was not started.") from None
    NetboxConfig.objects.filter(pk=locked.pk, status=SyncStatus.QUEUED).update(task_id=result.id or "")
    locked.refresh_from_db()
    return locked


def _finish(config: NetboxConfig, *, status: str, error: str = "", result: dict[str, Any] | None = None) -> None:
    """The run's end: a failed run without problems of its own keeps none of an earlier run's."""
    config.status, config.finished, config.last_error = status, timezone.now(), error
    if result is not None or status == SyncStatus.FAILED:
        config.last_result = result or {}
    config.save(update_fields=["status", "finished", "last_error", "last_result", "stage", "steps_done", "steps_total"])


def netbox_sync_run(*, config: NetboxConfig) -> NetboxConfig:
    """Run a queued dry run or sync (the task): progress after each step, then what changed or every problem."""
    if config.status not in BUSY:
        return config
    NetboxConfig.objects.filter(pk=config.pk).update(status=SyncStatus.RUNNING)
    config.status = SyncStatus.RUNNING

    def progress(stage: str, done: int, total: int) -> None:
        config.stage, config.steps_done, config.steps_total = stage, done, total
        NetboxConfig.objects.filter(pk=config.pk).update(stage=stage, steps_done=done, steps_total=total)

    try:
        plan = netbox_sync(
            organization=config.organization,
            url=config.url,
            token=config.get_token(),
            role=config.device_role,
            country=config.new_site_country,
            verify=config.verify_tls,
            dry_run=config.dry_run,
            progress=progress,
        )
    except SecretUnreadable as exc:
        _finish(config, status=SyncStatus.FAILED, error=str(exc))
    except DomainError as exc:
        _finish(
            config,
            status=SyncStatus.FAILED,
            error=" ".join(exc.messages),
            result={"errors": [e.as_dict() for e in exc]},
        )
    except Exception:
        logger.exception("NetBox sync of organization %s failed", config.organization_id)
        _finish(config, status=SyncStatus.FAILED, error=UNEXPECTED)
    else:
        config.stage = "done"
        _finish(config, status=SyncStatus.OK, result={**plan.as_json(), "dry_run": config.dry_run})
    return config


def netbox_status(config: NetboxConfig | None) -> dict[str, Any]:
    """The small JSON the page's progress bar polls."""
    if config is None:
        return {
            "status": SyncStatus.NEVER,
            "busy": False,
            "progress_pct": 0,
            "stage": "",
            "steps_done": 0,
            "steps_total": 0,
        }
    return {
        "status": config.status,
        "status_display": config.get_status_display(),
        "busy": is_busy(config),
        "dry_run": config.dry_run,
        "stage": config.stage,
        "steps_done": config.steps_done,
        "steps_total": config.steps_total,
        "progress_pct": min(config.progress_pct, 100),
    }
