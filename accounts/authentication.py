"""API authentication by organization-bound tokens: `Authorization: Token <key>` (or `Bearer <key>`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import selectors, services
from .models import ApiToken

KEYWORDS = (b"token", b"bearer")


class OrganizationTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request as the token's user, acting for the token's organization (`request.auth`)."""

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <key>'.")
        try:
            raw_key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token header: the key is not text.") from error
        token = selectors.api_token_for_key(raw_key=raw_key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        services.api_token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Token realm="api"'


class OrganizationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.OrganizationTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; issue one in the app (API tokens) or with `manage.py issue_token`.",
        }
