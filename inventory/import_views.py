"""Import and export pages: upload a file, see a preview (or every problem), confirm, follow the progress.

/inventory/import/                     inventory:import          upload (assessors and owners)
/inventory/import/<uuid>/              inventory:import_job      preview, problems, progress, result
/inventory/import/<uuid>/confirm/      inventory:import_confirm  POST: import a validated file
/inventory/import/<uuid>/status/       inventory:import_status   small JSON the progress bar polls
/inventory/export/                     inventory:export          download links
/inventory/export/download/            inventory:export_download ?kind=&format=
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin

from . import selectors, services
from .importing import FORMATS, INVENTORY, KINDS, SPECS, ImportRejected, megabytes
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
        allow_empty_file=True, help_text="CSV (one kind per file, header row first), JSON or YAML; UTF-8."
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
        choices=[("", "From the extension"), ("csv", "CSV"), ("json", "JSON"), ("yaml", "YAML")],
    )


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
        except ImportRejected as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
            return self.form_invalid(form)
        services.import_job_start(job=job, confirm=False)
        return redirect("inventory:import_job", pk=job.pk)


def _preview_tables(job: ImportJob) -> list[dict[str, Any]]:
    """The preview rows grouped by kind, each group with its columns in the kind's order."""
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
                        "cells": [row.get("values", {}).get(c) for c in columns],
                    }
                    for row in rows
                ],
            }
        )
    return tables


def _status(job: ImportJob) -> dict[str, Any]:
    errors, error_count = services.job_errors(job)
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_display": job.get_status_display(),
        "waiting": job.status in WAITING,
        "processed_rows": job.processed_rows,
        "total_rows": job.total_rows,
        "progress_pct": min(job.progress_pct, 100),
        "created_count": job.created_count,
        "updated_count": job.updated_count,
        "error_count": error_count,
    }


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
            preview_tables=_preview_tables(job),
            status=_status(job),
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
        services.import_job_confirm(job=job)
        job.refresh_from_db()
        if job.status == ImportStatus.DONE:
            messages.success(request, f"Imported: {job.created_count} new, {job.updated_count} updated.")
        return redirect("inventory:import_job", pk=job.pk)


class ImportStatusView(OrganizationViewMixin, View):
    """The small JSON the progress bar polls."""

    def get(self, request: HttpRequest, pk: Any) -> JsonResponse:
        job = get_object_or_404(selectors.import_jobs_for(organization=self.organization), pk=pk)
        return JsonResponse(_status(job))


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
        except ImportRejected as exc:
            for problem in exc.problems:
                messages.error(request, problem.message)
            return redirect("inventory:export")
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
