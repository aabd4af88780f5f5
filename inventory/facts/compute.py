"""Computing the facts an organization's inventory supports (`compute_facts`): site, fleet, network, storage and
workload facts in a fixed, small number of queries, the cost facts and the capacity model's (reusing the analysis),
and the measured telemetry's (`inventory.telemetry.facts`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization

from ..analysis import WHOLE_ORGANIZATION, CapacitySummary, CostSummary, Scope, analyse, costs_of, fleet_demand
from ..capacity.figures import format_value
from ..models import NetworkFabric, Server, ServerStatus, StorageSystem, Workload
from ..money import format_money
from ..rounding import round_half_away
from ..telemetry.facts import measured_facts
from .definitions import FACTS
from .values import FactValue

FABRIC_RANK = {"infiniband": 3, "roce": 2, "ethernet": 1}


def _value(name: str, value: float | str, explanation: str, **inputs: Any) -> FactValue:
    return FactValue(name, value, FACTS[name].unit, explanation, inputs)


def _recorded_by(recorded: int, total: int, noun: str) -> str:
    """The rows a fact was counted over: "5 active accelerator servers", or "the 2 of 5 active accelerator servers
    that record it" when some leave the field empty."""
    if recorded == total:
        return f"{total} {noun}{'' if total == 1 else 's'}"
    return f"the {recorded} of {total} {noun}s that record it"


