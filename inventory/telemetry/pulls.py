"""The Prometheus pull and the Redfish reading: started by the scheduled tasks or an "update now" (page, API).

Both never leave a job stuck: a pull is a job of ``config.jobs`` (queued once the claim commits, a broker that
cannot be reached puts the configuration back as it was and raises `Unavailable`; a pull still queued or running
after its deadline is queued once more by the reaper, then failed with a retry, and "update now" may start a new
one).
Every failure is stored as a sentence on the configuration row (``last_error``) and shown where it is configured.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Organization
from config import jobs, outbound
from config.encryption import SecretUnreadable
from config.errors import Conflict, Unavailable

from ..models import Server
from .matching import HostIndex, first_match, unknown_host
from .models import BmcEndpoint, PrometheusConfig, PullStatus, TelemetrySource
from .prometheus import PrometheusClient, PrometheusError, host_names, host_query, readings_by_time, step_for
from .redfish import RedfishError, read_server_power
from .services import store_day_summaries, store_day_summaries_counted
from .summaries import DaySummary, InstantValues, day_of, instant_values, mig_unmeasured_words

logger = logging.getLogger(__name__)
BUSY = (PullStatus.QUEUED, PullStatus.RUNNING)


def _stale_after() -> timedelta:
    return timedelta(seconds=pull_time_limit()) + jobs.margin()


def pull_time_limit() -> int:
    from .. import tasks

    return int(tasks.telemetry_prometheus_pull.time_limit or settings.CELERY_TASK_TIME_LIMIT)


def _timeout() -> tuple[float, float]:
    return tuple(getattr(settings, "TELEMETRY_HTTP_TIMEOUT", outbound.DEFAULT_TIMEOUT))  # type: ignore[return-value]


def is_busy(config: PrometheusConfig) -> bool:
    """Queued or running, and not past its deadline (an older one died with its worker; the reaper takes it up,
    and "update now" may start a new one)."""
    if config.status not in BUSY:
        return False
    since = config.started or config.queued
    return since is not None and timezone.now() - since < _stale_after()


# --- Prometheus ---------------------------------------------------------------------------------------------------

JOB_FIELDS = (
    "status",
    "queued",
    "started",
    "finished",
    "hosts_done",
    "hosts_total",
    "last_error",
    "task_id",
    "attempts",
)


def _job_state(config: PrometheusConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in JOB_FIELDS}


def _fresh(task_id: str, now: datetime | None = None) -> dict[str, Any]:
    return {
        "status": PullStatus.QUEUED,
        "queued": now or timezone.now(),
        "started": None,
        "finished": None,
        "hosts_done": 0,
        "hosts_total": 0,
        "last_error": "",
        "task_id": task_id,
    }


def _claim(config: PrometheusConfig, *, failed_only: bool = False) -> tuple[PrometheusConfig, dict[str, Any]] | None:
    """Mark the configuration queued (now) unless a pull is under way; None when one is. Also what it was."""
    with transaction.atomic():
        locked = PrometheusConfig.objects.select_for_update().get(pk=config.pk)
        if is_busy(locked):
            return None
        if failed_only and locked.status != PullStatus.FAILED:
            raise Conflict(
                f"Only a failed pull can be tried again; the last one is {locked.get_status_display().lower()}. "
                "Use “update now” to pull again.",
                code="not_failed",
            )
        before = _job_state(locked)
        fields = {**_fresh(jobs.new_task_id()), "attempts": 0}
        PrometheusConfig.objects.filter(pk=locked.pk).update(**fields)
        for name, value in fields.items():
            setattr(locked, name, value)
    return locked, before


def _dispatch(config: PrometheusConfig, *, before: dict[str, Any]) -> PrometheusConfig:
    """Queue the pull of a claimed configuration once committed; the broker down puts the configuration back as it
    was (``before``) and raises Unavailable."""
    from .. import tasks

    task_id = config.task_id

    def publish() -> None:
        tasks.telemetry_prometheus_pull.apply_async((config.pk,), task_id=task_id)

    def undo() -> None:
        PrometheusConfig.objects.filter(pk=config.pk, task_id=task_id).update(**before)

    jobs.enqueue(publish, undo=undo, what="the pull")
    config.refresh_from_db()
    return config


def prometheus_pull_start(*, config: PrometheusConfig) -> PrometheusConfig:
    """Queue a pull ("update now"): refused while one runs; the broker down leaves the configuration as it was and
    raises Unavailable (nothing queued)."""
    claimed = _claim(config)
    if claimed is None:
        raise Conflict("A pull of this Prometheus is already under way.")
    return _dispatch(claimed[0], before=claimed[1])


def prometheus_pull_retry(*, config: PrometheusConfig) -> PrometheusConfig:
    """Pull again after a failed pull: 409 unless the last pull failed; otherwise as `prometheus_pull_start`."""
    claimed = _claim(config, failed_only=True)
    if claimed is None:
        raise Conflict("A pull of this Prometheus is already under way.")
    return _dispatch(claimed[0], before=claimed[1])


def prometheus_pull_begin(*, config_id: int, task_id: str | None) -> PrometheusConfig | None:
    """The task's first step: the configuration, when this delivery is its pull's current message (queued, or
    running again after a lost worker); None for a stale message."""
    found = PrometheusConfig.objects.filter(pk=config_id)
    if task_id is not None:
        found = found.filter(status__in=BUSY).filter(Q(task_id=task_id) | Q(task_id=""))
        if not found.update(task_id=task_id):
            return None
    return found.select_related("organization").first()


def prometheus_pull_reap(*, now: datetime) -> jobs.Reaped:
    """Pulls still queued or running after their deadline: queued once more, then failed with the reason."""
    stuck = PrometheusConfig.objects.filter(
        Q(status=PullStatus.RUNNING, started__lt=jobs.run_deadline(pull_time_limit(), now=now))
        | Q(status__in=BUSY, started__isnull=True, queued__lt=jobs.queue_deadline(now=now))
    )

    def requeue(config: PrometheusConfig) -> bool:
        task_id = jobs.new_task_id()
        before = _job_state(config)
        changed = PrometheusConfig.objects.filter(pk=config.pk, status=config.status, task_id=config.task_id).update(
            **_fresh(task_id, now), attempts=F("attempts") + 1
        )
        if changed:
            config.task_id = task_id
            _dispatch(config, before=before)
        return bool(changed)

    def fail(config: PrometheusConfig) -> bool:
        reason = jobs.lost_reason(
            started=config.started is not None, doing="pulling from Prometheus", taking_up="this pull"
        )
        return bool(
            PrometheusConfig.objects.filter(pk=config.pk, status=config.status, task_id=config.task_id).update(
                status=PullStatus.FAILED, last_error=f"{reason} Try again.", finished=now
            )
        )

    return jobs.reap(stuck, attempts=lambda c: c.attempts, requeue=requeue, fail=fail)


def _prometheus_finish(config: PrometheusConfig, *, status: str, error: str = "", result: Any = None) -> None:
    config.status, config.finished, config.last_error = status, timezone.now(), error
    fields = ["status", "finished", "last_error"]
    if result is not None:
        config.last_result = result
        fields.append("last_result")
    config.save(update_fields=fields)


def prometheus_pull_run(*, config: PrometheusConfig, now: datetime | None = None) -> PrometheusConfig:
    """Query the organization's Prometheus over its window for every known server, aggregate per server and day,
    replace those days' Prometheus summaries (all in one transaction at the end). Never raises: the outcome is
    stored on ``config``."""
    organization = config.organization
    config.started = timezone.now()
    config.status, config.finished, config.last_error = PullStatus.RUNNING, None, ""
    servers = list(Server.objects.filter(organization=organization).order_by("hostname").values_list("pk", "hostname"))
    config.hosts_done, config.hosts_total = 0, len(servers)
    config.save(update_fields=["status", "started", "finished", "last_error", "hosts_done", "hosts_total"])
    try:
        token = config.get_token()
    except SecretUnreadable as exc:
        _prometheus_finish(config, status=PullStatus.FAILED, error=f"The bearer token: {exc}")
        return config
    client = PrometheusClient(
        url=config.url,
        token=token,
        verify=config.verify_tls,
        allow_private=outbound.integrations_allow_private(),
        timeout=_timeout(),
    )
    start, end, step = pull_window(now or timezone.now(), config.window_days, config.step_seconds)
    summaries: dict[tuple[int, date], DaySummary] = {}
    with_data, without_data = [], []
    notes: list[str] = []
    try:
        index = HostIndex(servers)  # once: each server's series are matched against it
        hosts = client.hosts(at=end)
        unknown = [unknown_host(names, index.match) for names in hosts if _server_of(index, names) is None]
        for done, (server_id, hostname) in enumerate(servers, start=1):
            series = client.query_range(host_query(hostname), start=start, end=end, step=step)
            series = [s for s in series if _server_of(index, host_names(s.labels)) == server_id]
            days = _days_from_series(series)
            for day, summary in days.items():
                summaries[(server_id, day)] = summary
            (with_data if days else without_data).append(hostname)
            unmeasured = {gpu for summary in days.values() for gpu in summary.mig_unmeasured}
            if unmeasured:
                notes.append(f"{hostname}: {mig_unmeasured_words(len(unmeasured))}")
            PrometheusConfig.objects.filter(pk=config.pk).update(hosts_done=done)
            config.hosts_done = done
        written, kept = store_day_summaries_counted(
            organization=organization, source=TelemetrySource.PROMETHEUS, summaries=summaries, fold=False
        )
        if kept:
            notes.append(
                f"{kept} server-day{'s' if kept != 1 else ''} kept as pulled before: Prometheus now holds fewer "
                "samples of them than are stored (its retention is shorter than the window, so the oldest day "
                "loses its first hours), and a partial day does not replace a fuller one."
            )
    except PrometheusError as exc:
        _prometheus_finish(config, status=PullStatus.FAILED, error=str(exc))
        return config
    except Exception:
        logger.exception("Prometheus pull of organization %s failed", organization.pk)
        _prometheus_finish(config, status=PullStatus.FAILED, error="The pull failed unexpectedly; it has been logged.")
        return config
    result = {
        "window_start": datetime.fromtimestamp(start, tz=UTC).isoformat(),
        "window_end": datetime.fromtimestamp(end, tz=UTC).isoformat(),
        "step_seconds": step,
        "servers_with_data": with_data,
        "servers_without_data": without_data,
        "unknown_hosts": unknown,
        "days_written": written,
        "notes": notes,
    }
    _prometheus_finish(config, status=PullStatus.OK, result=result)
    return config


def _server_of(index: HostIndex, names: tuple[str, ...]) -> int | None:
    """The server a series' host names (`host_names`: its hostname label, then its node labels) match first."""
    found = first_match(names, index.match)
    return None if found is None else found.server_id


