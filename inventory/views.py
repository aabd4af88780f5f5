"""Inventory pages: the overview, and for each kind of row a filtered list, a detail page and edit forms.

The kinds (sites, servers, storage, networks, cloud capacity, workloads) are declared once as `Kind`s below and
served by four generic views (NetBox style); `urls.py` gives each kind the same five URLs. Everything is scoped
to the active organization by `OrganizationViewMixin` and the selectors: another organization's row is a 404.
Viewers read; assessors and owners create, edit and delete.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Model, ProtectedError, QuerySet
from django.forms import BaseForm, ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.views.generic import DeleteView, DetailView, ListView, TemplateView, UpdateView
from django_filters import FilterSet

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.history import history_csv, history_entries

from . import filtersets, forms, selectors
from .capacity import format_value
from .detail_context import server_detail_context, site_detail_context
from .models import CloudCapacity, NetworkFabric, Server, Site, StorageSystem, Workload, WorkloadKind
from .money import format_money

PAGE_SIZE = 50


def _optional_url(name: str) -> str | None:
    """The URL of `name`, or None while it does not exist (the import pages are built separately)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def display(value: Any) -> str:
    """A value as shown in tables: numbers without needless decimals, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float | Decimal):
        return floatformat(value, "-2g")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


MONEY_FIELDS: dict[str, tuple[Callable[[Any], str], str]] = {
    "purchase_cost": (lambda server: server.purchase_currency or server.site.currency, ""),
    "colocation_per_month": (lambda site: site.currency, " a month"),
    "maintenance_per_month": (lambda site: site.currency, " a month"),
    "staff_per_month": (lambda site: site.currency, " a month"),
    "hourly_price": (lambda cloud: cloud.currency, " an instance-hour"),
    "electricity_price_per_kwh": (lambda site: site.currency, " per kWh"),
}
"""Detail fields that are money: formatted by their currency (`inventory.money.format_money`)."""


def money_shown(name: str, value: Any, obj: Any) -> str | None:
    """A money field's value with its currency ("€0.19 per kWh", "$98.32 an instance-hour"), None for any other
    field. A price per kWh keeps its tenths of a cent ("€0.1875 per kWh"); the currency is the row's (a server's
    own purchase currency, else its site's)."""
    if name not in MONEY_FIELDS or value is None:
        return None
    currency, per = MONEY_FIELDS[name]
    code = currency(obj)
    if not code:
        return None
    decimals = None
    if name == "electricity_price_per_kwh":
        decimals = 2 if round(float(value), 2) == float(value) else 4
    return format_money(value, code, decimals=decimals) + per


def _history_money(name: str, value: Any, record: Any) -> str | None:
    """`money_shown` for a historical row, without reading its relations (a fixed number of queries): a server's
    purchase cost names a currency only when the server has its own."""
    if name == "purchase_cost" and not getattr(record, "purchase_currency", ""):
        return None
    return money_shown(name, value, record)


@dataclass(frozen=True)
class Column:
    """A list column: `accessor` is a dotted attribute path (a method at its end is called) or a callable.

    The `link` column links to the row's detail page; a value that is itself an inventory row links to its own.
    """

    label: str
    accessor: str | Callable[[Any], Any]
    link: bool = False
    numeric: bool = False

    def value(self, obj: Any) -> Any:
        if callable(self.accessor):
            return self.accessor(obj)
        value = obj
        for part in self.accessor.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value() if callable(value) else value


@dataclass(frozen=True)
class Kind:
    """One kind of inventory row and how its pages show it; URL names are `inventory:<name>_<list|detail|...>`."""

    name: str
    path: str
    model: type[Model]
    selector: Callable[..., QuerySet[Any]]
    form_class: type[forms.OrganizationModelForm]
    filterset_class: type[FilterSet]
    columns: tuple[Column, ...]
    detail_fields: tuple[str, ...]
    title: str
    description: str = ""
    detail_context: Callable[[Any, Any], dict[str, Any]] | None = field(default=None, compare=False)

    @property
    def singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def list_url(self) -> str:
        return self.url("list")

    @property
    def create_url(self) -> str:
        return self.url("create")

    def url(self, action: str, pk: Any = None) -> str:
        return reverse(f"inventory:{self.name}_{action}", args=[pk] if pk is not None else [])

    def queryset(self, organization: Any) -> QuerySet[Any]:
        return self.selector(organization=organization)


def _accelerators(count: int, accelerator: Any) -> str:
    return f"{count} × {accelerator}" if count and accelerator else "—"


