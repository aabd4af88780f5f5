"""Every API endpoint refuses a query parameter or a body field it does not take: a 400 naming it.

DRF and django-filter drop a parameter they do not know: ``GET /api/v1/inventory/servers/?hostname=fra-h100-01``
answered every server, as if the filter had matched, and ``GET /api/v1/capacity/summary/?foo=1`` answered 200 as
if ``foo`` meant something. `KnownParametersOnly` (a base of every API view, through
`accounts.api.base.OrganizationScopedAPIMixin`) answers 400 ``unknown_parameter`` on such a parameter, naming the
ones the endpoint takes, once the request is authenticated and allowed (an anonymous request is still a 401, a
viewer's write a 403).

What an endpoint takes is what its OpenAPI operation documents, read from the same declarations drf-spectacular
reads, so the schema and the check cannot disagree: the ``parameters`` of its ``@extend_schema``; for a list
(and an action documented as answering a list) its filters, the pages' (`config.pagination`) and ``ordering``
(`config.ordering`); and DRF's ``format`` everywhere (an ``OPTIONS`` request, DRF's metadata, takes it only).
Bodies: an action documented with ``request=None`` (retry,
confirm, a pull) takes none, so a body naming fields is a 400 ``unknown_field`` on each; a view that reads its
body by hand (discovery, the telemetry upload) is held to the serializer it documents; every other body is read
by a serializer that refuses unknown fields itself, nested ones too (`config.serializers.KnownFieldsOnly`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.viewsets import ViewSetMixin

from .errors import TooLarge
from .filtering import KnownParametersFilterBackend
from .serializers import KnownFieldsOnly

_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_AUTO = object()
"""What the schema's own inference answers (``_get_serializer``) stands in as: the check reads declarations only."""


def _handler(view: Any, request: Any) -> Any:
    """The method that answers the request; None where none does (DRF answers 405 after `initial`)."""
    name = getattr(view, "action", None) if isinstance(view, ViewSetMixin) else request.method.lower()
    return getattr(view, name, None) if name else None


def _schema(view: Any, request: Any) -> Any:
    """The view's drf-spectacular schema for this request's operation, answering from its declarations only."""
    schema_class = getattr(_handler(view, request), "kwargs", {}).get("schema")
    if schema_class is None:
        # An action's schema is its class (DRF sets it from the action's initkwargs), a view's an instance; a view
        # left out of the schema (DRF's router index) documents nothing.
        own = view.schema
        schema_class = own if isinstance(own, type) else type(own) if own is not None else AutoSchema
    schema = schema_class()
    schema.view = view
    schema.method = request.method.upper()
    schema._get_serializer = lambda: _AUTO
    return schema


def _declared(schema: Any) -> list[str]:
    names: list[str] = []
    for parameter in schema.get_override_parameters():
        if isinstance(parameter, OpenApiParameter):
            if parameter.location == OpenApiParameter.QUERY and not parameter.exclude and not parameter.response:
                names.append(parameter.name)
        else:  # a serializer whose fields are the parameters
            serializer = parameter() if isinstance(parameter, type) else parameter
            names.extend(getattr(serializer, "fields", {}))
    return names


def _is_list(view: Any, request: Any, schema: Any) -> bool:
    if request.method != "GET":
        return False
    if isinstance(view, ViewSetMixin):
        if getattr(view, "action", None) == "list":
            return True
    elif isinstance(view, ListModelMixin):
        return True
    responses = schema.get_response_serializers()
    return isinstance(responses, serializers.ListSerializer)


def taken_parameters(view: Any, request: Any) -> list[str]:
    """The query parameters the endpoint takes for this request's method, in the order the message names them."""
    schema = _schema(view, request)
    names = _declared(schema)
    if _is_list(view, request, schema):
        backends = [backend() for backend in getattr(view, "filter_backends", ())]
        for backend in backends:
            if isinstance(backend, KnownParametersFilterBackend):
                names += backend.parameter_names(request, view.get_queryset(), view)
        paginator = getattr(view, "paginator", None)
        names += getattr(paginator, "query_params", ())
        if any(getattr(backend, "ordering_param", None) for backend in backends):
            names.append(api_settings.ORDERING_PARAM)
    names.append(api_settings.URL_FORMAT_OVERRIDE)
    return list(dict.fromkeys(names))


def refuse_unknown_parameters(view: Any, request: Any) -> None:
    if request.method == "OPTIONS":  # DRF's metadata, on every endpoint (viewsets route it to no action)
        taken = [api_settings.URL_FORMAT_OVERRIDE]
    elif _handler(view, request) is None:  # a method the endpoint does not have: its 405 says so
        return
    else:
        taken = taken_parameters(view, request)
    unknown = [name for name in request.query_params if name not in taken]
    if unknown:
        if taken == [api_settings.URL_FORMAT_OVERRIDE]:
            message = f"Unknown parameter; this endpoint takes none but {taken[0]}."
        else:
            message = f"Unknown parameter; this endpoint takes {', '.join(taken)}."
        raise ValidationError({name: [message] for name in unknown}, code="unknown_parameter")
    if request.method in _BODY_METHODS:
        refuse_unknown_body_fields(_schema(view, request).get_request_serializer(), request)


def refuse_unknown_body_fields(documented: Any, request: Any) -> None:
    """No body where the operation documents none; else the fields of the serializer it documents (a view that
    reads its body by hand, an upload's form, included). A body the view's own serializer reads checks itself."""
    if documented is _AUTO:
        return
    try:
        data = request.data
    except RequestDataTooBig:  # read here first: a 413 in the one error shape, not Django's bare 400 page
        raise TooLarge(
            "The request body is larger than a JSON or form field may be: send large content as a file upload "
            "(multipart `file`, e.g. curl -F file=@-)."
        ) from None
    if not isinstance(data, Mapping) or not data:
        return
    if documented is None:
        message = "unknown field; this action takes no body."
        raise ValidationError({name: [message] for name in data}, code="unknown_field")
    for candidate in documented.values() if isinstance(documented, dict) else [documented]:
        serializer = candidate() if isinstance(candidate, type) else candidate
        if isinstance(serializer, KnownFieldsOnly):
            serializer.refuse_unknown_fields(data)


class KnownParametersOnly:
    """A base of every API view: `refuse_unknown_parameters` once the request is authenticated and allowed."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        refuse_unknown_parameters(self, request)


class Router(DefaultRouter):
    """DRF's router whose section index refuses an unknown parameter like every endpoint."""

    APIRootView = type("APIRootView", (KnownParametersOnly, APIRootView), {})
