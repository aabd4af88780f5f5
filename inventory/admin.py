"""The inventory in Django's admin, for daily use by staff.

Scoping (`OrganizationScopedMixin`, the one place it lives): superusers see and edit everything. Any other staff
user sees and edits only the rows of organizations where they are an owner or assessor: change lists are filtered,
another organization's row is "not found", foreign key choices and the organization field are limited to those
organizations, and a row may only point to rows of its own organization. Catalog entries (accelerator types, model
profiles) shared by everyone are read-only for them; their organizations' private entries are editable. Django's
model permissions (groups) still decide which models a staff user may view, add, change or delete.

Import and export (django-import-export, CSV and XLSX) of the organization-owned rows: an import goes into one
organization chosen in the import form (limited as above); rows are matched by natural key (a site by its name,
a server by its hostname, ...) within it, and related rows are found by name within it (a server's site by name,
its accelerator type by model in the shared catalog or the organization's private one). The templates are ours
(templates/inventory/admin_*.html), so the admin needs nothing of the import_export app but its Python code.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F, Model, Q, QuerySet, UniqueConstraint
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from import_export import fields, resources
from import_export.admin import ExportMixin, ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.widgets import ForeignKeyWidget

from accounts.models import Organization, Role

from .models import (
    AcceleratorType,
    CloudCapacity,
    GridRegion,
    ImportJob,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)

EDITOR_ROLES = (Role.OWNER, Role.ASSESSOR)
# Related-row filters offer only the rows in the (scoped) change list, not every organization's.
ORGANIZATION_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
FORMATS = [base_formats.CSV, base_formats.XLSX]
_CACHE_ATTR = "_inventory_admin_organization_ids"


# --- scoping ------------------------------------------------------------------------------------------------------


def editable_organizations(request: HttpRequest) -> QuerySet[Organization] | None:
    """The organizations whose rows the user may see and edit in the admin; None for a superuser (all of them)."""
    user = request.user
    if user.is_superuser:
        return None
    if not user.is_authenticated:  # e.g. the admin's log-in page lists the apps too
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user, memberships__role__in=EDITOR_ROLES)


def editable_organization_ids(request: HttpRequest) -> frozenset[int] | None:
    if request.user.is_superuser:
        return None
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, frozenset(editable_organizations(request).values_list("pk", flat=True)))
    return getattr(request, _CACHE_ATTR)


def scope(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Rows of the request's editable organizations, plus the shared rows where the organization may be empty."""
    ids = editable_organization_ids(request)
    if ids is None:
        return queryset
    if queryset.model is Organization:
        return queryset.filter(pk__in=ids)
    condition = Q(organization__in=ids)
    if queryset.model._meta.get_field("organization").null:
        condition |= Q(organization__isnull=True)
    return queryset.filter(condition)


def _has_organization(model: type[Model]) -> bool:
    return any(f.name == "organization" for f in model._meta.get_fields())


