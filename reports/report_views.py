"""Pages of exported reports: the organization's PDF reports (list, request, progress, download) and the data
exports (an assessment's scores, answers and roadmap; the inventory) as CSV, JSON and XLSX.

Everything is scoped to the active organization (`OrganizationViewMixin`, `selectors.reports_for`): another
organization's report or assessment is a 404. Viewers read and download; assessors and owners request reports.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.scoping import OrganizationViewMixin
from assessments import selectors as assessment_selectors
from config.errors import DomainError, add_to_form
from inventory.importing import KINDS as INVENTORY_KINDS

from . import exports, selectors, services
from .models import PageSize, Report, ReportStatus

PAGE_SIZE = 50
POLL_SECONDS = 3
"""How often the detail page asks whether a pending report is ready (the no-JavaScript fallback: a refresh)."""


class ReportRequestForm(forms.Form):
    assessment = forms.ModelChoiceField(queryset=None, empty_label=None, label="Scored assessment")
    page_size = forms.ChoiceField(choices=PageSize.choices, initial=PageSize.A4, label="Paper size")

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = lambda a: f"{a.title} ({a.created:%Y-%m-%d})"


def _download_response(export: exports.Export) -> HttpResponse:
    if isinstance(export.content, bytes):
        response: HttpResponse = HttpResponse(export.content, content_type=export.content_type)
    else:
        response = StreamingHttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def report_file_response(report: Report) -> FileResponse:
    """The PDF of a ready report as a download (404 when its file is gone from the storage)."""
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("The file of this report is no longer available; generate it again.") from None
    return FileResponse(handle, as_attachment=True, filename=report.filename, content_type="application/pdf")


class ReportListView(OrganizationViewMixin, ListView):
    """The organization's PDF reports, newest first, and (for assessors) the form that requests one."""

    template_name = "reports/report_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "reports"

    def get_queryset(self) -> Any:
        return selectors.reports_for(organization=self.organization)

    def form(self, data: Any = None) -> ReportRequestForm:
        assessments = selectors.scored_assessments_for(organization=self.organization)
        initial = {}
        wanted = self.request.GET.get("assessment", "")
        if wanted.isdigit():
            initial["assessment"] = int(wanted)
        return ReportRequestForm(data, assessments=assessments, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["can_write"] and "form" not in context:
            context["form"] = self.form()
        context["exports_url"] = reverse("reports:report_exports")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                report = services.report_request(
                    organization=self.organization,
                    assessment=form.cleaned_data["assessment"],
                    user=request.user,
                    page_size=form.cleaned_data["page_size"],
                )
            except DomainError as error:
                add_to_form(form, error)
            else:
                messages.success(request, f"Report of “{report.assessment.title}” requested.")
                return redirect("reports:report_detail", pk=report.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReportDetailView(OrganizationViewMixin, DetailView):
    """One report: its progress while queued or rendering (polled), then its download link or its error."""

    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_queryset(self) -> Any:
        return selectors.reports_for(organization=self.organization)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report: Report = self.object
        context["status_url"] = reverse("api:reports:report-status", args=[report.pk])
        context["download_url"] = reverse("reports:report_download", args=[report.pk])
        context["list_url"] = reverse("reports:report_list")
        context["poll_seconds"] = POLL_SECONDS
        context["can_regenerate"] = context["can_write"] and report.assessment.status == "scored"
        context["job"] = selectors.report_job(report=report)
        context["retry_url"] = reverse("reports:report_retry", args=[report.pk])
        return context


class ReportRetryView(OrganizationViewMixin, View):
    """POST: render a failed report again (assessors and owners)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(selectors.reports_for(organization=self.organization), pk=pk)
        try:
            services.report_retry(report=report)
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
        else:
            messages.success(request, "The report is being rendered again.")
        return redirect("reports:report_detail", pk=report.pk)


class ReportDownloadView(OrganizationViewMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(
            selectors.reports_for(organization=self.organization), pk=pk, status=ReportStatus.READY
        )
        return report_file_response(report)


class ExportListView(OrganizationViewMixin, TemplateView):
    """Downloads of the organization's data: per scored assessment its scores, answers and roadmap; the inventory."""

    template_name = "reports/report_exports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["assessments"] = [
            {
                "assessment": assessment,
                "links": [
                    {
                        "dataset": dataset,
                        "label": exports.DATASET_LABELS[dataset],
                        "files": [
                            (fmt, reverse("reports:export_assessment", args=[assessment.pk, dataset, fmt]))
                            for fmt in exports.FORMATS
                        ],
                    }
                    for dataset in exports.DATASETS
                ],
            }
            for assessment in selectors.scored_assessments_for(organization=self.organization)
        ]
        inventory_url = reverse("inventory:export_download")
        context["inventory_kinds"] = [
            {
                "kind": kind,
                "csv": f"{inventory_url}?kind={kind}&format=csv",
                "json": f"{inventory_url}?kind={kind}&format=json",
                "xlsx": f"{reverse('reports:export_inventory')}?kind={kind}",
            }
            for kind in INVENTORY_KINDS
        ]
        context["inventory_all"] = {
            "json": f"{inventory_url}?format=json",
            "yaml": f"{inventory_url}?format=yaml",
            "xlsx": reverse("reports:export_inventory"),
        }
        return context


class AssessmentExportView(OrganizationViewMixin, View):
    """`<dataset>.<format>` of one of the organization's assessments."""

    def get(self, request: HttpRequest, pk: int, dataset: str, fmt: str) -> HttpResponse:
        assessment = get_object_or_404(assessment_selectors.assessments_for(organization=self.organization), pk=pk)
        try:
            export = exports.assessment_export(assessment=assessment, dataset=dataset, file_format=fmt)
        except exports.ExportRejected as error:
            raise Http404(str(error)) from None
        return _download_response(export)


class InventoryExportView(OrganizationViewMixin, View):
    """The inventory as an XLSX workbook (one sheet per kind, or `?kind=` one)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            export = exports.inventory_export(
                organization=self.organization, file_format="xlsx", kind=request.GET.get("kind") or None
            )
        except exports.ExportRejected as error:
            messages.error(request, str(error))
            return redirect("reports:report_exports")
        return _download_response(export)
