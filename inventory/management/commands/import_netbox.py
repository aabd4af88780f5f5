"""python manage.py import_netbox --device-types PATH [--org SLUG] [--dry-run]
python manage.py import_netbox --url URL --token TOKEN [--org SLUG] [--role SLUG] [--country CC] [--dry-run]"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from inventory import services
from inventory.services.netbox import netbox_sync

from .import_inventory import organization_from


class Command(BaseCommand):
    help = (
        "NetBox into InfraReady: --device-types PATH loads devicetype-library YAML (a file or a folder) into the "
        "server model catalog; --url URL --token TOKEN syncs sites, GPU servers, their device types, power ports and "
        "GPU modules or inventory items from a NetBox's REST API (idempotent by NetBox ids, all or nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--device-types", help="devicetype-library YAML: a file or a folder.")
        parser.add_argument("--url", help="NetBox's base URL, e.g. https://netbox.example.net")
        parser.add_argument("--token", help="A NetBox API token (read access); else $NETBOX_TOKEN.")
        parser.add_argument("--org", help="Organization slug (needed when there are several; --device-types: private).")
        parser.add_argument("--role", default="", help="Sync devices of this role (slug); default: devices with GPUs.")
        parser.add_argument("--country", default="", help="ISO country code of sites NetBox has and InfraReady lacks.")
        parser.add_argument("--insecure", action="store_true", help="Do not check NetBox's HTTPS certificate.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["device_types"]) == bool(options["url"]):
            raise CommandError("Give --device-types PATH or --url URL (with --token).")
        try:
            if options["device_types"]:
                self._device_types(Path(options["device_types"]), options)
            else:
                self._sync(options)
        except DomainError as exc:
            for item in exc:
                self.stderr.write(str(item))
            raise CommandError("Nothing was written.") from None

    def _device_types(self, path: Path, options: dict[str, Any]) -> None:
        organization = organization_from(options["org"]) if options["org"] else None
        result = services.server_models_import(path=path, organization=organization, dry_run=options["dry_run"])
        where = f"{organization}'s catalog" if organization else "the shared catalog"
        verb = "Would load" if options["dry_run"] else "Loaded"
        self.stdout.write(
            f"{verb} into {where}: {len(result.created)} new, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged server models."
        )
        for model in result.models:
            draw = f"{model.max_draw_w:,} W usable" if model.max_draw_w else "draw unknown"
            ports = f"{len(model.power_ports)} power port{'' if len(model.power_ports) == 1 else 's'}"
            self.stdout.write(f"  {model}: {model.u_height:g} U, {ports}, {draw} ({model.draw_rule})")
            for note in model.notes:
                self.stdout.write(f"    Note: {note}")
        for skipped in result.skipped:
            self.stdout.write(f"Skipped {skipped}")

    def _sync(self, options: dict[str, Any]) -> None:
        token = options["token"] or os.environ.get("NETBOX_TOKEN", "")
        if not token:
            raise CommandError("Give the API token with --token or $NETBOX_TOKEN.")
        organization = organization_from(options["org"])

        def progress(stage: str, done: int, total: int) -> None:
            self.stdout.write(f"[{done}/{total}] {stage}")

        plan = netbox_sync(
            organization=organization,
            url=options["url"],
            token=token,
            role=options["role"],
            country=options["country"],
            verify=not options["insecure"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        counts = plan.counts()
        verb = "Would create" if options["dry_run"] else "Created"
        self.stdout.write(
            f"NetBox {plan.version or '?'} at {plan.url}: {verb.lower()} {counts['servers_created']}, "
            f"{'would update' if options['dry_run'] else 'updated'} {counts['servers_updated']}, "
            f"{counts['servers_unchanged']} unchanged servers; {counts['gpus']} GPUs; {counts['sites_created']} new "
            f"sites; {counts['server_models']} server models."
        )
        for note in plan.notes:
            self.stdout.write(f"Note: {note}")
        for device in plan.devices:
            self.stdout.write(
                f"{device.action:>9} {device.hostname} ({device.site}, {device.model}): {device.accelerators}"
            )
            if device.action != "create":
                for change in device.changes:
                    self.stdout.write(f"          {change}")
            for note in device.notes:
                self.stdout.write(f"          Note: {note}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
