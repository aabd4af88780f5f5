"""The API's content negotiation: ``?format=`` naming no renderer of the endpoint is a 406 that lists the formats
it answers, not DRF's bare 404 "Not found." (which reads as a missing row). A path's format suffix that matches no
renderer (``/sites/0.5/`` reads as row 0 in format "5") stays a 404: that URL names no row."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class FormatNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            if format_suffix:
                raise
            wanted = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            formats = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise NotAcceptable(f"Unknown format {wanted!r}: this endpoint answers {formats}.") from None