def pull_window(now: datetime, window_days: int, step_seconds: int) -> tuple[float, float, int]:
    """``(start, end, step)`` of a pull at ``now``: from midnight UTC ``window_days`` days before today to now (end
    aligned on the step). Whole days only: a pull replaces every day it pulls, so a window starting mid-day would
    replace its first day, pulled whole before, with the hours of it still in the window."""
    first = datetime.combine(day_of(now) - timedelta(days=window_days), datetime.min.time(), tzinfo=UTC)
    start, moment = first.timestamp(), now.timestamp()
    step = step_for(moment - start, step_seconds)
    return start, moment - moment % step, step


def _days_from_series(series: list[Any]) -> dict[date, DaySummary]:
    days: dict[date, DaySummary] = {}
    for timestamp, readings in sorted(readings_by_time(series).items()):
        moment = datetime.fromtimestamp(timestamp, tz=UTC)
        day = day_of(moment)
        days.setdefault(day, DaySummary(day=day)).add(moment, instant_values(readings))
    return days


def prometheus_pull_all() -> int:
    """Queue a pull for every enabled Prometheus that is not busy (the beat task). Returns how many."""
    queued = 0
    for config in PrometheusConfig.objects.filter(enabled=True).select_related("organization"):
        claimed = _claim(config)
        if claimed is None:
            continue
        try:
            _dispatch(claimed[0], before=claimed[1])
        except Unavailable:
            break  # every other one would fail the same way; they stay as they were
        queued += 1
    return queued


