"""Every accounts route under /api/v1/ keeps the API's contract (``config.api_contracts``): anonymous 401, viewers
read what is theirs to read and never write, another organization's member or invitation 404, lists flat."""

from __future__ import annotations

from typing import Any

from accounts import services
from accounts.integrations.models import IssueTracker, WebhookDelivery, WebhookEndpoint
from accounts.models import Role
from config import encryption
from config.api_contracts import Contract, contract_tests

from .factories import MembershipFactory


def _member(organization: Any, user: Any) -> dict[str, Any]:
    return {"pk": MembershipFactory(organization=organization, role=Role.VIEWER).pk}


def _grow_members(organization: Any, user: Any, n: int) -> None:
    for _ in range(n):
        MembershipFactory(organization=organization, role=Role.VIEWER)


def _invitation(organization: Any, user: Any, n: int = 0) -> dict[str, Any]:
    invitation, _ = services.invitation_create(
        organization=organization, email=f"new{n}@{organization.slug}.example", role=Role.VIEWER, invited_by=user
    )
    return {"pk": invitation.pk}


def _grow_invitations(organization: Any, user: Any, n: int) -> None:
    start = organization.invitations.count() if hasattr(organization, "invitations") else 0
    for i in range(n):
        _invitation(organization, user, start + i + 1000 * n)


def _endpoint(organization: Any, user: Any, n: int = 0) -> dict[str, Any]:
    # Made directly (the service would resolve the address): these tests are about access, not registering.
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=f"https://hooks.example.com/{organization.slug}/{n}",
        events=["report.ready"],
        secret_encrypted=encryption.encrypt("contract-secret-0123456789"),
    )
    return {"pk": endpoint.pk}


def _grow_endpoints(organization: Any, user: Any, n: int) -> None:
    start = WebhookEndpoint.objects.filter(organization=organization).count()
    for i in range(n):
        _endpoint(organization, user, start + i)


def _delivery(organization: Any, user: Any) -> dict[str, Any]:
    endpoint = WebhookEndpoint.objects.get(pk=_endpoint(organization, user)["pk"])
    delivery = WebhookDelivery.objects.create(
        organization=organization, endpoint=endpoint, event="report.ready", body="{}", status="failed"
    )
    return {"pk": endpoint.pk, "delivery_id": delivery.pk}


def _tracker(organization: Any, user: Any, n: int = 0) -> dict[str, Any]:
    tracker = IssueTracker.objects.create(
        organization=organization,
        name=f"tracker {n}",
        kind="github",
        base_url="https://api.github.com",
        project="octocat/Hello-World",
        token_encrypted=encryption.encrypt("contract-token"),
    )
    return {"pk": tracker.pk}


def _grow_trackers(organization: Any, user: Any, n: int) -> None:
    start = IssueTracker.objects.filter(organization=organization).count()
    for i in range(n):
        _tracker(organization, user, start + i)


CONTRACTS = [
    Contract("api:accounts:organization"),
    # The list test runs as the owner: the owner is a member too.
    Contract("api:accounts:membership-list", grow=_grow_members, count=lambda body: body["count"] - 1),
    Contract("api:accounts:membership-detail", write=("put", "patch", "delete"), row=_member),
    Contract("api:accounts:invitation-list", write=("post",), grow=_grow_invitations, viewer_reads=False),
    Contract("api:accounts:invitation-detail", write=("delete",), row=_invitation, viewer_reads=False),
    # Integrations: owners only (docs/webhooks.md).
    Contract("api:accounts:tracker-list", write=("post",), grow=_grow_trackers, viewer_reads=False),
    Contract("api:accounts:tracker-detail", write=("put", "patch", "delete"), row=_tracker, viewer_reads=False),
    Contract("api:webhooks:webhook-list", write=("post",), grow=_grow_endpoints, viewer_reads=False),
    Contract("api:webhooks:webhook-detail", write=("put", "patch", "delete"), row=_endpoint, viewer_reads=False),
    Contract("api:webhooks:webhook-deliveries", row=_endpoint, viewer_reads=False),
    Contract("api:webhooks:webhook-resend", read=(), write=("post",), row=_delivery, viewer_reads=False),
]

globals().update(contract_tests(CONTRACTS))
