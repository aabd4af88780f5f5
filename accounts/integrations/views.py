"""The integration pages under Organization settings (owners only): webhooks and issue trackers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from config.errors import DomainError, add_to_form

from ..models import Role
from ..scoping import OrganizationViewMixin, scoped_object_or_404
from ..views import confirmation_page, confirmed
from . import selectors, trackers, webhooks
from .forms import IssueTrackerForm, WebhookEndpointForm

PAGE_DELIVERIES = 25


class WebhooksView(OrganizationViewMixin, TemplateView):
    """The organization's webhook endpoints; register one (its secret is shown once)."""

    template_name = "accounts/webhooks.html"
    read_role = Role.OWNER
    write_role = Role.OWNER

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["endpoints"] = selectors.webhook_endpoints_of(organization=self.organization).order_by("url", "pk")
        context.setdefault("form", WebhookEndpointForm(initial={"active": True}))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            endpoint, secret = webhooks.webhook_endpoint_create(
                organization=self.organization, user=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        given = bool(form.cleaned_data["secret"])
        return self.render_to_response(
            self.get_context_data(new_endpoint=endpoint, new_secret=None if given else secret)
        )


class WebhookDetailView(OrganizationViewMixin, TemplateView):
    """One endpoint: change it, delete it, its deliveries with every attempt, and re-send any of them."""

    template_name = "accounts/webhook_detail.html"
    read_role = Role.OWNER
    write_role = Role.OWNER

    def get_endpoint(self) -> Any:
        return get_object_or_404(selectors.webhook_endpoints_of(organization=self.organization), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        endpoint = kwargs.get("endpoint") or self.get_endpoint()
        context["endpoint"] = endpoint
        context["deliveries"] = list(selectors.webhook_deliveries_of(endpoint=endpoint)[:PAGE_DELIVERIES])
        context.setdefault(
            "form",
            WebhookEndpointForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                    "active": endpoint.active,
                }
            ),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        endpoint = self.get_endpoint()
        if "delete" in request.POST:
            if not confirmed(request):
                return confirmation_page(
                    request,
                    question=f"Delete the webhook endpoint {endpoint.url}?",
                    detail="Nothing more is sent to it, and its deliveries and their log are deleted with it.",
                    action_label="Delete endpoint",
                    fields=[("delete", "1")],
                    cancel_url=reverse("accounts:webhook_detail", args=[endpoint.pk]),
                )
            webhooks.webhook_endpoint_delete(endpoint=endpoint)
            messages.success(request, f"Endpoint {endpoint.url} deleted.")
            return redirect("accounts:webhooks")
        if "resend" in request.POST:
            delivery = scoped_object_or_404(selectors.webhook_deliveries_of(endpoint=endpoint), request.POST["resend"])
            try:
                webhooks.webhook_delivery_resend(delivery=delivery)
            except DomainError as error:
                messages.error(request, "; ".join(error.messages))
            else:
                messages.success(request, f"The {delivery.event} event is being sent again.")
            return redirect("accounts:webhook_detail", pk=endpoint.pk)
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(endpoint=endpoint, form=form))
        try:
            webhooks.webhook_endpoint_update(endpoint=endpoint, changes=form.cleaned_data)
        except DomainError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(endpoint=endpoint, form=form))
        messages.success(request, "Endpoint saved.")
        return redirect("accounts:webhook_detail", pk=endpoint.pk)


class IssueTrackersView(OrganizationViewMixin, TemplateView):
    """The organization's issue trackers (GitHub, Jira): add one, switch one off or on, delete one."""

    template_name = "accounts/issue_trackers.html"
    read_role = Role.OWNER
    write_role = Role.OWNER

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["trackers"] = selectors.issue_trackers_of(organization=self.organization)
        context.setdefault("form", IssueTrackerForm(initial={"base_url": "https://api.github.com"}))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        if "delete" in request.POST or "toggle" in request.POST:
            tracker = scoped_object_or_404(
                selectors.issue_trackers_of(organization=self.organization),
                request.POST.get("delete") or request.POST.get("toggle"),
            )
            if "delete" in request.POST:
                if not confirmed(request):
                    return confirmation_page(
                        request,
                        question=f"Delete the issue tracker {tracker.name}?",
                        detail="Items pushed to it keep their issue's link but are no longer read back.",
                        action_label="Delete tracker",
                        fields=[("delete", tracker.pk)],
                        cancel_url=reverse("accounts:issue_trackers"),
                    )
                tracker.delete()
                messages.success(request, f"Tracker {tracker.name} deleted; its issues stay linked from the items.")
            else:
                trackers.tracker_update(tracker=tracker, changes={"active": not tracker.active})
                messages.success(request, f"Tracker {tracker.name} switched {'on' if tracker.active else 'off'}.")
            return redirect("accounts:issue_trackers")
        form = IssueTrackerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            tracker = trackers.tracker_create(organization=self.organization, **form.cleaned_data)
        except DomainError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"Tracker {tracker.name} added. Roadmap items can now be pushed to it.")
        return redirect("accounts:issue_trackers")
