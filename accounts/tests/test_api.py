import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, Membership, Role
from accounts.tests.factories import MembershipFactory

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
    assert set(response.json()) == {"accounts", "inventory", "assessments", "capacity", "reports"}


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
    assert "CSRF" in response.json()["detail"]


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
        assert client.post(reverse("api:accounts:membership-list"), {"user": user.username}).status_code == 403

    def test_owner_adds_changes_and_removes(self, api_client_for, organization, owner, outsider):
        client = api_client_for(owner, organization)
        created = client.post(reverse("api:accounts:membership-list"), {"user": outsider.username, "role": "assessor"})
        assert created.status_code == 201
        url = reverse("api:accounts:membership-detail", args=[created.json()["id"]])
        assert client.patch(url, {"role": "viewer"}).json()["role"] == "viewer"
        assert client.delete(url).status_code == 204
        assert not Membership.objects.filter(user=outsider, organization=organization).exists()

    def test_removing_the_last_owner_is_a_clear_400(self, api_client_for, organization, owner):
        client = api_client_for(owner, organization)
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=owner).pk])
        response = client.delete(url)
        assert response.status_code == 400
        assert "at least one owner" in str(response.json())

    def test_adding_an_unknown_user_names_the_field(self, api_client_for, organization, owner):
        response = api_client_for(owner, organization).post(reverse("api:accounts:membership-list"), {"user": "ghost"})
        assert response.status_code == 400
        assert "user" in response.json()

    def test_an_invalid_role_names_the_field(self, api_client_for, organization, owner, viewer):
        url = reverse("api:accounts:membership-detail", args=[Membership.objects.get(user=viewer).pk])
        response = api_client_for(owner, organization).patch(url, {"role": "emperor"})
        assert response.status_code == 400
        assert "role" in response.json()


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