def _workload_demand(workload: Workload) -> str:
    if workload.kind == WorkloadKind.INFERENCE:
        if workload.requests_per_second is None:
            return "—"
        tokens = f"{workload.prompt_tokens or '?'}→{workload.output_tokens or '?'} tokens"
        return f"{display(workload.requests_per_second)} req/s, {tokens}"
    if workload.training_tokens is None:
        return "—"
    deadline = f" in {display(workload.deadline_days)} days" if workload.deadline_days else ""
    return f"{format_value(workload.training_tokens, 'tokens')}{deadline}"


SITES = Kind(
    name="site",
    path="sites",
    model=Site,
    selector=selectors.sites_for,
    form_class=forms.SiteForm,
    filterset_class=filtersets.SiteFilterSet,
    title="Sites",
    description="Data centres, server rooms and cloud regions: power, PUE, cooling and the grid's carbon intensity.",
    columns=(
        Column("Name", "name", link=True),
        Column("Country", "country"),
        Column("Region", "region"),
        Column("Power capacity (kW)", "power_capacity_kw", numeric=True),
        Column("PUE", "pue", numeric=True),
        Column("Cooling", "get_cooling_display"),
    ),
    detail_fields=(
        "country",
        "region",
        "cooling",
        "power_capacity_kw",
        "pue",
        "renewable_share_pct",
        "grid_intensity_override",
        "electricity_price_per_kwh",
        "currency",
        "colocation_per_month",
        "maintenance_per_month",
        "staff_per_month",
    ),
    detail_context=site_detail_context,
)


SERVERS = Kind(
    name="server",
    path="servers",
    model=Server,
    selector=selectors.servers_for,
    form_class=forms.ServerForm,
    filterset_class=filtersets.ServerFilterSet,
    title="Servers",
    description="Servers and their accelerators; only active servers count towards the totals.",
    columns=(
        Column("Hostname", "hostname", link=True),
        Column("Site", "site"),
        Column("Status", "get_status_display"),
        Column("Accelerators", lambda s: s.accelerators_text or "—"),
        Column("Power (W)", "power_w", numeric=True),
        Column("Vendor", "vendor"),
        Column("Model", "model"),
    ),
    detail_fields=(
        "site",
        "status",
        "serial",
        "vendor",
        "model",
        "accelerator_type",
        "accelerator_count",
        "cpu_cores",
        "ram_gb",
        "power_w",
        "power_measured",
        "purchase_date",
        "purchase_cost",
        "purchase_currency",
        "depreciation_years",
        "os",
        "gpu_driver_version",
        "cuda_version",
        "server_model",
    ),
    detail_context=server_detail_context,
)

STORAGE = Kind(
    name="storage",
    path="storage",
    model=StorageSystem,
    selector=selectors.storage_systems_for,
    form_class=forms.StorageSystemForm,
    filterset_class=filtersets.StorageSystemFilterSet,
    title="Storage",
    description="File systems, NVMe and object stores that feed training and serving.",
    columns=(
        Column("Name", "name", link=True),
        Column("Site", "site"),
        Column("Kind", "get_kind_display"),
        Column("Usable (TB)", "usable_tb", numeric=True),
        Column("Read (GB/s)", "read_throughput_gbps", numeric=True),
    ),
    detail_fields=("site", "kind", "usable_tb", "read_throughput_gbps"),
)

NETWORKS = Kind(
    name="network",
    path="networks",
    model=NetworkFabric,
    selector=selectors.network_fabrics_for,
    form_class=forms.NetworkFabricForm,
    filterset_class=filtersets.NetworkFabricFilterSet,
    title="Networks",
    description="The fabrics that connect accelerators across servers.",
    columns=(
        Column("Name", "name", link=True),
        Column("Site", "site"),
        Column("Kind", "get_kind_display"),
        Column("Link speed (Gb/s)", "link_speed_gbps", numeric=True),
        Column("Topology", "topology"),
        Column("Oversubscription", "oversubscription_ratio", numeric=True),
    ),
    detail_fields=("site", "kind", "link_speed_gbps", "topology", "oversubscription_ratio"),
)

CLOUD = Kind(
    name="cloud",
    path="cloud",
    model=CloudCapacity,
    selector=selectors.cloud_capacity_for,
    form_class=forms.CloudCapacityForm,
    filterset_class=filtersets.CloudCapacityFilterSet,
    title="Cloud capacity",
    description="Reserved or planned cloud instances with accelerators.",
    columns=(
        Column("Instance type", "instance_type", link=True),
        Column("Provider", "provider"),
        Column("Region", "region"),
        Column("Accelerators", lambda c: _accelerators(c.accelerators_per_instance, c.accelerator_type)),
        Column("Instances", "instances", numeric=True),
        Column("Price per hour", lambda c: format_money(c.hourly_price, c.currency), numeric=True),
    ),
    detail_fields=(
        "provider",
        "region",
        "instance_type",
        "accelerator_type",
        "accelerators_per_instance",
        "instances",
        "hourly_price",
        "currency",
    ),
)

