"""python manage.py ingest_nvidia_smi --site SITE --hostname HOST [--org SLUG] FILE: an alias of `discover` (kept
for the cron jobs that call it; every format discovery reads is accepted)."""

from __future__ import annotations

from .discover import Command as DiscoverCommand


class Command(DiscoverCommand):
    help = "An alias of `manage.py discover` (kept for scripts that call it). " + DiscoverCommand.help
