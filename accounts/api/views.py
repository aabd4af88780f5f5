from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Membership, Role
from .base import OrganizationScopedAPIMixin
from .serializers import ActiveOrganizationSerializer, MembershipCreateSerializer, MembershipSerializer


class ActiveOrganizationView(OrganizationScopedAPIMixin, APIView):
    """The organization this request acts for (the token's, or the session's active one) and your role."""

    @extend_schema(responses=ActiveOrganizationSerializer)
    def get(self, request: Request) -> Response:
        membership = self.membership
        return Response(
            ActiveOrganizationSerializer({"organization": membership.organization, "role": membership.role}).data
        )


class MembershipViewSet(
    OrganizationScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the active organization. Everyone reads; owners add, change roles and remove."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()
    write_role = Role.OWNER
    ordering_fields = ("created", "role")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.members_of_organization(organization=self.organization)

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request: Request) -> Response:
        payload = MembershipCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = _service(
            services.membership_add,
            organization=self.organization,
            user=payload.validated_data["user"],
            role=payload.validated_data["role"],
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: MembershipSerializer) -> None:
        _service(services.membership_set_role, membership=serializer.instance, role=serializer.validated_data["role"])

    def perform_destroy(self, instance: Membership) -> None:
        _service(services.membership_remove, membership=instance)


def _service(function: Any, **kwargs: Any) -> Any:
    """Call a service and turn its domain errors into a 400 response."""
    try:
        return function(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError({"detail": error.messages}) from error
