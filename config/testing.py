"""Helpers for tests that read the API's one error shape (``config.api_errors``)."""

from __future__ import annotations

from typing import Any


def api_errors(response: Any) -> list[dict[str, Any]]:
    """The ``errors`` of an error response, after checking the body has the one documented shape."""
    body = response.json()
    assert set(body) == {"errors", "error_count"}, body
    assert body["error_count"] >= len(body["errors"]) >= 1, body
    for item in body["errors"]:
        allowed = {"code", "message", "field", "index", "section", "row", "column", "current", "yours"}
        assert {"code", "message"} <= set(item) <= allowed, item
    return body["errors"]


def error_fields(response: Any) -> set[str | None]:
    """The fields named by an error response (``None`` for an error about the whole request)."""
    return {item.get("field") for item in api_errors(response)}


def error_text(response: Any) -> str:
    """Every message of an error response, joined: for asserting what a person reads."""
    return " ".join(item["message"] for item in api_errors(response))
