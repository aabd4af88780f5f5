"""python manage.py ingest_nvidia_smi --site SITE --hostname HOST [--org SLUG] FILE  (FILE "-" reads stdin)"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory import services
from inventory.importing import ImportRejected
from inventory.nvidia_smi import COMMAND

from .import_inventory import organization_from


class Command(BaseCommand):
    help = f"Create or update a server from what `{COMMAND}` printed on it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="nvidia-smi's CSV output; - for standard input.")
        parser.add_argument("--site", required=True, help="The site's name in the organization.")
        parser.add_argument("--hostname", required=True, help="The server's hostname (created or updated).")
        parser.add_argument("--org", help="Organization slug (needed when there are several).")

    def handle(self, *args: Any, file: str, site: str, hostname: str, org: str | None, **options: Any) -> None:
        organization = organization_from(org)
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8-sig") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}.") from None
        try:
            discovery = services.nvidia_smi_ingest(organization=organization, site=site, hostname=hostname, text=text)
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"line {problem.row}: {problem.message}" if problem.row else str(problem))
            raise CommandError("Nothing was written.") from None
        server = discovery.server
        verb = "Created" if discovery.created else "Updated"
        driver = server.gpu_driver_version or "unknown"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {server.hostname} at {server.site.name}: "
                f"{discovery.gpu_count} x {discovery.accelerator_type}, driver {driver}."
            )
        )
        for note in discovery.notes:
            self.stdout.write(note)
