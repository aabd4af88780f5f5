"""The OpenAPI schema, built once per process and served from memory afterwards.

drf-spectacular's `SpectacularAPIView` walks every view and serializer on each request (177 KB of schema; the API
docs page waits ~1.5 s for it). The schema depends only on the code, and a process runs one version of the code,
so `CachedSchemaView` keeps the schema it built, and each rendering of it (YAML, JSON) as bytes, for the life of
the process: a deploy restarts the processes, which is the invalidation. The key holds the API version, the
language and the package versions, so nothing served can come from another variant of the schema.
"""

from __future__ import annotations

import threading
from typing import Any

import drf_spectacular
import rest_framework
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

_lock = threading.Lock()
_schemas: dict[tuple[Any, ...], dict[str, Any]] = {}
_rendered: dict[tuple[Any, ...], tuple[bytes, str]] = {}
CODE_VERSION = (drf_spectacular.__version__, rest_framework.__version__)
"""Part of every key, beside the process's own code (which a restart replaces)."""


def clear() -> None:
    """Forget the built schemas (tests that change the URLs or settings the schema is built from)."""
    with _lock:
        _schemas.clear()
        _rendered.clear()


class CachedSchemaView(SpectacularAPIView):
    """`SpectacularAPIView`, building the schema once per process, API version and language."""

    def _key(self, request: Request) -> tuple[Any, ...]:
        version = self.api_version or request.version or self._get_version_parameter(request)
        return (CODE_VERSION, version, translation.get_language(), self.serve_public, str(self.urlconf))

    def _get_schema_response(self, request: Request) -> Response:
        if not self.serve_public:  # a schema filtered by the user's permissions is not shared
            return super()._get_schema_response(request)
        key = self._key(request)
        schema = _schemas.get(key)
        if schema is None:
            with _lock:
                schema = _schemas.get(key)
                if schema is None:
                    _schemas[key] = schema = super()._get_schema_response(request).data
        self._schema_key = key
        version = key[1]
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_schema_key", None)
        if key is None or response.status_code != 200 or not isinstance(response, Response):
            return response
        key = (*key, response.accepted_media_type)
        rendered = _rendered.get(key)
        if rendered is None:
            response.render()
            _rendered[key] = (response.content, response["Content-Type"])
        else:
            response.content, response["Content-Type"] = rendered  # setting the content marks it rendered
        return response
