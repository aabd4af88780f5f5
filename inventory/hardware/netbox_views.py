"""The NetBox page (Inventory -> NetBox): the organization's NetBox (URL, token, device role, country of new
sites), a dry run that lists what would change, the sync, its progress and what it changed.

/inventory/netbox/          inventory:netbox         the configuration, the last run's result (assessors, owners)
/inventory/netbox/sync/     inventory:netbox_sync    POST: save the configuration, start a dry run or a sync
/inventory/netbox/status/   inventory:netbox_status  the small JSON the progress bar polls
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError

from ..services import netbox


class NetboxForm(forms.Form):
    url = forms.CharField(label="NetBox URL", max_length=500, help_text="e.g. https://netbox.example.net")
    token = forms.CharField(
        label="API token",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="A read-only token; stored encrypted, never shown again. Leave empty to keep the stored one.",
    )
    device_role = forms.CharField(
        label="Device role",
        required=False,
        max_length=100,
        help_text="Only devices of this role (its slug, e.g. gpu-server). Empty: every device that holds GPUs.",
    )
    new_site_country = forms.CharField(
        label="Country of new sites",
        required=False,
        max_length=2,
        help_text="ISO code for NetBox sites InfraReady does not have yet (they are created); empty: they are refused.",
    )
    verify_tls = forms.BooleanField(label="Check NetBox's HTTPS certificate", required=False, initial=True)


class NetboxView(OrganizationViewMixin, TemplateView):
    read_role = Role.ASSESSOR
    template_name = "inventory/netbox.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        config = netbox.netbox_config_for(organization=self.organization)
        initial = (
            {
                "url": config.url,
                "device_role": config.device_role,
                "new_site_country": config.new_site_country,
                "verify_tls": config.verify_tls,
            }
            if config
            else {"verify_tls": True}
        )
        context.setdefault("form", NetboxForm(initial=initial))
        context.update(
            config=config, status=netbox.netbox_status(config), result=(config.last_result if config else {}) or {}
        )
        return context


class NetboxSyncView(OrganizationViewMixin, View):
    """POST: save the configuration, then start a dry run ("dry_run" button) or a sync."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NetboxForm(request.POST)
        if not form.is_valid():
            view = NetboxView()
            view.setup(request)
            view.membership, view.organization = self.membership, self.organization
            return view.render_to_response(view.get_context_data(form=form))
        data = form.cleaned_data
        dry_run = "sync" not in request.POST
        try:
            config = netbox.netbox_config_save(organization=self.organization, **data)
            config = netbox.netbox_sync_start(config=config, dry_run=dry_run)
        except DomainError as exc:
            for item in exc:
                if item.field in form.fields:
                    form.add_error(item.field, item.message)
                else:
                    messages.error(request, item.message)
            if form.errors:
                view = NetboxView()
                view.setup(request)
                view.membership, view.organization = self.membership, self.organization
                return view.render_to_response(view.get_context_data(form=form))
        else:
            what = "dry run" if dry_run else "sync"
            if config.status == "ok":
                messages.success(request, f"The {what} is done.")
            elif config.status == "failed":
                messages.error(request, f"The {what} failed: {config.last_error}")
            else:
                messages.info(request, f"The {what} has started; its progress shows below.")
        return redirect("inventory:netbox")


class NetboxStatusView(OrganizationViewMixin, View):
    read_role = Role.ASSESSOR

    def get(self, request: HttpRequest) -> JsonResponse:
        return JsonResponse(netbox.netbox_status(netbox.netbox_config_for(organization=self.organization)))
