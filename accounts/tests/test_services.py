from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ApiToken, Invitation, Membership, Role
from accounts.tests.factories import UserFactory
from config.errors import Conflict, Invalid

pytestmark = pytest.mark.django_db


def test_creating_an_organization_makes_its_creator_the_owner():
    user = UserFactory()
    organization = services.organization_create(name="Acme AI", creator=user, country="de")
    assert Membership.objects.get(user=user, organization=organization).role == Role.OWNER
    assert organization.country == "DE"


def test_organizations_with_the_same_name_get_distinct_slugs():
    user = UserFactory()
    first = services.organization_create(name="Acme AI", creator=user)
    second = services.organization_create(name="Acme AI", creator=user)
    assert (first.slug, second.slug) == ("acme-ai", "acme-ai-2")


def test_sign_up_creates_user_and_owned_organization():
    user = services.user_sign_up(
        username="newbie", email="n@example.com", password="a-long-password-9", organization_name="Newco"
    )
    assert user.check_password("a-long-password-9")
    assert user.memberships.get().role == Role.OWNER


def test_the_last_owner_can_be_neither_demoted_nor_removed(organization, owner):
    membership = Membership.objects.get(user=owner)
    with pytest.raises(Conflict, match="at least one owner"):
        services.membership_set_role(membership=membership, role=Role.VIEWER)
    with pytest.raises(Conflict, match="at least one owner"):
        services.membership_remove(membership=membership)


def test_an_owner_can_step_down_once_another_owner_exists(organization, owner, assessor):
    services.membership_set_role(membership=Membership.objects.get(user=assessor), role=Role.OWNER)
    services.membership_set_role(membership=Membership.objects.get(user=owner), role=Role.VIEWER)
    assert Membership.objects.get(user=owner).role == Role.VIEWER


def test_removing_a_member_deletes_their_tokens_for_that_organization(organization, owner, assessor):
    _, raw = services.api_token_issue(user=assessor, organization=organization, name="ci")
    services.membership_remove(membership=Membership.objects.get(user=assessor))
    assert selectors.api_token_for_key(raw_key=raw) is None
    assert not ApiToken.objects.filter(user=assessor).exists()


def test_api_tokens_are_stored_only_as_a_hash(organization, owner):
    token, raw = services.api_token_issue(user=owner, organization=organization, name="ci")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in str(stored)
    assert token.digest == services.secret_digest(raw)
    assert raw.startswith(token.prefix)
    assert selectors.api_token_for_key(raw_key=raw) == token


def test_a_token_is_only_issued_to_a_member(organization, outsider):
    with pytest.raises(Invalid, match="not a member"):
        services.api_token_issue(user=outsider, organization=organization, name="x")


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["revoked", "expired"],
)
def test_revoked_or_expired_tokens_do_not_authenticate(organization, owner, change):
    token, raw = services.api_token_issue(user=owner, organization=organization, name="ci")
    ApiToken.objects.filter(pk=token.pk).update(**change)
    assert selectors.api_token_for_key(raw_key=raw) is None


def test_tokens_of_inactive_users_do_not_authenticate(organization, owner):
    _, raw = services.api_token_issue(user=owner, organization=organization, name="ci")
    owner.is_active = False
    owner.save()
    assert selectors.api_token_for_key(raw_key=raw) is None


def invite(organization, owner, email="new@example.com", role=Role.ASSESSOR):
    return services.invitation_create(organization=organization, email=email, role=role, invited_by=owner)


def test_an_invitation_is_accepted_once_by_the_invited_address(organization, owner):
    invitation, raw = invite(organization, owner, email=" New@Example.com ")
    assert invitation.email == "new@example.com"
    assert selectors.invitation_for_link(raw_token=raw) == invitation
    assert raw not in invitation.token_digest
    newcomer = UserFactory(email="NEW@example.COM")  # the address compares case-insensitively
    membership = services.invitation_accept(invitation=invitation, user=newcomer)
    assert membership.role == Role.ASSESSOR
    with pytest.raises(Conflict, match="already been used"):
        services.invitation_accept(invitation=invitation, user=newcomer)


def test_an_invitation_is_refused_to_an_account_of_another_address(organization, owner, outsider):
    invitation, _ = invite(organization, owner, email="guest@example.com")
    with pytest.raises(Invalid, match="This invitation is for guest@example.com") as caught:
        services.invitation_accept(invitation=invitation, user=outsider)
    assert caught.value.errors[0].code == "invitation_email_mismatch"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=outsider, organization=organization).exists()


def test_an_account_without_email_cannot_accept(organization, owner):
    invitation, _ = invite(organization, owner, email="guest@example.com")
    with pytest.raises(Invalid, match="This invitation is for"):
        services.invitation_accept(invitation=invitation, user=UserFactory(email=""))


def test_signing_up_from_an_invitation_uses_the_invited_address_and_joins(organization, owner):
    invitation, _ = invite(organization, owner, email="Guest@Example.com")
    user, membership = services.invitation_sign_up(invitation=invitation, username="guest", password="pw-12345678")
    assert user.email == "guest@example.com"
    assert (membership.organization, membership.role, membership.user) == (organization, Role.ASSESSOR, user)


def test_signing_up_from_an_invitation_refuses_an_address_with_an_account(organization, owner, viewer):
    invitation, _ = invite(organization, owner, email="other@example.com")
    UserFactory(username="other", email="Other@example.com")
    with pytest.raises(Conflict, match="exists already"):
        services.invitation_sign_up(invitation=invitation, username="second", password="pw-12345678")
    assert not Membership.objects.filter(organization=organization, user__username="second").exists()


def test_a_used_invitation_creates_no_account(organization, owner):
    invitation, _ = invite(organization, owner, email="guest@example.com")
    services.invitation_sign_up(invitation=invitation, username="guest", password="pw-12345678")
    with pytest.raises(Conflict, match="already been used"):
        services.invitation_sign_up(invitation=invitation, username="late", password="pw-12345678")
    assert not UserFactory._meta.model.objects.filter(username="late").exists()


def test_inviting_a_member_is_refused_and_a_new_invitation_replaces_the_pending_one(organization, owner, viewer):
    with pytest.raises(Conflict, match="already a member") as caught:
        invite(organization, owner, email=viewer.email.upper())
    assert caught.value.errors[0].field == "email"
    first, first_raw = invite(organization, owner, email="guest@example.com")
    second, _ = invite(organization, owner, email="guest@example.com", role=Role.VIEWER)
    assert selectors.invitation_for_link(raw_token=first_raw) is None
    assert list(selectors.pending_invitations(organization=organization)) == [second]


def test_a_pending_invitation_can_be_withdrawn_an_accepted_one_not(organization, owner):
    pending, raw = invite(organization, owner, email="guest@example.com")
    services.invitation_revoke(invitation=pending)
    assert selectors.invitation_for_link(raw_token=raw) is None
    accepted, _ = invite(organization, owner, email="second@example.com")
    services.invitation_accept(invitation=accepted, user=UserFactory(email="second@example.com"))
    accepted.refresh_from_db()
    with pytest.raises(Conflict, match="accepted already"):
        services.invitation_revoke(invitation=accepted)


def test_an_expired_invitation_is_refused_and_purged(organization, owner):
    invitation, _ = invite(organization, owner, email="late@example.com", role=Role.VIEWER)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    with pytest.raises(Invalid, match="expired"):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="late@example.com"))
    assert services.invitations_purge_expired() == 1
    assert not Invitation.objects.exists()
