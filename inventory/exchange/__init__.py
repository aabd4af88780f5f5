"""Exchange rates as data: the ECB euro reference rates (`models.ExchangeRate`, loaded from
``inventory/data/ecb_euro_reference_rates.csv`` by a data migration and `manage.py load_exchange_rates`), an
organization's overrides (`models.ExchangeRateOverride`, written by `services`), and the rate table an
organization converts with (`selectors.rate_table_for`). The conversion itself is pure: `inventory.money`."""
