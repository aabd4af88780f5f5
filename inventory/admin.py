"""The inventory in Django's admin, for daily use by staff.

Scoping lives in `accounts.admin_scoping` (every app's admin uses it): superusers see and edit everything, other
staff only the rows of organizations where they are an owner or assessor. Rows are validated by the models' own
rules (field validators, ``clean()``, per-organization uniques), like every other channel. Catalog entries shared by
everyone are read-only but to superusers; an organization's private entries are editable.

Import and export go through the inventory's own services, as in the app and the API:

- **Import** (a link on each organization-owned change list): upload a file of that kind into one organization the
  user may edit. It becomes an import job (`inventory.services.import_jobs`): the same checks, the same problem list
  (row, column, message), a preview, then "Confirm the import" on the job's admin page, all or nothing. CSV, JSON
  and YAML, as everywhere.
- **Export** (actions on the selected rows): the rows of one organization as the app exports them
  (`inventory.services.exports`): related rows by name, files that import back, formulas neutralized. Catalog
  entries and reference data export as stored (`records_export`), through the same CSV writer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.admin_scoping import (
    ORGANIZATION_FILTER,
    OrganizationInlineFormSet,
    OrganizationScopedMixin,
    ScopedHistoryAdmin,
    editable_organization_ids,
    scope,
)
from accounts.models import Organization
from config.errors import DomainError

from . import services
from .import_views import KIND_LABELS, add_upload_errors, preview_tables
from .importing import FORMATS, INVENTORY, MODEL_KINDS, SPECS
from .models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ImportJob,
    ImportStatus,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)

# --- import and export ---------------------------------------------------------------------------------------------

EXPORT_FORMATS = FORMATS  # csv, json, yaml: what import reads back


def download(export: services.Export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


class AdminImportForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), help_text="Every row of the file goes into this organization."
    )
    file = forms.FileField(
        allow_empty_file=True, help_text="CSV (header row first; UTF-8 or Windows-1252), Excel (.xlsx), JSON or YAML."
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the extension"), ("csv", "CSV"), ("json", "JSON"), ("yaml", "YAML"), ("xlsx", "Excel")],
    )


def _export_action(file_format: str) -> Any:
    def action(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        return model_admin.export_rows(request, queryset, file_format)

    action.__name__ = f"export_{file_format}"
    return admin.action(description=f"Export the selected rows as {file_format.upper()}")(action)


class RowsTransferMixin:
    """Import and export for the admin of one kind of organization-owned rows (see the module docstring)."""

    change_list_template = "inventory/admin_change_list.html"
    actions = [_export_action(fmt) for fmt in EXPORT_FORMATS]
    model: Any
    admin_site: Any

    @property
    def kind(self) -> str:
        return MODEL_KINDS[self.model]

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="{}_{}_import".format(*info)), *super().get_urls()]  # type: ignore[misc]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)  # type: ignore[attr-defined]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)  # type: ignore[misc]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = AdminImportForm(request.POST or None, request.FILES or None)
        choices = scope(Organization.objects.all(), request)
        form.fields["organization"].queryset = choices
        if not form.is_bound and len(only := list(choices.values_list("pk", flat=True)[:2])) == 1:
            form.initial["organization"] = only[0]
        if form.is_valid():
            try:
                job = services.import_job_create(
                    organization=form.cleaned_data["organization"],
                    user=request.user,
                    upload=form.cleaned_data["file"],
                    kind=self.kind,
                    file_format=form.cleaned_data["file_format"] or None,
                )
                services.import_job_start(job=job, confirm=False)
            except DomainError as error:  # a file that cannot be imported; the broker down (nothing kept)
                add_upload_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("admin:inventory_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {self.model._meta.verbose_name_plural}",
            "form": form,
            "columns": SPECS[self.kind].columns,
            "key": " + ".join(SPECS[self.kind].key),
        }
        return TemplateResponse(request, "inventory/admin_import.html", context)

    def export_rows(self, request: HttpRequest, queryset: QuerySet[Any], file_format: str) -> HttpResponse | None:
        organizations = list(queryset.values_list("organization", flat=True).distinct()[:2])
        if len(organizations) != 1:
            self.message_user(  # type: ignore[attr-defined]
                request, "Export the rows of one organization at a time (filter by organization).", messages.ERROR
            )
            return None
        organization = Organization.objects.get(pk=organizations[0])
        export = services.inventory_export(
            organization=organization, kind=self.kind, file_format=file_format, only=queryset
        )
        return download(export)


@admin.action(description="Export the selected rows as CSV")
def export_records(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
    return download(services.records_export(queryset=queryset, name=str(model_admin.model._meta.verbose_name_plural)))


class ImportJobTransferMixin:
    """The import job's admin page: status, problems, preview, and "Confirm the import" for a valid one."""

    change_form_template = "inventory/admin_import_job.html"
    model: Any
    admin_site: Any

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.confirm_view)
        return [path("<uuid:pk>/confirm/", view, name="inventory_importjob_confirm"), *super().get_urls()]  # type: ignore[misc]

    def may_confirm(self, request: HttpRequest, job: ImportJob) -> bool:
        """Someone who may edit the job's organization and import every kind its file holds."""
        ids = editable_organization_ids(request)
        if ids is not None and job.organization_id not in ids:
            return False
        kinds = list(SPECS) if job.kind == INVENTORY else [job.kind]
        for kind in kinds:
            model_admin = self.admin_site._registry.get(SPECS[kind].model)
            if model_admin is None or not model_admin.has_import_permission(request):
                return False
        return True

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        job = self.get_object(request, object_id)  # type: ignore[attr-defined]
        extra = dict(extra_context or {})
        if job is not None:
            errors, error_count = services.job_errors(job)
            extra.update(
                job=job,
                errors=errors,
                error_count=error_count,
                notices=services.import_job_notices(job),
                preview_tables=preview_tables(job) if job.status != ImportStatus.INVALID else [],
                kind_label=KIND_LABELS.get(job.kind, "Several kinds"),
                may_confirm=job.status == ImportStatus.READY and self.may_confirm(request, job),
                confirm_url=reverse("admin:inventory_importjob_confirm", args=[job.pk]),
            )
        return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]

    def confirm_view(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = get_object_or_404(self.get_queryset(request), pk=pk)  # type: ignore[attr-defined]
        if request.method != "POST" or not self.may_confirm(request, job):
            raise PermissionDenied
        if job.status != ImportStatus.READY:
            messages.info(request, services.not_waiting(job).errors[0].message)
        else:
            try:
                services.import_job_confirm(job=job)
            except DomainError as error:  # the broker down: the job waits for confirmation again
                messages.error(request, " ".join(error.messages))
            job.refresh_from_db()
            if job.status == ImportStatus.DONE:
                messages.success(request, f"Imported: {job.created_count} new, {job.updated_count} updated.")
        return HttpResponseRedirect(reverse("admin:inventory_importjob_change", args=[job.pk]))


# --- organization-owned rows ---------------------------------------------------------------------------------


class OrganizationOwnedAdmin(RowsTransferMixin, ScopedHistoryAdmin):
    """Base of the organization-owned rows' admins: scoped, organization fixed once saved, import and export."""

    list_per_page = 50


class OrganizationInline(OrganizationScopedMixin, admin.TabularInline):
    formset = OrganizationInlineFormSet
    exclude = ("organization",)
    organization_fixed_once_saved = False  # not a field of the inline: the parent's
    extra = 0
    show_change_link = True


class ServerInline(OrganizationInline):
    model = Server
    fields = ("hostname", "status", "accelerator_type", "accelerator_count", "power_w", "power_measured")
    autocomplete_fields = ("accelerator_type",)


class StorageSystemInline(OrganizationInline):
    model = StorageSystem
    fields = ("name", "kind", "usable_tb", "read_throughput_gbps")


class NetworkFabricInline(OrganizationInline):
    model = NetworkFabric
    fields = ("name", "kind", "link_speed_gbps", "topology", "oversubscription_ratio")


@admin.register(Site)
class SiteAdmin(OrganizationOwnedAdmin):
    list_display = ("name", "organization", "country", "region", "power_capacity_kw", "pue", "cooling")
    list_filter = ("cooling", "country", ORGANIZATION_FILTER)
    search_fields = ("name", "region", "country", "organization__name")
    list_select_related = ("organization",)
    inlines = [ServerInline, StorageSystemInline, NetworkFabricInline]
    fieldsets = (
        (None, {"fields": ("organization", "name", "country", "region", "cooling")}),
        (
            "Power and energy",
            {"fields": ("power_capacity_kw", "pue", "renewable_share_pct", "grid_intensity_override")},
        ),
        ("Electricity price", {"fields": ("electricity_price_per_kwh", "currency")}),
        (
            "Monthly costs besides energy (in the site's currency)",
            {"fields": ("colocation_per_month", "maintenance_per_month", "staff_per_month")},
        ),
    )


@admin.register(Server)
class ServerAdmin(OrganizationOwnedAdmin):
    list_display = (
        "hostname",
        "organization",
        "site",
        "status",
        "accelerator_type",
        "accelerator_count",
        "power_w",
        "vendor",
        "model",
    )
    list_filter = (
        "status",
        ("accelerator_type", admin.RelatedOnlyFieldListFilter),
        "power_measured",
        ORGANIZATION_FILTER,
    )
    search_fields = ("hostname", "serial", "vendor", "model", "site__name", "organization__name")
    list_select_related = ("organization", "site", "accelerator_type")
    autocomplete_fields = ("site", "accelerator_type")
    date_hierarchy = "purchase_date"
    fieldsets = (
        (None, {"fields": ("organization", "site", "hostname", "status", "serial", "vendor", "model")}),
        ("Compute", {"fields": ("accelerator_type", "accelerator_count", "cpu_cores", "ram_gb")}),
        (
            "Power and cost",
            {
                "fields": (
                    "power_w",
                    "power_measured",
                    "purchase_date",
                    "purchase_cost",
                    "purchase_currency",
                    "depreciation_years",
                )
            },
        ),
        ("Software", {"fields": ("os", "gpu_driver_version", "cuda_version")}),
    )


@admin.register(StorageSystem)
class StorageSystemAdmin(OrganizationOwnedAdmin):
    list_display = ("name", "organization", "site", "kind", "usable_tb", "read_throughput_gbps")
    list_filter = ("kind", ORGANIZATION_FILTER)
    search_fields = ("name", "site__name", "organization__name")
    list_select_related = ("organization", "site")
    autocomplete_fields = ("site",)


@admin.register(NetworkFabric)
class NetworkFabricAdmin(OrganizationOwnedAdmin):
    list_display = ("name", "organization", "site", "kind", "link_speed_gbps", "topology", "oversubscription_ratio")
    list_filter = ("kind", ORGANIZATION_FILTER)
    search_fields = ("name", "topology", "site__name", "organization__name")
    list_select_related = ("organization", "site")
    autocomplete_fields = ("site",)


@admin.register(CloudCapacity)
class CloudCapacityAdmin(OrganizationOwnedAdmin):
    list_display = (
        "instance_type",
        "organization",
        "provider",
        "region",
        "accelerator_type",
        "accelerators_per_instance",
        "instances",
        "hourly_price",
        "currency",
    )
    list_filter = ("provider", ("accelerator_type", admin.RelatedOnlyFieldListFilter), ORGANIZATION_FILTER)
    search_fields = ("provider", "region", "instance_type", "organization__name")
    list_select_related = ("organization", "accelerator_type")
    autocomplete_fields = ("accelerator_type",)


@admin.register(Workload)
class WorkloadAdmin(OrganizationOwnedAdmin):
    list_display = ("name", "organization", "kind", "model_profile", "precision", "requests_per_second")
    list_filter = ("kind", "precision", ORGANIZATION_FILTER)
    search_fields = ("name", "model_profile__name", "organization__name")
    list_select_related = ("organization", "model_profile")
    autocomplete_fields = ("model_profile",)
    fieldsets = (
        (None, {"fields": ("organization", "name", "kind", "model_profile", "precision")}),
        (
            "Inference (serving)",
            {"fields": ("requests_per_second", "prompt_tokens", "output_tokens", "ttft_target_ms", "tpot_target_ms")},
        ),
        (
            "Training and fine-tuning",
            {"fields": ("training_tokens", "deadline_days", "assumed_mfu", "dataset_size_tb")},
        ),
    )


@admin.register(ImportJob)
class ImportJobAdmin(OrganizationScopedMixin, ImportJobTransferMixin, admin.ModelAdmin):
    """Import jobs are made by the import pages (the app's, the API's, the admin's); here they are inspected, and a
    valid one waiting for confirmation is confirmed."""

    list_display = (
        "filename",
        "organization",
        "kind",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "created_by",
        "created",
        "finished",
    )
    list_filter = ("status", "kind", "file_format", ORGANIZATION_FILTER)
    search_fields = ("filename", "organization__name", "created_by__username")
    list_select_related = ("organization", "created_by")
    date_hierarchy = "created"
    exclude = ("errors", "preview")  # shown above the fields, as tables

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- catalog and reference data ------------------------------------------------------------------------------


class CatalogAdmin(ScopedHistoryAdmin):
    """Shared entries (no organization) are read-only but to superusers; private ones belong to an organization."""

    actions = [export_records]
    list_select_related = ("organization",)
    list_per_page = 50

    @admin.display(boolean=True, description="shared", ordering="organization")
    def shared(self, obj: Any) -> bool:
        return obj.is_shared

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        if obj is not None and obj.is_shared:
            return request.user.is_superuser
        return super()._may_edit(request, obj)


class SharedFilter(admin.SimpleListFilter):
    title = "catalog"
    parameter_name = "catalog"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("shared", "Shared"), ("private", "Private to an organization")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "shared":
            return queryset.filter(organization__isnull=True)
        if self.value() == "private":
            return queryset.filter(organization__isnull=False)
        return queryset


@admin.register(AcceleratorType)
class AcceleratorTypeAdmin(CatalogAdmin):
    list_display = (
        "__str__",
        "shared",
        "organization",
        "memory_gb",
        "mem_bandwidth_gbps",
        "bf16_tflops",
        "fp8_tflops",
        "tdp_w",
        "system_power_w",
        "host_reserved_gb",
        "release_year",
    )
    list_filter = (SharedFilter, "vendor", "release_year")
    search_fields = ("vendor", "model", "form_factor")


@admin.register(ModelProfile)
class ModelProfileAdmin(CatalogAdmin):
    list_display = ("name", "shared", "organization", "params", "active_params", "layers", "context_length")
    list_filter = (SharedFilter,)
    search_fields = ("name",)


@admin.register(GridRegion)
class GridRegionAdmin(admin.ModelAdmin):
    """Shared reference data: read-only but to superusers."""

    shared_reference = True
    actions = [export_records]
    list_display = ("country_code", "name", "g_co2_per_kwh", "year")
    search_fields = ("country_code", "name")
    list_filter = ("year",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


# Registered by their own modules: server models, GPU records, discovery runs, the NetBox configuration (hardware);
# measured telemetry (daily summaries, Prometheus, BMC endpoints); exchange rates and overrides (exchange).
from .exchange import admin as exchange_admin  # noqa: E402, F401
from .hardware import admin as hardware_admin  # noqa: E402, F401
from .telemetry import admin as telemetry_admin  # noqa: E402, F401