# --- Redfish ------------------------------------------------------------------------------------------------------


def bmc_read(*, endpoint: BmcEndpoint, now: datetime | None = None) -> BmcEndpoint:
    """Read one BMC's server power and fold it into the server's day (source redfish). Never raises: the outcome
    (the watts and where they were read, "no power reading", or the error) is stored on ``endpoint``."""
    moment = now or timezone.now()
    try:
        reading = read_server_power(
            address=endpoint.address,
            username=endpoint.get_username(),
            password=endpoint.get_password(),
            verify=endpoint.verify_tls,
            allow_private=outbound.integrations_allow_private(),
            timeout=_timeout(),
            deadline_seconds=float(getattr(settings, "TELEMETRY_BMC_DEADLINE_SECONDS", 20.0)),
        )
    except (RedfishError, SecretUnreadable) as exc:
        endpoint.status, endpoint.last_error = PullStatus.FAILED, str(exc)
        endpoint.last_read = moment
        endpoint.save(update_fields=["status", "last_error", "last_read"])
        return endpoint
    endpoint.last_read = moment
    endpoint.last_power_w, endpoint.last_power_path = reading.watts, reading.path
    if reading.watts is None:
        endpoint.status, endpoint.last_error = PullStatus.FAILED, reading.note
    else:
        endpoint.status, endpoint.last_error = PullStatus.OK, ""
        summary = DaySummary(day=day_of(moment), power_reading_path=reading.path)
        summary.add(moment, InstantValues(server_power_w=reading.watts))
        try:
            store_day_summaries(
                organization=endpoint.organization,
                source=TelemetrySource.REDFISH,
                summaries={(endpoint.server_id, summary.day): summary},
                fold=True,
            )
        except DatabaseError as exc:  # e.g. SQLite's "database is locked": this BMC failed, the others are read
            logger.warning("BMC reading of server %s not stored: %s", endpoint.server_id, exc)
            endpoint.status = PullStatus.FAILED
            endpoint.last_error = f"the reading ({reading.watts:,.0f} W) could not be stored: {exc}"
    endpoint.save(update_fields=["status", "last_error", "last_read", "last_power_w", "last_power_path"])
    return endpoint


def bmc_read_all(*, organization: Organization) -> dict[str, int]:
    """Read every enabled BMC of the organization, one after another (each within its own deadline)."""
    counts = {"read": 0, "failed": 0}
    started = time.monotonic()
    for endpoint in BmcEndpoint.objects.filter(organization=organization, enabled=True).select_related(
        "organization", "server"
    ):
        done = bmc_read(endpoint=endpoint)
        counts["read" if done.status == PullStatus.OK else "failed"] += 1
    logger.info(
        "read %s BMCs of organization %s in %.1f s", sum(counts.values()), organization.pk, time.monotonic() - started
    )
    return counts


def bmc_read_start(*, organization: Organization) -> None:
    """Queue the reading of the organization's BMCs ("read now"); the broker down raises :class:`Unavailable`."""
    from .. import tasks

    try:
        tasks.telemetry_redfish_read.delay(organization.pk)
    except jobs.BROKER_ERRORS as exc:
        logger.warning("BMC reading not queued: %s", exc)
        raise jobs.broker_unavailable("the reading of the BMCs") from None
