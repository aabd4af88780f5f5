"""Sign-up, organizations, members, invitations and API tokens in the browser.

Log in, log out and password change are Django's own auth views with our templates (see `urls.py`).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView, UpdateView

from config.errors import DomainError, Invalid, add_to_form

from . import selectors, services
from .forms import ApiTokenForm, InviteForm, OrganizationForm, RoleForm, SignUpForm
from .models import Invitation, Membership, Organization, Role
from .scoping import OrganizationViewMixin, scoped_object_or_404, set_active_organization

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def confirmed(request: HttpRequest) -> bool:
    """Whether a POST that cannot be undone carries its confirmation (the confirmation page's form adds it)."""
    return request.POST.get("confirm") == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    question: str,
    detail: str,
    action_label: str,
    fields: list[tuple[str, Any]],
    cancel_url: str,
) -> HttpResponse:
    """Ask before an action that cannot be undone: the same POST again, with ``confirm=yes`` (no JavaScript)."""
    context = {
        "title": question.rstrip("?"),
        "question": question,
        "detail": detail,
        "action_label": action_label,
        "action_url": request.path,
        "fields": fields,
        "cancel_url": cancel_url,
    }
    return render(request, "confirm.html", context)


def sign_up(request: HttpRequest) -> HttpResponse:
    if not settings.INFRAREADY_OPEN_SIGNUP:
        return render(request, "accounts/signup_closed.html", status=403)
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            organization_name=form.cleaned_data["organization_name"],
        )
        login(request, user, backend=AUTH_BACKEND)
        messages.success(request, "Welcome to InfraReady. Your organization is ready.")
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


class OrganizationCreateView(LoginRequiredMixin, FormView):
    """Any signed-in user may create another organization; they become its owner."""

    template_name = "accounts/organization_form.html"
    form_class = OrganizationForm

    def form_valid(self, form: OrganizationForm) -> HttpResponse:
        organization = services.organization_create(creator=self.request.user, **form.cleaned_data)
        set_active_organization(self.request, organization)
        messages.success(self.request, f"{organization} created; you are its owner.")
        return redirect("home")


