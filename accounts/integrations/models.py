"""Webhook endpoints and their deliveries; issue tracker configurations (imported by ``accounts.models``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..models import OrganizationOwned

EVENT_ASSESSMENT_SUBMITTED = "assessment.submitted"
EVENT_ASSESSMENT_SCORED = "assessment.scored"
EVENT_ROADMAP_ITEM_CHANGED = "roadmap.item.changed"
EVENT_REPORT_READY = "report.ready"
EVENT_INVENTORY_IMPORTED = "inventory.imported"


class WebhookEvent(models.TextChoices):
    """What an endpoint may subscribe to."""

    ASSESSMENT_SUBMITTED = EVENT_ASSESSMENT_SUBMITTED, "An assessment was submitted"
    ASSESSMENT_SCORED = EVENT_ASSESSMENT_SCORED, "An assessment was scored"
    ROADMAP_ITEM_CHANGED = EVENT_ROADMAP_ITEM_CHANGED, "A roadmap item's status, owner or due date changed"
    REPORT_READY = EVENT_REPORT_READY, "A PDF report is ready"
    INVENTORY_IMPORTED = EVENT_INVENTORY_IMPORTED, "An inventory import finished"


class WebhookEndpoint(OrganizationOwned):
    """Where an organization's events are sent (a URL its owners registered), signed with the endpoint's secret."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="The event types sent to this endpoint.")
    secret_encrypted = models.TextField(editable=False, help_text="The signing secret, encrypted (Fernet).")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(OrganizationOwned):
    """One event for one endpoint: the exact body sent (signed at send time), its attempts and outcome."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True, help_text="The event's id (the same on re-sends).")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    body = models.TextField(help_text="The JSON sent, byte for byte.")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    resend_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="webhookdelivery_status_valid")
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: when, how long, what the receiver answered (an excerpt) or what failed."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveSmallIntegerField()
    started = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_unique_number")]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub Issues"
    JIRA = "jira", "Jira"


class IssueTracker(OrganizationOwned):
    """Where an organization's roadmap items may be pushed: a GitHub repository or a Jira project, with a token.

    GitHub: ``base_url`` the REST API root (https://api.github.com, or GitHub Enterprise Server's
    https://HOST/api/v3), ``project`` "owner/repository", the token a fine-grained token with Issues read and write.
    Jira Cloud: ``base_url`` the site (https://YOUR-SITE.atlassian.net), ``project`` the project key, ``username``
    the account's email address and the token an API token (basic authentication), ``issue_type`` e.g. "Task".
    """

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=TrackerKind.choices)
    base_url = models.URLField(max_length=300)
    project = models.CharField(max_length=200, help_text='GitHub: "owner/repository"; Jira: the project key.')
    issue_type = models.CharField(max_length=60, blank=True, default="Task", help_text="Jira only.")
    username = models.CharField(max_length=200, blank=True, help_text="Jira only: the account's email address.")
    token_encrypted = models.TextField(editable=False, help_text="The API token, encrypted (Fernet).")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="issuetracker_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=TrackerKind.values), name="issuetracker_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
