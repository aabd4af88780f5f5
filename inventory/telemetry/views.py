"""The telemetry page (Inventory -> Telemetry): upload a dcgm-exporter scrape, configure and pull the organization's
Prometheus, read the BMCs, see the latest daily summaries.

/inventory/telemetry/                     inventory:telemetry                 page; POST: upload a scrape
/inventory/telemetry/prometheus/          inventory:telemetry_prometheus      POST: save the Prometheus settings
/inventory/telemetry/prometheus/pull/     inventory:telemetry_prometheus_pull POST: update now
/inventory/telemetry/bmc/read/            inventory:telemetry_bmc_read        POST: read the BMCs now
/inventory/telemetry/status/              inventory:telemetry_status          the pull's JobStatus (progress bar)
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts.scoping import OrganizationViewMixin
from config.api_errors import error_body
from config.errors import DomainError, ErrorItem, Invalid, add_to_form
from config.jobs import JobStatus

from . import configuration, pulls, selectors, services
from .models import PrometheusConfig


class ScrapeForm(forms.Form):
    file = forms.FileField(
        required=False, help_text="What dcgm-exporter's /metrics answered: a text file, or gzip (.prom.gz)."
    )
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Or paste it here.", label="Scrape"
    )
    hostname = forms.CharField(
        required=False,
        help_text="The server it comes from, when the Hostname label is not its name (e.g. a Kubernetes pod name).",
    )
    observed_at = forms.DateTimeField(
        required=False, label="Scraped at", help_text="UTC, e.g. 2026-11-30 14:05 (default: now)."
    )


class PrometheusForm(forms.Form):
    url = forms.CharField(label="Prometheus URL", max_length=500, help_text="e.g. http://prometheus.example.net:9090")
    token = forms.CharField(
        label="Bearer token",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Optional; leave empty to keep the stored one (stored encrypted, never shown).",
    )
    window_days = forms.IntegerField(label="Window (days)", min_value=1, max_value=30, initial=7)
    step_seconds = forms.IntegerField(label="Step (seconds)", min_value=15, max_value=3600, initial=300)
    verify_tls = forms.BooleanField(label="Check the HTTPS certificate", required=False, initial=True)
    enabled = forms.BooleanField(label="Pull every hour", required=False, initial=True)


def pull_status(config: PrometheusConfig | None) -> JobStatus | None:
    """The pull's `JobStatus` with the page's URLs (None before the first pull): "update now" is its retry."""
    job = selectors.prometheus_pull_status(config=config)
    if job is None:
        return None
    return job.with_urls(
        next_url=reverse("inventory:telemetry"), retry_url=reverse("inventory:telemetry_prometheus_pull")
    )


class TelemetryView(OrganizationViewMixin, TemplateView):
    template_name = "inventory/telemetry.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        config = selectors.prometheus_config_for(organization=self.organization)
        context.setdefault("form", ScrapeForm())
        if "prometheus_form" not in context:
            initial = {"window_days": 7, "step_seconds": 300, "verify_tls": True, "enabled": True}
            if config is not None:
                initial = {
                    name: getattr(config, name)
                    for name in ("url", "window_days", "step_seconds", "verify_tls", "enabled")
                }
            context["prometheus_form"] = PrometheusForm(initial=initial)
        context["prometheus"] = config
        context["prometheus_job"] = pull_status(config)
        context["prometheus_busy"] = config is not None and pulls.is_busy(config)
        context["bmcs"] = list(selectors.bmc_endpoints_for(organization=self.organization))
        context["days"] = selectors.latest_days_for(organization=self.organization)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ScrapeForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            field_name = "file" if upload is not None else "text"
            try:
                if upload is not None:
                    text = services.scrape_text(upload.read(), field_name="file")
                elif form.cleaned_data["text"].strip():
                    text = services.scrape_text(form.cleaned_data["text"], field_name="text")
                else:
                    raise Invalid("Choose the scrape file, or paste it.", field="file")
                result = services.telemetry_ingest_scrape(
                    organization=self.organization,
                    text=text,
                    hostname=form.cleaned_data["hostname"],
                    observed_at=form.cleaned_data["observed_at"],
                    field_name=field_name,
                )
            except DomainError as exc:
                add_to_form(form, exc)
        return self.render_to_response(
            self.get_context_data(form=form if result is None else ScrapeForm(), result=result)
        )


class PrometheusSaveView(OrganizationViewMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = PrometheusForm(request.POST)
        if form.is_valid():
            values = form.cleaned_data
            try:
                configuration.prometheus_config_save(
                    organization=self.organization,
                    url=values["url"],
                    token=values["token"] or None,
                    enabled=values["enabled"],
                    verify_tls=values["verify_tls"],
                    window_days=values["window_days"],
                    step_seconds=values["step_seconds"],
                )
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, "Prometheus settings saved.")
                return redirect("inventory:telemetry")
        view = TelemetryView()
        view.setup(request)
        view.membership, view.organization = self.membership, self.organization
        return view.render_to_response(view.get_context_data(prometheus_form=form))


class PrometheusPullView(OrganizationViewMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        config = selectors.prometheus_config_for(organization=self.organization)
        if config is None:
            messages.error(request, "Configure Prometheus first.")
            return redirect("inventory:telemetry")
        try:
            config = pulls.prometheus_pull_start(config=config)
        except DomainError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if config.status == "ok":
                messages.success(request, "Prometheus pulled.")
            elif config.status == "failed":
                messages.error(request, f"The pull failed: {config.last_error}")
            else:
                messages.info(request, "The pull has started; its progress shows below.")
        return redirect("inventory:telemetry")


class BmcReadView(OrganizationViewMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            pulls.bmc_read_start(organization=self.organization)
        except DomainError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, "The BMCs are being read; each one's outcome shows below.")
        return redirect("inventory:telemetry")


class TelemetryStatusView(OrganizationViewMixin, View):
    """The pull's `JobStatus`, which the progress bar polls (static/js/jobs.js); 404 before the first pull."""

    def get(self, request: HttpRequest) -> JsonResponse:
        job = pull_status(selectors.prometheus_config_for(organization=self.organization))
        if job is None:
            item = ErrorItem("Prometheus has not been pulled yet.", "no_job")
            return JsonResponse(error_body([item]), status=404)
        return JsonResponse(job.as_dict())
