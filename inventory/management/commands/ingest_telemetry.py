"""python manage.py ingest_telemetry FILE [--org SLUG] [--hostname HOST] [--at ISO-TIME]  (FILE "-" reads stdin)

curl -s http://gpu-node:9400/metrics | python manage.py ingest_telemetry - --org acme
python manage.py ingest_telemetry metrics.prom.gz --org acme    (gzip is read by its first bytes, whatever the name)
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from config.errors import DomainError
from inventory.telemetry import services

from .import_inventory import organization_from


class Command(BaseCommand):
    help = "Fold a dcgm-exporter scrape (what its /metrics answers) into the day's telemetry of the servers it names."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "file", help="The scrape (Prometheus text exposition), plain or gzip-compressed; - for standard input."
        )
        parser.add_argument("--org", help="Organization slug (needed when there are several).")
        parser.add_argument("--hostname", help="The server the scrape comes from (when Hostname labels don't say).")
        parser.add_argument("--at", help="When it was scraped, ISO 8601 (default: now).")

    def handle(
        self, *args: Any, file: str, org: str | None, hostname: str | None, at: str | None, **options: Any
    ) -> None:
        organization = organization_from(org)
        observed_at = None
        if at:
            observed_at = parse_datetime(at)
            if observed_at is None:
                raise CommandError(f"--at {at!r} is not an ISO 8601 date and time.")
        try:
            # One byte past the limit is enough for scrape_text to refuse it; a .gz file is read the same way.
            if file == "-":
                data = sys.stdin.buffer.read(services.upload_limit() + 1)
            else:
                with open(file, "rb") as handle:
                    data = handle.read(services.upload_limit() + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        try:
            result = services.telemetry_ingest_scrape(
                organization=organization,
                text=services.scrape_text(data),
                hostname=hostname,
                observed_at=observed_at,
            )
        except DomainError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was written.") from None
        for matched in result.matched:
            label = f" (reported as {matched.reported_as})" if matched.reported_as != matched.hostname else ""
            gpus = f"{matched.gpus} GPUs" if matched.gpus is not None else "no GPU"
            self.stdout.write(self.style.SUCCESS(f"{matched.hostname}{label}: {gpus}, day {matched.days[0]}."))
            for note in matched.notes:
                self.stdout.write(f"  {note}")
        for unknown in result.unknown_hosts:
            self.stdout.write(self.style.WARNING(f"Unknown host {unknown['hostname']}: {unknown['reason']}."))
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(f"{result.days_written} server-day(s) written.")
