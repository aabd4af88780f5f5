"""Server models, GPU records, discovery runs and the NetBox configuration in the admin, scoped like the rest of the
inventory (`OrganizationScopedMixin`). GPU records and runs are written by discovery and NetBox: here they are
inspected. The NetBox token is write-only: no page shows it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_scoping import ORGANIZATION_FILTER, OrganizationScopedMixin

from ..admin import CatalogAdmin, SharedFilter
from .models import DiscoveryRun, MigInstance, NetboxConfig, ServerGpu, ServerModel


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServerModel)
class ServerModelAdmin(CatalogAdmin):
    list_display = (
        "__str__",
        "shared",
        "organization",
        "part_number",
        "u_height",
        "max_draw_w",
        "gpu_bays",
        "netbox_id",
    )
    list_filter = (SharedFilter, "vendor")
    search_fields = ("vendor", "model", "part_number", "slug")
    readonly_fields = ("max_draw_w", "draw_rule")


class MigInstanceInline(ReadOnlyMixin, OrganizationScopedMixin, admin.TabularInline):
    model = MigInstance
    extra = 0
    fields = ("gpu_instance_id", "compute_instance_id", "profile", "memory_mib", "multiprocessors", "uuid")


@admin.register(ServerGpu)
class ServerGpuAdmin(ReadOnlyMixin, OrganizationScopedMixin, admin.ModelAdmin):
    list_display = (
        "server",
        "position",
        "name",
        "accelerator_type",
        "memory_mib",
        "power_limit_w",
        "mig_mode",
        "source",
        "organization",
    )
    list_filter = ("source", "mig_mode", ORGANIZATION_FILTER)
    search_fields = ("server__hostname", "name", "serial", "uuid")
    list_select_related = ("server", "accelerator_type", "organization")
    inlines = [MigInstanceInline]


@admin.register(DiscoveryRun)
class DiscoveryRunAdmin(ReadOnlyMixin, OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("created", "format", "status", "site_name", "hostname", "created_by", "organization")
    list_filter = ("status", "format", ORGANIZATION_FILTER)
    list_select_related = ("created_by", "organization")
    exclude = ("text",)


@admin.register(NetboxConfig)
class NetboxConfigAdmin(ReadOnlyMixin, OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("organization", "url", "status", "dry_run", "finished")
    list_select_related = ("organization",)
    exclude = ("token_encrypted",)
