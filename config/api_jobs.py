"""The API's one job status shape (``config.jobs.JobStatus``): its serializer, the OpenAPI component ``JobStatus``,
and the answers of status, start and retry actions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response

from .jobs import JobStatus
from .serializers import KnownFieldsOnly

KIND_CHOICES = [
    ("scoring", "Scoring an assessment"),
    ("report", "Rendering a PDF report"),
    ("import", "An inventory import"),
    ("prometheus_pull", "A Prometheus pull"),
]
STATE_CHOICES = [
    ("queued", "Waiting for a worker"),
    ("running", "Under way"),
    ("succeeded", "Done"),
    ("failed", "Failed"),
]


class JobErrorSerializer(KnownFieldsOnly, serializers.Serializer):
    code = serializers.CharField(help_text="A stable code, e.g. `worker_lost`, `report_failed`, `invalid_file`.")
    message = serializers.CharField(help_text="Why the job failed, for a person.")


class JobStatusSerializer(KnownFieldsOnly, serializers.Serializer):
    """Where an asynchronous job stands: every status URL of the API answers this shape."""

    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    state = serializers.ChoiceField(
        choices=STATE_CHOICES, help_text="queued, running, then succeeded or failed (final: stop polling)."
    )
    progress = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, help_text="Percent done, when the job can tell; else null."
    )
    message = serializers.CharField(help_text="The state in words.")
    error = JobErrorSerializer(allow_null=True, help_text="Why it failed; null unless `state` is `failed`.")
    next_url = serializers.CharField(allow_null=True, help_text="What to read when done (the result, the file).")
    retry_url = serializers.CharField(
        allow_null=True, help_text="POST here to try a failed job again; null when it cannot be retried."
    )

    def to_representation(self, instance: Any) -> Any:
        return instance.as_dict() if isinstance(instance, JobStatus) else instance


NO_JOB = OpenApiResponse(description="No such job: nothing was started yet.")
NOT_RETRYABLE = OpenApiResponse(description="The job has not failed, or cannot be tried again.")
BROKER_DOWN = OpenApiResponse(description="The task queue cannot be reached (`broker_unavailable`); nothing changed.")
JOB_STARTED = {202: JobStatusSerializer, 409: NOT_RETRYABLE, 503: BROKER_DOWN}
"""The responses of an action that (re)starts a job."""


def job_response(job: JobStatus, *, status_url: str | None = None, accepted: bool = False) -> Response:
    """A job status: 200, or 202 with ``Location`` (the status URL) for an action that started the job."""
    body = JobStatusSerializer(job).data
    if not accepted:
        return Response(body)
    headers = {"Location": status_url} if status_url else None
    return Response(body, status=status.HTTP_202_ACCEPTED, headers=headers)
