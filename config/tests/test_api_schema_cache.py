"""The OpenAPI schema is built once per process: a second request, in any format, builds nothing and says the
same thing."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from config import api_schema


@pytest.fixture
def fresh(monkeypatch):
    api_schema.clear()
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    yield calls
    api_schema.clear()


@pytest.mark.django_db
def test_a_second_request_does_not_build_the_schema_again(client, fresh):
    first = client.get(reverse("api-schema"))
    assert first.status_code == 200
    assert len(fresh) == 1
    again = client.get(reverse("api-schema"))
    as_json = client.get(reverse("api-schema") + "?format=json")
    json_again = client.get(reverse("api-schema") + "?format=json")
    assert len(fresh) == 1  # neither the YAML again nor the JSON built it again
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert json_again.content == as_json.content
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content) == yaml.safe_load(first.content)
    assert "/api/v1/inventory/servers/" in json.loads(as_json.content)["paths"]
    assert "attachment" not in again["Content-Disposition"]


@pytest.mark.django_db
def test_clearing_builds_it_again(client, fresh):
    client.get(reverse("api-schema"))
    api_schema.clear()
    client.get(reverse("api-schema"))
    assert len(fresh) == 2
