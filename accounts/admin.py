"""Organizations, memberships, invitations and API tokens in the admin, scoped like every app's admin
(`admin_scoping`): superusers see and manage all of them; other staff see only their own organizations' and change
nothing that decides who belongs to an organization (people join only by invitation, in the app, under its rules:
an owner remains, the invited address decides). Tokens may be revoked by staff of the token's organization."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from config.errors import DomainError

from .admin_scoping import (
    ORGANIZATION_FILTER,
    OrganizationScopedMixin,
    SuperuserWritesMixin,
    editable_organization_ids,
    scope,
)
from .integrations.webhooks import webhook_delivery_resend
from .models import (
    ApiToken,
    Invitation,
    IssueTracker,
    Membership,
    Organization,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class MembershipInline(SuperuserWritesMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    """Staff see their own organizations; only superusers create, rename or delete one."""

    organization_scoped = True  # scopes itself: an organization is its own
    list_display = ("name", "slug", "industry", "country", "reporting_currency", "created")
    list_filter = ("industry", "country")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return scope(super().get_queryset(request), request)

    def _in_scope(self, request: HttpRequest) -> bool:
        ids = editable_organization_ids(request)
        return ids is None or bool(ids)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        ids = editable_organization_ids(request)
        mine = ids is None or (bool(ids) and (obj is None or obj.pk in ids))
        return mine and super().has_view_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(SuperuserWritesMixin, OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created")
    list_filter = ("role", ORGANIZATION_FILTER)
    search_fields = ("user__username", "organization__name")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(SuperuserWritesMixin, OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("email", "organization", "role", "created", "expires_at", "accepted_at")
    list_filter = ("role", ORGANIZATION_FILTER)
    search_fields = ("email", "organization__name")
    list_select_related = ("organization",)
    exclude = ("token_digest",)
    readonly_fields = ("accepted_at", "accepted_by", "invited_by")


@admin.register(ApiToken)
class ApiTokenAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Tokens are issued in the app or with `manage.py issue_token`; the admin can only inspect and revoke them."""

    list_display = ("name", "prefix", "user", "organization", "created", "last_used_at", "expires_at", "revoked_at")
    list_filter = (ORGANIZATION_FILTER,)
    search_fields = ("name", "prefix", "user__username", "organization__name")
    list_select_related = ("user", "organization")
    exclude = ("digest",)
    readonly_fields = ("name", "prefix", "user", "organization", "created", "last_used_at", "expires_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


# --- integrations: scoped to the staff user's organizations; created in the app or the API (the services check
# the address and encrypt the secret), so the admin inspects, switches off and deletes.


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started", "duration_ms", "status_code", "response_excerpt", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("url", "organization", "active", "created")
    list_filter = (ORGANIZATION_FILTER, "active")
    search_fields = ("url", "description")
    list_select_related = ("organization",)
    readonly_fields = ("url", "events", "created", "created_by")
    fields = ("organization", "url", "description", "events", "active", "created", "created_by")

    def has_add_permission(self, request, *args) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "last_status_code", "created")
    list_filter = (ORGANIZATION_FILTER, "event", "status")
    search_fields = ("event_id", "endpoint__url")
    list_select_related = ("endpoint", "organization")
    readonly_fields = (
        "organization",
        "endpoint",
        "event_id",
        "event",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "created",
        "finished",
        "last_status_code",
        "last_error",
        "resend_of",
    )
    exclude = ("task_id",)
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again")
    def resend(self, request, queryset) -> None:
        sent = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                webhook_delivery_resend(delivery=delivery)
                sent += 1
            except DomainError as error:
                self.message_user(request, f"{delivery}: {'; '.join(error.messages)}", level="error")
        self.message_user(request, f"{sent} deliveries sent again.")


@admin.register(IssueTracker)
class IssueTrackerAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "project", "organization", "active")
    list_filter = (ORGANIZATION_FILTER, "kind", "active")
    search_fields = ("name", "project")
    list_select_related = ("organization",)
    readonly_fields = ("kind", "base_url", "project", "username", "created")
    fields = ("organization", "name", "kind", "base_url", "project", "issue_type", "username", "active", "created")

    def has_add_permission(self, request, *args) -> bool:
        return False
