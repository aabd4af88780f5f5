"""`config.renderers.FastJSONRenderer` writes what DRF's `JSONRenderer` writes."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from config.renderers import FastJSONRenderer

AWARE = datetime.datetime(2026, 12, 5, 1, 2, 3, 456789, tzinfo=datetime.UTC)
VALUES = {
    "text": "Zürich «LTS» \u2028 line \u2029 paragraph",
    "numbers": [0, -1, 2**63 - 1, 1.35, 0.1 + 0.2, 1e-05, 1e16, 12.0],
    "decimal": Decimal("310000.50"),
    "when": AWARE,
    "naive": datetime.datetime(2026, 12, 5, 1, 2, 3),
    "day": datetime.date(2026, 3, 1),
    "time": datetime.time(10, 30, 5, 123000),
    "span": datetime.timedelta(days=1, seconds=5),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Server"),
    "nested": [{"a": None, "b": True}, ("tuple", 1)],
    3: "an integer key",
}


def test_it_writes_the_json_drf_writes():
    fast, drf = FastJSONRenderer().render(VALUES), JSONRenderer().render(VALUES)
    assert json.loads(fast) == json.loads(drf)
    assert b"\\u2028" in fast
    assert b"\\u2029" in fast
    assert b"\xe2\x80\xa8" not in fast
    assert "Zürich «LTS»".encode() in fast  # UTF-8, not \\u escapes
    # Byte for byte, but for a number's spelling: orjson writes 1e-05 as 0.00001 (the same number).
    assert fast.replace(b"0.00001,", b"1e-05,") == drf


@pytest.mark.parametrize("value", [2**70, {"big": [2**64]}])
def test_what_orjson_cannot_write_falls_back_to_drf(value):
    assert FastJSONRenderer().render(value) == JSONRenderer().render(value)


def test_indented_output_is_drfs():
    rendered = FastJSONRenderer().render({"a": [1]}, "application/json; indent=4")
    assert rendered == JSONRenderer().render({"a": [1]}, "application/json; indent=4")
    assert b"\n    " in rendered


def test_nothing_is_empty():
    assert FastJSONRenderer().render(None) == b""


def test_the_api_answers_with_it(api_client_for, organization, viewer):
    response = api_client_for(viewer, organization).get("/api/v1/inventory/servers/")
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response["Content-Type"] == "application/json"
