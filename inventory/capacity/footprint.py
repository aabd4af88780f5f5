"""Energy, cost and carbon: facility kWh, emissions, energy bill, a site's monthly ``Footprint`` and their sum."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .constants import GRAMS_PER_KG, HOURS_PER_MONTH, KG_PER_TONNE, SECONDS_PER_HOUR, TOKENS_PER_MILLION, WATTS_PER_KW
from .validation import _at_least_one, _count, _non_negative, _positive


def energy_kwh(devices: int, watts: float, hours: float, pue: float) -> float:
    """Facility energy: ``devices * watts * hours * pue / 1000`` kWh.

    PUE = total facility energy / IT equipment energy (The Green Grid; ISO/IEC 30134-2), so it is >= 1.
    Source: Patterson et al. 2021 (arXiv:2104.10350), GPT-3: 10,000 V100 x 330 W x 14.8 days x PUE 1.10
    = 1,287 MWh (vector E1). For device-hours totals pass ``devices=1, hours=device_hours`` (vector E2).
    """
    n = _count("devices", devices)
    w = _non_negative("watts", watts)
    h = _non_negative("hours", hours)
    p = _at_least_one("pue", pue)
    return n * w * h * p / WATTS_PER_KW


def emissions_kg(kwh: float, g_per_kwh: float) -> float:
    """Operational emissions: ``kwh * g_per_kwh / 1000`` kg CO2e (location-based grid intensity).

    Source: Patterson et al. 2021 (arXiv:2104.10350) Table 4 (GPT-3: 1,287 MWh x 429 g/kWh = 552 tCO2e,
    vector C1). Embodied (manufacturing) emissions are not included.
    """
    return _non_negative("kwh", kwh) * _non_negative("g_per_kwh", g_per_kwh) / GRAMS_PER_KG


def energy_cost(kwh: float, price_per_kwh: float) -> float:
    """Energy bill: ``kwh * price_per_kwh`` (same currency as ``price_per_kwh``; negative prices rejected).

    Source: definition of a per-kWh tariff (e.g. EIA US industrial average 8.06 cents/kWh, 2023).
    """
    return _non_negative("kwh", kwh) * _non_negative("price_per_kwh", price_per_kwh)


@dataclass(frozen=True, slots=True)
class Footprint:
    """Power, energy, cost and carbon of a site (or an organization) over a period (a month by default)."""

    it_power_kw: float  # servers' power at full load: accelerator watts x server overhead factor
    facility_power_kw: float  # it_power_kw x PUE
    energy_kwh_per_month: float  # facility_power_kw x hours
    cost_per_month: float  # energy x price per kWh
    tco2_per_month: float  # energy x grid intensity, tonnes CO2e


def site_footprint(
    accelerator_watts_total: float,
    server_overhead_factor: float,
    pue: float,
    price_per_kwh: float,
    g_per_kwh: float,
    hours: float = HOURS_PER_MONTH,
) -> Footprint:
    """Monthly footprint of a site running its accelerators flat out.

    * ``it_power_kw = accelerator_watts_total * server_overhead_factor / 1000``
      (overhead factor: whole-server / accelerator power; default 10200 / (8 x 700) = 1.821 from DGX H100;
      pass 1.0 with measured whole-server watts);
    * ``facility_power_kw = it_power_kw * pue`` (The Green Grid PUE definition);
    * ``energy = energy_kwh(1, accelerator_watts_total * overhead, hours, pue)``; ``hours`` defaults to 730
      (8760 / 12), so the ``_per_month`` fields hold the total for ``hours`` if another period is given;
    * ``cost = energy_cost(energy, price_per_kwh)``; ``tco2 = emissions_kg(energy, g_per_kwh) / 1000``.

    Full load is an upper bound: real fleets average well below TDP. Source: vector M1 (DGX H100 10.2 kW,
    PUE 1.58, 730 h = 11,765 kWh).
    """
    watts = _non_negative("accelerator_watts_total", accelerator_watts_total)
    overhead = _at_least_one("server_overhead_factor", server_overhead_factor)
    p = _at_least_one("pue", pue)
    _non_negative("price_per_kwh", price_per_kwh)
    _non_negative("g_per_kwh", g_per_kwh)
    h = _non_negative("hours", hours)
    it_w = watts * overhead
    kwh = energy_kwh(1, it_w, h, p)
    return Footprint(
        it_power_kw=it_w / WATTS_PER_KW,
        facility_power_kw=it_w * p / WATTS_PER_KW,
        energy_kwh_per_month=kwh,
        cost_per_month=energy_cost(kwh, price_per_kwh),
        tco2_per_month=emissions_kg(kwh, g_per_kwh) / KG_PER_TONNE,
    )


def combine_footprints(footprints: Iterable[Footprint]) -> Footprint:
    """Organization footprint: the field-by-field sum of its sites' footprints (all fields are additive)."""
    items = list(footprints)
    for index, item in enumerate(items):
        if not isinstance(item, Footprint):
            raise ValueError(f"footprints[{index}] must be a Footprint, got {item!r}")
    return Footprint(
        it_power_kw=math.fsum(f.it_power_kw for f in items),
        facility_power_kw=math.fsum(f.facility_power_kw for f in items),
        energy_kwh_per_month=math.fsum(f.energy_kwh_per_month for f in items),
        cost_per_month=math.fsum(f.cost_per_month for f in items),
        tco2_per_month=math.fsum(f.tco2_per_month for f in items),
    )


def cost_per_million_tokens(
    monthly_cost: float, tokens_per_second_served: float, hours: float = HOURS_PER_MONTH
) -> float:
    """Cost per million tokens: ``monthly_cost / (tokens_per_second_served * 3600 * hours / 1e6)``.

    ``hours`` is the length of the month (730 = 8760 / 12). Assumes the throughput is sustained for the whole
    period; divide by the real utilization if it is not. Source: definition of per-million-token pricing.
    """
    cost = _non_negative("monthly_cost", monthly_cost)
    tps = _positive("tokens_per_second_served", tokens_per_second_served)
    h = _positive("hours", hours)
    return cost / (tps * SECONDS_PER_HOUR * h / TOKENS_PER_MILLION)
