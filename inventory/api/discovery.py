"""Discovery in the REST API: `POST /api/v1/inventory/discover/` (any format discovery reads, detected) and the
nvidia-smi URL of before (`POST /api/v1/inventory/discover/nvidia-smi/`, kept for the cron jobs that call it)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.api.base import OrganizationScopedAPIMixin
from config.errors import Invalid, TooLarge
from config.parsers import SafeJSONParser
from config.serializers import KnownFieldsOnly

from .. import services
from ..importing import tool_output_text


class DiscoverSerializer(KnownFieldsOnly, serializers.Serializer):
    site = serializers.CharField(help_text="The site's name in your organization (new servers are placed there).")
    hostname = serializers.CharField(
        required=False, help_text="The server's hostname, for one host's output (clusters name their nodes)."
    )
    output = serializers.CharField(required=False, help_text="The tool's output (or send it as `file`).")
    file = serializers.FileField(required=False, help_text="The tool's output as a file (curl -F file=@-).")
    dry_run = serializers.BooleanField(required=False, help_text="Say what would change; write nothing.")


def request_data(request: Request) -> Any:
    """The request's body, parsed; a JSON body over Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` is a 413 in the one error
    shape (a file upload is not limited by it: send large outputs as `file`)."""
    try:
        data = request.data
    except RequestDataTooBig:
        raise TooLarge(
            "The request body is larger than a JSON or form field may be: send the output as a file upload "
            "(multipart `file`, e.g. curl -F file=@-).",
            field="output",
        ) from None
    if not hasattr(data, "get"):
        raise Invalid("send a JSON object {site, hostname, output} or a form.")
    return data


def flag(data: Any, name: str) -> bool:
    """A yes/no field of the body (absent: no), read as the serializer's `BooleanField` reads it (true/false, 1/0,
    yes/no, on/off); any other value is a 400 naming the field: a caller who meant a dry run never gets a write."""
    if name not in data:
        return False
    try:
        return serializers.BooleanField().run_validation(data.get(name))
    except serializers.ValidationError as error:
        detail = error.detail[0] if isinstance(error.detail, list) else error.detail
        raise Invalid(str(detail), code=getattr(detail, "code", None) or "invalid", field=name) from None


def read_output(request: Request, data: Any, *, text_field: str, limit: int, what: str) -> str:
    """The output from the upload (`file`, its size checked before it is read) or the text field."""
    upload = request.FILES.get("file")
    if upload is not None:
        services.discovery.check_size(upload.size or 0, limit=limit, field="file")
        raw = upload.read()
        try:
            return tool_output_text(raw, limit=limit)
        except UnicodeDecodeError:
            raise Invalid(f"not UTF-8 text: send what {what} prints.", code="encoding", field="file") from None
    value = data.get(text_field)
    if value is None:
        value = data.get("file")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(
            f"the output of {what} is required (`{text_field}`, or a `file` upload).", code="required", field=text_field
        )
    if not isinstance(value, str):
        raise Invalid(f"must be the text {what} prints.", field=text_field)
    return value


def _servers(recorded: services.Recorded, request: Request) -> list[dict[str, Any]]:
    by_name = {server.hostname: server for server in recorded.servers}
    servers = []
    for host in recorded.plan.hosts:
        server = by_name.get(host.hostname)
        servers.append(
            {
                "hostname": host.hostname,
                "action": host.action,
                "id": server.pk if server else host.server_id,
                "url": reverse("api:inventory:server-detail", args=[server.pk], request=request) if server else None,
            }
        )
    return servers


class DiscoverView(OrganizationScopedAPIMixin, APIView):
    """Create or update servers and their GPUs from what a GPU tool printed; the format is detected and named in
    the answer (`format`, `format_label`, `command`): `nvidia-smi --query-gpu=... --format=csv`, `nvidia-smi -q -x`,
    `nvidia-smi -q`, `nvidia-smi`, `nvidia-smi -L`, `rocm-smi --showallinfo --json`, `amd-smi static --json`,
    `kubectl get nodes -o json` (GPU Feature Discovery labels) or `scontrol show nodes`.

    JSON `{site, hostname, output, dry_run}` or multipart with `site`, `hostname`, `file` (and `dry_run`). `hostname`
    names the server of a single host's output; cluster outputs (kubectl, scontrol) name their nodes. All or nothing:
    201 when servers were created, 200 when only updated (or for a dry run, which writes nothing), 400 with every
    problem (an unknown GPU names itself and what to add to the catalog; an output no parser reads is one problem
    saying what it looks like and the command to run), 413 for an output over `INVENTORY_DISCOVERY_MAX_BYTES`."""

    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": DiscoverSerializer, "multipart/form-data": DiscoverSerializer},
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            413: OpenApiResponse(description="The output is over the size limit."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request_data(request)
        text = read_output(
            request, data, text_field="output", limit=services.discovery.max_bytes(), what="the GPU tool"
        )
        dry_run = flag(data, "dry_run")
        recorded = services.discover(
            organization=self.organization,
            text=text,
            site=str(data.get("site") or ""),
            hostname=str(data.get("hostname") or ""),
            dry_run=dry_run,
        )
        body = {**recorded.as_json(), "dry_run": dry_run, "servers": _servers(recorded, request)}
        created = not dry_run and bool(recorded.created)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class NvidiaSmiSerializer(KnownFieldsOnly, serializers.Serializer):
    site = serializers.CharField(help_text="The site's name in your organization.")
    hostname = serializers.CharField(help_text="The server's hostname: created, or updated when it exists.")
    csv = serializers.CharField(required=False, help_text="The output of nvidia-smi (or send it as `file`).")
    file = serializers.FileField(required=False, help_text="The output of nvidia-smi as a file (curl -F file=@-).")


class NvidiaSmiDiscoveryView(OrganizationScopedAPIMixin, APIView):
    """The nvidia-smi URL of before, kept: one server from what nvidia-smi printed on it (any format discovery reads:
    the `--query-gpu` CSV, `-q -x`, `-q`, the table...). JSON `{site, hostname, csv}` or multipart with `site`,
    `hostname` and `file`. 201 created, 200 updated, 400 with every problem (a line of the output is a `row`, its
    field a `column`; a request field is a `field`), 413 for an output over `INVENTORY_NVIDIA_SMI_MAX_BYTES`."""

    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": NvidiaSmiSerializer, "multipart/form-data": NvidiaSmiSerializer},
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            413: OpenApiResponse(description="The output is over the size limit."),
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = request_data(request)
        limit = services.import_setting("INVENTORY_NVIDIA_SMI_MAX_BYTES")
        text = read_output(request, data, text_field="csv", limit=limit, what="nvidia-smi")
        services.discovery.check_size(len(text.encode()), limit=limit, field="csv")
        discovery = services.nvidia_smi_ingest(
            organization=self.organization,
            site=str(data.get("site") or ""),
            hostname=str(data.get("hostname") or ""),
            text=text,
        )
        server = discovery.server
        body = {
            "created": discovery.created,
            "gpus": discovery.gpu_count,
            "format": discovery.recorded.plan.format if discovery.recorded else "",
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
