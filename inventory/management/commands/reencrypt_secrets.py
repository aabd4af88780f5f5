"""python manage.py reencrypt_secrets  -- after putting a new key first in FIELD_ENCRYPTION_KEY (docs/telemetry.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.encryption import SecretUnreadable
from inventory.telemetry.configuration import reencrypt_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored integration secret with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = reencrypt_secrets()
        except SecretUnreadable as exc:
            raise CommandError(f"Nothing was changed: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {counts['prometheus']} Prometheus token(s), {counts['bmc']} BMC endpoint(s)."
            )
        )
