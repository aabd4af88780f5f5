"""Measured telemetry over the API (docs/telemetry.md).

    POST   telemetry/                   a dcgm-exporter scrape: multipart `file` (curl -F file=@-), a text/plain body,
                                        or JSON {"text"}; optional `hostname`, `observed_at` (form, JSON or query);
                                        a file or body may be gzip (an application/gzip body too), read by its bytes
    GET    servers/{id}/telemetry/      the window (?days=7) and the server's daily summaries
    GET|PUT|PATCH|DELETE prometheus/    the organization's Prometheus (the bearer token is write-only)
    GET    prometheus/pull/             the last (or current) pull as a job (JobStatus)
    POST   prometheus/pull/             "update now": queue a pull (202 with its JobStatus)
    POST   prometheus/pull/retry/       pull again after a failed pull (202)
    CRUD   bmc-endpoints/               servers' BMCs (user name and password write-only)
    POST   bmc-endpoints/read/          read every enabled BMC now (202)

Reads need a viewer, writes an assessor or owner; every error has the API's one shape.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.base import OrganizationRelatedField, OrganizationScopedAPIMixin, OrganizationScopedViewSet
from config.api_jobs import JOB_STARTED, NO_JOB, JobStatusSerializer, job_response
from config.errors import Invalid
from config.jobs import JobStatus
from config.parsers import SafeJSONParser
from config.serializers import KnownFieldsOnly

from .. import selectors as inventory_selectors
from ..telemetry import configuration, pulls, selectors, services
from ..telemetry.models import BmcEndpoint, PrometheusConfig


class PlainTextParser(parsers.BaseParser):
    """A scrape sent as the body (``curl --data-binary @metrics.txt -H 'Content-Type: text/plain'``), gzip-compressed
    or not: `services.scrape_text` knows gzip by its first bytes, whatever the body is labelled."""

    media_type = "text/plain"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return {"text": services.scrape_text(stream.read(services.upload_limit() + 1), field_name="text")}


class GzipParser(PlainTextParser):
    """A compressed scrape as the body (``curl --data-binary @metrics.prom.gz -H 'Content-Type: application/gzip'``)."""

    media_type = "application/gzip"


class LegacyGzipParser(PlainTextParser):
    media_type = "application/x-gzip"


class OctetStreamParser(PlainTextParser):
    """A body sent as bytes without a type of its own (``curl --data-binary @file -H 'Content-Type:
    application/octet-stream'``): gzip or text."""

    media_type = "application/octet-stream"


class ScrapeUploadSerializer(KnownFieldsOnly, serializers.Serializer):
    file = serializers.FileField(required=False, help_text="What dcgm-exporter's /metrics answered.")
    text = serializers.CharField(required=False, help_text="The same, as text (or send it as a text/plain body).")
    hostname = serializers.CharField(
        required=False, help_text="The server the scrape comes from, when its series carry no usable Hostname label."
    )
    observed_at = serializers.DateTimeField(required=False, help_text="When it was scraped (default: now).")


class TelemetryUploadView(OrganizationScopedAPIMixin, APIView):
    """Fold a dcgm-exporter scrape into its day's summary for each server it names. Answers the servers matched,
    the hosts the inventory does not know (never created) and the days written; a malformed scrape is a 400
    naming the line, and nothing is written."""

    parser_classes = [
        parsers.MultiPartParser,
        parsers.FormParser,
        SafeJSONParser,
        PlainTextParser,
        GzipParser,
        LegacyGzipParser,
        OctetStreamParser,
    ]

    @extend_schema(
        request={
            "multipart/form-data": ScrapeUploadSerializer,
            "application/json": ScrapeUploadSerializer,
            "text/plain": OpenApiTypes.STR,
            "application/gzip": OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter("hostname", str, description="As the form field, for a text/plain body."),
            OpenApiParameter("observed_at", OpenApiTypes.DATETIME, description="As the form field."),
        ],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 413: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request.data if hasattr(request.data, "get") else {}
        merged = {key: data.get(key) for key in ("text", "hostname", "observed_at") if data.get(key) not in (None, "")}
        for key in ("hostname", "observed_at"):
            if key not in merged and request.query_params.get(key):
                merged[key] = request.query_params[key]
        if request.FILES.get("file") is not None:
            merged["file"] = request.FILES["file"]
        serializer = ScrapeUploadSerializer(data=merged)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        upload = values.get("file")
        field_name = "file" if upload is not None else "text"
        if upload is not None:
            text = services.scrape_text(upload.read(), field_name="file")
        elif "text" in values:
            text = services.scrape_text(values["text"], field_name="text")
        else:
            raise Invalid(
                "Send the scrape: a `file` upload (curl -F file=@-), a text/plain body, or `text`.",
                code="required",
                field="file",
            )
        result = services.telemetry_ingest_scrape(
            organization=self.organization,
            text=text,
            hostname=values.get("hostname"),
            observed_at=values.get("observed_at"),
            field_name=field_name,
        )
        return Response(result.as_dict(), status=status.HTTP_201_CREATED if result.days_written else status.HTTP_200_OK)


class ServerTelemetryView(OrganizationScopedAPIMixin, APIView):
    """The server's measured daily summaries over the window (the last `days` UTC days, today included): per day
    `accelerator_power_w` (p50, p95, max), `server_power_w` (p50, p95, max), `utilization_pct` (mean, p95),
    `tensor_active_pct` (mean), `memory_used_gb` (mean, max), each with its source and number of samples."""

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Days in the window, 1-366 (default 7).")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        server = get_object_or_404(inventory_selectors.servers_for(organization=self.organization), pk=pk)
        raw = request.query_params.get("days", str(selectors.DEFAULT_WINDOW_DAYS))
        if not raw.isdigit() or not 1 <= int(raw) <= 366:
            raise Invalid("A whole number of days from 1 to 366.", field="days")
        start, end = selectors.window(int(raw))
        body = selectors.server_telemetry(server=server, start=start, end=end)
        return Response({"server": {"id": server.pk, "hostname": server.hostname}, **body})


# --- Prometheus -----------------------------------------------------------------------------------------------------


class PrometheusConfigSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    url = serializers.CharField(max_length=500, help_text="Base URL, e.g. http://prometheus:9090")
    token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="Bearer token; write-only (empty clears it)."
    )
    has_token = serializers.BooleanField(read_only=True)
    progress_pct = serializers.IntegerField(read_only=True)

    class Meta:
        model = PrometheusConfig
        fields = [
            "url",
            "token",
            "has_token",
            "enabled",
            "verify_tls",
            "window_days",
            "step_seconds",
            "status",
            "hosts_done",
            "hosts_total",
            "progress_pct",
            "started",
            "finished",
            "last_error",
            "last_result",
        ]
        read_only_fields = [
            "status",
            "hosts_done",
            "hosts_total",
            "started",
            "finished",
            "last_error",
            "last_result",
        ]


class PrometheusConfigMixin(OrganizationScopedAPIMixin):
    serializer_class = PrometheusConfigSerializer

    def _config(self) -> PrometheusConfig:
        config = selectors.prometheus_config_for(organization=self.organization)
        if config is None:
            raise NotFound("No Prometheus is configured: PUT its url.")
        return config


NO_PROMETHEUS = OpenApiResponse(description="No Prometheus is configured for the organization.")


class PrometheusConfigView(PrometheusConfigMixin, APIView):
    """The organization's Prometheus (dcgm-exporter series), pulled hourly by a scheduled task; 404 until set."""

    @extend_schema(responses={200: PrometheusConfigSerializer, 404: NO_PROMETHEUS})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(PrometheusConfigSerializer(self._config()).data)

    def _save(self, request: Request, *, partial: bool) -> Response:
        current = selectors.prometheus_config_for(organization=self.organization)
        serializer = PrometheusConfigSerializer(current, data=request.data, partial=partial and current is not None)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        defaults = PrometheusConfigSerializer(current).data if current is not None else {}
        config = configuration.prometheus_config_save(
            organization=self.organization,
            url=values.get("url", defaults.get("url", "")),
            token=values.get("token"),
            enabled=values.get("enabled", defaults.get("enabled", True)),
            verify_tls=values.get("verify_tls", defaults.get("verify_tls", True)),
            window_days=values.get("window_days", defaults.get("window_days", 7)),
            step_seconds=values.get("step_seconds", defaults.get("step_seconds", 300)),
        )
        return Response(PrometheusConfigSerializer(config).data, status=status.HTTP_200_OK if current else 201)

    @extend_schema(
        request=PrometheusConfigSerializer, responses={200: PrometheusConfigSerializer, 201: PrometheusConfigSerializer}
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        request=PrometheusConfigSerializer, responses={200: PrometheusConfigSerializer, 201: PrometheusConfigSerializer}
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, partial=True)

    @extend_schema(responses={204: None, 404: NO_PROMETHEUS})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._config()
        configuration.prometheus_config_delete(organization=self.organization)
        return Response(status=status.HTTP_204_NO_CONTENT)


def pull_status(config: PrometheusConfig, request: Request) -> JobStatus:
    job = selectors.prometheus_pull_status(config=config)
    if job is None:
        raise NotFound("Prometheus has not been pulled yet: POST prometheus/pull/.", code="no_job")
    return job.with_urls(
        next_url=reverse("api:inventory:prometheus", request=request),
        retry_url=reverse("api:inventory:prometheus-pull-retry", request=request),
    )


def _pull_started(config: PrometheusConfig, request: Request) -> Response:
    status_url = reverse("api:inventory:prometheus-pull", request=request)
    return job_response(pull_status(config, request), status_url=status_url, accepted=True)


class PrometheusPullView(PrometheusConfigMixin, APIView):
    """The pull as a job. GET: the last (or current) pull (404 before the first). POST, "update now": queue a pull
    (202 with its status; 409 while one runs; 503 `broker_unavailable` when the task queue is down)."""

    @extend_schema(responses={200: JobStatusSerializer, 404: NO_JOB})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return job_response(pull_status(self._config(), request))

    @extend_schema(request=None, responses={**JOB_STARTED, 404: NO_PROMETHEUS})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _pull_started(pulls.prometheus_pull_start(config=self._config()), request)


class PrometheusPullRetryView(PrometheusConfigMixin, APIView):
    """Pull again after a failed pull: 202 with its status; 409 unless the last pull failed."""

    @extend_schema(request=None, responses={**JOB_STARTED, 404: NO_PROMETHEUS})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _pull_started(pulls.prometheus_pull_retry(config=self._config()), request)


# --- BMC endpoints --------------------------------------------------------------------------------------------------


class BmcEndpointSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    server = OrganizationRelatedField(selector=inventory_selectors.servers_for)
    server_hostname = serializers.CharField(source="server.hostname", read_only=True)
    username = serializers.CharField(write_only=True, required=False, help_text="Write-only; stored encrypted.")
    password = serializers.CharField(write_only=True, required=False, help_text="Write-only; stored encrypted.")
    has_password = serializers.BooleanField(read_only=True)

    class Meta:
        model = BmcEndpoint
        fields = [
            "id",
            "server",
            "server_hostname",
            "address",
            "username",
            "password",
            "has_password",
            "verify_tls",
            "enabled",
            "status",
            "last_read",
            "last_power_w",
            "last_power_path",
            "last_error",
        ]
        read_only_fields = ["status", "last_read", "last_power_w", "last_power_path", "last_error"]

    def _save(self, endpoint: BmcEndpoint | None, values: dict[str, Any]) -> BmcEndpoint:
        current = endpoint
        return configuration.bmc_endpoint_save(
            organization=self.context["organization"],
            endpoint=endpoint,
            server=values.get("server", getattr(current, "server", None)),
            address=values.get("address", getattr(current, "address", "")),
            username=values.get("username"),
            password=values.get("password"),
            verify_tls=values.get("verify_tls", getattr(current, "verify_tls", True)),
            enabled=values.get("enabled", getattr(current, "enabled", True)),
        )

    def create(self, validated_data: dict[str, Any]) -> BmcEndpoint:
        return self._save(None, validated_data)

    def update(self, instance: BmcEndpoint, validated_data: dict[str, Any]) -> BmcEndpoint:
        return self._save(instance, validated_data)


class BmcEndpointViewSet(OrganizationScopedViewSet):
    """Servers' BMCs, read over Redfish for the whole server's power (every 15 minutes by a scheduled task)."""

    queryset = BmcEndpoint.objects.all()
    selector = selectors.bmc_endpoints_for
    serializer_class = BmcEndpointSerializer
    ordering_fields = ("server__hostname", "last_read")
    ordering = ("server__hostname",)

    def perform_create(self, serializer: Any) -> None:
        serializer.save()

    def perform_destroy(self, instance: BmcEndpoint) -> None:
        configuration.bmc_endpoint_delete(endpoint=instance)


class BmcReadView(OrganizationScopedAPIMixin, APIView):
    """Read every enabled BMC of the organization now (queued; the outcome shows on each endpoint)."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pulls.bmc_read_start(organization=self.organization)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)
