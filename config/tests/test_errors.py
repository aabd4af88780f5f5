"""The one error contract: domain errors, conversions, the API handler and the OpenAPI declaration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, NotAuthenticated, Throttled

from config.api_errors import add_error_responses, exception_handler, server_error
from config.errors import Conflict, DomainError, ErrorItem, Invalid, Unavailable, items_from_detail, items_from_django
from config.testing import api_errors


class TestErrorItem:
    def test_only_the_positions_it_has_are_shown(self):
        assert ErrorItem("too big", "max_value", field="pue").as_dict() == {
            "code": "max_value",
            "message": "too big",
            "field": "pue",
        }

    def test_where_reads_as_words(self):
        assert str(ErrorItem("not a number", row=3, column="power_w")) == "row 3, column power_w: not a number"
        assert str(ErrorItem("unknown question", index=0, field="question_id")) == (
            "item 1, question_id: unknown question"
        )
        assert str(ErrorItem("plain")) == "plain"

    def test_round_trips_through_a_dict(self):
        item = ErrorItem("bad", "invalid", row=2, column="site")
        assert ErrorItem.from_dict(item.as_dict()) == item


class TestDomainError:
    def test_a_message_with_its_position(self):
        error = Invalid("say why", field="status_reason", code="required")
        assert error.errors == (ErrorItem("say why", "required", field="status_reason"),)
        assert error.status == 400
        assert error.total == 1

    def test_kinds_carry_their_status_and_code(self):
        assert (Conflict("in use").status, Conflict("in use").errors[0].code) == (409, "conflict")
        assert Unavailable("broker down").status == 503

    def test_total_is_never_below_the_listed_items(self):
        error = Invalid([ErrorItem("a"), ErrorItem("b")], total=250)
        assert error.total == 250
        assert Invalid([ErrorItem("a"), ErrorItem("b")], total=1).total == 2

    def test_at_places_items_without_overriding_what_they_say(self):
        error = Invalid([ErrorItem("x", field="value"), ErrorItem("y", index=7)]).at(index=2)
        assert [item.index for item in error.errors] == [2, 7]

    def test_needs_an_item(self):
        with pytest.raises(ValueError):
            DomainError([])


class TestConversions:
    def test_django_errors_by_field(self):
        error = DjangoValidationError({"pue": ["At most 3."], "__all__": ["Power exceeds capacity."]})
        assert items_from_django(error) == [
            ErrorItem("At most 3.", field="pue"),
            ErrorItem("Power exceeds capacity."),
        ]

    def test_django_message_params_are_filled_in(self):
        error = DjangoValidationError("Ensure this is at most %(limit)s.", code="max_value", params={"limit": 3})
        assert items_from_django(error) == [ErrorItem("Ensure this is at most 3.", "max_value")]

    def test_drf_nested_and_list_details(self):
        detail = {
            "title": [ErrorDetail("This field is required.", code="required")],
            "target_levels": {"hardware": [ErrorDetail("At most 5.", code="max_value")]},
        }
        assert items_from_detail(detail) == [
            ErrorItem("This field is required.", "required", field="title"),
            ErrorItem("At most 5.", "max_value", field="target_levels.hardware"),
        ]

    def test_a_list_body_gives_each_item_its_index(self):
        detail = [{}, {"hostname": [ErrorDetail("Required.", code="required")]}]
        assert items_from_detail(detail) == [ErrorItem("Required.", "required", field="hostname", index=1)]
        keyed = {"1": {"pue": [ErrorDetail("At least 1.", code="min_value")]}}
        assert items_from_detail(keyed) == [ErrorItem("At least 1.", "min_value", field="pue", index=1)]


class TestHandler:
    def test_domain_error(self):
        response = exception_handler(Conflict("The site has servers.", code="protected"), {})
        assert response.status_code == 409
        assert response.data == {
            "errors": [{"code": "protected", "message": "The site has servers."}],
            "error_count": 1,
        }

    def test_serializer_validation_error(self):
        class Payload(serializers.Serializer):
            pue = serializers.FloatField(max_value=3)

        payload = Payload(data={"pue": 9})
        assert not payload.is_valid()
        response = exception_handler(serializers.ValidationError(payload.errors), {})
        assert response.status_code == 400
        assert response.data["errors"] == [
            {"code": "max_value", "message": "Ensure this value is less than or equal to 3.", "field": "pue"}
        ]

    def test_drf_errors_keep_their_status_and_headers(self):
        response = exception_handler(Throttled(wait=30), {})
        assert response.status_code == 429
        assert response["Retry-After"] == "30"
        assert response.data["errors"][0]["code"] == "throttled"
        assert exception_handler(NotAuthenticated(), {}).data["errors"][0]["code"] == "not_authenticated"

    def test_unexpected_exceptions_are_left_to_django(self):
        assert exception_handler(KeyError("x"), {}) is None

    def test_server_error_under_the_api_is_json(self):
        response = server_error(RequestFactory().get("/api/v1/inventory/sites/"))
        assert response.status_code == 500
        assert response["Content-Type"] == "application/json"
        assert b'"code": "server_error"' in response.content


@pytest.mark.django_db
class TestOverHttp:
    def test_anonymous_gets_401_in_the_shape(self, client):
        response = client.get(reverse("api:accounts:organization"))
        assert response.status_code == 401
        assert api_errors(response)[0]["code"] == "not_authenticated"

    def test_unknown_object_is_a_404_in_the_shape(self, api_client_for, owner, organization):
        response = api_client_for(owner, organization).get(reverse("api:accounts:membership-detail", args=[999999]))
        assert response.status_code == 404
        assert api_errors(response)[0]["code"] == "not_found"

    def test_malformed_json_is_a_400_in_the_shape(self, api_client_for, owner, organization):
        client = api_client_for(owner, organization)
        url = reverse("api:accounts:membership-detail", args=[owner.memberships.get().pk])
        response = client.generic("PATCH", url, "{not json", content_type="application/json")
        assert response.status_code == 400
        assert api_errors(response)[0]["code"] == "parse_error"


@pytest.mark.django_db
def test_the_schema_declares_the_shape_on_every_operation(client):
    schema = client.get(reverse("api-schema") + "?format=json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["errors", "error_count"]
    ref = {"$ref": "#/components/schemas/Error"}
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
        assert {"401", "403"} <= set(errors), (method, path)
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"] == ref, (method, path, code)


def test_the_hook_keeps_what_an_operation_declares():
    result = {"paths": {"/x/{id}/": {"delete": {"responses": {"409": {"description": "In use."}}}}}}
    operation = add_error_responses(result, None, None, True)["paths"]["/x/{id}/"]["delete"]
    assert operation["responses"]["409"]["description"] == "In use."
    assert {"401", "403", "404", "409", "429"} <= set(operation["responses"])


def test_operations_that_take_a_body_document_the_415_of_another_content_type(api_client_for, organization, viewer):
    schema = api_client_for(viewer, organization).get("/api/schema/", {"format": "json"}).json()
    site = schema["paths"]["/api/v1/inventory/sites/{id}/"]
    assert "415" in site["patch"]["responses"]
    assert "415" in schema["paths"]["/api/v1/inventory/import/"]["post"]["responses"]
    assert "415" not in site["get"]["responses"]
    assert "415" not in site["delete"]["responses"]
