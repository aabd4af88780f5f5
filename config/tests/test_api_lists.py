"""Every API list's `?ordering=`, `?limit=`, `?offset=` and `?cursor=` (`config.ordering`, `config.pagination`):
what it does not know is a 400 on that parameter in the one error shape, never a silent default or a 500, and
pages of a list ordered by a field many rows share still hold every row once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.testing import api_errors
from inventory.models import BmcEndpoint
from inventory.tests.factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db

SERVERS = "/api/v1/inventory/servers/"


@pytest.fixture
def api(viewer, organization, api_client_for):
    return api_client_for(viewer, organization)


@pytest.fixture
def fleet(organization):
    site = SiteFactory(organization=organization, name="Berlin")
    return ServerFactory.create_batch(7, organization=organization, site=site, status="active")


@pytest.mark.parametrize("ordering", ["bogus", "hostname,bogus", "--hostname", "organization__name"])
def test_an_unknown_ordering_field_is_a_400_naming_it_and_the_fields_there_are(api, fleet, ordering):
    response = api.get(SERVERS, {"ordering": ordering})
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert error["field"] == "ordering"
    assert error["code"] == "invalid_ordering"
    assert "hostname" in error["message"]
    assert "accelerator_count" in error["message"]


@pytest.mark.parametrize("ordering", ["-hostname", "status,-hostname", "site__name", "id", "-id", " hostname "])
def test_documented_ordering_fields_and_id_are_taken(api, fleet, ordering):
    assert api.get(SERVERS, {"ordering": ordering}).status_code == 200


def test_ties_are_ordered_by_id_so_offset_pages_hold_every_row_once(api, fleet):
    with CaptureQueriesContext(connection) as queries:
        api.get(SERVERS, {"ordering": "status", "limit": 3})
    page_query = next(
        q["sql"] for q in queries.captured_queries if 'FROM "inventory_server"' in q["sql"] and "LIMIT" in q["sql"]
    )
    assert page_query.split("ORDER BY")[1].split("LIMIT")[0].strip().endswith('"inventory_server"."id" ASC')
    seen = []
    for offset in range(0, 7, 3):
        seen += [
            row["id"]
            for row in api.get(SERVERS, {"ordering": "status", "limit": 3, "offset": offset}).json()["results"]
        ]
    assert sorted(seen) == sorted(server.pk for server in fleet)


def test_the_schema_lists_the_ordering_fields(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    [parameter] = [p for p in schema["paths"][SERVERS]["get"]["parameters"] if p["name"] == "ordering"]
    assert {"hostname", "-hostname", "site__name", "id", "-id"} <= set(parameter["schema"]["items"]["enum"])
    assert "bogus" not in parameter["schema"]["items"]["enum"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"offset": "-5"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"cursor": "", "limit": "abc"}, "limit"),
    ],
)
def test_a_bad_page_parameter_is_a_400_on_it(api, fleet, params, field):
    response = api.get(SERVERS, params)
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert error["field"] == field


def test_a_limit_past_the_maximum_is_capped_and_an_empty_one_is_the_default(api, fleet):
    assert len(api.get(SERVERS, {"limit": "100000"}).json()["results"]) == 7
    assert api.get(SERVERS, {"limit": "", "offset": ""}).status_code == 200


def test_cursor_pages_by_a_related_field_are_a_400_not_a_500(api, fleet):
    response = api.get(SERVERS, {"cursor": "", "ordering": "site__name", "limit": 2})
    assert response.status_code == 400, response.content
    assert api_errors(response)[0]["field"] == "ordering"


def test_cursor_pages_follow_the_ordering_and_visit_every_row_once(api, fleet):
    url, seen = f"{SERVERS}?cursor=&limit=3&ordering=-hostname", []
    while url:
        page = api.get(url).json()
        seen += [row["hostname"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted((server.hostname for server in fleet), reverse=True)


def test_a_parameter_the_list_does_not_take_is_a_400_not_every_row(api, fleet):
    response = api.get(SERVERS, {"hostname": fleet[0].hostname})
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert (error["field"], error["code"]) == ("hostname", "unknown_parameter")
    assert "q, site, status, accelerator_type" in error["message"]


def test_the_lists_own_parameters_are_taken(api, fleet):
    params = {"q": "gpu", "status": "active", "limit": 2, "offset": 0, "ordering": "hostname", "format": "json"}
    assert api.get(SERVERS, params).status_code == 200
    assert api.get(SERVERS, {"cursor": ""}).status_code == 200


def test_a_rows_own_url_refuses_a_parameter_it_does_not_take_too(api, fleet):
    """It answered 200 as if `anything` meant something; a row's URL takes no parameter but `format`."""
    response = api.get(f"{SERVERS}{fleet[0].pk}/", {"anything": "1"})
    assert response.status_code == 400
    [error] = api_errors(response)
    assert (error["field"], error["code"]) == ("anything", "unknown_parameter")
    assert api.get(f"{SERVERS}{fleet[0].pk}/", {"format": "json"}).status_code == 200


def test_an_unknown_format_is_a_406_naming_the_formats_not_a_404(api, fleet):
    for url in (SERVERS, f"{SERVERS}{fleet[0].pk}/"):
        response = api.get(url, {"format": "xml"})
        assert response.status_code == 406, response.content
        [error] = api_errors(response)
        assert error["code"] == "not_acceptable"
        assert "json" in error["message"]


def test_a_path_with_a_format_suffix_no_renderer_has_is_still_a_404(api, fleet):
    response = api.get(f"{SERVERS}0.5/")
    assert response.status_code == 404, response.content
    assert api_errors(response)[0]["code"] == "not_found"


def test_cursor_pages_of_a_list_whose_default_order_is_a_related_field_go_by_id(owner, organization, api_client_for):
    """The BMC endpoints' list is ordered by their server's hostname: its cursor pages answered a 500."""
    for server in ServerFactory.create_batch(3, organization=organization):
        endpoint = BmcEndpoint(organization=organization, server=server, address=f"bmc.{server.hostname}")
        endpoint.set_credentials(username="u", password="p")
        endpoint.save()
    api, url, seen = api_client_for(owner, organization), "/api/v1/inventory/bmc-endpoints/?cursor=&limit=2", []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert seen == sorted(BmcEndpoint.objects.values_list("pk", flat=True))


def test_a_method_the_endpoint_lacks_is_a_405_whatever_its_parameters(owner, organization, api_client_for, fleet):
    """Found by the fuzz: the parameter check answered a 500 where DRF's 405 belongs."""
    api = api_client_for(owner, organization)
    for method, url in (("put", SERVERS), ("post", f"{SERVERS}{fleet[0].pk}/history/")):
        response = getattr(api, method)(f"{url}?foo=1", {}, format="json")
        assert response.status_code == 405, (method, url, response.content)
        assert api_errors(response)[0]["code"] == "method_not_allowed"