def compute_facts(
    *,
    organization: Organization,
    today: date | None = None,
    summary: CapacitySummary | None = None,
    scope: Scope | None = None,
    costs: CostSummary | None = None,
    measured_until: date | None = None,
) -> dict[str, FactValue]:
    """The facts the organization's inventory supports, in a fixed, small number of queries.

    Site-level facts are weighted by each site's power draw (the analysis' IT power, from the one power rule
    `inventory.selectors.server_power_expression`), so that a large site counts more than a small one, the grid's
    intensity and renewable share by its facility energy (IT power x PUE); with no power recorded, sites weigh
    equally. ``summary`` is the capacity analysis to use (the caller's, so that it runs once per task; else it is
    run here over ``scope``, default the whole organization). ``measured_until``: the measured window's last day
    (default today; scoring passes the day the assessment was submitted, so it cites no later measurement).
    """
    today = today or date.today()
    scope = scope or (summary.scope if summary is not None else None) or WHOLE_ORGANIZATION
    summary = summary or analyse(organization=organization, scope=scope)
    facts: dict[str, FactValue] = {}
    active = Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE)
    fabrics_of = NetworkFabric.objects.filter(organization=organization)
    storage_of = StorageSystem.objects.filter(organization=organization)
    workloads_of = Workload.objects.filter(organization=organization)
    if scope.site_ids is not None:
        active = active.filter(site_id__in=list(scope.site_ids))
        fabrics_of = fabrics_of.filter(site_id__in=list(scope.site_ids))
        storage_of = storage_of.filter(site_id__in=list(scope.site_ids))
    if scope.workload_ids is not None:
        workloads_of = workloads_of.filter(pk__in=list(scope.workload_ids))

    footprints = summary.sites
    sites = [f.site for f in footprints]
    if footprints:
        # PUE is weighted by IT power (the mean is then total facility energy / total IT energy); the grid's
        # intensity and renewable share by facility energy (IT power x PUE), the energy they apply to, so the mean
        # intensity is the sites' carbon / their energy, as the energy dashboard computes it.
        total_draw = sum(f.it_power_kw for f in footprints)
        total_energy = sum(f.it_power_kw * f.pue for f in footprints)
        weights = {f.site.pk: (f.it_power_kw / total_draw if total_draw else 1 / len(footprints)) for f in footprints}
        by_energy = {
            f.site.pk: (f.it_power_kw * f.pue / total_energy if total_energy else 1 / len(footprints))
            for f in footprints
        }

        def weighted(values: dict[int, float], by: dict[int, float] = weights) -> float:
            return sum(by[pk] * value for pk, value in values.items())

        basis = "power draw (measured where known)" if total_draw else "equal weights (no power recorded)"
        energy_basis = (
            "facility energy (IT power, measured where known, x PUE)"
            if total_energy
            else "equal weights (no power recorded)"
        )
        facts["average_pue"] = _value(
            "average_pue",
            weighted({s.pk: s.pue for s in sites}),
            f"mean PUE of {len(sites)} site(s), weighted by {basis}",
            sites={s.name: s.pue for s in sites},
        )
        facts["renewable_share_pct"] = _value(
            "renewable_share_pct",
            weighted({s.pk: s.renewable_share_pct for s in sites}, by_energy),
            f"renewable share of {len(sites)} site(s), weighted by {energy_basis}",
            sites={s.name: s.renewable_share_pct for s in sites},
        )
        facts["grid_carbon_intensity_g_per_kwh"] = _value(
            "grid_carbon_intensity_g_per_kwh",
            weighted({f.site.pk: f.g_per_kwh for f in footprints}, by_energy),
            f"grid carbon intensity of {len(sites)} site(s) (utility figure where given, else the country's), "
            f"weighted by {energy_basis}",
            sites={f.site.name: f.g_per_kwh for f in footprints},
        )
        capacity = [f for f in footprints if f.site.power_capacity_kw]
        if capacity:
            # power_capacity_kw is the IT (critical) load a site can feed; PUE is on the facility side.
            # Pooled: capacity anywhere can take new load. Each site's own headroom is given beside it, and the
            # tightest is named, since a site at its limit cannot take more whatever the others have left.
            cap_kw = sum(f.site.power_capacity_kw for f in capacity)
            draw_kw = sum(f.it_power_kw for f in capacity)
            per_site = {
                f.site.name: round_half_away(
                    100 * (f.site.power_capacity_kw - f.it_power_kw) / f.site.power_capacity_kw, 1
                )
                for f in capacity
            }
            explanation = (
                f"IT power capacity left after the active fleet's draw (measured where known, else rated), "
                f"pooled over {len(capacity)} {'site' if len(capacity) == 1 else 'sites'} with a capacity recorded"
            )
            if len(capacity) > 1:
                tightest = min(per_site, key=per_site.__getitem__)
                left = per_site[tightest]
                explanation += (
                    f"; the tightest, {tightest}, has {left:g} % left"
                    if left >= 0
                    else f"; {tightest} draws {-left:g} % more than its capacity"
                )
            facts["power_headroom_pct"] = _value(
                "power_headroom_pct",
                100 * (cap_kw - draw_kw) / cap_kw,
                explanation,
                capacity_kw=cap_kw,
                it_draw_kw=round(draw_kw, 1),
                sites=per_site,
            )

    versions = active.filter(accelerator_count__gt=0).aggregate(  # and their accelerators, for `measured_facts`
        drivers=Count("gpu_driver_version", distinct=True, filter=~Q(gpu_driver_version="")),
        driver_servers=Count("id", filter=~Q(gpu_driver_version="")),
        cuda=Count("cuda_version", distinct=True, filter=~Q(cuda_version="")),
        cuda_servers=Count("id", filter=~Q(cuda_version="")),
        servers=Count("id"),
        accelerators=Coalesce(Sum("accelerator_count"), 0),
    )
    # A count of versions is evidence only over servers that record one: no server recording a driver is "not
    # known", not "0 versions" (which would score as a perfectly uniform fleet).
    for name, distinct, recorded in (
        ("distinct_driver_versions", versions["drivers"], versions["driver_servers"]),
        ("distinct_cuda_versions", versions["cuda"], versions["cuda_servers"]),
    ):
        if recorded:
            facts[name] = _value(
                name, distinct, "across " + _recorded_by(recorded, versions["servers"], "active accelerator server")
            )

    by_year = summary.accelerators_by_release_year
    total = sum(by_year.values())
    if total:
        old = sum(count for year, count in by_year.items() if year < today.year - 3)
        facts["accelerators_older_than_3y_pct"] = _value(
            "accelerators_older_than_3y_pct",
            100 * old / total,
            f"{old} of {total} accelerators are of a model released before {today.year - 3}",
        )

    fabrics = fabrics_of.values_list("kind").annotate(speed=Max("link_speed_gbps")).order_by()
    best = max(fabrics, key=lambda row: FABRIC_RANK.get(row[0], 0), default=None)
    if best or sites:  # "none" is evidence only once the organization has recorded its sites
        facts["interconnect_kind"] = _value(
            "interconnect_kind",
            best[0] if best else "none",
            "the best fabric kind across sites" if best else "no network fabric recorded at any site",
        )
    if fabrics:
        facts["max_link_speed_gbps"] = _value(
            "max_link_speed_gbps", max(speed for _, speed in fabrics), "fastest link speed across fabrics"
        )

    storage = storage_of.aggregate(
        tb=Sum("usable_tb"),
        gbps=Sum("read_throughput_gbps"),
        n=Count("id"),
        with_gbps=Count("id", filter=Q(read_throughput_gbps__isnull=False)),
    )
    if storage["n"]:
        if storage["with_gbps"]:  # none recording its throughput is "not known", not 0 GB/s
            facts["storage_read_throughput_gbps"] = _value(
                "storage_read_throughput_gbps",
                storage["gbps"],
                "sum over " + _recorded_by(storage["with_gbps"], storage["n"], "storage system"),
            )
        dataset_tb = workloads_of.aggregate(tb=Sum("dataset_size_tb"))["tb"]
        if dataset_tb:
            facts["storage_capacity_ratio"] = _value(
                "storage_capacity_ratio",
                storage["tb"] / dataset_tb,
                f"{format_value(storage['tb'], 'TB')} usable over {format_value(dataset_tb, 'TB')} of workload "
                "datasets",
            )

    regions = distinct_regions(
        [s.region or s.country for s in sites] + [p.cloud_region for p in summary.pools if p.site is None]
    )
    if regions:
        facts["regions_count"] = _value("regions_count", len(regions), ", ".join(regions))
    costs = costs or costs_of(organization=organization, summary=summary, today=today)
    facts.update(_cost_facts(summary, costs))
    facts.update(_capacity_facts(summary))
    facts.update(measured_facts(active, summary, _value, accelerators=versions["accelerators"], until=measured_until))
    return facts


