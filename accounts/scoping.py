"""The one way to scope data to the active organization and to check roles.

- `active_membership(request)`: the requesting user's membership in the organization they act for. An API token
  names its organization; a browser session remembers the one chosen in the navigation bar.
- `OrganizationViewMixin` for Django views, and for the API `accounts.permissions.HasOrganizationRole` (the
  default permission of every endpoint) with `accounts.api.base.OrganizationScopedViewSet`:
  querysets are filtered by the active organization (another organization's object is a 404, never a 403),
  reading needs a viewer, writing an assessor (`write_role`), member management an owner.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from .models import ApiToken, Membership, Organization, Role

SESSION_KEY = "active_organization_id"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_CACHE_ATTR = "_infraready_active_membership"


def active_membership(request: HttpRequest) -> Membership | None:
    """The membership the request acts under, or None (anonymous, or a user in no organization)."""
    cached = getattr(request, _CACHE_ATTR, False)
    if cached is not False:
        return cached
    membership = _resolve_membership(request)
    setattr(request, _CACHE_ATTR, membership)
    return membership


def _resolve_membership(request: HttpRequest) -> Membership | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=user).select_related("organization")
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        return memberships.filter(organization_id=token.organization_id).first()
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(organization_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("organization__name").first()


def set_active_organization(request: HttpRequest, organization: Organization) -> None:
    request.session[SESSION_KEY] = organization.pk
    if hasattr(request, _CACHE_ATTR):
        delattr(request, _CACHE_ATTR)


def required_role_for(method: str, *, read_role: Role, write_role: Role) -> Role:
    return read_role if method in SAFE_METHODS else write_role


class OrganizationViewMixin(LoginRequiredMixin):
    """For Django views: sets `self.membership` and `self.organization`, enforces roles, scopes querysets.

    A logged-in user with no organization is sent to create one. `read_role` guards GET, `write_role` the rest.
    """

    read_role: Role = Role.VIEWER
    write_role: Role = Role.ASSESSOR
    membership: Membership
    organization: Organization

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = active_membership(request)
        if membership is None:
            messages.info(request, "Create an organization to start.")
            return redirect("accounts:organization_create")
        needed = required_role_for(request.method or "GET", read_role=self.read_role, write_role=self.write_role)
        if not membership.has_role(needed):
            raise PermissionDenied(f"This needs the {Role(needed).label.lower()} role in {membership.organization}.")
        self.membership = membership
        self.organization = membership.organization
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        return scope_to_organization(super().get_queryset(), self.organization)  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["organization"] = self.organization
        context["membership"] = self.membership
        context["can_write"] = self.membership.has_role(self.write_role)
        return context


def scope_to_organization(queryset: QuerySet[Any], organization: Organization) -> QuerySet[Any]:
    """Filter any organization-owned queryset to one organization."""
    return queryset.filter(organization=organization)


def scoped_object_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    """The row of an organization-scoped queryset whose primary key a request names (a form's field, as
    ``request.POST.get("revoke")``): another organization's id, an unknown id and anything that is not an id at all
    (``"abc"``, missing) are all "not found" (a word was a ValueError, a 500)."""
    try:
        key = queryset.model._meta.pk.to_python(pk)
    except ValidationError:
        raise Http404("No such object.") from None
    return get_object_or_404(queryset, pk=key)
