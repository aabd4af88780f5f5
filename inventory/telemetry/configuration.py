"""Writes of the integrations' configuration: an organization's Prometheus and its servers' BMC endpoints.

Secrets are write-only: given, they are encrypted and stored; omitted (None), the stored one is kept; an empty
string clears it. Addresses are checked when saved (scheme, no credentials in the URL, not an address the
installation's policy refuses); the resolved address is checked again on every connection (`config.outbound`).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import Organization
from config import outbound
from config.errors import ErrorItem, Invalid

from ..models import Server
from .models import BmcEndpoint, PrometheusConfig
from .redfish import base_url


def url_problem(url: str, *, label: str = "URL") -> str | None:
    """Why ``url`` (the field's ``label``) cannot be an integration's address, as a sentence, or None: the one rule
    (`config.outbound.target_problem`), the host checked only when written as an IP address (a name is resolved
    and checked at each connection)."""
    problem = outbound.target_problem(url, resolve_host=False)
    if isinstance(problem, outbound.InvalidUrl):
        return problem.problem
    if problem is not None:
        return f"The {label} is {problem}."
    return None


def _check(errors: list[ErrorItem]) -> None:
    if errors:
        raise Invalid(errors)


def prometheus_config_save(
    *,
    organization: Organization,
    url: str,
    token: str | None = None,
    enabled: bool = True,
    verify_tls: bool = True,
    window_days: int = 7,
    step_seconds: int = 300,
) -> PrometheusConfig:
    """Create or update the organization's Prometheus configuration."""
    url = (url or "").strip().rstrip("/")
    errors = []
    if not url:
        errors.append(ErrorItem("The Prometheus URL is required.", "required", field="url"))
    elif problem := url_problem(url):
        errors.append(ErrorItem(problem, "invalid", field="url"))
    if not 1 <= int(window_days) <= 30:
        errors.append(ErrorItem("From 1 to 30 days.", "invalid", field="window_days"))
    if not 15 <= int(step_seconds) <= 3600:
        errors.append(ErrorItem("From 15 to 3600 seconds.", "invalid", field="step_seconds"))
    _check(errors)
    config = PrometheusConfig.objects.filter(organization=organization).first() or PrometheusConfig(
        organization=organization
    )
    config.url, config.enabled, config.verify_tls = url, enabled, verify_tls
    config.window_days, config.step_seconds = int(window_days), int(step_seconds)
    if token is not None:
        config.set_token(token)
    config.save()
    return config


def prometheus_config_delete(*, organization: Organization) -> None:
    PrometheusConfig.objects.filter(organization=organization).delete()


def bmc_endpoint_save(
    *,
    organization: Organization,
    server: Server,
    address: str,
    endpoint: BmcEndpoint | None = None,
    username: str | None = None,
    password: str | None = None,
    verify_tls: bool = True,
    enabled: bool = True,
) -> BmcEndpoint:
    """Create (``endpoint`` None) or update a server's BMC endpoint."""
    address = (address or "").strip()
    errors = []
    if server.organization_id != organization.pk:
        errors.append(ErrorItem("No such server in this organization.", "does_not_exist", field="server"))
    if not address:
        errors.append(ErrorItem("The BMC's address is required.", "required", field="address"))
    elif problem := url_problem(base_url(address), label="address"):
        errors.append(ErrorItem(problem, "invalid", field="address"))
    if endpoint is None and not password:
        errors.append(ErrorItem("The BMC's password is required.", "required", field="password"))
    if endpoint is None and not username:
        errors.append(ErrorItem("The BMC's user name is required.", "required", field="username"))
    clash = BmcEndpoint.objects.filter(server=server)
    if endpoint is not None:
        clash = clash.exclude(pk=endpoint.pk)
    if clash.exists():
        errors.append(ErrorItem(f"{server} has a BMC endpoint already.", "unique", field="server"))
    _check(errors)
    endpoint = endpoint or BmcEndpoint(organization=organization)
    endpoint.server, endpoint.address = server, address
    endpoint.verify_tls, endpoint.enabled = verify_tls, enabled
    endpoint.set_credentials(username=username, password=password)
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:
        raise Invalid(f"{server} has a BMC endpoint already.", code="unique", field="server") from None
    return endpoint


def bmc_endpoint_delete(*, endpoint: BmcEndpoint) -> None:
    endpoint.delete()


def reencrypt_secrets() -> dict[str, Any]:
    """Re-encrypt every stored secret with the first key of ``FIELD_ENCRYPTION_KEY`` (after a key rotation)."""
    from config.encryption import reencrypt

    counts = {"prometheus": 0, "bmc": 0}
    with transaction.atomic():
        for config in PrometheusConfig.objects.select_for_update().exclude(bearer_token_encrypted=""):
            config.bearer_token_encrypted = reencrypt(config.bearer_token_encrypted)
            config.save(update_fields=["bearer_token_encrypted"])
            counts["prometheus"] += 1
        for endpoint in BmcEndpoint.objects.select_for_update():
            endpoint.username_encrypted = reencrypt(endpoint.username_encrypted)
            endpoint.password_encrypted = reencrypt(endpoint.password_encrypted)
            endpoint.save(update_fields=["username_encrypted", "password_encrypted"])
            counts["bmc"] += 1
    return counts
