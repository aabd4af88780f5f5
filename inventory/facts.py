"""Inventory facts: numbers computed from what an organization owns, which answer or check assessment questions.

Each fact has a name (used in framework files as `inventory_fact`), a unit and an explanation. `compute_facts`
returns the value of every fact the inventory can support, each with the inputs it was computed from, so that a
pre-filled answer is traceable. A fact the inventory cannot support (no sites, no workloads...) is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from django.db.models import Count, FloatField, Max, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization

from .models import CloudCapacity, NetworkFabric, Server, ServerStatus, Site, StorageSystem, Workload
from .selectors import grid_intensities, server_draw_w


@dataclass(frozen=True)
class Fact:
    name: str
    kind: Literal["number", "choice"]
    unit: str
    meaning: str


@dataclass(frozen=True)
class FactValue:
    name: str
    value: float | str
    unit: str
    explanation: str
    inputs: dict[str, Any] = field(default_factory=dict)


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in [
        Fact("workloads_fitting_pct", "number", "%", "share of declared workloads the fleet can run"),
        Fact("fleet_memory_headroom_pct", "number", "%", "accelerator memory left after the workloads' demand"),
        Fact("fleet_compute_headroom_pct", "number", "%", "dense BF16 compute left after the workloads' demand"),
        Fact("average_pue", "number", "ratio", "power-weighted mean PUE of the sites"),
        Fact("grid_carbon_intensity_g_per_kwh", "number", "gCO2/kWh", "power-weighted grid carbon intensity"),
        Fact("renewable_share_pct", "number", "%", "power-weighted renewable share of the sites"),
        Fact("storage_capacity_ratio", "number", "ratio", "usable storage TB over the workloads' dataset TB"),
        Fact("storage_read_throughput_gbps", "number", "GB/s", "total read throughput of the storage systems"),
        Fact("interconnect_kind", "choice", "choice", "best fabric kind: infiniband, roce, ethernet or none"),
        Fact("max_link_speed_gbps", "number", "Gb/s", "fastest fabric link speed"),
        Fact("power_headroom_pct", "number", "%", "site power capacity left after the fleet's draw"),
        Fact(
            "workloads_meeting_latency_pct", "number", "%", "inference workloads whose estimated latency meets targets"
        ),
        Fact("regions_count", "number", "count", "distinct regions with sites or cloud capacity"),
        Fact("monthly_cost_per_accelerator", "number", "currency/month", "energy cost per accelerator per month"),
        Fact("distinct_driver_versions", "number", "count", "distinct GPU driver versions in the active fleet"),
        Fact("distinct_cuda_versions", "number", "count", "distinct CUDA versions in the active fleet"),
        Fact("accelerators_older_than_3y_pct", "number", "%", "accelerators released more than three years ago"),
    ]
}


def shown(value: float | str) -> str:
    """A fact's value as people read it: four significant digits for numbers, text as it is."""
    return f"{value:.4g}" if isinstance(value, int | float) else str(value)


FABRIC_RANK = {"infiniband": 3, "roce": 2, "ethernet": 1}


def _value(name: str, value: float | str, explanation: str, **inputs: Any) -> FactValue:
    return FactValue(name, value, FACTS[name].unit, explanation, inputs)