class OrganizationAdminForm(forms.ModelForm):
    """A row may only point to rows of its own organization (or to shared catalog entries).

    Inline rows take their organization from the parent row (it is not a form field); their per-organization
    unique constraints are checked here too, so a duplicate is a form error rather than an IntegrityError.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization = cleaned.get("organization") if "organization" in self.fields else None
        organization_id = organization.pk if organization is not None else self.instance.organization_id
        if organization_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "organization" or not isinstance(value, Model):
                continue
            owner = getattr(value, "organization_id", None)
            if owner is not None and owner != organization_id:
                self.add_error(name, f"“{value}” belongs to another organization than this row.")
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        exclude = self._get_validation_exclusions()
        if "organization" not in exclude or self.instance.organization_id is None:
            return  # the organization is a field: Django has checked the constraints with it
        exclude = exclude - {"organization"}
        for constraint in self.instance._meta.constraints:
            if isinstance(constraint, UniqueConstraint) and "organization" in constraint.fields:
                try:
                    constraint.validate(type(self.instance), self.instance, exclude=exclude)
                except forms.ValidationError as error:
                    self._update_errors(error)


class OrganizationScopedMixin:
    """Organization scoping for model admins and inlines (see the module docstring)."""

    form = OrganizationAdminForm
    #: A saved row keeps its organization (moving it would strand the rows that refer to it).
    organization_fixed_once_saved = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if not request.user.is_superuser and (related is Organization or _has_organization(related)):
            kwargs["queryset"] = scope(related._default_manager.all(), request)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name == "organization" and field is not None and not request.user.is_superuser:
            field.required = True  # only superusers add shared catalog entries
            field.empty_label = None
        return field

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return (*readonly, "organization") if obj is not None and self.organization_fixed_once_saved else readonly

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        # The organizations' own admin is not scoped: other staff pick from a list limited to their organizations.
        fields_ = tuple(super().get_autocomplete_fields(request))  # type: ignore[misc]
        return (*fields_, "organization") if request.user.is_superuser else fields_

    def _in_scope(self, request: HttpRequest) -> bool:
        """Superusers, and staff who own or assess at least one organization."""
        ids = editable_organization_ids(request)
        return ids is None or bool(ids)

    def _may_edit(self, request: HttpRequest, obj: Any) -> bool:
        ids = editable_organization_ids(request)
        return ids is None or (bool(ids) and (obj is None or obj.organization_id in ids))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._in_scope(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


# --- import and export --------------------------------------------------------------------------------------------


class OrganizationImportForm(ImportForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), help_text="Every row of the file goes into this organization."
    )
    field_order = ["organization", "resource", "import_file", "format"]


class OrganizationConfirmImportForm(ConfirmImportForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), widget=forms.HiddenInput)


class OrganizationForeignKeyWidget(ForeignKeyWidget):
    """Finds a related row by `field` among the rows of the import's organization.

    Catalog models also offer the shared entries; an organization's private entry wins over a shared one.
    """

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        condition = Q(organization__slug=row.get("organization"))
        if self.model._meta.get_field("organization").null:
            condition |= Q(organization__isnull=True)
        return self.model._default_manager.filter(condition)

    def get_instance_by_lookup_fields(self, value: Any, row: Any, **kwargs: Any) -> Any:
        lookup = self.get_lookup_kwargs(value, row, **kwargs)
        queryset = self.get_queryset(value, row, **kwargs).filter(**lookup)
        obj = queryset.order_by(F("organization").asc(nulls_last=True)).first()
        if obj is None:
            raise ValueError(f"No {self.model._meta.verbose_name} “{value}” in {row.get('organization')}.")
        return obj


def related(model: type[Model], attribute: str, lookup: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=attribute, widget=OrganizationForeignKeyWidget(model, lookup))


class OrganizationResource(resources.ModelResource):
    """Rows of one organization; `organization` (its slug) is a column of exports and is checked on import."""

    organization = fields.Field(
        attribute="organization", column_name="organization", widget=ForeignKeyWidget(Organization, "slug")
    )
    upper_case_columns: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.organization = organization

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        return queryset.filter(organization=self.organization) if self.organization is not None else queryset

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if self.organization is None:
            raise ValueError("Choose the organization to import into.")
        if "organization" not in dataset.headers:  # the natural keys start with it; every row gets it
            dataset.append_col([self.organization.slug] * len(dataset), header="organization")
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        named = str(row.get("organization") or "").strip()
        if named and named != self.organization.slug:
            raise forms.ValidationError(
                {"organization": f"This row is for “{named}”; the import goes into “{self.organization.slug}”."}
            )
        row["organization"] = self.organization.slug
        for column in self.upper_case_columns:
            if row.get(column):
                row[column] = str(row[column]).strip().upper()
        super().before_import_row(row, **kwargs)


class SiteResource(OrganizationResource):
    upper_case_columns = ("country", "currency")

    class Meta(OrganizationResource.Meta):
        model = Site
        import_id_fields = ("organization", "name")
        exclude = ("id",)


class ServerResource(OrganizationResource):
    site = related(Site, "site", "name")
    accelerator_type = related(AcceleratorType, "accelerator_type", "model")

    class Meta(OrganizationResource.Meta):
        model = Server
        import_id_fields = ("organization", "hostname")
        exclude = ("id",)


class StorageSystemResource(OrganizationResource):
    site = related(Site, "site", "name")

    class Meta(OrganizationResource.Meta):
        model = StorageSystem
        import_id_fields = ("organization", "site", "name")
        exclude = ("id",)


class NetworkFabricResource(OrganizationResource):
    site = related(Site, "site", "name")

    class Meta(OrganizationResource.Meta):
        model = NetworkFabric
        import_id_fields = ("organization", "site", "name")
        exclude = ("id",)


class CloudCapacityResource(OrganizationResource):
    upper_case_columns = ("currency",)
    accelerator_type = related(AcceleratorType, "accelerator_type", "model")

    class Meta(OrganizationResource.Meta):
        model = CloudCapacity
        import_id_fields = ("organization", "provider", "region", "instance_type")
        exclude = ("id",)


class WorkloadResource(OrganizationResource):
    model_profile = related(ModelProfile, "model_profile", "name")

    class Meta(OrganizationResource.Meta):
        model = Workload
        import_id_fields = ("organization", "name")
        exclude = ("id",)


class ImportExportTemplatesMixin:
    """Our self-contained templates for the change list, import and export pages; CSV and XLSX."""

    import_export_change_list_template = "inventory/admin_change_list.html"
    import_template_name = "inventory/admin_import.html"
    export_template_name = "inventory/admin_export.html"
    formats = FORMATS

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)  # type: ignore[attr-defined]


class OrganizationOwnedAdmin(OrganizationScopedMixin, ImportExportTemplatesMixin, ImportExportModelAdmin):
    """Base of the organization-owned rows' admins: scoped, organization fixed once saved, import and export."""

    import_form_class = OrganizationImportForm
    confirm_form_class = OrganizationConfirmImportForm
    list_per_page = 50

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def _limit_organizations(self, form: forms.Form, request: HttpRequest) -> forms.Form:
        choices = scope(Organization.objects.all(), request)
        form.fields["organization"].queryset = choices
        if not form.is_bound and len(ids := editable_organization_ids(request) or ()) == 1:
            form.initial.setdefault("organization", next(iter(ids)))
        return form

    def create_import_form(self, request: HttpRequest) -> Any:
        return self._limit_organizations(super().create_import_form(request), request)

    def create_confirm_form(self, request: HttpRequest, import_form: Any = None) -> Any:
        return self._limit_organizations(super().create_confirm_form(request, import_form), request)

    def get_confirm_form_initial(self, request: HttpRequest, import_form: Any) -> dict[str, Any]:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            organization = import_form.cleaned_data["organization"]
            initial.update(organization=organization.pk, organization_name=organization.name)
        return initial

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        return {"organization": cleaned.get("organization")}


