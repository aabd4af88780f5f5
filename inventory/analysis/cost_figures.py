"""The figures of the total cost of ownership (`analysis.costs`): each site's depreciation, TCO and cost per
accelerator-hour, the organization's converted totals, and each workload's GPU-hours, own cost, cost per million
tokens and cloud cost, every one with its formula, inputs (unit and origin: the records, the rates and their
date) and source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import money
from ..capacity.figures import Figure, Input, figure_if_known, present_figures
from ..models import Site

if TYPE_CHECKING:
    from .costs import SiteCost, WorkloadCost

HOURS = Input("hours in a month", money.HOURS_PER_MONTH, "h", "8,760 hours a year / 12")

SOURCES = {
    "depreciation": money.DEPRECIATION_SOURCE,
    "tco": "total cost of ownership: the sum of the monthly cost lines (docs/money.md)",
    "conversion": "amounts converted through the euro at the ECB euro reference rates (or the organization's "
    "own rate): amount / rate of its currency x rate of the reporting currency",
    "per_hour": "TCO per month / (accelerators x hours in a month)",
    "per_million": "definition of per-million-token pricing (cost / tokens served x 1,000,000)",
    "rent": "cloud price per GPU-hour = price per instance-hour / GPUs per instance",
}


def line_input(line: money.CostLine) -> Input:
    return Input(line.label, line.amount, f"{line.currency}/month", line.origin)


def _rate_inputs(total: money.MoneyTotal) -> tuple[Input, ...]:
    return tuple(
        Input(f"rate {r.currency} per EUR", float(r.per_eur), f"{r.currency}/EUR", r.described)
        for r in total.rates_used
    )


def _converted_figure(
    name: str, label: str, total: money.MoneyTotal, inputs: tuple[Input, ...], formula: str, source: str, note: str
) -> Figure | None:
    """A total in one currency: as it is when all its amounts share the reporting currency, else converted
    (formula and inputs say at which rates); None when a rate is missing."""
    if total.converted is None:
        return None
    converted = any(c.currency != total.currency for c in total.conversions)
    return figure_if_known(
        name,
        label,
        total.converted,
        f"{total.currency}/month",
        formula + (f", each currency converted into {total.currency} at the rates below" if converted else ""),
        inputs + (_rate_inputs(total) if converted else ()),
        source + (f"; {SOURCES['conversion']}" if converted else ""),
        note=note,
        currency=total.currency,
    )


def site_cost_figures(
    site: Site,
    lines: list[money.CostLine],
    total: money.MoneyTotal,
    currency: str,
    accelerators: int,
    per_hour: float | None,
    priced: int,
    unpriced: int,
    done: int,
    added_unpriced: int = 0,
) -> tuple[Figure, ...]:
    if not lines:
        return ()
    depreciation = [line for line in lines if line.kind == "depreciation"]
    dep_figures = []
    for line in depreciation:
        dep_figures.append(
            figure_if_known(
                f"depreciation_per_month_{line.currency.lower()}",
                f"Hardware depreciation per month in {line.currency}",
                line.amount,
                f"{line.currency}/month",
                "sum over the active servers of purchase cost / (depreciation years x 12), 0 once fully depreciated",
                (
                    Input("servers with a purchase cost", priced, "servers", f"Site {site.name}: inventory"),
                    Input(
                        "servers without a purchase cost (not counted)",
                        unpriced,
                        "servers",
                        f"Site {site.name}: inventory",
                    ),
                    Input(
                        "servers fully depreciated",
                        done,
                        "servers",
                        f"Site {site.name}: purchase date + period before today",
                    ),
                    Input(
                        "default depreciation period",
                        money.DEFAULT_DEPRECIATION_YEARS,
                        "years",
                        money.DEPRECIATION_SOURCE,
                    ),
                ),
                SOURCES["depreciation"],
                currency=line.currency,
            )
        )
    kinds = ", ".join(dict.fromkeys(line.label.lower() for line in lines))
    not_priced = (
        (
            Input(
                "accelerators a what-if adds without a price (hardware not counted)",
                added_unpriced,
                "accelerators",
                f"Site {site.name}: the inventory has no purchase cost for their type",
            ),
        )
        if added_unpriced
        else ()
    )
    tco = _converted_figure(
        "tco_per_month",
        "Total cost of ownership per month",
        total,
        tuple(line_input(line) for line in lines) + not_priced,
        "sum of the site's monthly cost lines",
        SOURCES["tco"],
        f"includes {kinds}",
    )
    hourly = None
    if per_hour is not None and tco is not None:
        hourly = figure_if_known(
            "cost_per_accelerator_hour",
            "Cost per accelerator-hour",
            per_hour,
            f"{currency}/h",
            "TCO per month / (accelerators x hours in a month)",
            (
                tco.as_input(),
                Input("accelerators", accelerators, "accelerators", f"Site {site.name}: active servers"),
                HOURS,
            ),
            SOURCES["per_hour"],
            note=f"includes {kinds}; every accelerator-hour of the month, used or idle",
            currency=currency,
        )
    return present_figures(*dep_figures, tco, hourly)


def total_cost_figures(
    sites: list[SiteCost],
    total: money.MoneyTotal,
    currency: str,
    accelerators: int,
    per_hour: float | None,
    served: list[WorkloadCost],
    per_million: float | None,
    tokens_per_month: float,
) -> tuple[Figure, ...]:
    priced = [s for s in sites if s.lines]
    if not priced:
        return ()
    inputs = []
    for s in priced:
        for code, amount in s.total.by_currency.items():
            inputs.append(
                Input(
                    f"{s.site.name} ({code})",
                    amount,
                    f"{code}/month",
                    f"figure: Total cost of ownership of Site {s.site.name}",
                )
            )
    kinds = ", ".join(dict.fromkeys(line.label.lower() for s in priced for line in s.lines))
    tco = _converted_figure(
        "tco_per_month",
        f"Total cost of ownership per month, all sites, in {currency}",
        total,
        tuple(inputs),
        "sum of the sites' monthly cost lines",
        SOURCES["tco"],
        f"includes {kinds}",
    )
    items: list[Figure | None] = [tco]
    if tco is not None and per_hour is not None:
        items.append(
            figure_if_known(
                "cost_per_accelerator_hour",
                "Cost per accelerator-hour, all sites",
                per_hour,
                f"{currency}/h",
                "TCO per month / (accelerators x hours in a month)",
                (
                    tco.as_input(),
                    Input(
                        "accelerators at the sites", accelerators, "accelerators", "figure: Accelerators at the sites"
                    ),
                    HOURS,
                ),
                SOURCES["per_hour"],
                note=f"includes {kinds}; every accelerator-hour of the month, used or idle",
                currency=currency,
            )
        )
    if per_million is not None:
        items.append(
            figure_if_known(
                "tco_per_million_tokens",
                "Cost per million output tokens, served workloads",
                per_million,
                f"{currency}/Mtoken",
                "sum of the inference workloads' TCO share per month / "
                "(output tokens they serve per month / 1,000,000)",
                tuple(
                    Input(
                        f"{w.verdict.workload.name}: TCO share",
                        w.own,
                        f"{currency}/month",
                        f"figure: TCO share of {w.verdict.workload.name}",
                    )
                    for w in served
                )
                + (
                    Input(
                        "output tokens served per month",
                        tokens_per_month,
                        "tokens",
                        "the workloads' demand: requests per second x output tokens, all month",
                    ),
                ),
                SOURCES["per_million"],
                note="on the total cost of ownership; the demand served all month",
                currency=currency,
            )
        )
    return present_figures(*items)


def workload_cost_figures(cost: WorkloadCost, site: SiteCost | None) -> tuple[Figure, ...]:
    verdict, currency = cost.verdict, cost.currency
    fit = verdict.fit
    inference = cost.period == "per month"
    unit = f"{currency}/month" if inference else currency
    if inference:
        hours_in = (Input("GPUs needed", fit.gpus_needed, "GPUs", "figure: GPUs needed"), HOURS)
        hours_formula = "GPUs needed x hours in a month"
    else:
        hours_in = (
            Input("training time on the pool", fit.training_days, "days", "figure: Training time"),
            Input("hours in a day", 24, "h", "definition"),
            Input("GPUs of the pool", fit.gpus_available, "GPUs", verdict.pool.origins.pool or "the pool"),
        )
        hours_formula = "training days on the pool x 24 x GPUs of the pool"
    gpu_hours = figure_if_known(
        "gpu_hours",
        "GPU-hours " + cost.period,
        cost.gpu_hours,
        "GPU-h",
        hours_formula,
        hours_in,
        "definition of a GPU-hour",
    )
    own = None
    if cost.own is not None and site is not None:
        hourly = next((f for f in site.figures if f.name == "cost_per_accelerator_hour"), None)
        own = figure_if_known(
            "own_cost",
            "Own cost " + cost.period + " (TCO share)",
            cost.own,
            unit,
            "GPU-hours x the site's cost per accelerator-hour",
            (
                gpu_hours.as_input(),
                hourly.as_input(origin=f"figure: Cost per accelerator-hour of Site {site.site.name}"),
            ),
            SOURCES["per_hour"],
            note=f"includes {', '.join(label.lower() for label in site.included)}",
            currency=currency,
        )
    per_token = None
    if cost.per_million_tokens is not None and own is not None:
        per_token = figure_if_known(
            "tco_per_million_tokens",
            "Cost per million output tokens (TCO)",
            cost.per_million_tokens,
            f"{currency}/Mtoken",
            "own cost per month / (output tokens per second x 3,600 s x hours in a month / 1,000,000)",
            (
                own.as_input(),
                Input(
                    "output tokens per second",
                    fit.output_tokens_per_second,
                    "tokens/s",
                    "figure: Output tokens per second",
                ),
                HOURS,
            ),
            SOURCES["per_million"],
            note="on the total cost of ownership; the demand served all month",
            currency=currency,
        )
    rent = None
    if cost.rent is not None:
        rent = figure_if_known(
            "rent_cost",
            "Cloud cost " + cost.period,
            cost.rent,
            unit,
            "GPU-hours x cloud price per GPU-hour",
            (
                gpu_hours.as_input(),
                Input("cloud price per GPU-hour", cost.rent_per_gpu_hour, f"{currency}/GPU-h", cost.rent_origin),
            ),
            SOURCES["rent"],
            note="on-demand price; no egress, storage or reserved discounts",
            currency=currency,
        )
    return present_figures(gpu_hours, own, per_token, rent)
