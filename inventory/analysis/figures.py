"""The analysis' figures with their calculation: each site's power, energy, cost and carbon, the fleet's totals
(money per currency), and the energy cost of a workload's verdict. The fit's own figures come from the pure
model (`capacity.fit_figures`); this module adds the ones that need the records (PUE, price, grid intensity) and
names those records as the inputs' origin ("Site Frankfurt DC: PUE 1.35 (recorded)")."""

from __future__ import annotations

from collections.abc import Iterable

from .. import capacity
from ..capacity.figures import Figure, Input, figure_if_known, present_figures
from ..models import Site
from ..selectors import GridIntensity, power_rung
from .assumptions import LOAD_BASIS

HOURS = Input("hours in a month", capacity.HOURS_PER_MONTH, "h", "8,760 hours a year / 12")

SOURCES = {
    "power": (
        "server power ladder (docs/capacity.md): recorded power, else an integrated system's rated power (the "
        "accelerator type's system power), else accelerator TDP x 1.821 (NVIDIA DGX H100 datasheet: 10.2 kW for "
        "8 x 700 W GPUs)"
    ),
    "pue": "PUE = total facility energy / IT equipment energy (The Green Grid; ISO/IEC 30134-2)",
    "energy": "facility energy = IT power x PUE x hours (The Green Grid PUE definition; ISO/IEC 30134-2)",
    "carbon": (
        "operational, location-based emissions = energy x grid intensity (Patterson et al. 2021, "
        "arXiv:2104.10350, Table 4); embodied emissions excluded"
    ),
    "cost": "energy x price per kWh (definition of a per-kWh tariff)",
    "headroom": "definition: IT (critical) power capacity - IT draw (measured where telemetry gives it, else rated)",
    "sum": "the sum of the sites' figures",
    "money_sum": "the sum of the sites' figures in that currency; amounts in other currencies are never added",
    "per_million": "definition of per-million-token pricing (cost / tokens served x 1,000,000)",
    "fleet": "the inventory: active servers' accelerators by type, and the catalog rows' datasheet figures",
}

ENERGY_ONLY = "energy only: no hardware depreciation, space, staff or software"


def recorded(site: Site, what: str, value: str, changed: bool = False) -> str:
    """ "Site Frankfurt DC: PUE 1.35 (recorded)", or "(what-if)" when a what-if set it."""
    return f"Site {site.name}: {what} {value} ({'what-if' if changed else 'recorded'})"


def site_figures(
    site: Site,
    *,
    it_power_kw: float,
    power_inputs: Iterable[Input],
    pue: float,
    pue_changed: bool,
    price: float | None,
    price_changed: bool,
    grid: GridIntensity,
    price_text: str = "",
    footprint: capacity.Footprint,
) -> tuple[Figure, ...]:
    """A site's month as figures: IT and facility power, energy, grid intensity, carbon, cost, power headroom."""
    it = figure_if_known(
        "it_power_kw",
        "IT power",
        it_power_kw,
        "kW",
        "sum of the active servers' whole-server watts / 1000 (each server: its recorded power, else its "
        "accelerator type's system power for an integrated system, else its accelerators' TDP x 1.821)",
        tuple(power_inputs) or (Input("active servers' watts", 0.0, "W", f"Site {site.name}: no active server"),),
        SOURCES["power"],
    )
    pue_in = Input("PUE", pue, "ratio", recorded(site, "PUE", f"{pue:g}", pue_changed))
    facility = figure_if_known(
        "facility_power_kw",
        "Facility power",
        footprint.facility_power_kw,
        "kW",
        "IT power x PUE",
        (it.as_input(), pue_in),
        SOURCES["pue"],
    )
    energy = figure_if_known(
        "energy_kwh_per_month",
        "Facility energy per month",
        footprint.energy_kwh_per_month,
        "kWh",
        "IT power x PUE x hours in a month",
        (it.as_input(), pue_in, HOURS),
        SOURCES["energy"],
        note=LOAD_BASIS,
    )
    intensity = figure_if_known(
        "grid_g_co2_per_kwh",
        "Grid carbon intensity",
        grid.g_per_kwh,
        "gCO2e/kWh",
        "the site's own figure when recorded, else its country's reference figure, else the IEA world average",
        (
            Input(
                {"override": "the site's own figure"}.get(grid.basis, f"{grid.basis} figure"),
                grid.g_per_kwh,
                "gCO2e/kWh",
                grid.origin,
            ),
        ),
        {
            "override": "the site's record (its electricity contract or utility)",
            "country": "reference data inventory/data/grid_carbon_intensity.csv",
            "world average": "IEA world average carbon intensity of electricity (475 g/kWh)",
        }[grid.basis],
        note={"override": "the site's own figure", "country": "the country's figure"}.get(
            grid.basis, "world-average fallback"
        ),
    )
    carbon = figure_if_known(
        "tco2_per_month",
        "Carbon per month",
        footprint.tco2_per_month,
        "tCO2e",
        "facility energy x grid intensity / 1,000,000",
        (energy.as_input(), intensity.as_input()),
        SOURCES["carbon"],
    )
    cost = None
    if price is not None:
        cost = figure_if_known(
            "cost_per_month",
            "Energy cost per month",
            footprint.cost_per_month,
            f"{site.currency}/month",
            "facility energy x electricity price",
            (
                energy.as_input(),
                Input(
                    "electricity price",
                    price,
                    f"{site.currency}/kWh",
                    recorded(site, "electricity price", price_text or f"{price:g} {site.currency}/kWh", price_changed),
                ),
            ),
            SOURCES["cost"],
            note=ENERGY_ONLY,
            currency=site.currency,
        )
    headroom = None
    if site.power_capacity_kw is not None:
        headroom = figure_if_known(
            "power_headroom_kw",
            "Power headroom",
            site.power_capacity_kw - it_power_kw,
            "kW",
            "IT power capacity - IT power",
            (
                Input(
                    "IT power capacity",
                    float(site.power_capacity_kw),
                    "kW",
                    recorded(site, "IT power capacity", f"{site.power_capacity_kw:g} kW"),
                ),
                it.as_input(),
            ),
            SOURCES["headroom"],
            note=(
                f"below zero: the site already draws {it_power_kw - float(site.power_capacity_kw):,.1f} kW more than "
                "its capacity"
                if it_power_kw > float(site.power_capacity_kw)
                else ""
            ),
        )
    return present_figures(it, facility, energy, intensity, carbon, cost, headroom)


