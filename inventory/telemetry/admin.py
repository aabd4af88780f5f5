"""Measured telemetry in the admin, scoped like the rest of the inventory (`OrganizationScopedMixin`).

Daily summaries are written by ingestion only: here they are inspected. Secrets are write-only: the forms have
empty password fields ("leave empty to keep"), and no page shows a token, user name or password.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_scoping import ORGANIZATION_FILTER, OrganizationAdminForm, OrganizationScopedMixin
from config.admin_display import in_place, shown_numbers

from ..rounding import round_half_away
from .configuration import url_problem
from .models import BmcEndpoint, PrometheusConfig, ServerTelemetryDay
from .redfish import base_url

KEEP = "Leave empty to keep the stored one; it is stored encrypted and never shown."


def _watts(value: float) -> str:
    return f"{round_half_away(value, 0):.0f}"


def _one_decimal(value: float) -> str:
    return f"{round_half_away(value, 1):.1f}"


# As the telemetry page writes them: watts whole, percentages and GB with one decimal (stored to 3 decimals).
DAY_FIGURES = {
    **shown_numbers(
        ServerTelemetryDay,
        _watts,
        "accelerator_power_p50_w",
        "accelerator_power_p95_w",
        "accelerator_power_max_w",
        "server_power_p50_w",
        "server_power_p95_w",
        "server_power_max_w",
    ),
    **shown_numbers(
        ServerTelemetryDay,
        _one_decimal,
        "utilization_mean_pct",
        "utilization_p95_pct",
        "tensor_active_mean_pct",
        "memory_used_mean_gb",
        "memory_used_max_gb",
        "memory_total_gb",
    ),
}


@admin.register(ServerTelemetryDay)
class ServerTelemetryDayAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = in_place(
        (
            "server",
            "day",
            "source",
            "sample_count",
            "accelerator_power_p95_w",
            "server_power_p95_w",
            "utilization_mean_pct",
            "organization",
        ),
        DAY_FIGURES,
    )
    list_filter = ("source", ORGANIZATION_FILTER)
    search_fields = ("server__hostname", "organization__name")
    list_select_related = ("organization", "server")
    date_hierarchy = "day"
    list_per_page = 50
    # Every field but the digest, the figures rounded in their place; all read-only (written by ingestion only).
    fields = tuple(
        in_place(
            [f.name for f in ServerTelemetryDay._meta.fields if f.editable and f.name not in ("id", "digest")],
            DAY_FIGURES,
        )
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PrometheusConfigForm(OrganizationAdminForm):
    token = forms.CharField(
        label="Bearer token", required=False, widget=forms.PasswordInput(render_value=False), help_text=KEEP
    )
    clear_token = forms.BooleanField(label="Remove the stored token", required=False)

    class Meta:
        model = PrometheusConfig
        fields = ("organization", "url", "enabled", "verify_tls", "window_days", "step_seconds")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip().rstrip("/")
        if problem := url_problem(url):
            raise forms.ValidationError(problem)
        return url


@admin.register(PrometheusConfig)
class PrometheusConfigAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    form = PrometheusConfigForm
    list_display = ("url", "organization", "enabled", "has_token", "status", "finished")
    list_filter = ("status", "enabled", ORGANIZATION_FILTER)
    search_fields = ("url", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = (
        "status",
        "hosts_done",
        "hosts_total",
        "queued",
        "started",
        "finished",
        "attempts",
        "last_error",
        "last_result",
    )

    @admin.display(boolean=True, description="token")
    def has_token(self, obj: PrometheusConfig) -> bool:
        return obj.has_token

    def save_model(self, request: HttpRequest, obj: PrometheusConfig, form: Any, change: bool) -> None:
        if form.cleaned_data.get("clear_token"):
            obj.set_token("")
        elif form.cleaned_data.get("token"):
            obj.set_token(form.cleaned_data["token"])
        super().save_model(request, obj, form, change)


class BmcEndpointForm(OrganizationAdminForm):
    username = forms.CharField(label="User name", required=False, help_text=KEEP)
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False), help_text=KEEP)

    class Meta:
        model = BmcEndpoint
        fields = ("organization", "server", "address", "verify_tls", "enabled")

    def clean_address(self) -> str:
        address = self.cleaned_data["address"].strip()
        if problem := url_problem(base_url(address), label="address"):
            raise forms.ValidationError(problem)
        return address

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            for name in ("username", "password"):
                if not cleaned.get(name):
                    self.add_error(name, "Required for a new BMC endpoint.")
        return cleaned


@admin.register(BmcEndpoint)
class BmcEndpointAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    form = BmcEndpointForm
    list_display = ("server", "address", "organization", "enabled", "status", "last_power_w", "last_read")
    list_filter = ("status", "enabled", ORGANIZATION_FILTER)
    search_fields = ("server__hostname", "address", "organization__name")
    list_select_related = ("organization", "server")
    autocomplete_fields = ("server",)
    readonly_fields = ("status", "last_read", "last_power_w", "last_power_path", "last_error")

    def save_model(self, request: HttpRequest, obj: BmcEndpoint, form: Any, change: bool) -> None:
        obj.set_credentials(
            username=form.cleaned_data.get("username") or None, password=form.cleaned_data.get("password") or None
        )
        super().save_model(request, obj, form, change)
