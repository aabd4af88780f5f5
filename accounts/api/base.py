"""Base classes of every organization-scoped API view."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets

from ..models import Membership, Organization
from ..scoping import active_membership, scope_to_organization


class OrganizationScopedAPIMixin:
    """For API views: `self.organization` and `self.membership`, from the token or the session."""

    request: Any

    @property
    def membership(self) -> Membership:
        membership = active_membership(self.request)
        assert membership is not None, "HasOrganizationRole admits no request without a membership"
        return membership

    @property
    def organization(self) -> Organization:
        return self.membership.organization


class OrganizationScopedViewSet(OrganizationScopedAPIMixin, viewsets.ModelViewSet):
    """Base viewset of every organization-owned model: reads and writes only the active organization's rows."""

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # OpenAPI schema generation: no request user
            return queryset.none()
        return scope_to_organization(queryset, self.organization)

    def perform_create(self, serializer: Any) -> Model:
        return serializer.save(organization=self.organization)
