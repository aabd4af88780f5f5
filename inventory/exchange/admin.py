"""Admin of exchange rates: the ECB reference rates (shared reference data, read-only but to superusers) and the
organizations' overrides (scoped to the organization, written through `services`, which record who set them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_scoping import ORGANIZATION_FILTER, OrganizationScopedMixin

from . import services
from .models import ExchangeRate, ExchangeRateOverride


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Shared reference data: read-only but to superusers (refresh with `manage.py load_exchange_rates`)."""

    list_display = ("currency", "date", "rate_per_eur", "source")
    list_filter = ("currency",)
    search_fields = ("currency",)
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(ExchangeRateOverride)
class ExchangeRateOverrideAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """An organization's own rate for a currency; who set it and when are recorded, not typed."""

    list_display = ("currency", "rate_per_eur", "organization", "set_by", "set_at", "note")
    list_filter = ("currency", ORGANIZATION_FILTER)
    readonly_fields = ("set_by", "set_at")
    fields = ("organization", "currency", "rate_per_eur", "note", "set_by", "set_at")

    def save_model(self, request: HttpRequest, obj: ExchangeRateOverride, form: Any, change: bool) -> None:
        saved = services.rate_override_set(
            organization=obj.organization,
            currency=obj.currency,
            rate_per_eur=obj.rate_per_eur,
            user=request.user,
            note=obj.note,
        )
        obj.pk, obj.set_by, obj.set_at = saved.pk, saved.set_by, saved.set_at

    def delete_model(self, request: HttpRequest, obj: ExchangeRateOverride) -> None:
        services.rate_override_clear(organization=obj.organization, currency=obj.currency)