WORKLOADS = Kind(
    name="workload",
    path="workloads",
    model=Workload,
    selector=selectors.workloads_for,
    form_class=forms.WorkloadForm,
    filterset_class=filtersets.WorkloadFilterSet,
    title="Workloads",
    description="What you want to run: LLM serving with latency targets, or training with a deadline.",
    columns=(
        Column("Name", "name", link=True),
        Column("Kind", "get_kind_display"),
        Column("Model", "model_profile"),
        Column("Precision", "get_precision_display"),
        Column("Demand", _workload_demand),
    ),
    detail_fields=(
        "kind",
        "model_profile",
        "precision",
        "requests_per_second",
        "prompt_tokens",
        "output_tokens",
        "ttft_target_ms",
        "tpot_target_ms",
        "training_tokens",
        "deadline_days",
        "assumed_mfu",
        "dataset_size_tb",
    ),
)

KINDS: tuple[Kind, ...] = (SITES, SERVERS, STORAGE, NETWORKS, CLOUD, WORKLOADS)
KIND_OF_MODEL: dict[type[Model], Kind] = {kind.model: kind for kind in KINDS}


def detail_url(obj: Any) -> str | None:
    kind = KIND_OF_MODEL.get(type(obj))
    return kind.url("detail", obj.pk) if kind is not None else None


def missing_first_steps(kind: Kind, organization: Any, *, can_write: bool) -> list[dict[str, Any]]:
    """What must exist before a row of this kind can be recorded and does not yet: for every required choice of its
    form with nothing to choose (a server needs a site), the step that comes first and where to take it (a page of
    the app, else none: the hint then says who can)."""
    steps = []
    for name, form_field in kind.form_class.base_fields.items():
        if not (isinstance(form_field, ModelChoiceField) and form_field.required):
            continue
        model = form_field.queryset.model
        choices = forms.CHOICES_FOR.get(model)
        if choices is None or choices(organization=organization).exists():
            continue
        first = KIND_OF_MODEL.get(model)
        steps.append(
            {
                "field": capfirst(str(kind.model._meta.get_field(name).verbose_name)),
                "singular": str(model._meta.verbose_name),
                "plural": str(model._meta.verbose_name_plural),
                "url": first.create_url if first is not None and can_write else None,
            }
        )
    return steps


