"""Discovery in the app (Inventory -> Discover): paste or upload a GPU tool's output, see the preview (the format
found, each server created or updated, its GPUs, MIG devices and rated accelerator power, or every problem), then
confirm, all or nothing, as imports do. An unknown GPU is offered as a private accelerator type pre-filled from
the output.

/inventory/discover/                         inventory:discover              paste or upload (assessors, owners)
/inventory/discover/<uuid>/                  inventory:discover_run          the preview, problems or result
/inventory/discover/<uuid>/confirm/          inventory:discover_confirm      POST: record it
/inventory/discover/<uuid>/accelerator/      inventory:discover_accelerator  POST: add an unknown GPU to the catalog
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError, add_to_form

from .. import selectors, services
from ..discovery import COMMANDS_HINT, FORMATS
from ..importing import megabytes, tool_output_text
from ..models import DiscoveryRun, RunStatus

PLACEHOLDER = (
    "Paste what nvidia-smi -q -x, nvidia-smi, rocm-smi --showallinfo --json, kubectl get nodes -o json... print"
)


class DiscoverForm(forms.Form):
    site = forms.ChoiceField(help_text="New servers are placed at this site; servers that exist move to it.")
    hostname = forms.CharField(
        required=False,
        max_length=253,
        help_text="The server's hostname, for one host's output (clusters: kubectl, scontrol name their nodes).",
    )
    output = forms.CharField(
        label="Output",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "style": "font-family: monospace; font-size: .8rem",
                "wrap": "off",
                "placeholder": PLACEHOLDER,
            }
        ),
        help_text="Paste it here, or upload it below.",
    )
    file = forms.FileField(required=False, allow_empty_file=True, label="or a file")

    def __init__(self, *args: Any, sites: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "Choose a site"), *((name, name) for name in sites)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                services.discovery.check_size(upload.size or 0)
                data["text"] = tool_output_text(upload.read(), limit=services.discovery.max_bytes())
            except DomainError as exc:
                self.add_error("file", exc.errors[0].message)
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text: upload what the tool prints.")
        else:
            data["text"] = data.get("output") or ""
        return data


class DiscoverView(OrganizationViewMixin, FormView):
    read_role = Role.ASSESSOR
    template_name = "inventory/discover_form.html"

    def get_form(self, form_class: Any = None) -> DiscoverForm:
        sites = list(
            selectors.sites_for(organization=self.organization).order_by("name").values_list("name", flat=True)
        )
        return DiscoverForm(**self.get_form_kwargs(), sites=sites)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["formats"] = list(FORMATS.values())
        context["max_size"] = megabytes(services.discovery.max_bytes())
        context["runs"] = DiscoveryRun.objects.filter(organization=self.organization).select_related("created_by")[:10]
        return context

    def form_valid(self, form: DiscoverForm) -> HttpResponse:
        data = form.cleaned_data
        upload = data.get("file")
        try:
            run = services.discovery_run_create(
                organization=self.organization,
                user=self.request.user,
                text=data["text"],
                site=data["site"],
                hostname=data.get("hostname") or "",
                filename=(upload.name or "") if upload is not None else "",
            )
        except DomainError as exc:
            add_to_form(form, exc, aliases={"output": "output"})
            return self.form_invalid(form)
        return redirect("inventory:discover_run", pk=run.pk)


class DiscoveryRunView(OrganizationViewMixin, DetailView):
    template_name = "inventory/discover_run.html"
    context_object_name = "run"

    def get_queryset(self) -> Any:
        return DiscoveryRun.objects.filter(organization=self.organization).select_related("created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run: DiscoveryRun = self.object
        errors, error_count = services.run_errors(run)
        plan = run.plan or {}
        context.update(
            plan=plan,
            errors=errors,
            error_count=error_count,
            unknown=plan.get("unknown_gpus", []),
            commands_hint=COMMANDS_HINT,
            ready=run.status == RunStatus.READY,
            # The servers' actions ("new", "update") and changes are shown only for an output that is or was recorded.
            writes=run.status in (RunStatus.READY, RunStatus.DONE),
        )
        return context


class DiscoveryConfirmView(OrganizationViewMixin, View):
    """POST: record a valid run (assessors and owners). A second click does nothing."""

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        run = get_object_or_404(DiscoveryRun.objects.filter(organization=self.organization), pk=pk)
        if run.status != RunStatus.READY:
            messages.info(request, f"This output is {run.get_status_display().lower()}.")
            return redirect("inventory:discover_run", pk=run.pk)
        run = services.discovery_run_confirm(run=run)
        if run.status == RunStatus.DONE:
            plan = run.plan or {}
            messages.success(
                request, f"Recorded: {plan.get('created', 0)} new and {plan.get('updated', 0)} updated servers."
            )
        return redirect("inventory:discover_run", pk=run.pk)


class AcceleratorFromOutputForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.HiddenInput)
    vendor = forms.CharField(max_length=40)
    model = forms.CharField(max_length=80)
    memory_gb = forms.FloatField(label="Memory (GB)")
    tdp_w = forms.IntegerField(label="Power (W)", required=False)
    mem_bandwidth_gbps = forms.FloatField(
        label="Memory bandwidth (GB/s)", help_text="Not in the output: from the datasheet."
    )
    # No tool prints it: the person enters it (a year guessed here would land in the catalog unnoticed).
    release_year = forms.IntegerField(label="Year")
    bf16_tflops = forms.FloatField(label="Dense BF16 TFLOPS", required=False)


class DiscoveryAddAcceleratorView(OrganizationViewMixin, View):
    """POST: add an unknown GPU of a run as a private accelerator type, then check the run's output again."""

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        run = get_object_or_404(DiscoveryRun.objects.filter(organization=self.organization), pk=pk)
        form = AcceleratorFromOutputForm(request.POST)
        if not form.is_valid():
            for field, problems in form.errors.items():
                messages.error(
                    request,
                    f"{form.fields[field].label or field}: {' '.join(problems)}"
                    if field in form.fields
                    else " ".join(problems),
                )
            return redirect("inventory:discover_run", pk=run.pk)
        data = form.cleaned_data
        try:
            entry = services.accelerator_type_from_discovery(
                organization=self.organization,
                format_label=FORMATS[run.format].label if run.format in FORMATS else "",
                **data,
            )
        except DomainError as exc:
            for item in exc:
                messages.error(request, str(item))
            return redirect("inventory:discover_run", pk=run.pk)
        messages.success(request, f"Added {entry} to your organization's catalog, knowing it as {data['name']!r}.")
        services.discovery_run_recheck(run=run)
        return redirect("inventory:discover_run", pk=run.pk)
