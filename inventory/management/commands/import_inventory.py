"""python manage.py import_inventory FILE [--org SLUG] [--kind KIND] [--format FORMAT] [--dry-run]"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from config.errors import DomainError
from inventory import services
from inventory.importing import IMPORT_FORMATS, KINDS


def organization_from(slug: str | None) -> Organization:
    if slug:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {slug!r}.")
        return organization
    organizations = list(Organization.objects.order_by("slug")[:2])
    if len(organizations) != 1:
        raise CommandError("Choose the organization with --org SLUG.")
    return organizations[0]


class Command(BaseCommand):
    help = (
        "Import sites, servers, storage, networks, cloud capacity or workloads from a CSV, XLSX, JSON or YAML file. "
        "Every row is validated first; any problem is listed and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The file; CSV holds one kind, named by --kind or the file name.")
        parser.add_argument("--org", help="Organization slug (needed when there are several).")
        parser.add_argument("--kind", help=f"One of {', '.join(KINDS)}; else from the file name.")
        parser.add_argument(
            "--format", dest="file_format", help=f"One of {', '.join(IMPORT_FORMATS)}; else from the extension."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(
        self,
        *args: Any,
        file: str,
        org: str | None,
        kind: str | None,
        file_format: str | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        organization = organization_from(org)
        try:
            size = os.path.getsize(file)
            handle = open(file, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        verbose = options.get("verbosity", 1) > 1
        try:
            result = services.inventory_import(
                organization=organization,
                handle=handle,
                filename=os.path.basename(file),
                size=size,
                kind=kind,
                file_format=file_format,
                dry_run=dry_run,
                progress=(lambda phase, n: self.stdout.write(f"{phase} {n} rows")) if verbose else None,
            )
        except DomainError as exc:
            self._problems(exc.errors, exc.total)
            raise CommandError(f"{file}: nothing was written.") from None
        finally:
            handle.close()
        for notice in result.notices:  # how the file was read ("Read as Windows-1252 text: ...")
            self.stdout.write(self.style.WARNING(notice))
        if not result.ok:
            self._problems(result.errors, result.error_count)
            raise CommandError(f"{file}: {result.error_count} problem(s); nothing was written.")
        counts = ", ".join(f"{k}: {c['created']} new, {c['updated']} updated" for k, c in result.by_kind.items())
        if dry_run:
            self.stdout.write(f"{file} is valid ({result.total_rows} rows; {counts}). Dry run: nothing was written.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {result.total_rows} rows into {organization.slug} ({counts}).")
            )

    def _problems(self, items: Any, total: int) -> None:
        """Each problem with its place first ("row 3, column site: unknown site 'X'.")."""
        for item in items:
            self.stderr.write(str(item))
        if total > len(items):
            self.stderr.write(f"... {total} problems in total; the first {len(items)} are listed.")
