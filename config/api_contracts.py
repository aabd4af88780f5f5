"""Declarative API contract tests: what every route under ``/api/v1/`` promises, declared once per route.

The idea is NetBox's ``APIViewTestCases`` (``netbox/utilities/testing/api.py``): instead of each endpoint's tests
re-checking authentication, roles and tenancy in their own words, each app declares its routes as `Contract`
rows and `contract_tests` turns them into the same tests for all:

- **anonymous**: every method of the route answers 401 in the one error shape (``config.api_errors``);
- **viewers read, never write**: the route's read methods answer 2xx to a viewer, its write methods 403;
- **other organization**: a route about one row answers 404 for every method when the row belongs to another
  organization, and the row is left as it was;
- **flat lists**: a list route runs exactly as many queries for 50 rows as for 1 (an exact count, not a bound);
- **no silent drops**: a query parameter the route does not take is a 400 ``unknown_parameter`` naming it, for
  every method, and every parameter its OpenAPI operation documents is taken (``config.parameters``); a body field
  a write does not have is a 400 ``unknown_field`` naming it (``config.serializers.KnownFieldsOnly``), nothing
  changed.

``config/tests/test_api_contract_coverage.py`` fails when a route under ``/api/v1/`` has no contract, so a new
endpoint cannot land untested. Endpoint-specific behaviour (validation, the work it does) stays in each app's own
API tests.

This module is imported by tests only; it lives in ``config`` beside ``config.testing`` so that every app's
tests can share it without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .testing import api_errors

Kwargs = dict[str, Any]


@dataclass(frozen=True)
class Contract:
    """One route under ``/api/v1/`` and what it promises.

    ``row`` builds what the route is about for an organization and returns the route's URL kwargs (``{"pk": 3}``),
    or is ``None`` for a route about the organization as a whole (a list, a summary, an upload). ``given`` builds
    what such a route needs to answer (a configuration) and returns its kwargs, for rows no organization owns
    (reference data) too: no 404 test then. ``grow`` adds
    ``n`` rows to a list route's organization (for the flat query count); ``count`` reads the number of rows from
    its body. ``write`` names the methods a viewer may not call; ``viewer_reads`` is False for a route that only
    writers may read (a token's secret, say). ``query`` is a query string for GET (a required parameter).
    """

    name: str
    read: tuple[str, ...] = ("get",)
    write: tuple[str, ...] = ()
    row: Callable[[Any, Any], Kwargs] | None = None
    given: Callable[[Any, Any], Kwargs] | None = None
    grow: Callable[[Any, Any, int], None] | None = None
    count: Callable[[Any], int] = field(default=lambda body: body["count"])
    viewer_reads: bool = True
    query: str = ""

    @property
    def methods(self) -> tuple[str, ...]:
        return self.read + self.write

    def url(self, organization: Any, user: Any) -> str:
        build = self.row or self.given
        kwargs = build(organization, user) if build else {}
        return reverse(self.name, kwargs=kwargs) + (f"?{self.query}" if self.query else "")

    def __str__(self) -> str:  # the test id
        return self.name.removeprefix("api:")


def _call(client: Any, method: str, url: str, body: Kwargs | None = None) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body or {}, format="json")


UNKNOWN = "no_such_parameter"


def _with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


_documented: dict[tuple[str, str], list[str]] = {}


def _documented_parameters(url: str, method: str) -> list[str]:
    """The query parameters the OpenAPI schema documents for the operation ``url`` and ``method`` resolve to."""
    if not _documented:
        from drf_spectacular.generators import SchemaGenerator

        for path, operations in SchemaGenerator().get_schema(public=True)["paths"].items():
            for verb, operation in operations.items():
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                _documented[path, verb] = names
    path = url.split("?")[0]
    candidates = []
    for template, verb in _documented:
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if verb == method and re.fullmatch(pattern, path):
            candidates.append((template.count("{"), template))
    assert candidates, (method, path, "not in the OpenAPI schema")
    return _documented[min(candidates)[1], method]


def contract_tests(contracts: list[Contract]) -> dict[str, Any]:
    """The generic tests for ``contracts``, as module-level test functions: ``globals().update(contract_tests(C))``."""
    ids = [str(contract) for contract in contracts]
    each = pytest.mark.parametrize("contract", contracts, ids=ids)

    @each
    @pytest.mark.django_db
    def test_anonymous_requests_are_401(contract: Contract, client: Any, organization: Any, owner: Any) -> None:
        url = contract.url(organization, owner)
        for method in contract.methods:
            response = _call(client, method, url)
            assert response.status_code == 401, (method, url, response.status_code)
            assert api_errors(response)[0]["code"] == "not_authenticated"

    @each
    @pytest.mark.django_db
    def test_viewers_read_and_cannot_write(
        contract: Contract, api_client_for: Any, organization: Any, owner: Any, viewer: Any
    ) -> None:
        url = contract.url(organization, owner)
        client = api_client_for(viewer, organization)
        for method in contract.read:
            response = _call(client, method, url)
            if not contract.viewer_reads:
                assert response.status_code == 403, (method, url, response.status_code)
            elif method == "get":
                assert 200 <= response.status_code < 300, (method, url, response.status_code)
            else:  # a computation viewers may ask for (an estimate): the empty body is theirs to get wrong
                assert response.status_code not in (401, 403), (method, url, response.status_code)
                assert response.status_code < 500, (method, url, response.status_code)
        for method in contract.write:
            response = _call(client, method, url)
            assert response.status_code == 403, (method, url, response.status_code)
            assert api_errors(response)[0]["code"] == "permission_denied"

    row_contracts = [contract for contract in contracts if contract.row is not None]

    @pytest.mark.parametrize("contract", row_contracts, ids=[str(c) for c in row_contracts])
    @pytest.mark.django_db
    def test_another_organizations_row_is_a_404_for_every_method(
        contract: Contract,
        api_client_for: Any,
        organization: Any,
        other_organization: Any,
        owner: Any,
        outsider: Any,
    ) -> None:
        theirs = contract.url(other_organization, outsider)
        client = api_client_for(owner, organization)
        from django.apps import apps

        before = _snapshot(apps)
        for method in contract.methods:
            response = _call(client, method, theirs)
            assert response.status_code == 404, (method, theirs, response.status_code)
            api_errors(response)
        assert _snapshot(apps) == before, "a refused request changed data"

    list_contracts = [contract for contract in contracts if contract.grow is not None]

    @pytest.mark.parametrize("contract", list_contracts, ids=[str(c) for c in list_contracts])
    @pytest.mark.django_db
    def test_list_queries_are_the_same_for_1_and_50_rows(
        contract: Contract, api_client_for: Any, organization: Any, owner: Any
    ) -> None:
        assert contract.grow is not None
        contract.grow(organization, owner, 1)
        url = contract.url(organization, owner)
        client = api_client_for(owner, organization)  # owners read every list
        client.get(url)  # the first request of a session does a little more once
        with CaptureQueriesContext(connection) as one:
            first = client.get(url)
        assert first.status_code == 200, first.content[:300]
        assert contract.count(first.json()) == 1, first.content[:300]
        contract.grow(organization, owner, 49)
        with CaptureQueriesContext(connection) as fifty:
            many = client.get(url)
        assert contract.count(many.json()) == 50
        assert len(fifty) == len(one), [q["sql"][:120] for q in fifty.captured_queries]

    @each
    @pytest.mark.django_db
    def test_an_unknown_query_parameter_is_a_400_naming_it(
        contract: Contract, api_client_for: Any, organization: Any, owner: Any
    ) -> None:
        from django.apps import apps

        url = contract.url(organization, owner)
        client = api_client_for(owner, organization)
        before = _snapshot(apps)
        for method in [*contract.methods, "options"]:  # OPTIONS: DRF's metadata, on every route
            response = _call(client, method, _with_query(url, f"{UNKNOWN}=1"))
            assert response.status_code == 400, (method, url, response.status_code, response.content[:300])
            errors = [(e.get("field"), e["code"]) for e in api_errors(response)]
            assert errors == [(UNKNOWN, "unknown_parameter")], (method, url, errors)
        assert _snapshot(apps) == before, "a refused request changed data"

    @each
    @pytest.mark.django_db
    def test_every_documented_query_parameter_is_taken(
        contract: Contract, api_client_for: Any, organization: Any, owner: Any
    ) -> None:
        url = contract.url(organization, owner)
        client = api_client_for(owner, organization)
        for method in contract.read:  # writes take their parameters too, but a write would change the data
            given = parse_qs(urlsplit(url).query)
            documented = [name for name in _documented_parameters(url, method) if name not in given]
            for name in documented:
                response = _call(client, method, _with_query(url, f"{name}=1"))
                if response.status_code == 400:
                    codes = [e["code"] for e in api_errors(response) if e.get("field") == name]
                    assert "unknown_parameter" not in codes, (method, url, name)

    writes = [contract for contract in contracts if set(contract.methods) - {"get", "delete"}]

    @pytest.mark.parametrize("contract", writes, ids=[str(c) for c in writes])
    @pytest.mark.django_db
    def test_an_unknown_body_field_is_a_400_naming_it(
        contract: Contract, api_client_for: Any, organization: Any, owner: Any
    ) -> None:
        from django.apps import apps

        url = contract.url(organization, owner)
        client = api_client_for(owner, organization)
        before = _snapshot(apps)
        for method in set(contract.methods) - {"get", "delete"}:
            response = _call(client, method, url, {UNKNOWN: 1})
            if response.status_code == 415:  # an upload: a form
                response = getattr(client, method)(url, {UNKNOWN: "1"}, format="multipart")
            assert response.status_code == 400, (method, url, response.status_code, response.content[:300])
            fields = [(e.get("field"), e["code"]) for e in api_errors(response) if e["code"] == "unknown_field"]
            assert fields == [(UNKNOWN, "unknown_field")], (method, url, api_errors(response))
        assert _snapshot(apps) == before, "a refused request changed data"

    return {
        "test_an_unknown_query_parameter_is_a_400_naming_it": test_an_unknown_query_parameter_is_a_400_naming_it,
        "test_every_documented_query_parameter_is_taken": test_every_documented_query_parameter_is_taken,
        "test_an_unknown_body_field_is_a_400_naming_it": test_an_unknown_body_field_is_a_400_naming_it,
        "test_anonymous_requests_are_401": test_anonymous_requests_are_401,
        "test_viewers_read_and_cannot_write": test_viewers_read_and_cannot_write,
        "test_another_organizations_row_is_a_404_for_every_method": (
            test_another_organizations_row_is_a_404_for_every_method
        ),
        "test_list_queries_are_the_same_for_1_and_50_rows": test_list_queries_are_the_same_for_1_and_50_rows,
    }


def _snapshot(apps: Any) -> dict[str, int]:
    """Row counts of every table of our apps: a refused request must leave them all as they were."""
    ours = ("accounts", "inventory", "assessments", "reports")
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ours and not model._meta.proxy
    }
