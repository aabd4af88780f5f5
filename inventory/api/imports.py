"""Bulk import and export in the REST API (routes in `import_urls`; discovery is in `discovery`).

Problems come in the API's one error shape (``config.api_errors``): the services raise `config.errors` domain
errors whose items carry the ``row`` and ``column`` of the file (or the request ``field``), and ``error_count``
counts them all when only the first are listed. A job's status (``ImportJobSerializer``) lists its problems as the
same items.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.base import OrganizationScopedAPIMixin
from config.api_jobs import BROKER_DOWN, JOB_STARTED, JobStatusSerializer, job_response
from config.jobs import JobStatus
from config.serializers import KnownFieldsOnly

from .. import selectors, services
from ..importing import FORMATS, IMPORT_FORMATS, KINDS
from ..models import ImportJob, ImportStatus

NOT_WAITING = OpenApiResponse(description="The import is not waiting for confirmation, or the database refused it.")


class ImportJobSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """An import's status, progress, counts (predicted while it waits for confirmation) and problems."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress_pct = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    confirm_url = serializers.SerializerMethodField()
    retry_url = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "status",
            "status_display",
            "kind",
            "file_format",
            "filename",
            "created",
            "created_by",
            "finished",
            "total_rows",
            "processed_rows",
            "progress_pct",
            "created_count",
            "updated_count",
            "error_count",
            "errors",
            "notices",
            "preview",
            "status_url",
            "confirm_url",
            "retry_url",
        )
        read_only_fields = fields

    def get_progress_pct(self, job: ImportJob) -> int:
        return min(job.progress_pct, 100)  # the row count is an estimate until validation has read the file

    def get_errors(self, job: ImportJob) -> list[dict[str, Any]]:
        """The first problems, as items of the one error shape (``code``, ``message``, ``row``, ``column``)."""
        return [item.as_dict() for item in services.job_errors(job)[0]]

    def get_notices(self, job: ImportJob) -> list[str]:
        """What to know of how the file was read, though nothing is wrong with it ("Read as Windows-1252 text: the
        file is not UTF-8.")."""
        return services.import_job_notices(job)

    def get_error_count(self, job: ImportJob) -> int:
        return services.job_errors(job)[1]

    def get_status_url(self, job: ImportJob) -> str:
        """The job's status (the one `JobStatus` shape every job answers)."""
        return reverse("api:inventory:import-status", args=[job.pk], request=self.context.get("request"))

    def get_retry_url(self, job: ImportJob) -> str | None:
        if not selectors.import_job_status(job=job).retryable:
            return None
        return reverse("api:inventory:import-retry", args=[job.pk], request=self.context.get("request"))

    def get_confirm_url(self, job: ImportJob) -> str | None:
        if job.status != ImportStatus.READY:
            return None
        return reverse("api:inventory:import-confirm", args=[job.pk], request=self.context.get("request"))


class ImportUploadSerializer(KnownFieldsOnly, serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text="CSV (one kind; UTF-8, or Windows-1252 as Excel saves it), Excel (.xlsx), JSON or YAML (UTF-8).",
    )
    kind = serializers.CharField(
        required=False, allow_blank=True, help_text=f"One of {', '.join(KINDS)}; else taken from the file name."
    )
    format = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=f"One of {', '.join(IMPORT_FORMATS)}; else taken from the extension.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Only validate; confirm later at `confirm_url`."
    )


def _job_response(job: ImportJob, request: Request, *, accepted: bool) -> Response:
    """The job, or what it refuses: an invalid file is a 400, a failed import a 409, in the one error shape."""
    error = services.import_job_error(job)
    if error is not None:
        raise error
    data = ImportJobSerializer(job, context={"request": request}).data
    if not accepted:
        return Response(data, status=status.HTTP_200_OK)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]})


