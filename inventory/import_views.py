"""Import and export pages: upload a file, see a preview (or every problem), confirm, follow the progress.

/inventory/import/                     inventory:import          upload (assessors and owners)
/inventory/import/<uuid>/              inventory:import_job      preview, problems, progress, result
/inventory/import/<uuid>/confirm/      inventory:import_confirm  POST: import a validated file
/inventory/import/<uuid>/retry/        inventory:import_retry    POST: try a failed import again
/inventory/import/<uuid>/status/       inventory:import_status   the JobStatus the progress bar polls
/inventory/export/                     inventory:export          download links
/inventory/export/download/            inventory:export_download ?kind=&format=
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError
from config.jobs import JobStatus

from . import selectors, services
from .importing import FORMATS, INVENTORY, KINDS, SPECS, megabytes
from .models import ImportJob, ImportStatus

KIND_LABELS = {
    "sites": "Sites",
    "servers": "Servers",
    "storage": "Storage systems",
    "networks": "Network fabrics",
    "cloud": "Cloud capacity",
    "workloads": "Workloads",
}
WAITING = (ImportStatus.VALIDATING, ImportStatus.RUNNING)


class ImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,
        help_text="CSV (one kind per file, header row first; UTF-8, or Windows-1252 as Excel saves it), Excel (.xlsx: "
        "a sheet per kind), JSON or YAML.",
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "From the file name (e.g. servers.csv)"),
            *KIND_LABELS.items(),
            (INVENTORY, "Several kinds (JSON/YAML mapping)"),
        ],
        help_text="What the rows are.",
    )
    file_format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "From the extension"), ("csv", "CSV"), ("json", "JSON"), ("yaml", "YAML"), ("xlsx", "Excel")],
    )


# Where an upload's problem belongs on the form: the request's kind and format on their fields, the rest on the file.
FORM_FIELDS = {"kind": "kind", "format": "file_format"}


def add_upload_errors(form: forms.Form, error: DomainError) -> None:
    """Show a refused upload on the form, reading each item's place (never its message)."""
    for item in error:
        name = FORM_FIELDS.get(item.field or "")
        if name in form.fields and item.row is None:
            form.add_error(name, item.message)
        else:
            form.add_error("file", str(item))


def _column_docs() -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "label": KIND_LABELS[kind],
            "key": " + ".join(SPECS[kind].key),
            "columns": [{"name": c.name, "required": c.required} for c in SPECS[kind].columns],
        }
        for kind in KINDS
    ]


class ImportView(OrganizationViewMixin, FormView):
    """Upload: the file is checked at once (size, encoding, kind), validated, then shown for confirmation."""

    read_role = Role.ASSESSOR
    template_name = "inventory/import_form.html"
    form_class = ImportForm

    def get_initial(self) -> dict[str, Any]:
        kind = self.request.GET.get("kind", "")
        return {"kind": kind if kind in KINDS else ""}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["jobs"] = selectors.import_jobs_for(organization=self.organization)[:10]
        context["column_docs"] = _column_docs()
        context["max_size"] = megabytes(services.import_setting("INVENTORY_IMPORT_MAX_BYTES"))
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        try:
            job = services.import_job_create(
                organization=self.organization,
                user=self.request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"] or None,
                file_format=form.cleaned_data["file_format"] or None,
            )
            services.import_job_start(job=job, confirm=False)
        except DomainError as exc:  # a file that cannot be imported; the broker down (nothing kept)
            add_upload_errors(form, exc)
            return self.form_invalid(form)
        return redirect("inventory:import_job", pk=job.pk)


def preview_cell(kind: str, column: str, value: Any) -> str:
    """A preview cell as people read it, exactly (it is what will be stored): a choice by its label ("Rear-door
    heat exchanger", not ``rear_door``), whole numbers without ".0" and grouped ("20,000,000,000" tokens, "30" %),
    other numbers as written ("1.345"), yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    spec = SPECS.get(kind)
    if spec is not None and column in spec.by_name and spec.by_name[column].relation is None:
        try:
            field = spec.model_field(column)
        except FieldDoesNotExist:
            field = None
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, float) and math.isfinite(value):
        return f"{int(value):,}" if value.is_integer() else f"{value:,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def preview_tables(job: ImportJob) -> list[dict[str, Any]]:
    """The preview rows grouped by kind, each group with its columns in the kind's order, its cells as
    `preview_cell` writes them."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in job.preview or []:
        groups.setdefault(row.get("kind") or job.kind, []).append(row)
    tables = []
    for kind, rows in groups.items():
        present = {name for row in rows for name in row.get("values", {})}
        columns = [c for c in SPECS[kind].column_names if c in present] if kind in SPECS else sorted(present)
        tables.append(
            {
                "kind": kind,
                "label": KIND_LABELS.get(kind, kind),
                "columns": columns,
                "rows": [
                    {
                        "row": row.get("row"),
                        "action": row.get("action"),
                        "cells": [preview_cell(kind, c, row.get("values", {}).get(c)) for c in columns],
                    }
                    for row in rows
                ],
            }
        )
    return tables


