"""Every route under /api/v1/ is declared in an app's contract tests (``config.api_contracts``), so a new endpoint
cannot land without the anonymous, role, tenancy and query-count checks every endpoint has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from accounts.tests.test_api_contracts import CONTRACTS as ACCOUNTS
from assessments.tests.test_api_contracts import CONTRACTS as ASSESSMENTS
from config.testing import api_errors
from inventory.tests.test_api_contracts import CONTRACTS as INVENTORY
from reports.tests.test_api_contracts import CONTRACTS as REPORTS

NOT_CONTRACTED = {
    "api:root": "the browsable index of the sections: public links, no data",
    "api:accounts:api-root": "DRF's router index of the section: links only",
    "api:inventory:api-root": "DRF's router index of the section: links only",
    "api:reports:api-root": "DRF's router index of the section: links only",
}


def _routes(patterns: list, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, prefix + str(pattern.pattern)


def test_every_api_route_has_a_contract():
    routes = {name for name, path in _routes(get_resolver().url_patterns) if path.startswith("api/v1/")}
    declared = {contract.name for contract in [*ACCOUNTS, *INVENTORY, *ASSESSMENTS, *REPORTS]}
    assert routes - declared - set(NOT_CONTRACTED) == set(), "routes without a contract"
    assert declared - routes == set(), "contracts of routes that do not exist"
    assert set(NOT_CONTRACTED) <= routes


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(NOT_CONTRACTED))
def test_the_indexes_without_a_contract_refuse_an_unknown_parameter_too(name, api_client_for, organization, owner):
    client = api_client_for(owner, organization)
    assert client.get(reverse(name)).status_code == 200
    response = client.get(reverse(name), {"foo": "1"})
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in api_errors(response)] == [("foo", "unknown_parameter")]
    assert client.options(reverse(name)).status_code == 200
    response = client.options(reverse(name) + "?foo=1")
    assert [(e["field"], e["code"]) for e in api_errors(response)] == [("foo", "unknown_parameter")]
    assert client.options(reverse(name) + "?format=json").status_code == 200


def test_every_api_serializer_refuses_an_unknown_field():
    """Nested objects too (an estimate's `change`): each serializer of the API is a `KnownFieldsOnly`, so a new one
    cannot drop a misspelt field without a word."""
    import importlib
    import inspect
    import pkgutil

    from rest_framework import serializers

    from config.serializers import KnownFieldsOnly

    modules = ["config.api_history", "config.api_jobs"]
    for app in ("accounts", "inventory", "assessments", "reports"):
        package = importlib.import_module(f"{app}.api")
        modules += [f"{app}.api.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
    found = []
    for name in modules:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if cls.__module__ == name and issubclass(cls, serializers.Serializer):
                found.append(cls)
    assert len(found) > 50
    assert [cls.__qualname__ for cls in found if not issubclass(cls, KnownFieldsOnly)] == []
