"""python manage.py discover FILE --site SITE [--hostname HOST] [--org SLUG] [--dry-run]  (FILE "-" reads stdin)"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from inventory import services
from inventory.discovery import COMMANDS_HINT
from inventory.importing import tool_output_text

from .import_inventory import organization_from


def read_output(file: str) -> str:
    """The output in FILE ("-": standard input), refused above the size limit before it is read."""
    try:
        if file == "-":
            raw = sys.stdin.buffer.read(services.discovery.max_bytes() + 1)
        else:
            services.discovery.check_size(os.path.getsize(file))
            with open(file, "rb") as handle:
                raw = handle.read()
        services.discovery.check_size(len(raw))
        return tool_output_text(raw, limit=services.discovery.max_bytes())
    except DomainError as exc:
        raise CommandError(exc.errors[0].message) from None
    except UnicodeDecodeError:
        raise CommandError(f"{file} is not UTF-8 text: send what the tool prints.") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None


class Command(BaseCommand):
    help = (
        "Create or update servers and their GPUs from a GPU tool's output; the format is detected: "
        f"{COMMANDS_HINT}. Every problem is listed and nothing is written, or everything is."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The tool's output; - for standard input.")
        parser.add_argument("--site", required=True, help="The site's name in the organization.")
        parser.add_argument(
            "--hostname", default="", help="The server's hostname (needed for one host's output; clusters name theirs)."
        )
        parser.add_argument("--org", help="Organization slug (needed when there are several).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; write nothing.")

    def handle(self, *args: Any, file: str, site: str, hostname: str, org: str | None, **options: Any) -> None:
        organization = organization_from(org)
        text = read_output(file)
        try:
            recorded = services.discover(
                organization=organization, text=text, site=site, hostname=hostname, dry_run=options["dry_run"]
            )
        except DomainError as exc:
            for item in exc:
                self.stderr.write(f"line {item.row}: {item.message}" if item.row else str(item))
            if exc.total > len(exc.errors):
                self.stderr.write(f"... {exc.total - len(exc.errors)} more.")
            raise CommandError("Nothing was written.") from None
        plan = recorded.plan
        self.stdout.write(f"Format: {plan.format_label} (`{plan.command}`).")
        for note in plan.notes:
            self.stdout.write(f"Note: {note}")
        verb = {"create": "Would create" if options["dry_run"] else "Created"}
        for host in plan.hosts:
            action = verb.get(host.action) or ("Would update" if options["dry_run"] else "Updated")
            groups = ", ".join(f"{g.count} × {g.accelerator}" for g in host.groups) or "no GPUs"
            mig = sum(len(g.mig) for g in host.gpus)
            extra = f", {mig} MIG devices" if mig else ""
            power = f", rated accelerator power {host.rated_power_w} W" if host.rated_power_w else ""
            line = f"{action} {host.hostname} at {plan.site}: {groups}{extra}{power}"
            self.stdout.write(self.style.SUCCESS(line) if not options["dry_run"] else line)
            if host.action == "update":
                for change in host.changes:
                    self.stdout.write(f"  {change}")
            for note in host.notes:
                self.stdout.write(f"  Note: {note}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
