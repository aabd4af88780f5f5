"""Reads of the integrations: endpoints, deliveries with their attempts, trackers; each in a constant number of
queries however many rows."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Organization
from .models import IssueTracker, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints_of(*, organization: Organization | None) -> QuerySet[WebhookEndpoint]:
    if organization is None:
        return WebhookEndpoint.objects.none()
    # A subquery, not a join and GROUP BY: the pagination's COUNT leaves it out.
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"))
        .order_by()
        .values("endpoint")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return WebhookEndpoint.objects.filter(organization=organization).annotate(
        delivery_count=Coalesce(Subquery(deliveries, output_field=IntegerField()), 0)
    )


def webhook_deliveries_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its attempts (two queries per page)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint, organization_id=endpoint.organization_id)
        .prefetch_related(Prefetch("attempt_rows", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created", "-pk")
    )


def issue_trackers_of(*, organization: Organization | None) -> QuerySet[IssueTracker]:
    if organization is None:
        return IssueTracker.objects.none()
    return IssueTracker.objects.filter(organization=organization).order_by("name")
