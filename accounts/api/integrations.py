"""API of the integrations (owners only): webhook endpoints (``/api/v1/webhooks/``) with their deliveries and
re-sending, and issue trackers (``/api/v1/accounts/trackers/``). Secrets and tokens are write-only; a webhook's
secret is returned once, when the endpoint is created."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.serializers import KnownFieldsOnly

from ..integrations import selectors, trackers, webhooks
from ..models import IssueTracker, Role, TrackerKind, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .base import OrganizationScopedAPIMixin


class WebhookEndpointSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False, help_text="Events to send."
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The signing secret (at least 16 characters); omitted on creation: one is made and returned once.",
    )
    delivery_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "description", "events", "secret", "active", "created", "delivery_count")
        read_only_fields = ("id", "created", "delivery_count")


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown this once: keep it to verify signatures.")


class WebhookAttemptSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ("number", "started", "duration_ms", "status_code", "response_excerpt", "error")


class WebhookDeliverySerializer(KnownFieldsOnly, serializers.ModelSerializer):
    attempts = WebhookAttemptSerializer(source="attempt_rows", many=True, read_only=True)
    attempt_count = serializers.IntegerField(source="attempts", read_only=True)
    resend_of = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event_id",
            "event",
            "status",
            "attempt_count",
            "next_attempt_at",
            "created",
            "finished",
            "last_status_code",
            "last_error",
            "resend_of",
            "attempts",
        )


class WebhookEndpointViewSet(OrganizationScopedAPIMixin, viewsets.ModelViewSet):
    """Webhook endpoints of the active organization (owners only). Events: ``assessment.submitted``,
    ``assessment.scored``, ``roadmap.item.changed``, ``report.ready``, ``inventory.imported``. An endpoint on a
    loopback, private or link-local address is refused (400 ``target_refused``) unless the installation allows
    private targets. Deliveries are signed: docs/webhooks.md."""

    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()
    read_role = Role.OWNER
    write_role = Role.OWNER
    ordering_fields = ("url", "created")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return selectors.webhook_endpoints_of(organization=self.organization).order_by("url", "pk")

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = webhooks.webhook_endpoint_create(
            organization=self.organization, user=request.user, **payload.validated_data
        )
        endpoint.delivery_count = 0
        endpoint.secret = secret
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: WebhookEndpointSerializer) -> None:
        webhooks.webhook_endpoint_update(endpoint=serializer.instance, changes=serializer.validated_data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        webhooks.webhook_endpoint_delete(endpoint=instance)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])  # paged, but the endpoints' ordering is not theirs
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The endpoint's deliveries, newest first, each with its attempts (status, answer excerpt, duration)."""
        endpoint = self.get_object()
        page = self.paginate_queryset(selectors.webhook_deliveries_of(endpoint=endpoint))
        data = WebhookDeliverySerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)/resend")
    def resend(self, request: Request, pk: str | None = None, delivery_id: str = "") -> Response:
        """Send a delivery's event (same id, same body) once more, as a new delivery; 409 if switched off."""
        endpoint = self.get_object()
        delivery = get_object_or_404(selectors.webhook_deliveries_of(endpoint=endpoint), pk=delivery_id)
        again = webhooks.webhook_delivery_resend(delivery=delivery)
        again = selectors.webhook_deliveries_of(endpoint=endpoint).get(pk=again.pk)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)


class IssueTrackerSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=TrackerKind.choices)
    token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500, help_text="Write-only; blank keeps it."
    )

    class Meta:
        model = IssueTracker
        fields = ("id", "name", "kind", "base_url", "project", "issue_type", "username", "token", "active", "created")
        read_only_fields = ("id", "created")
        validators: list[Any] = []  # the service checks the name's uniqueness (one error shape)


class IssueTrackerViewSet(
    OrganizationScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Issue trackers of the active organization (owners only): a GitHub repository or a Jira project, where
    roadmap items are pushed (``POST /api/v1/assessments/{id}/roadmap/{item_id}/push/``). The token is stored
    encrypted and never returned."""

    serializer_class = IssueTrackerSerializer
    queryset = IssueTracker.objects.none()
    read_role = Role.OWNER
    write_role = Role.OWNER

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return IssueTracker.objects.none()
        return selectors.issue_trackers_of(organization=self.organization)

    def perform_create(self, serializer: IssueTrackerSerializer) -> None:
        data = dict(serializer.validated_data)
        data.setdefault("token", "")
        serializer.instance = trackers.tracker_create(organization=self.organization, **data)

    def perform_update(self, serializer: IssueTrackerSerializer) -> None:
        trackers.tracker_update(tracker=serializer.instance, changes=serializer.validated_data)

    def perform_destroy(self, instance: IssueTracker) -> None:
        instance.delete()