def power_inputs(
    site: Site, groups: dict[str, tuple[int, float]], added: tuple[int, str, float | None] | None
) -> list[Input]:
    """The IT power's inputs: the watts of the site's servers per rung of the power ladder
    (``groups``: power source -> (servers, watts)), and accelerators a what-if adds (their watts None when their
    type has no TDP: not counted, and the input says so)."""
    items = []
    for key, (servers, watts) in groups.items():
        rung = power_rung(key)
        how = rung.basis if rung else "no recorded power and no accelerator TDP: 0 W"
        label = rung.label if rung else "no power known"
        items.append(
            Input(
                f"{servers} server{'s' if servers != 1 else ''}, {label}",
                watts,
                "W",
                f"Site {site.name}: active servers in the inventory; {how}",
            )
        )
    if added is not None:
        count, name, watts = added
        if watts is None:
            items.append(
                Input(
                    f"{count} added {name}: no published TDP, not counted",
                    0,
                    "W",
                    "what-if: accelerators added; their type has no TDP, so their power is unknown and counted as 0 W",
                )
            )
        else:
            items.append(
                Input(
                    f"{count} added {name} at its estimate (system power, else TDP x 1.821)",
                    watts,
                    "W",
                    "what-if: accelerators added",
                )
            )
    return items


def total_figures(sites: list, pools: Iterable) -> tuple[Figure, ...]:
    """The fleet's totals: power, energy and carbon summed over the sites; the energy cost per currency; the
    accelerators, their memory and 16-bit compute."""
    items: list[Figure | None] = []
    for name, label, unit, field in (
        ()
        if not sites
        else (
            ("it_power_kw", "IT power", "kW", "it_power_kw"),
            ("facility_power_kw", "Facility power", "kW", "facility_power_kw"),
            ("energy_kwh_per_month", "Facility energy per month", "kWh", "energy_kwh_per_month"),
            ("tco2_per_month", "Carbon per month", "tCO2e", "tco2_per_month"),
        )
    ):
        items.append(
            figure_if_known(
                name,
                f"{label}, all sites",
                sum(getattr(s.footprint, field) for s in sites),
                unit,
                "sum over the sites",
                tuple(
                    Input(f"{s.site.name}", getattr(s.footprint, field), unit, f"figure: {label} of Site {s.site.name}")
                    for s in sites
                ),
                SOURCES["sum"],
                note=LOAD_BASIS if name != "it_power_kw" else "",
            )
        )
    currencies = sorted({s.currency for s in sites if s.price_per_kwh is not None})
    for currency in currencies:
        priced = [s for s in sites if s.price_per_kwh is not None and s.currency == currency]
        items.append(
            figure_if_known(
                f"cost_per_month_{currency.lower()}",
                f"Energy cost per month in {currency}",
                sum(s.footprint.cost_per_month for s in priced),
                f"{currency}/month",
                f"sum of the monthly energy cost of the sites priced in {currency}",
                tuple(
                    Input(
                        s.site.name,
                        s.footprint.cost_per_month,
                        f"{currency}/month",
                        f"figure: Energy cost of Site {s.site.name}",
                    )
                    for s in priced
                ),
                SOURCES["money_sum"],
                note=ENERGY_ONLY,
                currency=currency,
            )
        )
    on_site = [p for p in pools if p.site is not None]
    if on_site:
        items.append(
            figure_if_known(
                "accelerators",
                "Accelerators at the sites",
                sum(p.pool.count for p in on_site),
                "accelerators",
                "sum of the accelerators of the active servers (and of any a what-if adds)",
                tuple(Input(p.label, p.pool.count, "accelerators", p.origins.pool) for p in on_site),
                SOURCES["fleet"],
            )
        )
        items.append(
            figure_if_known(
                "accelerator_memory_gb",
                "Accelerator memory at the sites",
                sum(p.pool.count * p.pool.accelerator.memory_gb for p in on_site),
                "GB",
                "sum over the pools of accelerators x memory per accelerator",
                tuple(
                    Input(
                        f"{p.label}: memory per accelerator",
                        float(p.pool.accelerator.memory_gb),
                        "GB",
                        p.origins.accelerator,
                    )
                    for p in on_site
                ),
                SOURCES["fleet"],
            )
        )
        items.append(
            figure_if_known(
                "bf16_pflops",
                "Dense 16-bit compute at the sites",
                sum(p.pool.count * (p.pool.accelerator.sixteen_bit_tflops or 0.0) for p in on_site) / 1000,
                "PFLOPS",
                "sum over the pools of accelerators x dense BF16 rate (FP16 where there is no BF16) / 1000",
                tuple(
                    Input(
                        f"{p.label}: dense 16-bit rate",
                        p.pool.accelerator.sixteen_bit_tflops or 0.0,
                        "TFLOPS",
                        p.origins.accelerator,
                    )
                    for p in on_site
                ),
                SOURCES["fleet"],
            )
        )
    return present_figures(*items)


