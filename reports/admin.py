"""Reports in Django's admin, for inspection by staff (scoped like the other apps' admins): read-only, deletable.

Reports are requested in the application (or the API) and rendered by workers; the admin lists them, shows why one
failed, and deletes old ones (their files go with them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin_scoping import ORGANIZATION_FILTER, OrganizationScopedMixin

from .models import Report


@admin.register(Report)
class ReportAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = ("pk", "assessment", "organization", "status", "page_size", "pages", "requested_by", "created")
    list_filter = ("status", "page_size", ORGANIZATION_FILTER)
    search_fields = ("assessment__title", "organization__name")
    list_select_related = ("assessment", "organization", "requested_by")
    date_hierarchy = "created"
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        for report in queryset:
            self.delete_model(request, report)

    def delete_model(self, request: HttpRequest, obj: Report) -> None:
        if obj.file:
            obj.file.delete(save=False)
        super().delete_model(request, obj)