class ImportLinksMixin:
    """`import_url` / `export_url` for the Import and Export buttons, once the import pages exist."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["import_url"] = _optional_url("inventory:import")
        context["export_url"] = _optional_url("inventory:export")
        context["import_enabled"] = context["import_url"] is not None
        return context


class KindMixin(OrganizationViewMixin):
    """Base of the generic views: `kind` (given to `as_view`) says what they show; rows come from its selector."""

    kind: Kind | None = None

    def get_queryset(self) -> QuerySet[Any]:
        assert self.kind is not None
        return self.kind.queryset(self.organization)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kind"] = self.kind
        context["kinds"] = KINDS
        return context


class ObjectListView(ImportLinksMixin, KindMixin, ListView):
    template_name = "inventory/object_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Any]:
        assert self.kind is not None
        self.filterset = self.kind.filterset_class(
            self.request.GET or None,
            queryset=super().get_queryset(),
            organization=self.organization,
            request=self.request,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.kind is not None
        context["filter_form"] = self.filterset.form
        context["filtered"] = any(value for key, value in self.request.GET.items() if key != "page")
        if not context["object_list"] and not context["filtered"]:  # only an empty list asks (no query otherwise)
            context["first_steps"] = missing_first_steps(
                self.kind, self.organization, can_write=context.get("can_write", False)
            )
        context["rows"] = [
            {"object": obj, "edit_url": self.kind.url("update", obj.pk), "cells": self._cells(obj)}
            for obj in context["object_list"]
        ]
        return context

    def _cells(self, obj: Any) -> list[dict[str, Any]]:
        assert self.kind is not None
        cells = []
        for column in self.kind.columns:
            value = column.value(obj)
            url = self.kind.url("detail", obj.pk) if column.link else detail_url(value)
            cells.append({"text": display(value), "url": url, "numeric": column.numeric})
        return cells


class ObjectDetailView(KindMixin, DetailView):
    def get_template_names(self) -> list[str]:
        assert self.kind is not None
        return [f"inventory/{self.kind.name}_detail.html", "inventory/object_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.kind is not None
        obj = self.object
        labels = {name: field.label for name, field in self.kind.form_class.base_fields.items()}
        # A record shows the fields that concern it (a serving workload, no training tokens): the model says which.
        applies = getattr(obj, "field_applies", lambda name: True)
        names = [name for name in self.kind.detail_fields if applies(name)]
        context["fields"] = [self._field(obj, name, labels.get(name)) for name in names]
        context["edit_url"] = self.kind.url("update", obj.pk)
        context["delete_url"] = self.kind.url("delete", obj.pk)
        context["history_url"] = self.kind.url("history", obj.pk) if hasattr(type(obj), "history") else None
        if self.kind.detail_context is not None:
            context.update(self.kind.detail_context(obj, self.organization))
        return context

    @staticmethod
    def _field(obj: Any, name: str, label: str | None) -> dict[str, Any]:
        model_field = obj._meta.get_field(name)
        value = getattr(obj, f"get_{name}_display")() if model_field.choices else getattr(obj, name)
        text = money_shown(name, value, obj) or display(value)
        return {
            "label": label or capfirst(model_field.verbose_name),
            "help": model_field.help_text,
            "text": text,
            "url": detail_url(value),
        }


class ObjectHistoryView(KindMixin, DetailView):
    """Every change of one record: who, when, each field before and after (``?export=csv``: as CSV)."""

    template_name = "inventory/object_history.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        self.entries = history_entries(type(self.object), pk=self.object.pk, shown=_history_money)
        if request.GET.get("export") == "csv":
            response = HttpResponse(history_csv(self.entries, subject=str(self.object)), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="{self.kind.name}-{self.object.pk}-history.csv"'
            return response
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(entries=self.entries, detail_url=self.kind.url("detail", self.object.pk))
        return context


class WriteMixin(KindMixin):
    """Forms and deletion: assessors and owners only, for reading the form page too."""

    read_role = Role.ASSESSOR
    write_role = Role.ASSESSOR

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = getattr(self, "object", None)
        if obj is not None and obj.pk is not None:
            assert self.kind is not None
            context["object_url"] = self.kind.url("detail", obj.pk)
        return context


class ObjectEditView(WriteMixin, UpdateView):
    """Creates a row (no `pk` in the URL) or edits one."""

    template_name = "inventory/object_form.html"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        return super().get_object(queryset) if "pk" in self.kwargs else None

    def get_form_class(self) -> type[BaseForm]:
        assert self.kind is not None
        return self.kind.form_class

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "organization": self.organization}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.kind is not None
        if self.object is None:
            context["first_steps"] = missing_first_steps(self.kind, self.organization, can_write=True)
        return context

    def form_valid(self, form: forms.OrganizationModelForm) -> HttpResponse:
        assert self.kind is not None
        created = self.object is None
        self.object = form.save()
        messages.success(
            self.request, f"{capfirst(self.kind.singular)} “{self.object}” {'created' if created else 'saved'}."
        )
        return HttpResponseRedirect(self.kind.url("detail", self.object.pk))


class ObjectDeleteView(WriteMixin, DeleteView):
    template_name = "inventory/object_confirm_delete.html"

    def form_valid(self, form: Any) -> HttpResponse:
        assert self.kind is not None
        obj = self.object
        try:
            obj.delete()
        except ProtectedError as error:
            messages.error(self.request, f"“{obj}” cannot be deleted: {_protected_summary(error)}.")
            return HttpResponseRedirect(self.kind.url("detail", obj.pk))
        messages.success(self.request, f"{capfirst(self.kind.singular)} “{obj}” deleted.")
        return HttpResponseRedirect(self.kind.url("list"))


def _protected_summary(error: ProtectedError) -> str:
    counts = Counter(type(obj)._meta for obj in error.protected_objects)
    parts = [f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}" for meta, n in counts.items()]
    return f"{', '.join(parts)} still refer to it; delete or move them first"


class OverviewView(ImportLinksMixin, OrganizationViewMixin, TemplateView):
    """Totals of the organization's fleet and demand, with links to every list."""

    template_name = "inventory/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = self.organization
        overview = selectors.inventory_overview(organization=organization)
        counts = {
            "site": len(overview.power_by_site),
            "server": sum(overview.servers_by_status.values()),
            "storage": selectors.storage_systems_for(organization=organization).count(),
            "network": selectors.network_fabrics_for(organization=organization).count(),
            "cloud": selectors.cloud_capacity_for(organization=organization).count(),
            "workload": overview.workloads,
        }
        context["overview"] = overview
        context["sections"] = [{"kind": kind, "count": counts[kind.name], "url": kind.url("list")} for kind in KINDS]
        context["power_rows"] = [
            {
                "site": row,
                "pct": round(100 * row.power_kw / row.power_capacity_kw) if row.power_capacity_kw else None,
            }
            for row in overview.power_by_site
        ]
        context["status_rows"] = [
            {"label": label, "value": value, "count": overview.servers_by_status.get(value, 0)}
            for value, label in Server._meta.get_field("status").choices
        ]
        context["empty"] = not any(counts.values())
        context["site_create_url"] = SITES.url("create")
        return context
