from django.contrib import admin

from .models import ApiToken, Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "industry", "country", "created")
    list_filter = ("industry", "country")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organization__name")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "role", "created", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "organization__name")
    list_select_related = ("organization",)
    exclude = ("token_digest",)
    readonly_fields = ("accepted_at", "accepted_by", "invited_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued in the app or with `manage.py issue_token`; the admin can only inspect and revoke them."""

    list_display = ("name", "prefix", "user", "organization", "created", "last_used_at", "expires_at", "revoked_at")
    search_fields = ("name", "prefix", "user__username", "organization__name")
    list_select_related = ("user", "organization")
    exclude = ("digest",)
    readonly_fields = ("name", "prefix", "user", "organization", "created", "last_used_at", "expires_at")

    def has_add_permission(self, request) -> bool:
        return False
