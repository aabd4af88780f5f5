from django.core.management.base import BaseCommand
from django.db import transaction

from inventory.catalog import load_catalog
from inventory.models import AcceleratorType, GridRegion, ModelProfile


class Command(BaseCommand):
    help = "Load or refresh the shared catalog (accelerators, LLM configurations, grid carbon) from inventory/data."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_catalog(AcceleratorType, ModelProfile, GridRegion)
        self.stdout.write(", ".join(f"{n} {kind}" for kind, n in counts.items()) + " loaded.")
