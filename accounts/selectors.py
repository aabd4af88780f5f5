"""Reads of the accounts app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ApiToken, Invitation, Membership, Organization, Role
from .services import secret_digest


def memberships_of_user(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def members_of_organization(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")


def users_of_organization(*, organization: Organization) -> QuerySet[Any]:
    """The users who are members of the organization (owners of roadmap items, for instance)."""
    return get_user_model().objects.filter(memberships__organization=organization).order_by("username")


def api_token_for_key(*, raw_key: str) -> ApiToken | None:
    """The live token with this key whose user is active and still a member of its organization, or None."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "organization")
        .filter(digest=secret_digest(raw_key), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not Membership.objects.filter(user=token.user, organization=token.organization).exists():
        return None
    return token


def api_tokens_of_user(*, user: AbstractBaseUser, organization: Organization) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, organization=organization).order_by("-created")


def invitation_for_link(*, raw_token: str) -> Invitation | None:
    return Invitation.objects.select_related("organization").filter(token_digest=secret_digest(raw_token)).first()


def email_has_account(*, email: str) -> bool:
    """Whether an account uses this address (asked only for an invitation's own address, by its link holder)."""
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


def pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def is_owner(*, organization_id: int, user: AbstractBaseUser | None) -> bool:
    """Whether ``user`` is an owner of the organization (what only an owner may do: override sign-off, delete an
    assessment that is not one's own draft)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(organization_id=organization_id, user_id=user.pk, role=Role.OWNER).exists()