class OrganizationInlineFormSet(BaseInlineFormSet):
    """Inline rows belong to the parent row's organization."""

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)
        form.instance.organization_id = self.instance.organization_id
        return form


class OrganizationInline(OrganizationScopedMixin, admin.TabularInline):
    formset = OrganizationInlineFormSet
    exclude = ("organization",)
    organization_fixed_once_saved = False  # not a field of the inline: the parent's
    extra = 0
    show_change_link = True


# --- organization-owned rows --------------------------------------------------------------------------------------


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
    resource_classes = [SiteResource]
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
    )


@admin.register(Server)
class ServerAdmin(OrganizationOwnedAdmin):
    resource_classes = [ServerResource]
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
        ("Power and cost", {"fields": ("power_w", "power_measured", "purchase_date", "purchase_cost")}),
        ("Software", {"fields": ("os", "gpu_driver_version", "cuda_version")}),
    )


@admin.register(StorageSystem)
class StorageSystemAdmin(OrganizationOwnedAdmin):
    resource_classes = [StorageSystemResource]
    list_display = ("name", "organization", "site", "kind", "usable_tb", "read_throughput_gbps")
    list_filter = ("kind", ORGANIZATION_FILTER)
    search_fields = ("name", "site__name", "organization__name")
    list_select_related = ("organization", "site")
    autocomplete_fields = ("site",)


@admin.register(NetworkFabric)
class NetworkFabricAdmin(OrganizationOwnedAdmin):
    resource_classes = [NetworkFabricResource]
    list_display = ("name", "organization", "site", "kind", "link_speed_gbps", "topology", "oversubscription_ratio")
    list_filter = ("kind", ORGANIZATION_FILTER)
    search_fields = ("name", "topology", "site__name", "organization__name")
    list_select_related = ("organization", "site")
    autocomplete_fields = ("site",)


@admin.register(CloudCapacity)
class CloudCapacityAdmin(OrganizationOwnedAdmin):
    resource_classes = [CloudCapacityResource]
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
    resource_classes = [WorkloadResource]
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
class ImportJobAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Import jobs are made by the import pages; here they can only be inspected."""

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

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- catalog --------------------------------------------------------------------------------------------------


class CatalogAdmin(OrganizationScopedMixin, ImportExportTemplatesMixin, ExportMixin, admin.ModelAdmin):
    """Shared entries (no organization) are read-only but to superusers; private ones belong to an organization."""

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
class GridRegionAdmin(ImportExportTemplatesMixin, ExportMixin, admin.ModelAdmin):
    """Shared reference data: read-only but to superusers."""

    list_display = ("country_code", "name", "g_co2_per_kwh", "year")
    search_fields = ("country_code", "name")
    list_filter = ("year",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
