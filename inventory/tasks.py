"""Celery tasks of the inventory: thin callers of `services` (they never raise: the job records the outcome)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True)
def import_job_process(self, job_id: str, confirm: bool = False) -> str | None:
    """Validate an uploaded import file; with `confirm`, import it right away when it is valid (the API). A message
    that is not the job's current one does nothing (`services.import_job_begin`)."""
    job = services.import_job_begin(job_id=job_id, task_id=self.request.id)
    if job is None:
        return None
    return services.import_job_process(job=job, confirm=confirm).status


@shared_task(bind=True)
def import_job_apply(self, job_id: str) -> str | None:
    """Import a confirmed (running) job in one transaction."""
    job = services.import_job_begin(job_id=job_id, task_id=self.request.id)
    if job is None:
        return None
    return services.import_job_apply(job=job).status


# --- measured telemetry (inventory.telemetry.pulls) ---------------------------------------------------------------


@shared_task(bind=True)
def telemetry_prometheus_pull(self, config_id: int) -> str | None:
    """Pull one organization's Prometheus over its window (a message that is not the pull's current one does
    nothing)."""
    from .telemetry import pulls

    config = pulls.prometheus_pull_begin(config_id=config_id, task_id=self.request.id)
    return None if config is None else pulls.prometheus_pull_run(config=config).status


@shared_task
def telemetry_prometheus_pull_all() -> int:
    """Beat: queue a pull for every enabled Prometheus."""
    from .telemetry import pulls

    return pulls.prometheus_pull_all()


@shared_task
def telemetry_redfish_read(organization_id: int) -> dict[str, int] | None:
    """Read one organization's BMCs."""
    from accounts.models import Organization

    from .telemetry import pulls

    organization = Organization.objects.filter(pk=organization_id).first()
    return None if organization is None else pulls.bmc_read_all(organization=organization)


@shared_task
def telemetry_redfish_read_all() -> int:
    """Beat: queue the reading of the BMCs of every organization that has enabled ones."""
    from .telemetry.models import BmcEndpoint

    ids = list(BmcEndpoint.objects.filter(enabled=True).values_list("organization_id", flat=True).distinct())
    for organization_id in ids:
        telemetry_redfish_read.delay(organization_id)
    return len(ids)


# --- NetBox (inventory.services.netbox) ---------------------------------------------------------------------------


@shared_task
def netbox_sync_run(config_id: int) -> str | None:
    """Run an organization's queued NetBox dry run or sync."""
    from .models import NetboxConfig
    from .services import netbox

    config = NetboxConfig.objects.select_related("organization").filter(pk=config_id).first()
    return None if config is None else netbox.netbox_sync_run(config=config).status
