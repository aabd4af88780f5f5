import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, Invitation, Membership, Role
from accounts.tests.factories import MembershipFactory, UserFactory
from config.testing import api_errors, error_fields, error_text

pytestmark = pytest.mark.django_db


def test_anonymous_calls_get_401_with_a_challenge():
    response = APIClient().get(reverse("api:root"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_bad_token_is_401_not_500():
    client = APIClient()
    for header in ("Token irt_forged", "Token", "Token a b", "Bearer irt_forged"):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(reverse("api:root")).status_code == 401, header


def test_api_root_lists_every_section(api_client_for, organization, viewer):
    response = api_client_for(viewer, organization).get(reverse("api:root"))
    assert response.status_code == 200
    assert set(response.json()) == {"accounts", "inventory", "assessments", "capacity", "reports", "webhooks"}


def test_the_token_decides_the_organization(api_client_for, organization, other_organization, owner):
    MembershipFactory(user=owner, organization=other_organization, role=Role.VIEWER)
    body = api_client_for(owner, other_organization).get(reverse("api:accounts:organization")).json()
    assert body == {"organization": body["organization"], "role": "viewer"}
    assert body["organization"]["slug"] == other_organization.slug


def test_a_token_stops_working_when_its_membership_ends(api_client_for, organization, owner, assessor):
    client = api_client_for(assessor, organization)
    Membership.objects.filter(user=assessor).delete()
    assert client.get(reverse("api:accounts:organization")).status_code == 401


def test_using_a_token_records_when(api_client_for, organization, viewer):
    api_client_for(viewer, organization).get(reverse("api:accounts:organization"))
    assert ApiToken.objects.get(user=viewer).last_used_at is not None


def test_session_authentication_works_for_the_browser(client, organization, viewer):
    client.force_login(viewer)
    assert client.get(reverse("api:accounts:organization")).json()["role"] == "viewer"


def test_session_writes_need_csrf(organization, owner, assessor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    membership = Membership.objects.get(user=assessor)
    response = client.patch(reverse("api:accounts:membership-detail", args=[membership.pk]), {"role": "viewer"})
    assert response.status_code == 403
    assert "CSRF" in error_text(response)
    assert api_errors(response)[0]["code"] == "permission_denied"


class TestMembersApi:
    def test_members_are_listed_for_the_active_organization_only(self, api_client_for, organization, owner, outsider):
        usernames = [
            m["username"]
            for m in api_client_for(owner, organization).get(reverse("api:accounts:membership-list")).json()["results"]
        ]
        assert usernames == [owner.username]

    def test_another_organizations_member_is_a_404(self, api_client_for, organization, owner, outsider):
        theirs = Membership.objects.get(user=outsider)
        client = api_client_for(owner, organization)
        url = reverse("api:accounts:membership-detail", args=[theirs.pk])
        assert client.get(url).status_code == 404
        assert client.patch(url, {"role": "viewer"}).status_code == 404
        assert client.delete(url).status_code == 404
        assert Membership.objects.get(pk=theirs.pk).role == Role.OWNER

    @pytest.mark.parametrize("role_fixture", ["viewer", "assessor"])
    def test_only_owners_manage_members(self, request, api_client_for, organization, owner, role_fixture):
        user = request.getfixturevalue(role_fixture)
        client = api_client_for(user, organization)
        target = Membership.objects.get(user=owner)
        url = reverse("api:accounts:membership-detail", args=[target.pk])
        assert client.get(url).status_code == 200
        assert client.patch(url, {"role": "viewer"}).status_code == 403
        assert client.delete(url).status_code == 403
        invitations = reverse("api:accounts:invitation-list")
        assert client.get(invitations).status_code == 403
        assert client.post(invitations, {"email": "x@example.com", "role": "owner"}).status_code == 403
        assert not Invitation.objects.exists()

    def test_nobody_is_added_by_name_the_create_operation_is_gone(self, api_client_for, organization, owner, outsider):
        client = api_client_for(owner, organization)
        for body in ({"user": outsider.username, "role": "owner"}, {"user": outsider.email}):
            response = client.post(reverse("api:accounts:membership-list"), body)
            assert response.status_code == 405
            assert api_errors(response)[0]["code"] == "method_not_allowed"
        assert not Membership.objects.filter(user=outsider, organization=organization).exists()
        schema = APIClient().get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
        assert "post" not in schema["paths"]["/api/v1/accounts/members/"]

    def test_owner_changes_a_role_and_removes(self, api_client_for, organization, owner, assessor):
        client = api_client_for(owner, organization)
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=assessor).pk])
        assert client.patch(url, {"role": "viewer"}).json()["role"] == "viewer"
        assert client.delete(url).status_code == 204
        assert not Membership.objects.filter(user=assessor, organization=organization).exists()

    def test_a_patch_without_a_role_changes_nothing(self, api_client_for, organization, owner, assessor):
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=assessor).pk])
        response = api_client_for(owner, organization).patch(url, {})
        assert response.status_code == 200
        assert response.json()["role"] == "assessor"

    def test_emails_are_shown_to_owners_only(self, api_client_for, organization, owner, assessor, viewer):
        url = reverse("api:accounts:membership-list")
        by_owner = {m["username"]: m["email"] for m in api_client_for(owner, organization).get(url).json()["results"]}
        assert by_owner[viewer.username] == viewer.email
        for user in (assessor, viewer):
            results = api_client_for(user, organization).get(url).json()["results"]
            assert {m["username"] for m in results} == {owner.username, assessor.username, viewer.username}
            assert {m["email"] for m in results} == {None}

    def test_removing_the_last_owner_is_a_clear_409(self, api_client_for, organization, owner):
        client = api_client_for(owner, organization)
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=owner).pk])
        response = client.delete(url)
        assert response.status_code == 409
        assert api_errors(response) == [
            {
                "code": "last_owner",
                "message": "An organization needs at least one owner: make someone else owner first.",
            }
        ]

    def test_an_invalid_role_names_the_field(self, api_client_for, organization, owner, viewer):
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=viewer).pk])
        response = api_client_for(owner, organization).patch(url, {"role": "emperor"})
        assert response.status_code == 400
        assert error_fields(response) == {"role"}