def _pue_and_price(site: Site, pue: float, pue_changed: bool, price: float, price_changed: bool) -> tuple[Input, Input]:
    """The site's PUE and electricity price as inputs of a workload's energy cost, each saying whether it is the
    site's record or a what-if."""
    return (
        Input("PUE", pue, "ratio", recorded(site, "PUE", f"{pue:g}", pue_changed)),
        Input(
            "electricity price",
            price,
            f"{site.currency}/kWh",
            recorded(site, "electricity price", f"{price:g} {site.currency}/kWh", price_changed),
        ),
    )


def verdict_cost_figures(
    fit_figures: tuple[Figure, ...],
    *,
    site: Site,
    pue: float,
    pue_changed: bool,
    price: float,
    price_changed: bool,
    cost: float,
    per_million: float | None,
) -> tuple[Figure, ...]:
    """A fitting workload's monthly energy cost at its site, and per million output tokens."""
    it = next(f for f in fit_figures if f.name == "it_power_kw")
    pue_input, price_input = _pue_and_price(site, pue, pue_changed, price, price_changed)
    monthly = figure_if_known(
        "monthly_energy_cost",
        "Energy cost per month",
        cost,
        f"{site.currency}/month",
        "IT power of the GPUs needed x PUE x hours in a month x electricity price",
        (
            it.as_input(),
            pue_input,
            HOURS,
            price_input,
        ),
        f"{SOURCES['pue']}; {SOURCES['cost']}",
        note=f"{ENERGY_ONLY}; {LOAD_BASIS}",
        currency=site.currency,
    )
    per_token = None
    if per_million is not None:
        tps = next(f for f in fit_figures if f.name == "output_tokens_per_second")
        per_token = figure_if_known(
            "energy_cost_per_million_tokens",
            "Energy cost per million output tokens",
            per_million,
            f"{site.currency}/Mtoken",
            "monthly energy cost / (output tokens per second x 3,600 s x hours in a month / 1,000,000)",
            (monthly.as_input(), tps.as_input(), HOURS),
            SOURCES["per_million"],
            note=f"{ENERGY_ONLY}; the demand served all month",
            currency=site.currency,
        )
    return present_figures(monthly, per_token)


def training_run_cost_figures(
    fit_figures: tuple[Figure, ...],
    *,
    site: Site,
    gpu_hours: float,
    watts: float,
    power_basis: str,
    pue: float,
    pue_changed: bool,
    price: float,
    price_changed: bool,
    cost: float,
) -> tuple[Figure, ...]:
    """A fitting training workload's energy cost for one run at its site: its GPU-hours (the whole pool's training
    time x its GPUs; the same on fewer GPUs for longer) x whole-server watts per GPU x PUE x price."""
    days = next(f for f in fit_figures if f.name == "training_days")
    run = figure_if_known(
        "run_energy_cost",
        "Energy cost of one training run",
        cost,
        f"{site.currency}/run",
        "GPU-hours of the run x whole-server watts per GPU / 1000 x PUE x electricity price",
        (
            Input("GPU-hours of the run", gpu_hours, "GPU-h", "pool GPUs x training days on the pool x 24"),
            days.as_input(),
            Input("whole-server watts per GPU", watts, "W", power_basis),
            *_pue_and_price(site, pue, pue_changed, price, price_changed),
        ),
        f"{SOURCES['pue']}; {SOURCES['cost']}",
        note=f"{ENERGY_ONLY}; one run, not a month: the run takes the same GPU-hours on fewer GPUs for longer",
        currency=site.currency,
    )
    return present_figures(run)
