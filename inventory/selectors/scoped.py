"""The organization's rows, scoped and with their related rows loaded up front (no N+1), and where an import
stands."""

from __future__ import annotations

from django.db.models import (
    Q,
    QuerySet,
)

from accounts.models import Organization
from config import jobs
from config.errors import ErrorItem
from config.jobs import JobStatus

from ..models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ImportJob,
    ImportStatus,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)


def accelerator_types_for(*, organization: Organization) -> QuerySet[AcceleratorType]:
    """The shared catalog plus the organization's private entries."""
    return AcceleratorType.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def model_profiles_for(*, organization: Organization) -> QuerySet[ModelProfile]:
    return ModelProfile.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def grid_regions() -> QuerySet[GridRegion]:
    return GridRegion.objects.all()


def sites_for(*, organization: Organization) -> QuerySet[Site]:
    return Site.objects.filter(organization=organization)


def servers_for(*, organization: Organization) -> QuerySet[Server]:
    return Server.objects.filter(organization=organization).select_related("site", "accelerator_type")


def storage_systems_for(*, organization: Organization) -> QuerySet[StorageSystem]:
    return StorageSystem.objects.filter(organization=organization).select_related("site")


def network_fabrics_for(*, organization: Organization) -> QuerySet[NetworkFabric]:
    return NetworkFabric.objects.filter(organization=organization).select_related("site")


def cloud_capacity_for(*, organization: Organization) -> QuerySet[CloudCapacity]:
    return CloudCapacity.objects.filter(organization=organization).select_related("accelerator_type")


def workloads_for(*, organization: Organization) -> QuerySet[Workload]:
    return Workload.objects.filter(organization=organization).select_related("model_profile")


def import_jobs_for(*, organization: Organization) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organization=organization).select_related("created_by")


def import_job_status(*, job: ImportJob) -> JobStatus:
    """Where an import stands (``config.jobs``): validating or importing (waiting for a worker until one starts
    it), then valid and waiting for confirmation or imported (succeeded), or invalid or failed."""
    rows = f"{job.processed_rows} of about {job.total_rows} rows."
    progress = jobs.percent(job.processed_rows, job.total_rows)
    waiting_for_worker = bool(job.task_id) and job.started is None
    if job.status in (ImportStatus.VALIDATING, ImportStatus.RUNNING):
        doing = "Validating" if job.status == ImportStatus.VALIDATING else "Importing"
        if waiting_for_worker:
            return JobStatus("import", jobs.QUEUED, f"{doing}: waiting for a worker…", progress=0)
        return JobStatus("import", jobs.RUNNING, f"{doing}: {rows}", progress=progress or 0)
    if job.status == ImportStatus.READY:
        message = f"Valid: {job.created_count} new and {job.updated_count} updated rows, waiting for confirmation."
        return JobStatus("import", jobs.SUCCEEDED, message, progress=100)
    if job.status == ImportStatus.DONE:
        message = f"Imported {job.total_rows} rows: {job.created_count} new, {job.updated_count} updated."
        return JobStatus("import", jobs.SUCCEEDED, message, progress=100)
    count = max(job.error_count, len(job.errors or []))
    if job.status == ImportStatus.INVALID:
        message = f"The file has {count} problem{'s' if count != 1 else ''}; nothing was written."
        return JobStatus("import", jobs.FAILED, message, error=ErrorItem(message, "invalid_file"))
    first = ErrorItem.from_dict(job.errors[0]) if job.errors else None
    error = ErrorItem(first.message if first else "The import failed.", first.code if first else "failed")
    return JobStatus(
        "import", jobs.FAILED, "The import failed; nothing was written.", error=error, retryable=bool(job.payload)
    )
