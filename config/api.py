"""The REST API's version 1: `/api/v1/`, one section per app."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .parameters import KnownParametersOnly

# Each section and the URL name of its entry point.
SECTIONS = {
    "accounts": "api:accounts:api-root",
    "inventory": "api:inventory:api-root",
    "assessments": "api:assessments:assessment-list",
    "capacity": "api:capacity:summary",
    "reports": "api:reports:api-root",
    "webhooks": "api:webhooks:webhook-list",
}


class ApiRootView(KnownParametersOnly, APIView):
    """The sections of the API; each lists its endpoints."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({section: reverse(url_name, request=request) for section, url_name in SECTIONS.items()})


urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    *[
        path(f"{section}/", include(f"{section}.api.urls"))
        for section in SECTIONS
        if section not in ("capacity", "webhooks")
    ],
    path("webhooks/", include("accounts.api.webhook_urls")),
    path("capacity/", include("inventory.api.capacity_urls")),
]