def distinct_regions(names: list[str]) -> list[str]:
    """Region names once each, whatever their case or spacing, in order of name (the first spelling kept); a
    pool's region is listed once however many reservations it has."""
    seen: dict[str, str] = {}
    for name in names:
        key = " ".join((name or "").split()).casefold()
        if key and key not in seen:
            seen[key] = " ".join(name.split())
    return sorted(seen.values(), key=str.casefold)


def _conversion_words(total: Any) -> str:
    """ " (€30,558 and $9,355 converted at 1 EUR = 1.1172 USD (ECB ... of 2026-10-30))" over several currencies,
    else nothing."""
    if not total.mixed:
        return ""
    amounts = " and ".join(format_money(amount, code) for code, amount in total.by_currency.items())
    return f" ({amounts} converted at " + "; ".join(rate.described for rate in total.rates_used) + ")"


def _cost_facts(summary: CapacitySummary, costs: CostSummary) -> dict[str, FactValue]:
    """The cost facts, in the organization's reporting currency, each saying which cost lines it includes.

    Energy per accelerator needs every site with accelerators to have an electricity price (else it would be
    understated) and a rate for every currency; a total over several currencies is converted at the dated
    rates named in the explanation, never added as it is. Absent otherwise."""
    facts: dict[str, FactValue] = {}
    accelerators = summary.accelerators
    if not accelerators:
        return facts
    unit = f"{costs.currency}/month"
    priced = all(s.price_per_kwh is not None for s in summary.sites if s.accelerators)
    energy = costs.energy
    if priced and energy.converted is not None and energy.converted > 0:
        facts["monthly_cost_per_accelerator"] = FactValue(
            "monthly_cost_per_accelerator",
            energy.converted / accelerators,
            unit,
            "energy only (no depreciation, space, maintenance or staff), each server at its measured power where "
            f"telemetry gives it, else at its full rated power, with facility overhead: "
            f"{format_money(energy.converted, costs.currency)} a month in {costs.currency}"
            f"{_conversion_words(energy)} over "
            f"{accelerators} accelerators",
            {"includes": ["energy"], "currency": costs.currency},
        )
    total = costs.total
    if total.converted is not None and total.converted > 0:
        includes = [label.lower() for label in costs.included]
        facts["monthly_tco_per_accelerator"] = FactValue(
            "monthly_tco_per_accelerator",
            total.converted / accelerators,
            unit,
            f"total cost of ownership including {', '.join(includes)}: "
            f"{format_money(total.converted, costs.currency)} a month in {costs.currency}"
            f"{_conversion_words(total)} over "
            f"{accelerators} accelerators",
            {"includes": includes, "currency": costs.currency},
        )
    return facts


def _capacity_facts(summary: CapacitySummary) -> dict[str, FactValue]:
    """Facts from the capacity model: do the declared workloads fit, with what headroom."""
    facts: dict[str, FactValue] = {}
    # A workload whose stored values cannot be estimated neither fits nor fails to: it is named, not counted.
    unreadable = [v.workload.name for v in summary.verdicts if v.problem]
    verdicts = [v for v in summary.verdicts if not v.problem]
    if not verdicts or not summary.accelerators:
        return facts
    fitting = [v for v in verdicts if v.fits]
    facts["workloads_fitting_pct"] = _value(
        "workloads_fitting_pct",
        100 * len(fitting) / len(verdicts),
        f"{len(fitting)} of {len(verdicts)} workloads fit the fleet: "
        + "; ".join(
            f"{v.workload.name}: {'fits' if v.fits else 'does not fit (' + v.bottleneck_label + ')'}" for v in verdicts
        )
        + (f" (not counted, their values need correcting: {', '.join(unreadable)})" if unreadable else ""),
    )
    memory, tflops = fleet_demand(summary)
    facts["fleet_memory_headroom_pct"] = _value(
        "fleet_memory_headroom_pct",
        100 * (summary.memory_gb - memory) / summary.memory_gb,
        f"the workloads take {memory:,.0f} GB of {summary.memory_gb:,.0f} GB accelerator memory",
    )
    if summary.bf16_tflops > 0:  # 0 when no accelerator publishes a 16-bit rate (e.g. only RTX 4080 SUPER)
        facts["fleet_compute_headroom_pct"] = _value(
            "fleet_compute_headroom_pct",
            100 * (summary.bf16_tflops - tflops) / summary.bf16_tflops,
            f"the workloads take {tflops / 1000:,.1f} of {summary.bf16_tflops / 1000:,.1f} dense 16-bit PFLOPS "
            "(BF16, or FP16 where an accelerator has no BF16)",
        )
    with_targets = [v for v in verdicts if v.meets_latency is not None]
    if with_targets:
        meeting = [v for v in with_targets if v.meets_latency]
        facts["workloads_meeting_latency_pct"] = _value(
            "workloads_meeting_latency_pct",
            100 * len(meeting) / len(with_targets),
            f"{len(meeting)} of {len(with_targets)} inference workloads with latency targets meet them (estimated)",
        )
    return facts
