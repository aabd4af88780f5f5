from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ApiToken, Invitation, Membership, Role
from accounts.tests.factories import UserFactory

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
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_set_role(membership=membership, role=Role.VIEWER)
    with pytest.raises(ValidationError, match="at least one owner"):
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
    with pytest.raises(ValidationError, match="not a member"):
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


def test_an_invitation_is_accepted_once(organization, owner):
    invitation, raw = services.invitation_create(
        organization=organization, email="New@Example.com", role=Role.ASSESSOR, invited_by=owner
    )
    assert invitation.email == "new@example.com"
    assert selectors.invitation_for_link(raw_token=raw) == invitation
    assert raw not in invitation.token_digest
    newcomer = UserFactory()
    membership = services.invitation_accept(invitation=invitation, user=newcomer)
    assert membership.role == Role.ASSESSOR
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_an_expired_invitation_is_refused_and_purged(organization, owner):
    invitation, _ = services.invitation_create(
        organization=organization, email="late@example.com", role=Role.VIEWER, invited_by=owner
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=UserFactory())
    assert services.invitations_purge_expired() == 1
    assert not Invitation.objects.exists()