class OrganizationSettingsView(OrganizationViewMixin, UpdateView):
    read_role = Role.OWNER
    write_role = Role.OWNER
    template_name = "accounts/organization_form.html"
    form_class = OrganizationForm

    def get_object(self, queryset: Any = None) -> Organization:
        # A copy: a ModelForm writes what it cleaned onto its instance, and the service compares the new values
        # with the organization as stored (a new reporting currency raises the data version).
        return copy.copy(self.organization)

    def form_valid(self, form: Any) -> HttpResponse:
        services.organization_update(
            organization=self.organization, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(self.request, "Organization saved.")
        return redirect("accounts:members")


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    membership = (
        Membership.objects.filter(user=request.user, organization__slug=request.POST.get("organization", ""))
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise Http404("You are not a member of that organization.")
    set_active_organization(request, membership.organization)
    messages.info(request, f"Now working in {membership.organization}.")
    return redirect("home")


class MembersView(OrganizationViewMixin, TemplateView):
    """Everyone may see who is in the organization; owners invite, change roles and remove, and see emails.

    Members join only by invitation (the invited address accepts, see `accept_invitation`), never by being added.
    """

    template_name = "accounts/members.html"
    write_role = Role.OWNER

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.members_of_organization(organization=self.organization)
        if context["can_write"]:
            context["invitations"] = selectors.pending_invitations(organization=self.organization)
            context.setdefault("invite_form", InviteForm())
            context["roles"] = Role.choices
            context["invitation_days"] = settings.INFRAREADY_INVITATION_DAYS
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action")
        if action == "invite":
            return self._invite(request)
        if action == "revoke":
            return self._revoke(request)
        messages.error(request, "Unknown action.")
        return redirect("accounts:members")

    def _invite(self, request: HttpRequest) -> HttpResponse:
        form = InviteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(invite_form=form))
        try:
            invitation, raw = services.invitation_create(
                organization=self.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except DomainError as error:
            add_to_form(form, error)
            return self.render_to_response(self.get_context_data(invite_form=form))
        link = request.build_absolute_uri(reverse("accounts:invitation", args=[raw]))
        services.invitation_send(invitation=invitation, link=link)
        messages.success(
            request, f"Invitation sent to {invitation.email}. The link, for that address only and valid once: {link}"
        )
        return redirect("accounts:members")

    def _revoke(self, request: HttpRequest) -> HttpResponse:
        invitation = scoped_object_or_404(
            Invitation.objects.filter(organization=self.organization), request.POST.get("invitation")
        )
        if not confirmed(request):
            return confirmation_page(
                request,
                question=f"Withdraw the invitation of {invitation.email}?",
                detail="Its link will stop working; you may invite the address again later.",
                action_label="Withdraw invitation",
                fields=[("action", "revoke"), ("invitation", invitation.pk)],
                cancel_url=reverse("accounts:members"),
            )
        try:
            services.invitation_revoke(invitation=invitation)
        except DomainError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Invitation of {invitation.email} withdrawn.")
        return redirect("accounts:members")


class MemberUpdateView(OrganizationViewMixin, View):
    """Change a member's role (`action=role`) or remove them (`action=remove`); owners only."""

    read_role = Role.OWNER
    write_role = Role.OWNER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = get_object_or_404(Membership, pk=pk, organization=self.organization)
        if request.POST.get("action") == "remove" and not confirmed(request):
            return confirmation_page(
                request,
                question=f"Remove {membership.user} from {self.organization}?",
                detail="They lose access to this organization at once, and their API tokens for it stop working.",
                action_label="Remove member",
                fields=[("action", "remove")],
                cancel_url=reverse("accounts:members"),
            )
        try:
            if request.POST.get("action") == "remove":
                services.membership_remove(membership=membership)
                messages.success(request, f"{membership.user} removed.")
            else:
                form = RoleForm(request.POST)
                if not form.is_valid():
                    raise Invalid("Choose a valid role.", field="role")
                services.membership_set_role(membership=membership, role=form.cleaned_data["role"])
                messages.success(request, f"{membership.user} is now {membership.get_role_display().lower()}.")
        except DomainError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("accounts:members")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation, which is for one email address.

    A signed-in user whose email is the invited address joins with one click; any other signed-in user gets a
    page naming the address the invitation is for. A visitor logs in, or creates an account for the invited
    address (locked on the form; even with open sign-up off) and joins in the same step.
    """
    invitation = selectors.invitation_for_link(raw_token=token)
    if invitation is None:
        raise Http404("Unknown invitation.")
    usable = invitation.accepted_at is None and invitation.expires_at > timezone.now()
    context: dict[str, Any] = {"invitation": invitation, "usable": usable}
    if not usable:
        return render(request, "accounts/invitation.html", context, status=410)
    if request.user.is_authenticated:
        if not services.same_email(request.user.email, invitation.email):
            context["mismatch"] = True
            return render(request, "accounts/invitation.html", context, status=403)
        if request.method == "POST":
            return _join(request, invitation, request.user)
        return render(request, "accounts/invitation.html", context)
    context["has_account"] = selectors.email_has_account(email=invitation.email)
    if context["has_account"]:
        return render(request, "accounts/invitation.html", context)
    form = SignUpForm(request.POST or None, invited_email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, membership = services.invitation_sign_up(
                invitation=invitation, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            return _joined(request, membership)
    context["form"] = form
    return render(request, "accounts/invitation.html", context)


def _join(request: HttpRequest, invitation: Any, user: Any) -> HttpResponse:
    try:
        membership = services.invitation_accept(invitation=invitation, user=user)
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home")
    return _joined(request, membership)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    set_active_organization(request, membership.organization)
    messages.success(request, f"You joined {membership.organization} as {membership.get_role_display().lower()}.")
    return redirect("home")


class ApiTokensView(OrganizationViewMixin, TemplateView):
    """A member's own API tokens for the active organization: issue (the key is shown once) and revoke."""

    template_name = "accounts/api_tokens.html"
    write_role = Role.VIEWER  # a viewer may hold a token; it carries their viewer role

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tokens"] = selectors.api_tokens_of_user(user=self.request.user, organization=self.organization)
        context.setdefault("form", ApiTokenForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        if "revoke" in request.POST:
            token = scoped_object_or_404(
                selectors.api_tokens_of_user(user=request.user, organization=self.organization), request.POST["revoke"]
            )
            if not confirmed(request):
                return confirmation_page(
                    request,
                    question=f"Revoke the token “{token.name}”?",
                    detail=f"Programs using the key starting with {token.prefix}… will be refused at once. "
                    "This cannot be undone: you would issue a new token.",
                    action_label="Revoke token",
                    fields=[("revoke", token.pk)],
                    cancel_url=reverse("accounts:api_tokens"),
                )
            services.api_token_revoke(token=token)
            messages.success(request, f"Token {token} revoked.")
            return redirect("accounts:api_tokens")
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        _, raw = services.api_token_issue(user=request.user, organization=self.organization, **form.cleaned_data)
        return self.render_to_response(self.get_context_data(new_key=raw))