class TestInvitationsApi:
    url = staticmethod(lambda: reverse("api:accounts:invitation-list"))

    def test_owner_invites_and_gets_the_link_once(self, api_client_for, organization, owner):
        client = api_client_for(owner, organization)
        response = client.post(self.url(), {"email": "Guest@Example.com", "role": "assessor"})
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "email", "role", "created", "expires_at", "link"}
        assert (body["email"], body["role"]) == ("guest@example.com", "assessor")
        assert re.fullmatch(r"http://testserver/accounts/invitations/inv_[\w-]{43}/", body["link"])
        (message,) = mail.outbox
        assert body["link"] in message.body
        listed = client.get(self.url()).json()["results"]
        assert listed == [{k: body[k] for k in ("id", "email", "role", "created", "expires_at")}]
        assert "link" not in client.get(reverse("api:accounts:invitation-detail", args=[body["id"]])).json()

    def test_the_link_joins_the_invited_address_only(self, api_client_for, client, organization, owner, outsider):
        body = api_client_for(owner, organization).post(self.url(), {"email": "guest@example.com"}).json()
        path = body["link"].removeprefix("http://testserver")
        client.force_login(outsider)
        assert client.post(path).status_code == 403
        guest = UserFactory(username="guest", email="guest@example.com")
        client.force_login(guest)
        assert client.post(path).status_code == 302
        assert Membership.objects.get(user=guest, organization=organization).role == Role.VIEWER
        assert not Membership.objects.filter(user=outsider, organization=organization).exists()

    def test_without_email_the_integrator_delivers_the_link(self, api_client_for, organization, owner):
        response = api_client_for(owner, organization).post(self.url(), {"email": "a@example.com", "send_email": False})
        assert response.status_code == 201
        assert not mail.outbox

    def test_inviting_a_member_is_a_409_naming_the_field(self, api_client_for, organization, owner, viewer):
        response = api_client_for(owner, organization).post(self.url(), {"email": viewer.email.upper()})
        assert response.status_code == 409
        assert api_errors(response) == [
            {"code": "already_member", "message": f"{viewer.email} is already a member of Acme AI.", "field": "email"}
        ]

    def test_a_bad_address_or_role_names_the_field(self, api_client_for, organization, owner):
        client = api_client_for(owner, organization)
        assert error_fields(client.post(self.url(), {"email": "not-an-address"})) == {"email"}
        assert error_fields(client.post(self.url(), {"email": "a@example.com", "role": "emperor"})) == {"role"}

    def test_withdrawing_and_another_organizations_invitation(self, api_client_for, organization, owner, outsider):
        client = api_client_for(owner, organization)
        mine = client.post(self.url(), {"email": "a@example.com"}).json()
        theirs, _ = services.invitation_create(
            organization=outsider.memberships.get().organization,
            email="b@example.com",
            role="owner",
            invited_by=outsider,
        )
        assert client.get(reverse("api:accounts:invitation-detail", args=[theirs.pk])).status_code == 404
        assert client.delete(reverse("api:accounts:invitation-detail", args=[theirs.pk])).status_code == 404
        assert Invitation.objects.filter(pk=theirs.pk).exists()
        assert client.delete(reverse("api:accounts:invitation-detail", args=[mine["id"]])).status_code == 204
        assert client.get(self.url()).json()["results"] == []


