"""Total cost of ownership (TCO) per month, cost per accelerator-hour and per million tokens, build versus rent.

Formulas (docs/money.md has them with worked examples):

- **Depreciation** (straight line): a server's purchase cost spread evenly over its depreciation period,
  ``cost / (years x 12)`` per month, while the period runs; nothing once the server is fully depreciated (its
  book value is then zero; its energy and site costs still count). Default period 5 years: computers and
  peripheral equipment are 5-year property under the US MACRS (IRS Publication 946, Table B-1, asset class
  00.12); hyperscalers state 5 to 6 years for servers in their annual reports (Amazon 10-K 2024: 5 years from
  2025; Microsoft 10-K 2022 and Alphabet 10-K 2023: 6 years). Editable per server.
- **TCO per month** of a site = depreciation of its active servers + facility energy + the site's monthly lines
  (colocation or space, maintenance, staff), each line in its own currency; totals over several currencies are
  converted (`currency.total_in`), never added as they are.
- **Cost per accelerator-hour** = TCO per month / (accelerators x 730 hours).
- **Cost per million tokens** = monthly cost / (tokens per second x 3,600 x 730 / 1,000,000).
- **Build versus rent** for a workload: the GPU-hours it needs (inference: GPUs needed x 730 hours a month;
  training: GPUs x hours of the run) at the organization's own cost per accelerator-hour, against the same
  GPU-hours at a cloud price per GPU-hour (instance price / GPUs per instance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

HOURS_PER_MONTH = 730.0  # 8,760 hours a year / 12
SECONDS_PER_HOUR = 3600.0
TOKENS_PER_MILLION = 1_000_000.0

DEFAULT_DEPRECIATION_YEARS = 5
DEPRECIATION_SOURCE = (
    "straight-line depreciation; default period 5 years: computers are 5-year property under US MACRS (IRS "
    "Publication 946, Table B-1, asset class 00.12); hyperscalers depreciate servers over 5-6 years (Amazon 10-K "
    "2024: 5 years from 2025; Microsoft 10-K 2022, Alphabet 10-K 2023: 6 years)"
)

LINE_KINDS = {
    "depreciation": "Hardware depreciation",
    "energy": "Energy",
    "colocation": "Colocation and space",
    "maintenance": "Maintenance and support",
    "staff": "Operations staff",
}


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}.")


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def monthly_depreciation(
    purchase_cost: float, years: float, *, purchase_date: date | None = None, on: date | None = None
) -> float:
    """Straight-line depreciation per month: ``purchase_cost / (years x 12)`` while the period runs; 0 once
    ``on`` is past ``purchase_date`` + ``years`` (no purchase date: the period is taken as running)."""
    if purchase_cost < 0:
        raise ValueError(f"A purchase cost cannot be negative, got {purchase_cost}.")
    _positive("The depreciation period", years)
    if purchase_date is not None and on is not None and months_between(purchase_date, on) >= years * 12:
        return 0.0
    return purchase_cost / (years * 12)


@dataclass(frozen=True, slots=True)
class CostLine:
    """One monthly cost of a site: its kind (a key of `LINE_KINDS`), amount per month and currency, and where
    it comes from in words."""

    kind: str
    amount: float
    currency: str
    origin: str

    @property
    def label(self) -> str:
        return LINE_KINDS.get(self.kind, self.kind)


def cost_per_accelerator_hour(monthly_cost: float, accelerators: int, hours: float = HOURS_PER_MONTH) -> float:
    """``monthly_cost / (accelerators x hours)``."""
    _positive("The number of accelerators", accelerators)
    _positive("The hours", hours)
    return monthly_cost / (accelerators * hours)


def cost_per_million_tokens(monthly_cost: float, tokens_per_second: float, hours: float = HOURS_PER_MONTH) -> float:
    """``monthly_cost / (tokens per second x 3,600 x hours / 1,000,000)``: the cost of a million tokens when the
    throughput is served all month."""
    _positive("The token rate", tokens_per_second)
    return monthly_cost / (tokens_per_second * SECONDS_PER_HOUR * hours / TOKENS_PER_MILLION)


@dataclass(frozen=True, slots=True)
class BuildVsRent:
    """The same GPU-hours at the organization's own cost and at a cloud price, in one currency."""

    gpu_hours: float
    own_per_gpu_hour: float
    rent_per_gpu_hour: float
    own: float
    rent: float

    @property
    def cheaper(self) -> str:
        if abs(self.own - self.rent) <= 1e-9 * max(self.own, self.rent, 1.0):
            return "same"
        return "own" if self.own < self.rent else "rent"

    @property
    def rent_over_own(self) -> float | None:
        """How many times the own cost renting costs (None when the own cost is zero)."""
        return self.rent / self.own if self.own > 0 else None


def build_vs_rent(gpu_hours: float, own_per_gpu_hour: float, rent_per_gpu_hour: float) -> BuildVsRent:
    """Own: ``gpu_hours x own cost per accelerator-hour``; rent: ``gpu_hours x cloud price per GPU-hour``."""
    if gpu_hours < 0 or own_per_gpu_hour < 0 or rent_per_gpu_hour < 0:
        raise ValueError("GPU-hours and prices cannot be negative.")
    return BuildVsRent(
        gpu_hours, own_per_gpu_hour, rent_per_gpu_hour, gpu_hours * own_per_gpu_hour, gpu_hours * rent_per_gpu_hour
    )