class ImportJobListCreateView(OrganizationScopedAPIMixin, generics.ListAPIView):
    """Import sites, servers, storage, networks, cloud capacity or workloads from a file (multipart `file`).

    Rows are validated first; any problem lists them all and writes nothing. A valid file is imported in one
    transaction (unless `dry_run`). The answer is 202 with `Location` / `status_url` to follow the import
    (large files run in the background); 400 lists the problems (`row`, `column`), 413 refuses a file over the
    size limit, 409 says the database refused the rows, 503 (`broker_unavailable`) that a large file could not
    be handed to a worker (nothing is kept: send it again); 200 answers a valid dry run.
    """

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    queryset = ImportJob.objects.none()
    ordering_fields = ("created",)
    ordering = ("-created",)

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_for(organization=self.organization)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            200: ImportJobSerializer,
            202: ImportJobSerializer,
            409: NOT_WAITING,
            413: OpenApiResponse(description="The file is over the size limit."),
            503: BROKER_DOWN,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        job = services.import_job_create(
            organization=self.organization,
            user=request.user,
            upload=data["file"],
            kind=data.get("kind") or None,
            file_format=data.get("format") or None,
        )
        services.import_job_start(job=job, confirm=not data["dry_run"])
        job.refresh_from_db()
        dry_run_done = data["dry_run"] and job.status == ImportStatus.READY
        return _job_response(job, request, accepted=not dry_run_done)


class ImportJobDetailView(OrganizationScopedAPIMixin, generics.RetrieveAPIView):
    """An import's status: `validating`, `invalid`, `ready` (waiting for confirmation), `running`, `done`,
    `failed`; progress, counts and problems. Another organization's import is a 404."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_for(organization=self.organization)


def import_job_status(job: ImportJob, request: Request) -> JobStatus:
    """The job's `JobStatus` with the API's URLs: the import (counts, problems) when done, its retry."""
    return selectors.import_job_status(job=job).with_urls(
        next_url=reverse("api:inventory:import-detail", args=[job.pk], request=request),
        retry_url=reverse("api:inventory:import-retry", args=[job.pk], request=request),
    )


class _ImportJobMixin(OrganizationScopedAPIMixin):
    queryset = ImportJob.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_for(organization=self.organization)


class ImportJobStatusView(_ImportJobMixin, generics.GenericAPIView):
    """The import as a job: queued, running (progress), succeeded (valid and waiting for confirmation, or
    imported; `next_url`: the import with its counts) or failed (invalid, or failed with a `retry_url`)."""

    serializer_class = JobStatusSerializer

    @extend_schema(responses=JobStatusSerializer)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return job_response(import_job_status(self.get_object(), request))


class ImportJobRetryView(_ImportJobMixin, generics.GenericAPIView):
    """Validate a failed import's file again (and import it when valid unless it was a dry run): 202 with the
    job's status; 409 unless it failed with its file kept; 503 when the task queue is down (it stays failed)."""

    serializer_class = JobStatusSerializer

    @extend_schema(request=None, responses=JOB_STARTED)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = services.import_job_retry(job=self.get_object())
        status_url = reverse("api:inventory:import-status", args=[job.pk], request=request)
        return job_response(import_job_status(job, request), status_url=status_url, accepted=True)


class ImportJobConfirmView(OrganizationScopedAPIMixin, generics.GenericAPIView):
    """Import a validated dry run (`ready`). 202 with the status URL; 409 when the import is not waiting."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_for(organization=self.organization)

    @extend_schema(request=None, responses={202: ImportJobSerializer, 409: NOT_WAITING, 503: BROKER_DOWN})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        if job.status != ImportStatus.READY:
            raise services.not_waiting(job)
        services.import_job_confirm(job=job)
        job.refresh_from_db()
        return _job_response(job, request, accepted=True)


class _FormatParameterIsOurs(DefaultContentNegotiation):
    """`?format=csv` names the export's file format here, not a DRF renderer; answers (errors) are JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class ExportView(OrganizationScopedAPIMixin, APIView):
    """Download the inventory: `?format=csv|json|yaml` and `?kind=` one of the kinds. CSV needs a kind; JSON and
    YAML without one give the whole inventory as `{sites: [...], servers: [...], ...}`, which import accepts."""

    content_negotiation_class = _FormatParameterIsOurs

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description="csv (default), json, yaml"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS), description="one kind; JSON/YAML: optional"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.ANY,
            (200, "application/yaml"): OpenApiTypes.ANY,  # the same rows as the JSON
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        export = services.inventory_export(
            organization=self.organization,
            kind=request.query_params.get("kind") or None,
            file_format=request.query_params.get("format") or "csv",
        )
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
