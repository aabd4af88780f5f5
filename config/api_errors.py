"""The API's one error shape: DRF's ``EXCEPTION_HANDLER`` and the OpenAPI component that documents it.

Every 4xx and 5xx answered under ``/api/v1/`` has this body (see ``config.errors``)::

    {"errors": [{"code": "...", "message": "...", <position>: ...}], "error_count": n}

where a position is ``field``, ``index``, ``section``, ``row`` or ``column``.

Domain errors raised by services keep their status (400, 409, 413, 503) and positions; Django's
``ValidationError`` is a 400 by field; DRF's own errors (authentication 401, permission 403, not found 404, parse
errors, throttling 429 with ``Retry-After``) keep their status and headers. Anything else is a server error: the
handler lets Django log it and :func:`server_error` answers the same shape with 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict, DomainError, ErrorItem, items_from_detail, items_from_django, still_referred


def error_body(items: list[ErrorItem], total: int | None = None) -> dict[str, Any]:
    return {"errors": [item.as_dict() for item in items], "error_count": max(total or 0, len(items))}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn any handled exception into the one error shape; ``None`` (a 500) for the unexpected."""
    if isinstance(exc, ProtectedError | RestrictedError):  # a deletion other rows prevent: 409, as the pages say
        exc = still_referred(exc)
    if isinstance(exc, IntegrityError):  # the database's last line (a rule the model checks first, raced): 409
        exc = Conflict(
            "This conflicts with a row stored meanwhile or breaks one of the database's rules; reload and try again.",
            code="conflict",
        )
    if isinstance(exc, DomainError):
        return Response(error_body(list(exc.errors), exc.total), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response(error_body(items_from_django(exc)), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        items = items_from_detail(exc.detail)
    else:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        items = items_from_detail(detail)
        if isinstance(exc, exceptions.APIException):
            items = [ErrorItem(item.message, _code(exc, item)) for item in items]
    response.data = error_body(items or [ErrorItem("The request was refused.", "invalid")])
    return response


def _code(exc: exceptions.APIException, item: ErrorItem) -> str:
    # DRF's ErrorDetail codes are already specific ("not_authenticated", "throttled", "not_found", "parse_error").
    return item.code if item.code != "invalid" else exc.default_code


def not_found(request: HttpRequest, exception: Exception | None = None) -> Any:
    """Django's ``handler404``: a URL no route matches (``/api/v1/sites/abc/``) is JSON in the one shape under
    ``/api/``, as the API's own 404s are; the site's page elsewhere."""
    if request.path.startswith("/api/"):
        body = error_body([ErrorItem("Not found.", "not_found")])
        return JsonResponse(body, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    """Django's ``handler500``: JSON in the one shape under ``/api/``, the site's error page elsewhere."""
    if request.path.startswith("/api/"):
        body = error_body([ErrorItem("Something went wrong on our side; it has been logged.", "server_error")])
        return JsonResponse(body, status=500)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request, *args, **kwargs)


# --- OpenAPI ----------------------------------------------------------------------------------------------------

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error of the API has this shape. `error_count` is how many problems were found; it is "
    "larger than the length of `errors` when a long list was capped.",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "A stable machine-readable code, e.g. `required`."},
                    "message": {"type": "string", "description": "What is wrong, for a person."},
                    "field": {"type": "string", "description": "A dotted path into the request body."},
                    "index": {"type": "integer", "description": "Position (from 0) in a list request body."},
                    "section": {
                        "type": "string",
                        "description": "The list of a JSON or YAML import document the row is in (`sites`, "
                        "`servers`...): rows are numbered from 1 in each list; or the sheet of an Excel workbook.",
                    },
                    "row": {"type": "integer", "description": "Row number (from 1) in an uploaded file."},
                    "column": {"type": "string", "description": "Column name in an uploaded file."},
                    "current": {
                        "type": "object",
                        "additionalProperties": True,
                        "description": "With a 409 `stale_answer`: the answer as it now is (value, version, who "
                        "and when), to show beside yours; send again with its `version` to overwrite it.",
                    },
                    "yours": {
                        "type": "string",
                        "description": "With `current`: what you sent, in words, as `current.shown` words the "
                        'answer as it now is (a level as "Level 3: …", a number with its unit).',
                    },
                },
                "required": ["code", "message"],
            },
        },
        "error_count": {"type": "integer", "minimum": 1},
    },
    "required": ["errors", "error_count"],
}

# Which error statuses each operation may answer, by what it is.
_ALWAYS = {"401": "Not authenticated.", "403": "Not allowed for your role.", "429": "Too many requests."}
_WITH_INPUT = {"400": "Invalid input; every problem is listed."}
_WITH_ID = {"404": "Not found in your organization."}
_CONFLICT = {
    "409": "Refused in the current state (a submitted assessment, the last owner, rows that still refer "
    "to it, ...); the message says why."
}


_BODY = {
    "415": "The body's content type is not one this operation takes (see its `requestBody`; JSON unless it takes "
    "a file)."
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: declare the error shape and add it to every operation's responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = dict(_ALWAYS)
            if method in ("post", "put", "patch") or operation.get("parameters"):
                statuses.update(_WITH_INPUT)
            if "{" in path:
                statuses.update(_WITH_ID)
            if method in ("post", "put", "patch", "delete"):
                statuses.update(_CONFLICT)
            if method in ("post", "put", "patch") and "requestBody" in operation:
                statuses.update(_BODY)
            responses = operation["responses"]
            for code, description in statuses.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    response.setdefault("description", "Error.")
                    response["content"] = {"application/json": {"schema": ref}}
    return result
