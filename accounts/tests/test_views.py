import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, Membership, Organization, Role
from accounts.scoping import SESSION_KEY
from accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_page_renders_with_our_template(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Log in to InfraReady" in response.content


def test_log_in_and_see_the_organization_dashboard(client, organization, owner):
    response = client.post(
        reverse("accounts:login"), {"username": owner.username, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert organization.name.encode() in response.content


def test_log_in_is_locked_after_five_failures_even_with_the_right_password(client, owner):
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": owner.username, "password": "wrong-guess"})
        assert response.status_code in (200, 429)
    response = client.post(url, {"username": owner.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-pass-42")


def test_log_out_is_a_post(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_up_creates_an_owner_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "nadia",
            "email": "nadia@example.com",
            "password1": "a-very-long-password-7",
            "password2": "a-very-long-password-7",
            "organization_name": "Nadia Labs",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nadia")
    assert (membership.organization.name, membership.role) == ("Nadia Labs", Role.OWNER)
    assert client.get(reverse("home")).status_code == 200


def test_sign_up_refuses_an_email_already_in_use(client, owner):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "copy",
            "email": owner.email.upper(),
            "password1": "a-very-long-password-7",
            "password2": "a-very-long-password-7",
            "organization_name": "Copy",
        },
    )
    assert response.status_code == 200
    assert b"An account with this email exists already" in response.content


def test_sign_up_can_be_turned_off(client, settings):
    settings.INFRAREADY_OPEN_SIGNUP = False
    assert client.get(reverse("accounts:signup")).status_code == 403
    assert b"Create an account" not in client.get(reverse("accounts:login")).content


def test_a_user_without_organization_is_asked_to_create_one(client):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_create")
    response = client.post(reverse("accounts:organization_create"), {"name": "Solo", "industry": "", "country": "fr"})
    assert Organization.objects.get(name="Solo").country == "FR"
    assert client.get(reverse("home")).status_code == 200


def test_switching_the_active_organization(client, organization, other_organization, owner):
    MembershipFactory(user=owner, organization=other_organization, role=Role.VIEWER)
    client.force_login(owner)
    assert organization.name.encode() in client.get(reverse("home")).content
    response = client.post(reverse("accounts:switch_organization"), {"organization": other_organization.slug})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == other_organization.pk
    page = client.get(reverse("home")).content.decode()
    assert re.search(r"<h1[^>]*>Other Corp</h1>", page)


def test_switching_to_an_organization_you_are_not_in_is_a_404(client, owner, other_organization):
    client.force_login(owner)
    response = client.post(reverse("accounts:switch_organization"), {"organization": other_organization.slug})
    assert response.status_code == 404


def test_404_page_is_ours(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


class TestMembers:
    def test_members_join_only_by_invitation_no_one_is_added_by_name(self, client, organization, owner):
        newcomer = UserFactory(username="nina")
        client.force_login(owner)
        page = client.get(reverse("accounts:members")).content.decode()
        assert "Add an existing user" not in page
        assert 'value="add"' not in page
        response = client.post(
            reverse("accounts:members"), {"action": "add", "user": "nina@example.com", "role": "owner"}, follow=True
        )
        assert b"Unknown action" in response.content
        assert not Membership.objects.filter(user=newcomer, organization=organization).exists()

    def test_emails_are_shown_to_owners_only(self, client, owner, viewer, assessor):
        client.force_login(owner)
        assert viewer.email.encode() in client.get(reverse("accounts:members")).content
        for user in (viewer, assessor):
            client.force_login(user)
            page = client.get(reverse("accounts:members")).content
            assert owner.username.encode() in page
            assert b"@example.com" not in page

    def test_inviting_a_member_says_so_on_the_form(self, client, owner, viewer):
        client.force_login(owner)
        response = client.post(
            reverse("accounts:members"), {"action": "invite", "email": viewer.email, "role": "owner"}
        )
        assert response.status_code == 200
        assert f"{viewer.email} is already a member".encode() in response.content
        assert not mail.outbox

    def test_owner_withdraws_a_pending_invitation(self, client, organization, owner):
        client.force_login(owner)
        client.post(reverse("accounts:members"), {"action": "invite", "email": "guest@example.com", "role": "viewer"})
        invitation = Invitation.objects.get(email="guest@example.com")
        assert b"guest@example.com" in client.get(reverse("accounts:members")).content
        asked = client.post(reverse("accounts:members"), {"action": "revoke", "invitation": invitation.pk})
        assert b"Withdraw the invitation of guest@example.com?" in asked.content
        assert Invitation.objects.filter(pk=invitation.pk).exists()
        client.post(reverse("accounts:members"), {"action": "revoke", "invitation": invitation.pk, "confirm": "yes"})
        assert not Invitation.objects.filter(pk=invitation.pk).exists()

    def test_an_owner_cannot_withdraw_another_organizations_invitation(self, client, owner, outsider):
        theirs, _ = services.invitation_create(
            organization=outsider.memberships.get().organization,
            email="x@example.com",
            role="viewer",
            invited_by=outsider,
        )
        client.force_login(owner)
        response = client.post(
            reverse("accounts:members"), {"action": "revoke", "invitation": theirs.pk, "confirm": "yes"}
        )
        assert response.status_code == 404
        assert Invitation.objects.filter(pk=theirs.pk).exists()

    @pytest.mark.parametrize("posted", ["abc", "", "-1"])
    def test_withdrawing_what_is_not_an_invitations_id_is_not_found(self, client, owner, posted):
        client.force_login(owner)
        response = client.post(
            reverse("accounts:members"), {"action": "revoke", "invitation": posted, "confirm": "yes"}
        )
        assert response.status_code == 404

    def test_viewers_and_assessors_see_members_but_cannot_manage_them(self, client, viewer, assessor, owner):
        for user in (viewer, assessor):
            client.force_login(user)
            page = client.get(reverse("accounts:members"))
            assert page.status_code == 200
            assert owner.username.encode() in page.content
            assert b"Send invitation" not in page.content
            response = client.post(
                reverse("accounts:members"), {"action": "invite", "email": "x@example.com", "role": "owner"}
            )
            assert response.status_code == 403
            membership = Membership.objects.get(user=owner)
            response = client.post(reverse("accounts:member_update", args=[membership.pk]), {"action": "remove"})
            assert response.status_code == 403
        assert Membership.objects.filter(user=owner).exists()

    def test_owner_changes_a_role_and_removes_a_member(self, client, owner, assessor):
        client.force_login(owner)
        membership = Membership.objects.get(user=assessor)
        client.post(reverse("accounts:member_update", args=[membership.pk]), {"action": "role", "role": "viewer"})
        membership.refresh_from_db()
        assert membership.role == Role.VIEWER
        url = reverse("accounts:member_update", args=[membership.pk])
        asked = client.post(url, {"action": "remove"})
        assert asked.status_code == 200
        assert f"Remove {assessor.username} from".encode() in asked.content
        assert Membership.objects.filter(pk=membership.pk).exists()
        client.post(url, {"action": "remove", "confirm": "yes"})
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_the_last_owner_cannot_demote_themselves(self, client, owner):
        client.force_login(owner)
        membership = Membership.objects.get(user=owner)
        response = client.post(
            reverse("accounts:member_update", args=[membership.pk]), {"action": "role", "role": "viewer"}, follow=True
        )
        assert b"at least one owner" in response.content
        membership.refresh_from_db()
        assert membership.role == Role.OWNER

    def test_an_owner_cannot_touch_another_organizations_members(self, client, owner, outsider):
        client.force_login(owner)
        theirs = Membership.objects.get(user=outsider)
        response = client.post(
            reverse("accounts:member_update", args=[theirs.pk]), {"action": "remove", "confirm": "yes"}
        )
        assert response.status_code == 404
        assert Membership.objects.filter(pk=theirs.pk).exists()


class TestInvitations:
    def _invite(self, client, owner, email="guest@example.com", role="assessor") -> str:
        client.force_login(owner)
        client.post(reverse("accounts:members"), {"action": "invite", "email": email, "role": role})
        client.logout()
        (message,) = mail.outbox
        assert message.to == [email.lower()]
        return re.search(r"http://testserver(/accounts/invitations/\S+/)", message.body).group(1)

    def test_a_visitor_creates_an_account_for_the_invited_address_and_joins(
        self, client, organization, owner, settings
    ):
        settings.INFRAREADY_OPEN_SIGNUP = False  # invitations work on private deployments
        link = self._invite(client, owner)
        page = client.get(link)
        assert page.status_code == 200
        assert b"Join Acme AI" in page.content
        # The invited address is shown, locked: what the browser sends instead is ignored.
        assert re.search(r'<input[^>]*name="email"[^>]*value="guest@example.com"[^>]*disabled', page.content.decode())
        response = client.post(
            link,
            {
                "username": "guest",
                "email": "attacker@example.net",
                "password1": "guest-password-123",
                "password2": "guest-password-123",
            },
        )
        assert response.status_code == 302
        membership = Membership.objects.select_related("user").get(user__username="guest", organization=organization)
        assert (membership.role, membership.user.email) == (Role.ASSESSOR, "guest@example.com")
        client.logout()
        assert client.get(link).status_code == 410

    def test_a_signed_in_user_of_the_invited_address_joins_with_one_click(self, client, organization, owner):
        guest = UserFactory(username="guest", email="Guest@Example.com")
        link = self._invite(client, owner, email="guest@example.com", role="viewer")
        client.force_login(guest)
        assert b"Join as guest" in client.get(link).content
        client.post(link)
        assert Membership.objects.get(user=guest, organization=organization).role == Role.VIEWER
        assert client.session[SESSION_KEY] == organization.pk

    def test_anyone_else_with_the_link_is_told_whom_it_is_for_and_does_not_join(
        self, client, organization, owner, outsider
    ):
        link = self._invite(client, owner, email="guest@example.com", role="owner")
        client.force_login(outsider)
        for response in (client.get(link), client.post(link)):
            assert response.status_code == 403
            text = response.content.decode()
            assert "This invitation is for <strong>guest@example.com</strong>" in text
            assert "You are logged in as\n      <strong>oscar</strong>" in text
            assert "Log out and open the invitation again" in text
        assert not Membership.objects.filter(user=outsider, organization=organization).exists()
        assert Invitation.objects.get(email="guest@example.com").accepted_at is None

    def test_a_visitor_whose_address_has_an_account_is_asked_to_log_in(self, client, owner):
        UserFactory(username="guest", email="guest@example.com")
        link = self._invite(client, owner)
        page = client.get(link).content.decode()
        assert "exists already" in page
        assert f"/accounts/login/?next={link}" in page
        assert 'name="password1"' not in page
        response = client.post(link, {"username": "g2", "password1": "x-long-pass-123", "password2": "x-long-pass-123"})
        assert response.status_code == 200
        assert not UserFactory._meta.model.objects.filter(username="g2").exists()

    def test_an_unknown_link_is_a_404(self, client):
        assert client.get(reverse("accounts:invitation", args=["inv_forged"])).status_code == 404


class TestApiTokensPage:
    def test_a_new_key_is_shown_once_and_works(self, client, organization, viewer):
        client.force_login(viewer)
        response = client.post(reverse("accounts:api_tokens"), {"name": "laptop", "expires_at": ""})
        key = re.search(rb'id="new-token">(irt_[^<]+)<', response.content).group(1).decode()
        assert key.encode() not in client.get(reverse("accounts:api_tokens")).content
        api = client_class_with_token(key)
        assert api.get(reverse("api:accounts:organization")).json()["organization"]["slug"] == organization.slug

    def test_revoking_a_key(self, client, viewer):
        client.force_login(viewer)
        response = client.post(reverse("accounts:api_tokens"), {"name": "laptop", "expires_at": ""})
        key = re.search(rb'id="new-token">(irt_[^<]+)<', response.content).group(1).decode()
        token = viewer.api_tokens.get()
        asked = client.post(reverse("accounts:api_tokens"), {"revoke": token.pk})
        # One click asks first: the token still works until the confirmation is posted.
        assert asked.status_code == 200
        assert "Revoke the token “laptop”?" in asked.content.decode()
        assert b'name="confirm" value="yes"' in asked.content
        assert client_class_with_token(key).get(reverse("api:accounts:organization")).status_code == 200
        client.post(reverse("accounts:api_tokens"), {"revoke": token.pk, "confirm": "yes"})
        assert client_class_with_token(key).get(reverse("api:accounts:organization")).status_code == 401

    def test_cannot_revoke_someone_elses_token(self, client, organization, viewer, owner):
        from accounts import services

        token, _ = services.api_token_issue(user=owner, organization=organization, name="owner's")
        client.force_login(viewer)
        assert client.post(reverse("accounts:api_tokens"), {"revoke": token.pk, "confirm": "yes"}).status_code == 404

    @pytest.mark.parametrize("posted", ["abc", "", "1e3"])
    def test_revoking_what_is_not_a_tokens_id_is_not_found(self, client, viewer, posted):
        """A word where the token's id goes was a ValueError, a 500."""
        client.force_login(viewer)
        assert client.post(reverse("accounts:api_tokens"), {"revoke": posted, "confirm": "yes"}).status_code == 404


def client_class_with_token(key: str):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api
