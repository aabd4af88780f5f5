"""`manage.py load_framework FILE [--org SLUG]`: validate and store an assessment framework file.

Without `--org` the framework is shared by every organization; with it, it is that organization's own. Loading the
same version with the same content again changes nothing. A bad file is refused with every problem on its own line
(on stderr) and a non-zero exit status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from assessments import services
from config.errors import DomainError


class Command(BaseCommand):
    help = "Load an assessment framework file (YAML or JSON), shared or for one organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The framework file.")
        parser.add_argument("--org", metavar="SLUG", help="Load it as this organization's own framework.")

    def handle(self, *args: Any, file: Path, org: str | None = None, **options: Any) -> None:
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with the slug {org!r}.")
        try:
            text = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read it ({error.strerror or error}).") from error
        try:
            framework, created = services.framework_load(text=text, organization=organization)
        except DomainError as error:
            self._problems(error.messages)
            raise CommandError(f"{file}: not loaded, {_count(error.messages)}.") from error
        what = f"{framework.title} {framework.version} ({framework.question_count} questions)"
        owner = f" for {organization.name}" if organization else ""
        if created:
            self.stdout.write(self.style.SUCCESS(f"loaded {what}{owner}"))
        else:
            self.stdout.write(f"already loaded: {what}{owner}")

    def _problems(self, problems: list[str]) -> None:
        for problem in problems:
            self.stderr.write(problem)


def _count(problems: list[str]) -> str:
    return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
