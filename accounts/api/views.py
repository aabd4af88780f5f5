from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Invitation, Membership, Role
from .base import OrganizationScopedAPIMixin
from .serializers import (
    ActiveOrganizationSerializer,
    InvitationCreatedSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipSerializer,
    OrganizationUpdateSerializer,
)


class ActiveOrganizationView(OrganizationScopedAPIMixin, APIView):
    """The organization this request acts for (the token's, or the session's active one) and your role; owners
    change its settings (name, industry, country, reporting currency) with PATCH."""

    write_role = Role.OWNER

    @extend_schema(responses=ActiveOrganizationSerializer)
    def get(self, request: Request) -> Response:
        membership = self.membership
        return Response(
            ActiveOrganizationSerializer({"organization": membership.organization, "role": membership.role}).data
        )

    @extend_schema(request=OrganizationUpdateSerializer, responses=ActiveOrganizationSerializer)
    def patch(self, request: Request) -> Response:
        payload = OrganizationUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = services.organization_update(organization=self.organization, **payload.validated_data)
        return Response(ActiveOrganizationSerializer({"organization": organization, "role": self.membership.role}).data)


class MembershipViewSet(
    OrganizationScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the active organization. Everyone reads (emails are shown to owners only); owners change roles
    and remove. Nobody is added here: people join by invitation (`/api/v1/accounts/invitations/`)."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()
    write_role = Role.OWNER
    ordering_fields = ("created", "role")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.members_of_organization(organization=self.organization)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["show_emails"] = self.membership.has_role(Role.OWNER)
        return context

    def perform_update(self, serializer: MembershipSerializer) -> None:
        role = serializer.validated_data.get("role")  # a PATCH without a role changes nothing
        if role is not None:
            services.membership_set_role(membership=serializer.instance, role=role)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance)


class InvitationViewSet(
    OrganizationScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Pending invitations of the active organization; owners only. Creating one returns its link once (and emails
    it unless `send_email` is false); only an account with the invited email can accept it. Deleting withdraws it."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()
    read_role = Role.OWNER
    write_role = Role.OWNER
    ordering_fields = ("created", "expires_at", "email")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return selectors.pending_invitations(organization=self.organization).order_by("-created")

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationCreatedSerializer})
    def create(self, request: Request) -> Response:
        payload = InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation, raw = services.invitation_create(
            organization=self.organization,
            email=payload.validated_data["email"],
            role=payload.validated_data["role"],
            invited_by=request.user,
        )
        link = request.build_absolute_uri(reverse("accounts:invitation", args=[raw]))
        if payload.validated_data["send_email"]:
            services.invitation_send(invitation=invitation, link=link)
        invitation.link = link
        return Response(InvitationCreatedSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Invitation) -> None:
        services.invitation_revoke(invitation=instance)
