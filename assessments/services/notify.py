"""Email to members about assessments (assigned an area, a due date near, mentioned in a comment), through Django's
mail backend (the console in the demo), sent once the transaction that caused it has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """A link for an email: the installation's base URL (``INFRAREADY_BASE_URL``) and the path."""
    return f"{getattr(settings, 'INFRAREADY_BASE_URL', '').rstrip('/')}{path}"


def area_link(assessment_id: int, area_ref: str, question_ref: str = "") -> str:
    url = reverse("assessments:area", args=[assessment_id, area_ref])
    return absolute(f"{url}#q-{question_ref}" if question_ref else url)


def notify(*, users: Iterable[Any], subject: str, template: str, context: dict[str, Any]) -> int:
    """Email each user who has an address (one message each), after commit; returns how many will be sent."""
    recipients = {user.email: user for user in users if user is not None and getattr(user, "email", "")}
    if not recipients:
        return 0
    messages = [
        (address, render_to_string(f"assessments/email/{template}.txt", {**context, "user": user}))
        for address, user in sorted(recipients.items())
    ]

    connection = get_connection()  # the backend in force when it happened (seed_demo's is a dummy one)

    def send() -> None:
        for address, body in messages:
            try:
                send_mail(f"[InfraReady] {subject}", body, None, [address], connection=connection)
            except Exception:  # a mail server down must not undo the change that caused the email
                logger.exception("could not email %s about %r", address, subject)

    transaction.on_commit(send)
    return len(messages)
