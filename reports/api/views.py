"""Reports REST API: PDF reports (request: 202 with a status URL; status; download) and data exports."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.base import OrganizationScopedAPIMixin, OrganizationScopedViewSet
from assessments import selectors as assessment_selectors
from config.api_jobs import BROKER_DOWN, JOB_STARTED, JobStatusSerializer, job_response
from config.errors import Invalid
from config.jobs import JobStatus
from inventory.importing import KINDS

from .. import exports, selectors, services
from ..filtersets import ReportFilterSet
from ..models import Report
from ..report_views import report_file_response
from . import serializers


class ReportViewSet(OrganizationScopedViewSet):
    """PDF reports of the organization's scored assessments, newest first. Viewers read and download; assessors
    request (POST: 202 with the status URL to poll). Reports are kept: regenerating is requesting again."""

    queryset = Report.objects.all()
    selector = selectors.reports_for
    serializer_class = serializers.ReportSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = ReportFilterSet
    ordering_fields = ("created",)
    ordering = ("-created",)

    @extend_schema(
        request=serializers.ReportRequestSerializer, responses={202: serializers.ReportSerializer, 503: BROKER_DOWN}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Request a report of a scored assessment (`page_size`: A4 or Letter); a worker renders it. 202 with the
        report (`Location`: its status URL); 503 `broker_unavailable` when the task queue is down (no report)."""
        payload = serializers.ReportRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = services.report_request(
            organization=self.organization,
            assessment=payload.validated_data["assessment"],
            user=request.user,
            page_size=payload.validated_data["page_size"],
        )
        report = self.get_queryset().get(pk=report.pk)
        body = self.get_serializer(report).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})

    def _job(self, report: Report) -> JobStatus:
        request = self.request
        job = selectors.report_job(report=report)
        return job.with_urls(
            next_url=reverse("api:reports:report-download", args=[report.pk], request=request)
            if report.is_ready
            else None,
            retry_url=reverse("api:reports:report-retry", args=[report.pk], request=request),
        )

    @extend_schema(responses=JobStatusSerializer)
    @action(detail=True, methods=["get"], url_path="status", url_name="status")
    def report_status(self, request: Request, pk: str | None = None) -> Response:
        """The rendering job: queued, running, succeeded (`next_url`: the PDF) or failed (why; `retry_url`)."""
        return job_response(self._job(self.get_object()))

    @extend_schema(request=None, responses=JOB_STARTED)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Render a failed report again: 202 with the job's status; 409 unless it failed."""
        report = services.report_retry(report=self.get_object())
        status_url = reverse("api:reports:report-status", args=[report.pk], request=request)
        return job_response(self._job(report), status_url=status_url, accepted=True)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        """The PDF, once ready (404 before, and for another organization's report)."""
        report = self.get_object()
        if not report.is_ready:
            raise NotFound(f"Not ready (status: {report.status}).", code="not_ready")
        try:
            return report_file_response(report)
        except Http404 as error:
            raise NotFound(str(error)) from error


class _FormatParameterIsOurs(DefaultContentNegotiation):
    """`?format=` names the export's file format here, not a DRF renderer; answers (errors) are JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


def _file(export: exports.Export) -> HttpResponse:
    if isinstance(export.content, bytes):
        response: HttpResponse = HttpResponse(export.content, content_type=export.content_type)
    else:
        response = StreamingHttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=list(exports.FORMATS), description="csv (default)")
INVENTORY_FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=list(exports.FORMATS), description="xlsx (default)"
)
DATASET_PARAMETER = OpenApiParameter(
    "dataset",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(exports.DATASETS),
    description="scores (area, sub-area and question rows), answers (every question with its answer, note and "
    "evidence link) or roadmap.",
)


class AssessmentExportView(OrganizationScopedAPIMixin, APIView):
    """One dataset of an assessment: `scores` (area, sub-area and question rows), `answers` (every question with
    its answer, note and evidence link) or `roadmap`, as `?format=csv|json|xlsx`."""

    content_negotiation_class = _FormatParameterIsOurs

    @extend_schema(
        parameters=[DATASET_PARAMETER, FORMAT_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.ANY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            400: None,
            404: None,
        },
    )
    def get(self, request: Request, pk: int, dataset: str) -> Any:
        assessment = assessment_selectors.assessments_for(organization=self.organization).filter(pk=pk).first()
        if assessment is None:
            raise NotFound()
        try:
            export = exports.assessment_export(
                assessment=assessment, dataset=dataset, file_format=request.query_params.get("format") or "csv"
            )
        except exports.ExportRejected as error:
            raise Invalid(str(error), code="unsupported_export", field=error.field) from error
        return _file(export)


class InventoryExportView(OrganizationScopedAPIMixin, APIView):
    """The inventory: `?format=xlsx` (one sheet per kind), `csv` (one `?kind=`) or `json` (one kind or all)."""

    content_negotiation_class = _FormatParameterIsOurs

    @extend_schema(
        parameters=[
            INVENTORY_FORMAT_PARAMETER,
            OpenApiParameter(
                "kind", OpenApiTypes.STR, enum=list(KINDS), description="one kind; CSV needs one, XLSX and JSON: all"
            ),
        ],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.ANY,
            400: None,
        },
    )
    def get(self, request: Request) -> Any:
        try:
            export = exports.inventory_export(
                organization=self.organization,
                file_format=request.query_params.get("format") or "xlsx",
                kind=request.query_params.get("kind") or None,
            )
        except exports.ExportRejected as error:
            raise Invalid(str(error), code="unsupported_export", field=error.field) from error
        return _file(export)
