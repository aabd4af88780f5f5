"""Base classes of every organization-scoped API view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from config.parameters import KnownParametersOnly

from ..models import Membership, Organization
from ..scoping import active_membership, scope_to_organization

MAX_BULK_ITEMS = 1000


class OrganizationScopedAPIMixin(KnownParametersOnly):
    """For API views: `self.organization` and `self.membership`, from the token or the session; a query parameter
    (or a body-less action's body field) the endpoint does not take is a 400 (`config.parameters`)."""

    request: Any

    @property
    def membership(self) -> Membership:
        membership = active_membership(self.request)
        assert membership is not None, "HasOrganizationRole admits no request without a membership"
        return membership

    @property
    def organization(self) -> Organization:
        return self.membership.organization


@extend_schema_field(OpenApiTypes.INT)
class OrganizationRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary-key field whose choices come from `selector(organization=...)` of the request's organization."""

    def __init__(self, selector: Any, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        # Without an organization (OpenAPI schema generation) the selectors return nothing private.
        return self.selector(organization=self.context.get("organization"))


class OrganizationScopedViewSet(OrganizationScopedAPIMixin, viewsets.ModelViewSet):
    """Base viewset of every organization-owned model: reads and writes only the active organization's rows.

    `selector(organization=...)` gives the scoped queryset with its related rows loaded (constant queries per
    page). Serializers get the organization in their context. POSTing a JSON list creates every item or none
    (at most `MAX_BULK_ITEMS`).
    """

    selector: Callable[..., QuerySet[Any]] | None = None

    def _schema_only(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def get_queryset(self) -> QuerySet[Any]:
        if self._schema_only():  # OpenAPI schema generation: no request user
            return self.queryset.none()
        if self.selector is not None:
            return type(self).selector(organization=self.organization)  # type: ignore[misc]
        return scope_to_organization(super().get_queryset(), self.organization)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not self._schema_only():
            context["organization"] = self.organization
        return context

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if isinstance(data, list):
            if len(data) > MAX_BULK_ITEMS:
                raise serializers.ValidationError(
                    {"non_field_errors": [f"at most {MAX_BULK_ITEMS} items per request; use the import endpoint."]}
                )
            kwargs["many"] = True
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        serializer.save(organization=self.organization)