def compute_facts(*, organization: Organization, today: date | None = None) -> dict[str, FactValue]:
    """The facts the organization's inventory supports, in a fixed, small number of queries.

    Site-level facts are weighted by each site's power draw (`inventory.selectors.server_draw_w`),
    so that a large site counts more than a small one; with no power recorded, sites weigh equally.
    """
    today = today or date.today()
    facts: dict[str, FactValue] = {}
    active = Server.objects.filter(organization=organization, status=ServerStatus.ACTIVE)

    sites = list(
        Site.objects.filter(organization=organization).annotate(
            draw_w=Coalesce(
                Sum(
                    server_draw_w("servers__"),
                    filter=Q(servers__status=ServerStatus.ACTIVE),
                    output_field=FloatField(),
                ),
                0.0,
            )
        )
    )
    if sites:
        total_draw = sum(s.draw_w for s in sites)
        weights = {s.pk: (s.draw_w / total_draw if total_draw else 1 / len(sites)) for s in sites}

        def weighted(values: dict[int, float]) -> float:
            return sum(weights[pk] * value for pk, value in values.items())

        basis = "rated power draw" if total_draw else "equal weights (no power recorded)"
        facts["average_pue"] = _value(
            "average_pue",
            weighted({s.pk: s.pue for s in sites}),
            f"mean PUE of {len(sites)} site(s), weighted by {basis}",
            sites={s.name: s.pue for s in sites},
        )
        facts["renewable_share_pct"] = _value(
            "renewable_share_pct",
            weighted({s.pk: s.renewable_share_pct for s in sites}),
            f"renewable share of {len(sites)} site(s), weighted by {basis}",
            sites={s.name: s.renewable_share_pct for s in sites},
        )
        intensity = grid_intensities(sites=sites)
        facts["grid_carbon_intensity_g_per_kwh"] = _value(
            "grid_carbon_intensity_g_per_kwh",
            weighted(intensity),
            f"grid carbon intensity of {len(sites)} site(s) (utility figure where given, else the country's), "
            f"weighted by {basis}",
            sites={s.name: intensity[s.pk] for s in sites},
        )
        capacity = [s for s in sites if s.power_capacity_kw]
        if capacity:
            # power_capacity_kw is the IT (critical) load a site can feed; PUE is on the facility side.
            cap_kw = sum(s.power_capacity_kw for s in capacity)
            draw_kw = sum(s.draw_w for s in capacity) / 1000
            facts["power_headroom_pct"] = _value(
                "power_headroom_pct",
                100 * (cap_kw - draw_kw) / cap_kw,
                "IT power capacity left after the active fleet's rated draw",
                capacity_kw=cap_kw,
                it_draw_kw=round(draw_kw, 1),
            )

    versions = active.filter(accelerator_count__gt=0).aggregate(
        drivers=Count("gpu_driver_version", distinct=True, filter=~Q(gpu_driver_version="")),
        cuda=Count("cuda_version", distinct=True, filter=~Q(cuda_version="")),
        servers=Count("id"),
    )
    if versions["servers"]:
        facts["distinct_driver_versions"] = _value(
            "distinct_driver_versions", versions["drivers"], f"across {versions['servers']} active accelerator servers"
        )
        facts["distinct_cuda_versions"] = _value(
            "distinct_cuda_versions", versions["cuda"], f"across {versions['servers']} active accelerator servers"
        )

    ages = active.filter(accelerator_count__gt=0).aggregate(
        total=Coalesce(Sum("accelerator_count"), 0),
        old=Coalesce(Sum("accelerator_count", filter=Q(accelerator_type__release_year__lt=today.year - 3)), 0),
    )
    if ages["total"]:
        facts["accelerators_older_than_3y_pct"] = _value(
            "accelerators_older_than_3y_pct",
            100 * ages["old"] / ages["total"],
            f"{ages['old']} of {ages['total']} accelerators are of a model released before {today.year - 3}",
        )

    fabrics = (
        NetworkFabric.objects.filter(organization=organization)
        .values_list("kind")
        .annotate(speed=Max("link_speed_gbps"))
    )
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

    storage = StorageSystem.objects.filter(organization=organization).aggregate(
        tb=Sum("usable_tb"), gbps=Sum("read_throughput_gbps"), n=Count("id")
    )
    if storage["n"]:
        facts["storage_read_throughput_gbps"] = _value(
            "storage_read_throughput_gbps", storage["gbps"] or 0.0, f"sum over {storage['n']} storage system(s)"
        )
        dataset_tb = Workload.objects.filter(organization=organization).aggregate(tb=Sum("dataset_size_tb"))["tb"]
        if dataset_tb:
            facts["storage_capacity_ratio"] = _value(
                "storage_capacity_ratio",
                storage["tb"] / dataset_tb,
                f"{storage['tb']:g} TB usable over {dataset_tb:g} TB of workload datasets",
            )

    regions = {s.region or s.country for s in sites} | set(
        CloudCapacity.objects.filter(organization=organization).values_list("region", flat=True)
    )
    if regions:
        facts["regions_count"] = _value("regions_count", len(regions), ", ".join(sorted(regions)))
    facts.update(_capacity_facts(organization))
    return facts


def _capacity_facts(organization: Organization) -> dict[str, FactValue]:
    """Facts from the capacity model: do the declared workloads fit, with what headroom, at what cost."""
    from .analysis import analyse, fleet_demand

    summary = analyse(organization=organization)
    facts: dict[str, FactValue] = {}
    if summary.accelerators:
        cost = summary.monthly_cost_per_accelerator
        if cost is not None and summary.total.cost_per_month > 0:
            facts["monthly_cost_per_accelerator"] = _value(
                "monthly_cost_per_accelerator",
                cost,
                f"energy cost at full load, {summary.total.cost_per_month:,.0f} per month over "
                f"{summary.accelerators} accelerators ({', '.join(sorted(summary.currencies))})",
            )
    verdicts = summary.verdicts
    if not verdicts or not summary.accelerators:
        return facts
    fitting = [v for v in verdicts if v.fits]
    facts["workloads_fitting_pct"] = _value(
        "workloads_fitting_pct",
        100 * len(fitting) / len(verdicts),
        f"{len(fitting)} of {len(verdicts)} workloads fit the fleet: "
        + "; ".join(
            f"{v.workload.name}: {'fits' if v.fits else 'does not fit (' + str(v.bottleneck) + ')'}" for v in verdicts
        ),
    )
    memory, tflops = fleet_demand(summary)
    facts["fleet_memory_headroom_pct"] = _value(
        "fleet_memory_headroom_pct",
        100 * (summary.memory_gb - memory) / summary.memory_gb,
        f"the workloads take {memory:,.0f} GB of {summary.memory_gb:,.0f} GB accelerator memory",
    )
    facts["fleet_compute_headroom_pct"] = _value(
        "fleet_compute_headroom_pct",
        100 * (summary.bf16_tflops - tflops) / summary.bf16_tflops,
        f"the workloads take {tflops / 1000:,.1f} of {summary.bf16_tflops / 1000:,.1f} dense BF16 PFLOPS",
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