def test_member_list_runs_a_constant_number_of_queries(
    api_client_for, organization, owner, django_assert_max_num_queries
):
    client = api_client_for(owner, organization)
    url = reverse("api:accounts:membership-list")
    for _ in range(30):
        MembershipFactory(organization=organization)
    with django_assert_max_num_queries(6):
        assert len(client.get(url).json()["results"]) == 31


def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/accounts/members/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    # Every script and stylesheet comes from our own static files (a random CSP nonce may spell "cdn").
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(not re.match(r"^(https?:)?//", source) for source in sources), sources
    assert "/static/drf_spectacular_sidecar/" in html


def test_issue_token_service_and_schema_agree_on_the_header(organization, owner):
    _, raw = services.api_token_issue(user=owner, organization=organization, name="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(reverse("api:accounts:organization")).status_code == 200


def test_invitation_list_runs_a_constant_number_of_queries(
    api_client_for, organization, owner, django_assert_max_num_queries
):
    client = api_client_for(owner, organization)
    for n in range(30):
        services.invitation_create(
            organization=organization, email=f"p{n}@example.com", role="viewer", invited_by=owner
        )
    with django_assert_max_num_queries(6):
        assert len(client.get(reverse("api:accounts:invitation-list")).json()["results"]) == 30


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Acme\u200bAI", "Remove an invisible character from the name."),
        ("industry", "Auto\u202emotive", "Remove a character that reverses the text's direction from the name."),
    ],
)
def test_organization_settings_keep_the_models_rules_in_the_api_as_in_the_form(
    api_client_for, client, organization, owner, field, value, message
):
    """The settings form (a ModelForm) runs the model's field rules; the API's PATCH ran none of them and stored a
    name with an invisible character. Both refuse it now, with the model's message."""
    response = api_client_for(owner, organization).patch(
        reverse("api:accounts:organization"), {field: value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert [(e["field"], e["message"]) for e in api_errors(response)] == [(field, message)]
    client.force_login(owner)
    page = client.post(
        reverse("accounts:organization_settings"),
        {"name": "Acme AI", "industry": "", "country": "", "reporting_currency": "EUR", field: value},
    )
    assert page.status_code == 200
    assert page.context["form"].errors[field] == [message]
    organization.refresh_from_db()
    assert getattr(organization, field) != value
