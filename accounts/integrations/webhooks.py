"""Webhooks: endpoints an organization's owners register, events emitted where things happen, signed deliveries.

- **Registering** (:func:`webhook_endpoint_create`, :func:`webhook_endpoint_update`): an ``http(s)`` URL whose
  host resolves only to addresses the policy allows (:func:`webhook_url_problem`: never link-local or metadata
  addresses; loopback and private ranges only with ``WEBHOOKS_ALLOW_PRIVATE_TARGETS``), the events it wants
  (:class:`~accounts.models.WebhookEvent`) and a signing secret (given, or made here and shown once), stored
  encrypted (:mod:`config.encryption`).
- **Emitting** (:func:`webhook_emit`): the service where something happened calls it inside its transaction; one
  :class:`~accounts.models.WebhookDelivery` row per subscribed endpoint holds the exact JSON body (``id``,
  ``type``, ``created``, ``organization``, ``data``), and its task is published once that transaction commits, so
  nothing is announced that was rolled back. Publishing problems are logged; :func:`webhook_deliveries_sweep`
  (beat) publishes again what waits past its time.
- **Sending** (:func:`webhook_attempt`, the task ``accounts.tasks.webhook_deliver``): a POST of the body with
  ``X-InfraReady-Signature: sha256=<HMAC-SHA256 of the raw body with the secret, hex>``,
  ``X-InfraReady-Event``, ``X-InfraReady-Event-Id`` and ``X-InfraReady-Timestamp``, through
  :func:`config.outbound.request` (the host is resolved and checked again at send time and the connection pinned
  to the checked address: no DNS rebinding; no redirect; timeouts). Each attempt is logged
  (:class:`~accounts.models.WebhookAttempt`: status, an excerpt of the answer, duration). A 2xx answer delivers;
  a network error, a timeout, 408, 429 or 5xx is tried again after :func:`backoff_seconds` (30 s, doubling, at
  most 10 minutes) up to ``WEBHOOKS_MAX_ATTEMPTS``; any other answer, or an address the policy refuses, fails at
  once.
- **Re-sending** (:func:`webhook_delivery_resend`): a new delivery of the same event (same id and body, signed
  with the endpoint's current secret), from the app or the API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config import encryption, outbound
from config.errors import Conflict, ErrorItem, Invalid
from config.jobs import BROKER_ERRORS

from ..models import Organization
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "EVENT_HEADER",
    "EVENT_ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "allow_private_targets",
    "backoff_seconds",
    "max_attempts",
    "sign",
    "verify_signature",
    "webhook_attempt",
    "webhook_deliveries_sweep",
    "webhook_delivery_resend",
    "webhook_emit",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_secret",
    "webhook_endpoint_update",
    "webhook_url_problem",
]

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-InfraReady-Signature"
EVENT_HEADER = "X-InfraReady-Event"
EVENT_ID_HEADER = "X-InfraReady-Event-Id"
TIMESTAMP_HEADER = "X-InfraReady-Timestamp"
USER_AGENT = "InfraReady-Webhooks/1"
SECRET_MIN_LENGTH = 16
EXCERPT_CHARS = 500
MAX_RESPONSE_BYTES = 256 * 1024
RETRY_STATUSES = frozenset({408, 429})
SWEEP_GRACE = timedelta(minutes=5)


# --- settings ---------------------------------------------------------------------------------------------------


def allow_private_targets() -> bool:
    """``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` (environment, default false): loopback and private ranges allowed."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 6)))


def backoff_seconds(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): base x 2^(attempt-1), capped.

    With the defaults (``WEBHOOKS_BACKOFF_SECONDS`` 30, ``WEBHOOKS_BACKOFF_MAX_SECONDS`` 600): 30, 60, 120, 240,
    480 s, so six attempts span about 15 minutes. The cap stays below Redis' visibility timeout (20 minutes), past
    which a countdown message would be delivered twice."""
    base = int(getattr(settings, "WEBHOOKS_BACKOFF_SECONDS", 30))
    cap = int(getattr(settings, "WEBHOOKS_BACKOFF_MAX_SECONDS", 600))
    return min(cap, base * 2 ** max(0, attempt - 1))


# --- signing ----------------------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the raw body under ``secret``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (docs/webhooks.md): recompute and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


# --- endpoints --------------------------------------------------------------------------------------------------


def webhook_url_problem(url: str, *, allow_private: bool | None = None) -> ErrorItem | None:
    """Why ``url`` may not receive webhooks (an item on ``url``), or None. Resolves the host now; the address is
    checked again at every send (a name may later resolve elsewhere)."""
    allow = allow_private_targets() if allow_private is None else allow_private
    problem = outbound.target_problem(url, allow_private=allow)  # the integrations' one rule
    if problem is None:
        return None
    if isinstance(problem, outbound.InvalidUrl):
        return ErrorItem(problem.problem, outbound.target_code(problem), field="url")
    message = str(problem).replace("INTEGRATIONS_ALLOW_PRIVATE_TARGETS", "WEBHOOKS_ALLOW_PRIVATE_TARGETS")
    return ErrorItem(f"This address cannot receive webhooks: {message}.", outbound.target_code(problem), field="url")


def _events(events: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [name for name in chosen if name not in WebhookEvent.values]
    if unknown:
        raise Invalid(
            f"Unknown event {', '.join(map(repr, unknown))}; choose from {', '.join(WebhookEvent.values)}.",
            code="invalid_choice",
            field="events",
        )
    if not chosen:
        raise Invalid("Choose at least one event.", code="required", field="events")
    return [name for name in WebhookEvent.values if name in chosen]  # the documented order


def _check(url: str | None, events: Iterable[str] | None, secret: str | None) -> list[str]:
    problems: list[ErrorItem] = []
    if url is not None:
        problem = webhook_url_problem(url)
        if problem:
            problems.append(problem)
    chosen: list[str] = []
    if events is not None:
        try:
            chosen = _events(events)
        except Invalid as error:
            problems.extend(error.errors)
    if secret and len(secret) < SECRET_MIN_LENGTH:
        problems.append(
            ErrorItem(f"Use a secret of at least {SECRET_MIN_LENGTH} characters.", "too_short", field="secret")
        )
    if problems:
        raise Invalid(problems)
    return chosen


def webhook_endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: Iterable[str],
    secret: str = "",
    description: str = "",
    active: bool = True,
    user: AbstractBaseUser | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (the one given, or a new random one), to be shown once."""
    chosen = _check(url, events, secret)
    secret = secret or secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url.strip(),
        events=chosen,
        secret_encrypted=encryption.encrypt(secret),
        description=description,
        active=active,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return endpoint, secret


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, changes: Mapping[str, Any]) -> WebhookEndpoint:
    """Change any of ``url``, ``events``, ``secret`` (a new one), ``description``, ``active``."""
    chosen = _check(changes.get("url"), changes.get("events"), changes.get("secret"))
    fields = []
    if "url" in changes:
        endpoint.url = changes["url"].strip()
        fields.append("url")
    if "events" in changes:
        endpoint.events = chosen
        fields.append("events")
    if changes.get("secret"):
        endpoint.secret_encrypted = encryption.encrypt(changes["secret"])
        fields.append("secret_encrypted")
    for name in ("description", "active"):
        if name in changes:
            setattr(endpoint, name, changes[name])
            fields.append(name)
    if fields:
        endpoint.save(update_fields=fields)
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def webhook_endpoint_secret(endpoint: WebhookEndpoint) -> str:
    return encryption.decrypt(endpoint.secret_encrypted)


# --- emitting ---------------------------------------------------------------------------------------------------


def _body(*, event_id: uuid.UUID, event: str, created: datetime, organization: Organization, data: Any) -> str:
    payload = {
        "id": str(event_id),
        "type": event,
        "created": created.isoformat().replace("+00:00", "Z"),
        "organization": {"name": organization.name, "slug": organization.slug},
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def webhook_emit(*, organization_id: int, event: str, data: Mapping[str, Any]) -> list[WebhookDelivery]:
    """Record ``event`` for every active endpoint of the organization subscribed to it and send each once the
    current transaction commits. ``data`` is JSON (words and rounded numbers; ids only to fetch more by the API).

    One query when no endpoint is registered; two statements and one message per endpoint otherwise."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(organization_id=organization_id, active=True).select_related(
            "organization"
        )
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    event_id, created = uuid.uuid4(), timezone.now().replace(microsecond=0)
    body = _body(event_id=event_id, event=event, created=created, organization=endpoints[0].organization, data=data)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            organization_id=organization_id,
            endpoint=endpoint,
            event_id=event_id,
            event=event,
            body=body,
            next_attempt_at=created,
            task_id=str(uuid.uuid4()),
        )
        for endpoint in endpoints
    )
    for delivery in deliveries:
        _publish_on_commit(delivery)
    return deliveries


def _publish_on_commit(delivery: WebhookDelivery) -> None:
    pk, task_id = delivery.pk, delivery.task_id

    def publish() -> None:
        from .. import tasks

        try:
            tasks.webhook_deliver.apply_async((pk,), task_id=task_id)
        except BROKER_ERRORS as error:  # the sweep publishes it again
            logger.warning("webhook delivery %s not queued, the broker cannot be reached: %s", pk, error)

    # robust: a webhook never fails the change it announces (an error is logged; the sweep tries again).
    transaction.on_commit(publish, robust=True)


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same id, same body) to the same endpoint once more, as a new delivery; 409 when the
    endpoint is switched off."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise Conflict("This endpoint is switched off; switch it on to send to it.", code="endpoint_inactive")
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            organization_id=delivery.organization_id,
            endpoint=endpoint,
            event_id=delivery.event_id,
            event=delivery.event,
            body=delivery.body,
            next_attempt_at=timezone.now(),
            task_id=str(uuid.uuid4()),
            resend_of=delivery,
        )
        _publish_on_commit(again)
    return again


# --- sending ----------------------------------------------------------------------------------------------------


def _claim(delivery_id: int, task_id: str | None) -> WebhookDelivery | None:
    """The delivery, its attempt counted, if it still waits for this message (its task id); else None."""
    found = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    if task_id is not None:
        found = found.filter(task_id=task_id)
    if not found.update(attempts=F("attempts") + 1):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _headers(delivery: WebhookDelivery, secret: str, body: bytes) -> dict[str, str]:
    created = json.loads(delivery.body).get("created", "")
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, body),
        EVENT_HEADER: delivery.event,
        EVENT_ID_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: created,
    }


def webhook_attempt(*, delivery_id: int, task_id: str | None = None) -> int | None:
    """Make one attempt of a pending delivery and log it; the seconds to wait before the next attempt, or None
    when there is none to make (delivered, failed for good, or not this message's)."""
    delivery = _claim(delivery_id, task_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    started, clock = timezone.now(), time.monotonic()
    status_code: int | None = None
    excerpt = error = ""
    retry = False
    try:
        secret = webhook_endpoint_secret(endpoint)
        response = outbound.request(
            "POST",
            endpoint.url,
            allow_private=allow_private_targets(),
            headers=_headers(delivery, secret, body),
            data=body,
            timeout=tuple(getattr(settings, "WEBHOOKS_TIMEOUT", (3.05, 10.0))),
            max_redirects=0,
            max_bytes=MAX_RESPONSE_BYTES,
        )
    except encryption.SecretUnreadable as exc:
        error = str(exc)
    except outbound.BlockedAddress as exc:
        error = str(exc).replace("INTEGRATIONS_ALLOW_PRIVATE_TARGETS", "WEBHOOKS_ALLOW_PRIVATE_TARGETS")
    except outbound.RedirectRefused as exc:
        error = f"the receiver answered with a redirect, which is not followed ({exc})"
    except outbound.OutboundError as exc:
        error, retry = str(exc), True
    else:
        status_code = response.status_code
        excerpt = response.content[:EXCERPT_CHARS].decode("utf-8", errors="replace")
        retry = status_code >= 500 or status_code in RETRY_STATUSES
        if not 200 <= status_code < 300:
            error = f"the receiver answered {status_code}"
    duration_ms = round((time.monotonic() - clock) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started=started,
        duration_ms=duration_ms,
        status_code=status_code,
        response_excerpt=excerpt[:1000],
        error=error[:500],
    )
    succeeded = status_code is not None and 200 <= status_code < 300
    wait = backoff_seconds(delivery.attempts) if retry and delivery.attempts < max_attempts() else None
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SUCCEEDED if succeeded else DeliveryStatus.PENDING if wait else DeliveryStatus.FAILED,
        last_status_code=status_code,
        last_error=error[:500],
        next_attempt_at=now + timedelta(seconds=wait) if wait else None,
        finished=None if wait else now,
    )
    logger.info(
        "webhook %s %s to endpoint %s, attempt %s: %s in %s ms",
        delivery.event,
        delivery.event_id,
        endpoint.pk,
        delivery.attempts,
        status_code or error,
        duration_ms,
    )
    return wait


def webhook_deliveries_sweep(*, now: datetime | None = None) -> int:
    """Beat: publish again every pending delivery whose next attempt is more than five minutes late (its message
    was never published, or was lost), under a new task id so that a late original does nothing."""
    now = now or timezone.now()
    late = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lt=now - SWEEP_GRACE
        ).values_list("pk", flat=True)[:500]
    )
    for pk in late:
        task_id = str(uuid.uuid4())
        if WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            task_id=task_id, next_attempt_at=now
        ):
            _publish_on_commit(WebhookDelivery(pk=pk, task_id=task_id))
    return len(late)
