"""Organizations, memberships with roles, invitations and API tokens.

Everything the other apps store belongs to one organization: their models inherit `OrganizationOwned`, and
views reach them only through `accounts.scoping`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.fields import UpperCaseCodeField
from config.validators import validate_country_code, validate_currency_code, validate_name


class Role(models.TextChoices):
    """Roles in ascending power: a viewer reads, an assessor also writes, an owner also manages members."""

    VIEWER = "viewer", "Viewer"
    ASSESSOR = "assessor", "Assessor"
    OWNER = "owner", "Owner"

    @property
    def rank(self) -> int:
        return ROLE_RANK[self]


ROLE_RANK = {Role.VIEWER: 0, Role.ASSESSOR: 1, Role.OWNER: 2}


class Organization(models.Model):
    name = models.CharField(validators=[validate_name], max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    industry = models.CharField(validators=[validate_name], max_length=80, blank=True)
    country = UpperCaseCodeField(
        max_length=2, blank=True, validators=[validate_country_code], help_text="ISO 3166-1 alpha-2 code, e.g. DE."
    )
    reporting_currency = UpperCaseCodeField(
        max_length=3,
        default="EUR",
        validators=[validate_currency_code],
        help_text="ISO code of the currency totals over several currencies are converted into, e.g. EUR.",
    )
    created = models.DateTimeField(auto_now_add=True)
    data_version = models.PositiveBigIntegerField(
        default=0, editable=False, help_text="Raised on any change of inventory or results (the dashboards' cache key)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    def has_role(self, minimum: Role | str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


class Invitation(models.Model):
    """An owner's invitation to join an organization; the link carries a secret of which only a hash is kept."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    token_digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"


class ApiToken(models.Model):
    """A REST API token bound to one user and one organization.

    Only a SHA-256 digest of the key is stored; the key itself is shown once, when it is issued. The key has 256
    bits of randomness, so a fast hash is enough (there is nothing to brute-force, unlike a password).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(validators=[validate_name], max_length=80)
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class OrganizationOwned(models.Model):
    """Base of every model that belongs to one organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


# Integrations (webhooks, issue trackers) live in their own module of this app; imported here so Django finds them.
from .integrations.models import (  # noqa: E402
    DeliveryStatus,
    IssueTracker,
    TrackerKind,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ApiToken",
    "DeliveryStatus",
    "Invitation",
    "IssueTracker",
    "Membership",
    "Organization",
    "OrganizationOwned",
    "Role",
    "TrackerKind",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
