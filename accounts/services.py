"""Writes of the accounts app: organizations, memberships, invitations, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from config.errors import Conflict, Invalid, checked
from config.validators import country_code, currency_code

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


@transaction.atomic
def organization_update(*, organization: Organization, **values: str) -> Organization:
    """Change an organization's settings (name, industry, country, reporting currency). A new reporting
    currency changes every converted total, so the organization's data version is raised (its caches rebuilt)."""
    allowed = {"name", "industry", "country", "reporting_currency"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not an organization setting: {', '.join(sorted(unknown))}")
    if "reporting_currency" in values:
        values["reporting_currency"] = checked(
            currency_code, values["reporting_currency"], code="invalid_currency", field="reporting_currency"
        )
    if "country" in values:
        values["country"] = checked(country_code, values["country"], code="invalid_country", field="country")
    currency_changed = (
        "reporting_currency" in values and values["reporting_currency"] != organization.reporting_currency
    )
    for name, value in values.items():
        setattr(organization, name, value.strip() if isinstance(value, str) else value)
    # The model's field rules (a name's characters, lengths), as the settings form checks them: the API's input
    # is parsed only, so without this a name with an invisible character was stored through the API.
    others = [field.name for field in Organization._meta.concrete_fields if field.name not in values]
    organization.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    organization.save(update_fields=list(values))
    if currency_changed:
        organization_data_changed(organization_id=organization.pk)
        organization.refresh_from_db(fields=["data_version"])
    return organization


def organization_create(
    *, name: str, creator: AbstractBaseUser, industry: str = "", country: str = "", reporting_currency: str = "EUR"
) -> Organization:
    """Create an organization with `creator` as its owner."""
    organization = Organization.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        industry=industry.strip(),
        country=checked(country_code, country, code="invalid_country", field="country"),
        reporting_currency=checked(
            currency_code, reporting_currency or "EUR", code="invalid_currency", field="reporting_currency"
        ),
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
        raise Conflict("An organization needs at least one owner: make someone else owner first.", code="last_owner")


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


def same_email(a: str | None, b: str | None) -> bool:
    """Email addresses compared as people write them: surrounding spaces and case do not count."""
    return bool(a) and bool(b) and a.strip().lower() == b.strip().lower()


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: AbstractBaseUser
) -> tuple[Invitation, str]:
    """Invite an email address; returns the invitation with the raw secret of its link (the only time it exists).

    Members join only by invitation, never by being added. An address that is already a member's is refused; an
    earlier pending invitation of the same address to the same organization is replaced (its link stops working).
    """
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {organization}.", code="already_member", field="email")
    Invitation.objects.filter(organization=organization, email=email, accepted_at__isnull=True).delete()
    raw = INVITATION_PREFIX + secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_digest=secret_digest(raw),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INFRAREADY_INVITATION_DAYS),
    )
    return invitation, raw


def invitation_send(*, invitation: Invitation, link: str) -> None:
    """Email the invitation's link to the invited address (the only place it goes besides its issuer)."""
    send_mail(
        subject=f"Join {invitation.organization} on InfraReady",
        message=f"{invitation.invited_by or 'An owner'} invites you to {invitation.organization} as "
        f"{invitation.get_role_display()}.\n\nAccept: {link}\n\nThe invitation is for {invitation.email}: log in "
        f"with the account of that address, or create one from the link. The link works once and expires on "
        f"{invitation.expires_at:%Y-%m-%d}.",
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working. An accepted one is history and stays."""
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has been accepted already; remove the member instead.", code="invitation_used")
    invitation.delete()


def _check_usable(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.", code="invitation_used")
    if invitation.expires_at <= timezone.now():
        raise Invalid("This invitation has expired; ask for a new one.", code="invitation_expired")


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """Make `user` a member with the invitation's role.

    An invitation is bound to its email address: only an account with that address (case-insensitive) may accept
    it. It is used once and expires.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_usable(invitation)
    if not same_email(getattr(user, "email", ""), invitation.email):
        raise Invalid(
            f"This invitation is for {invitation.email}; log in with the account of that address, or create one "
            f"from the link.",
            code="invitation_email_mismatch",
        )
    membership, _ = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_sign_up(*, invitation: Invitation, username: str, password: str) -> tuple[AbstractBaseUser, Membership]:
    """Create an account from an invitation's link and accept the invitation, together or not at all.

    The account's email is the invited address, whatever the form said: the link was sent to that address, so
    the account's email is verified by construction.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_usable(invitation)
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict(
            f"An account with {invitation.email} exists already; log in with it to join.",
            code="account_exists",
            field="email",
        )
    user = User.objects.create_user(username=username, email=invitation.email, password=password)
    return user, invitation_accept(invitation=invitation, user=user)


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
        raise Invalid(f"{user} is not a member of {organization}.", code="not_a_member")
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
