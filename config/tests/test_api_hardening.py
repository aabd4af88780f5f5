"""What schemathesis found (issue 12), pinned one by one: no input answers a 500, every refusal is in the one error
shape. `make test-api-fuzz` runs the fuzzer itself over every operation."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Role
from assessments.tests.factories import ensure_default_framework
from config.parsers import MAX_DEPTH, depth_exceeds, loads
from config.testing import api_errors
from inventory.models import Server, Site
from inventory.tests.factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(assessor, organization, api_client_for):
    return api_client_for(assessor, organization)


@pytest.fixture
def owner_api(owner, organization, api_client_for):
    return api_client_for(owner, organization)


SITES = "/api/v1/inventory/sites/"


def post_raw(client, url, body: str):
    return client.generic("POST", url, body, content_type="application/json")


def test_deleting_a_site_with_servers_is_a_409_that_says_why(api, organization):
    site = SiteFactory(organization=organization, name="Frankfurt")
    ServerFactory.create_batch(2, organization=organization, site=site)
    response = api.delete(f"{SITES}{site.pk}/")
    assert response.status_code == 409
    assert api_errors(response) == [
        {
            "code": "still_referred",
            "message": "It cannot be deleted: 2 servers still refer to it; delete or move them first.",
        }
    ]
    assert Site.objects.filter(pk=site.pk).exists()
    assert Server.objects.filter(site=site).count() == 2


def test_patching_a_member_with_nothing_changes_nothing(owner_api, owner, organization):
    membership = Membership.objects.get(user=owner, organization=organization)
    response = owner_api.patch(f"/api/v1/accounts/members/{membership.pk}/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == Role.OWNER


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_a_body_nested_too_deep_is_a_400(api, depth):
    response = post_raw(api, SITES, "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert api_errors(response)[0]["code"] == "parse_error"
    assert f"nested more than {MAX_DEPTH} levels" in api_errors(response)[0]["message"]


@pytest.mark.parametrize("number", ["1e400", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_numbers_json_cannot_hold_are_a_400(api, number):
    response = post_raw(api, SITES, '{"name": "x", "power_capacity_kw": ' + number + "}")
    assert response.status_code == 400
    assert api_errors(response)[0]["code"] == "parse_error"
    assert not Site.objects.filter(name="x").exists()


def test_brackets_inside_strings_do_not_count_as_depth():
    text = '{"name": "' + "[" * 1000 + '", "x": [[1]]}'
    assert not depth_exceeds(text)
    assert loads(text)["x"] == [[1]]
    assert depth_exceeds("[" * (MAX_DEPTH + 1))


def test_a_site_of_1e308_kw_is_refused_and_assessments_still_start(api, organization, assessor):
    response = api.post(SITES, {"name": "Huge", "country": "DE", "power_capacity_kw": 1e308}, format="json")
    assert response.status_code == 400
    assert api_errors(response) == [
        {
            "code": "out_of_range",
            "field": "power_capacity_kw",
            "message": "Enter a value above 0 and at most 5,000,000 kW.",
        }
    ]
    ensure_default_framework()
    started = api.post("/api/v1/assessments/", {"title": "After the refusal"}, format="json")
    assert started.status_code == 201, started.content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pue": -1}, "pue"),
        ({"pue": 99}, "pue"),
        ({"electricity_price_per_kwh": "-0.5"}, "electricity_price_per_kwh"),
        ({"grid_intensity_override": -5}, "grid_intensity_override"),
        ({"power_capacity_kw": -10}, "power_capacity_kw"),
        ({"name": "rtl\u202egpj.exe"}, "name"),
        ({"name": "line\nbreak"}, "name"),
    ],
)
def test_a_site_refuses_impossible_values_with_a_400(api, change, field):
    response = api.post(SITES, {"name": "Lab", "country": "DE", **change}, format="json")
    assert response.status_code == 400
    assert [item["field"] for item in api_errors(response)] == [field]


@pytest.mark.parametrize("field", ["pue", "renewable_share_pct", "power_capacity_kw", "grid_intensity_override"])
def test_true_is_not_a_number(api, organization, field):
    """JSON ``true`` was stored as 1.0 in a float column (a PUE of 1.0); whole-number and decimal fields refused it."""
    site = SiteFactory(organization=organization, pue=1.4)
    response = api.patch(f"{SITES}{site.pk}/", {field: True}, format="json")
    assert response.status_code == 400
    assert [(item["field"], item["message"]) for item in api_errors(response)] == [
        (field, "A valid number is required.")
    ]
    site.refresh_from_db()
    assert site.pue == 1.4


def test_true_is_not_a_pue_in_a_capacity_what_if(api, organization):
    response = api.post("/api/v1/capacity/estimate/", {"workload": 1, "change": {"pue": True}}, format="json")
    assert response.status_code == 400
    assert "pue" in {item["field"].split(".")[-1] for item in api_errors(response)}


def test_a_decimal_reads_the_same_in_the_answer_to_its_create_as_when_read_back(api):
    created = api.post(SITES, {"name": "Lab", "country": "DE", "electricity_price_per_kwh": "0.1"}, format="json")
    assert created.status_code == 201, created.json()
    read = api.get(f"{SITES}{created.json()['id']}/").json()
    assert created.json()["electricity_price_per_kwh"] == read["electricity_price_per_kwh"] == "0.1000"
    refused = api.post(SITES, {"name": "Lab 2", "country": "DE", "electricity_price_per_kwh": "0.12345"}, format="json")
    assert [item["field"] for item in api_errors(refused)] == ["electricity_price_per_kwh"]  # not rounded away


def test_an_answer_note_with_a_direction_override_is_refused(api, organization, assessor):
    ensure_default_framework()
    assessment = api.post("/api/v1/assessments/", {"title": "Notes"}, format="json").json()
    question = "HW-PP-01"
    url = f"/api/v1/assessments/{assessment['id']}/answers/"
    response = api.post(url, [{"question_id": question, "value": 2, "note": "ok\u202eevil"}], format="json")
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "note"
    response = api.post(url, [{"question_id": question, "value": 2, "note": "x" * 5001}], format="json")
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "note"


def test_the_list_filters_do_not_reach_one_assessments_endpoints(api):
    ensure_default_framework()
    assessment = api.post("/api/v1/assessments/", {"title": "Filters"}, format="json").json()
    base = f"/api/v1/assessments/{assessment['id']}/"
    for suffix in ("", "answers/", "roadmap/"):  # not applied, and not silently dropped either: refused
        response = api.get(base + suffix, {"status": "scored", "ordering": "title"})
        assert response.status_code == 400, (suffix, response.content)
        assert {(e["field"], e["code"]) for e in api_errors(response)} == {
            ("status", "unknown_parameter"),
            ("ordering", "unknown_parameter"),
        }
        assert api.get(base + suffix).status_code == 200
    assert api.get("/api/v1/assessments/", {"status": "scored"}).json()["count"] == 0


def test_answers_and_the_roadmap_are_documented_as_the_plain_lists_they_are(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/assessments/{id}/answers/", "/api/v1/assessments/{id}/roadmap/"):
        get = schema["paths"][path]["get"]
        body = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
        assert not {p["name"] for p in get.get("parameters", [])} & {"status", "limit", "offset", "ordering"}


def test_one_objects_endpoints_document_neither_the_lists_filters_nor_pages_they_do_not_take(api):
    """History, comments, evidence, reviews, owners (and answers, roadmap): one object's rows as a plain list; a
    schema that gave them the list's filters and pages described requests and answers they never take or give."""
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" not in path:
            continue
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        body = get["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
        paged = "Paginated" in body.get("$ref", "")
        if not paged:
            assert not names & {"limit", "offset", "cursor"}, (path, names)
        assert not names & {"status", "ordering", "q", "site", "assigned_to", "framework"}, (path, names)
        checked += 1
    assert checked >= 40
    for path in (
        "/api/v1/inventory/servers/{id}/history/",
        "/api/v1/assessments/{id}/history/",
        "/api/v1/assessments/{id}/comments/",
        "/api/v1/assessments/{id}/evidence/",
        "/api/v1/assessments/{id}/reviews/",
        "/api/v1/assessments/{id}/assignments/",
    ):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
    assigned = schema["paths"]["/api/v1/assessments/assigned-to-me/"]["get"]
    assert assigned["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert not {p["name"] for p in assigned.get("parameters", [])} & {"status", "limit", "ordering"}


def test_list_filters_taking_an_id_or_a_name_are_documented_as_strings(api, organization):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, name in (
        ("/api/v1/inventory/servers/", "site"),
        ("/api/v1/inventory/servers/", "accelerator_type"),
        ("/api/v1/inventory/storage/", "site"),
        ("/api/v1/inventory/workloads/", "model_profile"),
    ):
        [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        assert parameter["schema"]["type"] == "string", (path, name)
        assert "a name" in parameter["description"]
    site = SiteFactory(organization=organization, name="Frankfurt DC")
    by_name = api.get("/api/v1/inventory/servers/", {"site": "frankfurt  dc"})
    assert by_name.status_code == 200
    assert api.get("/api/v1/inventory/servers/", {"site": str(site.pk)}).status_code == 200
    unknown = api.get("/api/v1/inventory/servers/", {"site": "Atlantis"})
    assert unknown.status_code == 400
    assert api_errors(unknown)[0]["field"] == "site"


@pytest.mark.parametrize("name", ["bsr%\x05", "100%", "%s", "%(name)s", "%d%%"])
@pytest.mark.parametrize("filter_name", ["site", "accelerator_type"])
def test_a_name_filter_with_a_percent_sign_is_a_400_that_quotes_it(api, filter_name, name):
    # schemathesis found it: django-filter renders every message with ``message % params``, so a name written
    # into the message itself raised on its "%" (a 500).
    response = api.get("/api/v1/inventory/servers/", {filter_name: name})
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert error["field"] == filter_name
    assert error["code"] == "unknown_name"
    assert f"“{name.strip()}”" in error["message"]


def test_a_url_no_route_matches_is_a_json_404_under_the_api(api, client):
    for url in ("/api/v1/inventory/sites/abc/", "/api/v1/reports/-1/status/", "/api/v1/nothing/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert api_errors(response) == [{"code": "not_found", "message": "Not found."}]
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_the_databases_last_line_is_a_409_not_a_500():
    from django.db import IntegrityError

    from config.api_errors import exception_handler

    response = exception_handler(IntegrityError("UNIQUE constraint failed"), {})
    assert response.status_code == 409
    assert response.data["errors"][0]["code"] == "conflict"


def test_every_write_documents_its_409_and_every_page_may_lack_a_count(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                assert "409" in operation["responses"], (method, path)
    page = schema["components"]["schemas"]["PaginatedSiteList"]
    assert "count" not in page.get("required", [])


def test_a_cursor_that_is_not_ours_is_a_400_on_the_cursor(api):
    response = api.get(SITES, {"cursor": "\u00e6\u0153"})
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "cursor"
    first = api.get(SITES, {"cursor": ""})
    assert first.status_code == 200
    assert "count" not in first.json()


@pytest.mark.parametrize("owner_id", [-(2**101), 2**63, 0])
def test_an_id_no_row_can_have_is_a_400_not_an_overflow(api, organization, assessor, owner_id):
    """Found by the fuzz: a roadmap item's `owner_id` of -2.7e30 overflowed SQLite's integer in the membership
    query (a 500). Ids in request bodies are bounded from 1 to 2**63 - 1 (`config.validators.id_field`)."""
    from assessments import services
    from assessments.models import RoadmapItem
    from assessments.tests.factories import answer_all, start_assessment, weak_value

    ensure_default_framework()
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    services.assessment_submit(assessment=assessment, user=assessor)
    item = RoadmapItem.objects.filter(assessment=assessment).order_by("pk").first()
    url = f"/api/v1/assessments/{assessment.pk}/roadmap/{item.item_id}/"
    response = api.patch(url, {"owner_id": owner_id}, format="json")
    assert response.status_code == 400
    assert api_errors(response)[0]["field"] == "owner_id"
    comments = f"/api/v1/assessments/{assessment.pk}/comments/"
    question = next(iter(services.framework_parse(assessment.framework).questions())).id
    reply = api.post(comments, {"question_id": question, "body": "x", "parent_id": owner_id}, format="json")
    assert reply.status_code == 400
    assert api_errors(reply)[0]["field"] == "parent_id"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (None, {"power_capacity": 500}, "power_capacity"),  # a site, PATCH: the column is power_capacity_kw
        ("/api/v1/accounts/organization/", {"currency": "USD"}, "currency"),  # it is reporting_currency
    ],
)
def test_an_unknown_field_in_a_body_is_refused_not_dropped(owner_api, organization, url, body, field):
    site = SiteFactory(organization=organization, name="Frankfurt", power_capacity_kw=100)
    response = owner_api.patch(url or f"{SITES}{site.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    [error] = api_errors(response)
    assert (error["field"], error["code"]) == (field, "unknown_field")
    assert error["message"].startswith("unknown field; the fields")
    site.refresh_from_db()
    organization.refresh_from_db()
    assert (site.power_capacity_kw, organization.reporting_currency) == (100, "EUR")


def test_a_row_read_from_the_api_may_be_sent_back_whole(api, organization):
    site = SiteFactory(organization=organization, name="Frankfurt")
    row = api.get(f"{SITES}{site.pk}/").json()
    assert api.put(f"{SITES}{site.pk}/", {**row, "pue": 1.3}, format="json").status_code == 200


def test_each_bulk_item_s_unknown_field_carries_its_index(api):
    body = [{"name": "a", "country": "DE"}, {"name": "b", "country": "DE", "colour": "red"}]
    response = api.post(SITES, body, format="json")
    assert response.status_code == 400, response.content
    assert [(e["index"], e["field"]) for e in api_errors(response)] == [(1, "colour")]
    assert not Site.objects.filter(name__in=["a", "b"]).exists()
