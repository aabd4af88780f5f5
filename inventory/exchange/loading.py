"""Load the ECB euro reference rates from the committed CSV file (an upsert by currency and date)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.dateparse import parse_date

RATES_FILE = Path(__file__).resolve().parent.parent / "data" / "ecb_euro_reference_rates.csv"


def rate_rows(path: Path = RATES_FILE) -> list[dict[str, Any]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {
                "currency": row["currency"].strip().upper(),
                "date": parse_date(row["date"]),
                "rate_per_eur": Decimal(row["rate_per_eur"]),
                "source": row["source"],
            }
            for row in csv.DictReader(handle)
        ]


def load_rates(model: Any, path: Path = RATES_FILE) -> int:
    """Upsert every row of ``path`` into ``model`` (`ExchangeRate`, or its historical model in a migration)."""
    rows = rate_rows(path)
    existing = {(r.currency, r.date): r for r in model.objects.all()}
    new, changed = [], []
    for row in rows:
        current = existing.get((row["currency"], row["date"]))
        if current is None:
            new.append(model(**row))
        elif current.rate_per_eur != row["rate_per_eur"] or current.source != row["source"]:
            current.rate_per_eur, current.source = row["rate_per_eur"], row["source"]
            changed.append(current)
    model.objects.bulk_create(new)
    model.objects.bulk_update(changed, ["rate_per_eur", "source"])
    return len(rows)
