"""Writes of the accounts app: organizations, memberships, invitations, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from .models import ApiToken, Invitation, Membership, Organization, Role

TOKEN_PREFIX = "irt_"  # noqa: S105 (a public prefix, not a secret)
INVITATION_PREFIX = "inv_"


def secret_digest(raw: str) -> str:
    """SHA-256 hex digest of a high-entropy secret (API key or invitation link)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organization"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_data_changed(*, organization_id: int | None) -> None:
    """Raise the organization's data version, so every cached dashboard of it is rebuilt on its next view.

    One UPDATE; the new version is read with the organization on the next request (no extra query there).
    """
    if organization_id is not None:
        Organization.objects.filter(pk=organization_id).update(data_version=F("data_version") + 1)


def organization_create(*, name: str, creator: AbstractBaseUser, industry: str = "", country: str = "") -> Organization:
    """Create an organization with `creator` as its owner."""
    organization = Organization.objects.create(
        name=name.strip(), slug=_unique_slug(name), industry=industry.strip(), country=country.strip().upper()
    )
    Membership.objects.create(user=creator, organization=organization, role=Role.OWNER)
    return organization


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, organization_name: str) -> AbstractBaseUser:
    """Create a user and their first organization, which they own."""
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    organization_create(name=organization_name, creator=user)
    return user


def _ensure_an_owner_remains(membership: Membership) -> None:
    others = Membership.objects.filter(organization=membership.organization, role=Role.OWNER).exclude(pk=membership.pk)
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError("An organization needs at least one owner: make someone else owner first.")


def membership_add(*, organization: Organization, user: AbstractBaseUser, role: str) -> Membership:
    """Add an existing user to an organization, or change their role if they are already a member."""
    membership, created = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership_set_role(membership=membership, role=role)
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.OWNER:
        _ensure_an_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    _ensure_an_owner_remains(membership)
    # A removed member's tokens for this organization stop working with the membership; delete them too.
    ApiToken.objects.filter(user=membership.user, organization=membership.organization).delete()
    membership.delete()


def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: AbstractBaseUser
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the raw secret for the link (the only time it exists in clear)."""
    raw = INVITATION_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email.strip().lower(),
        role=role,
        token_digest=secret_digest(raw),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INFRAREADY_INVITATION_DAYS),
    )
    return invitation, raw


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """Make `user` a member with the invitation's role; an invitation is used once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise ValidationError("This invitation has expired; ask for a new one.")
    membership, _ = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitations_purge_expired(*, now: datetime | None = None) -> int:
    """Delete unaccepted invitations past their expiry; returns how many."""
    now = now or timezone.now()
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lte=now).delete()
    return deleted


def api_token_issue(
    *, user: AbstractBaseUser, organization: Organization, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue an API token for a member; returns it with the raw key, which is never stored."""
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError(f"{user} is not a member of {organization}.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organization=organization,
        name=name.strip() or "API token",
        prefix=raw[:10],
        digest=secret_digest(raw),
        expires_at=expires_at,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record use at most once a minute, so that every API call does not write."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
