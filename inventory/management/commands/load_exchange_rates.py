from django.core.management.base import BaseCommand
from django.db import transaction

from inventory.exchange.loading import RATES_FILE, load_rates
from inventory.models import ExchangeRate


class Command(BaseCommand):
    help = "Load or refresh the ECB euro reference rates from inventory/data/ecb_euro_reference_rates.csv (or --file)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(RATES_FILE), help="A CSV with currency,date,rate_per_eur,source.")

    def handle(self, *args, **options):
        from pathlib import Path

        with transaction.atomic():
            count = load_rates(ExchangeRate, Path(options["file"]))
        self.stdout.write(f"{count} exchange rates loaded.")
