"""Money, pure Python (no Django): currencies and their conversion at dated reference rates (`currency`), money
as people read it (`formatting`), and the total cost of ownership with build versus rent (`tco`).

Amounts in different currencies are never added: `currency.total_in` keeps them per currency and converts each
into one currency at a named, dated rate, or says which rate is missing (docs/money.md).
"""

from .currency import (
    EUR,
    Conversion,
    MissingRate,
    MoneyTotal,
    Rate,
    RateTable,
    convert,
    total_in,
)
from .formatting import decimal_string, decimals_for, format_money, minor_unit, money_unit, symbol_for
from .tco import (
    DEFAULT_DEPRECIATION_YEARS,
    DEPRECIATION_SOURCE,
    HOURS_PER_MONTH,
    BuildVsRent,
    CostLine,
    build_vs_rent,
    cost_per_accelerator_hour,
    cost_per_million_tokens,
    monthly_depreciation,
)

__all__ = [
    "DEFAULT_DEPRECIATION_YEARS",
    "DEPRECIATION_SOURCE",
    "EUR",
    "HOURS_PER_MONTH",
    "BuildVsRent",
    "Conversion",
    "CostLine",
    "MissingRate",
    "MoneyTotal",
    "Rate",
    "RateTable",
    "build_vs_rent",
    "convert",
    "cost_per_accelerator_hour",
    "cost_per_million_tokens",
    "decimal_string",
    "decimals_for",
    "format_money",
    "minor_unit",
    "money_unit",
    "monthly_depreciation",
    "symbol_for",
    "total_in",
]