def job_status(job: ImportJob) -> JobStatus:
    """The job's `JobStatus` with the pages' URLs: this import's page when done, its retry."""
    return selectors.import_job_status(job=job).with_urls(
        next_url=reverse("inventory:import_job", args=[job.pk]),
        retry_url=reverse("inventory:import_retry", args=[job.pk]),
    )


class ImportJobView(OrganizationViewMixin, DetailView):
    template_name = "inventory/import_job.html"
    model = ImportJob
    context_object_name = "job"

    def get_queryset(self) -> Any:
        return selectors.import_jobs_for(organization=self.organization)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job: ImportJob = self.object
        errors, error_count = services.job_errors(job)
        context.update(
            errors=errors,
            error_count=error_count,
            notices=services.import_job_notices(job),
            preview_tables=preview_tables(job),
            job_status=job_status(job),
            waiting=job.status in WAITING,
            kind_label=KIND_LABELS.get(job.kind, "Several kinds"),
            list_url=_list_url(job.kind),
        )
        return context


LIST_URL_NAMES = {
    "sites": "inventory:site_list",
    "servers": "inventory:server_list",
    "storage": "inventory:storage_list",
    "networks": "inventory:network_list",
    "cloud": "inventory:cloud_list",
    "workloads": "inventory:workload_list",
}


def _list_url(kind: str) -> str:
    try:
        return reverse(LIST_URL_NAMES.get(kind, "inventory:overview"))
    except NoReverseMatch:  # the inventory pages are built separately
        return reverse("home")


class ImportConfirmView(OrganizationViewMixin, View):
    """POST: import a validated file (assessors and owners). A second click does nothing."""

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = get_object_or_404(selectors.import_jobs_for(organization=self.organization), pk=pk)
        if job.status != ImportStatus.READY:
            messages.info(request, f"This import is {job.get_status_display().lower()}.")
            return redirect("inventory:import_job", pk=job.pk)
        try:
            services.import_job_confirm(job=job)
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
            return redirect("inventory:import_job", pk=job.pk)
        job.refresh_from_db()
        if job.status == ImportStatus.DONE:
            messages.success(request, f"Imported: {job.created_count} new, {job.updated_count} updated.")
        return redirect("inventory:import_job", pk=job.pk)


class ImportRetryView(OrganizationViewMixin, View):
    """POST: validate a failed import's file again (assessors and owners)."""

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = get_object_or_404(selectors.import_jobs_for(organization=self.organization), pk=pk)
        try:
            services.import_job_retry(job=job)
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
        else:
            messages.info(request, "The file is being checked again.")
        return redirect("inventory:import_job", pk=job.pk)


class ImportStatusView(OrganizationViewMixin, View):
    """The import's `JobStatus`, which the progress bar polls (static/js/jobs.js)."""

    def get(self, request: HttpRequest, pk: Any) -> JsonResponse:
        job = get_object_or_404(selectors.import_jobs_for(organization=self.organization), pk=pk)
        return JsonResponse(job_status(job).as_dict())


class ExportView(OrganizationViewMixin, TemplateView):
    template_name = "inventory/export.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        chosen = self.request.GET.get("kind", "")
        context["kinds"] = [{"kind": k, "label": KIND_LABELS[k], "chosen": k == chosen} for k in KINDS]
        context["formats"] = FORMATS
        return context


class ExportDownloadView(OrganizationViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            export = services.inventory_export(
                organization=self.organization,
                kind=request.GET.get("kind") or None,
                file_format=request.GET.get("format") or "csv",
            )
        except DomainError as exc:
            for item in exc:
                messages.error(request, item.message)
            return redirect("inventory:export")
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
