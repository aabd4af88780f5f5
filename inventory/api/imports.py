"""Bulk import, export and nvidia-smi discovery in the REST API (routes in `import_urls`).

Problems always come as ``{"errors": [{"row", "column", "message"}, ...], "error_count": n}``.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.base import OrganizationScopedAPIMixin

from .. import selectors, services
from ..importing import FORMATS, KINDS, ImportRejected, Problem, megabytes
from ..models import ImportJob, ImportStatus


def problems_response(problems: list[Problem], *, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(
        {"errors": [p.as_dict() for p in problems], "error_count": len(problems)},
        status=status_code,
    )


def _field_problems(errors: dict[str, Any]) -> list[Problem]:
    problems = []
    for column, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            problems.append(Problem(None, None if column == "non_field_errors" else column, str(message)))
    return problems


class ImportJobSerializer(serializers.ModelSerializer):
    """An import's status, progress, counts (predicted while it waits for confirmation) and problems."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress_pct = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    confirm_url = serializers.SerializerMethodField()
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
            "preview",
            "status_url",
            "confirm_url",
        )
        read_only_fields = fields

    def get_progress_pct(self, job: ImportJob) -> int:
        return min(job.progress_pct, 100)  # the row count is an estimate until validation has read the file

    def get_errors(self, job: ImportJob) -> list[dict[str, Any]]:
        return services.job_errors(job)[0]

    def get_error_count(self, job: ImportJob) -> int:
        return services.job_errors(job)[1]

    def get_status_url(self, job: ImportJob) -> str:
        return reverse("api:inventory:import-detail", args=[job.pk], request=self.context.get("request"))

    def get_confirm_url(self, job: ImportJob) -> str | None:
        if job.status != ImportStatus.READY:
            return None
        return reverse("api:inventory:import-confirm", args=[job.pk], request=self.context.get("request"))


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="CSV (one kind), JSON or YAML, UTF-8.")
    kind = serializers.CharField(
        required=False, allow_blank=True, help_text=f"One of {', '.join(KINDS)}; else taken from the file name."
    )
    format = serializers.CharField(
        required=False, allow_blank=True, help_text=f"One of {', '.join(FORMATS)}; else taken from the extension."
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Only validate; confirm later at `confirm_url`."
    )


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.DictField())
    error_count = serializers.IntegerField()


def _job_response(job: ImportJob, request: Request, *, accepted: bool) -> Response:
    data = ImportJobSerializer(job, context={"request": request}).data
    if job.status == ImportStatus.INVALID:
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if job.status == ImportStatus.FAILED:
        return Response(data, status=status.HTTP_409_CONFLICT)
    if not accepted:
        return Response(data, status=status.HTTP_200_OK)
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]})


class ImportJobListCreateView(OrganizationScopedAPIMixin, generics.ListAPIView):
    """Import sites, servers, storage, networks, cloud capacity or workloads from a file (multipart `file`).

    Rows are validated first; any problem lists them all and writes nothing. A valid file is imported in one
    transaction (unless `dry_run`). The answer is 202 with `Location` / `status_url` to follow the import
    (large files run in the background); 400 lists the problems; 200 answers a valid dry run.
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
        responses={200: ImportJobSerializer, 202: ImportJobSerializer, 400: ErrorsSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        if not upload.is_valid():
            return problems_response(_field_problems(upload.errors))
        data = upload.validated_data
        try:
            job = services.import_job_create(
                organization=self.organization,
                user=request.user,
                upload=data["file"],
                kind=data.get("kind") or None,
                file_format=data.get("format") or None,
            )
        except ImportRejected as exc:
            return problems_response(exc.problems)
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


class ImportJobConfirmView(OrganizationScopedAPIMixin, generics.GenericAPIView):
    """Import a validated dry run (`ready`). 202 with the status URL; 409 when the import is not waiting."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_for(organization=self.organization)

    @extend_schema(request=None, responses={202: ImportJobSerializer, 409: ErrorsSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = self.get_object()
        if job.status != ImportStatus.READY:
            message = (
                f"This import is {job.get_status_display().lower()}; "
                "only a valid one waiting for confirmation can be confirmed."
            )
            return problems_response([Problem(None, None, message)], status_code=status.HTTP_409_CONFLICT)
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
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: ErrorsSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        try:
            export = services.inventory_export(
                organization=self.organization,
                kind=request.query_params.get("kind") or None,
                file_format=request.query_params.get("format") or "csv",
            )
        except ImportRejected as exc:
            return problems_response(exc.problems)
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class NvidiaSmiSerializer(serializers.Serializer):
    site = serializers.CharField(help_text="The site's name in your organization.")
    hostname = serializers.CharField(help_text="The server's hostname: created, or updated when it exists.")
    csv = serializers.CharField(required=False, help_text="The output of nvidia-smi (or send it as `file`).")
    file = serializers.FileField(required=False, help_text="The output of nvidia-smi as a file (curl -F file=@-).")


class NvidiaSmiDiscoveryView(OrganizationScopedAPIMixin, APIView):
    """Create or update a server from what `nvidia-smi --query-gpu=index,name,uuid,serial,memory.total,power.limit,
    driver_version --format=csv` prints: its accelerator type (matched by the names nvidia-smi prints), count,
    driver and, unless measured, power estimated from the GPUs' power limits. JSON `{site, hostname, csv}` or
    multipart with `site`, `hostname` and `file`. 201 created, 200 updated, 400 with every problem."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": NvidiaSmiSerializer, "multipart/form-data": NvidiaSmiSerializer},
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 400: ErrorsSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data
        if not hasattr(data, "get"):
            return problems_response([Problem(None, None, "send a JSON object {site, hostname, csv} or a form.")])
        text, problem = self._text(request, data)
        if problem is not None:
            return problems_response([problem])
        try:
            discovery = services.nvidia_smi_ingest(
                organization=self.organization,
                site=str(data.get("site") or ""),
                hostname=str(data.get("hostname") or ""),
                text=text,
            )
        except ImportRejected as exc:
            return problems_response(exc.problems)
        server = discovery.server
        body = {
            "created": discovery.created,
            "gpus": discovery.gpu_count,
            "notes": discovery.notes,
            "server": {
                "id": server.pk,
                "url": reverse("api:inventory:server-detail", args=[server.pk], request=request),
                "hostname": server.hostname,
                "site": server.site.name,
                "accelerator_type": str(discovery.accelerator_type),
                "accelerator_count": server.accelerator_count,
                "gpu_driver_version": server.gpu_driver_version,
                "power_w": server.power_w,
                "power_measured": server.power_measured,
            },
        }
        return Response(body, status=status.HTTP_201_CREATED if discovery.created else status.HTTP_200_OK)

    @staticmethod
    def _text(request: Request, data: Any) -> tuple[str, Problem | None]:
        upload = request.FILES.get("file")
        limit = services.import_setting("INVENTORY_NVIDIA_SMI_MAX_BYTES")
        if upload is not None:
            if (upload.size or 0) > limit:
                return "", Problem(None, "file", f"larger than {megabytes(limit)}: send the output of one server.")
            raw = upload.read()
            try:
                return raw.decode("utf-8-sig"), None
            except UnicodeDecodeError:
                return "", Problem(None, "file", "not UTF-8 text: send what nvidia-smi prints.")
        value = data.get("csv")
        if value is None:
            value = data.get("file")
        if value is None or (isinstance(value, str) and not value.strip()):
            return "", Problem(None, "csv", "the output of nvidia-smi is required (`csv`, or a `file` upload).")
        if not isinstance(value, str):
            return "", Problem(None, "csv", "must be the text nvidia-smi prints.")
        return value, None
