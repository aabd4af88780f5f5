"""Demo inventory for `seed_demo`: two sites in two countries, 41 servers of three accelerator types (plus planned
and retired ones), storage, fabrics, cloud capacity and two workloads. Upserted by natural key: safe to rerun."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .models import (
    AcceleratorType,
    CloudCapacity,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerStatus,
    Site,
    StorageSystem,
    Workload,
)


def _catalog(model: str) -> AcceleratorType:
    return AcceleratorType.objects.get(organization=None, model=model)


def _servers(organization: Any, site: Site, prefix: str, numbers: range, **values: Any) -> None:
    for i in numbers:
        Server.objects.update_or_create(
            organization=organization, hostname=f"{prefix}-{i:02d}", defaults={"site": site, **values}
        )


def seed_inventory(result: Any) -> None:
    organization = result.organization
    frankfurt, _ = Site.objects.update_or_create(
        organization=organization,
        name="Frankfurt DC",
        defaults={
            "country": "DE",
            "region": "eu-central",
            "pue": 1.35,
            "electricity_price_per_kwh": Decimal("0.1900"),
            "currency": "EUR",
            "renewable_share_pct": 60,
            "power_capacity_kw": 400,
            "cooling": "liquid",
            # Total cost of ownership: monthly lines besides energy, in the site's currency (docs/money.md).
            "colocation_per_month": Decimal("18000"),
            "maintenance_per_month": Decimal("8000"),
            "staff_per_month": Decimal("12000"),
        },
    )
    virginia, _ = Site.objects.update_or_create(
        organization=organization,
        name="Ashburn Colo",
        defaults={
            "country": "US",
            "region": "us-east",
            "pue": 1.5,
            "electricity_price_per_kwh": Decimal("0.0806"),
            "currency": "USD",
            "renewable_share_pct": 30,
            "power_capacity_kw": 250,
            "cooling": "air",
            "colocation_per_month": Decimal("14000"),
        },
    )
    h100, a100, l40s = _catalog("H100 SXM"), _catalog("A100 SXM 80GB"), _catalog("L40S")
    # 16 DGX H100 (10.2 kW rated each); the last four still run an older driver: version drift to find.
    dgx_h100 = {
        "vendor": "NVIDIA",
        "model": "DGX H100",
        "cpu_cores": 112,
        "ram_gb": 2048,
        "accelerator_type": h100,
        "accelerator_count": 8,
        "power_w": 10200,
        "os": "Ubuntu 22.04",
        "status": ServerStatus.ACTIVE,
    }
    _servers(
        organization,
        frankfurt,
        "fra-h100",
        range(1, 13),
        **dgx_h100,
        purchase_date=date(2024, 3, 1),
        purchase_cost=Decimal("320000"),
        purchase_currency="EUR",
        gpu_driver_version="550.54.15",
        cuda_version="12.4",
    )
    _servers(
        organization,
        frankfurt,
        "fra-h100",
        range(13, 17),
        **dgx_h100,
        purchase_date=date(2023, 9, 1),
        purchase_cost=Decimal("310000"),
        purchase_currency="EUR",
        gpu_driver_version="535.129.03",
        cuda_version="12.2",
    )
    _servers(
        organization,
        virginia,
        "iad-a100",
        range(1, 13),
        vendor="Supermicro",
        model="AS-4124GO-NART",
        cpu_cores=128,
        ram_gb=1024,
        accelerator_type=a100,
        accelerator_count=8,
        power_w=6500,
        power_measured=True,
        purchase_date=date(2021, 6, 15),
        purchase_cost=Decimal("150000"),
        purchase_currency="USD",
        gpu_driver_version="535.104.05",
        cuda_version="12.2",
        os="Rocky Linux 8.9",
        status=ServerStatus.ACTIVE,
    )
    _servers(
        organization,
        virginia,
        "iad-l40s",
        range(1, 11),
        vendor="Dell",
        model="PowerEdge R760xa",
        cpu_cores=64,
        ram_gb=512,
        accelerator_type=l40s,
        accelerator_count=4,
        power_w=2800,
        purchase_date=date(2024, 1, 10),
        purchase_cost=Decimal("60000"),
        purchase_currency="USD",
        depreciation_years=4,
        gpu_driver_version="550.54.15",
        cuda_version="12.4",
        os="Ubuntu 22.04",
        status=ServerStatus.ACTIVE,
    )
    _servers(
        organization,
        frankfurt,
        "fra-h200",
        range(1, 3),
        vendor="NVIDIA",
        model="HGX H200",
        accelerator_type=_catalog("H200 SXM"),
        accelerator_count=8,
        power_w=10200,
        status=ServerStatus.PLANNED,
    )
    _servers(
        organization,
        virginia,
        "iad-v100-legacy",
        range(1, 2),
        vendor="Dell",
        model="C4140",
        status=ServerStatus.RETIRED,
        purchase_date=date(2018, 5, 1),
    )

    for site, name, kind, tb, gbps in [
        (frankfurt, "fra-lustre", "parallel_fs", 2000, 200),
        (frankfurt, "fra-objects", "object", 5000, 20),
        (virginia, "iad-nvme", "nvme", 500, 100),
    ]:
        StorageSystem.objects.update_or_create(
            organization=organization,
            site=site,
            name=name,
            defaults={"kind": kind, "usable_tb": tb, "read_throughput_gbps": gbps},
        )
    for site, name, kind, speed, topology, ratio in [
        (frankfurt, "fra-ib-ndr", "infiniband", 400, "fat tree", 1.0),
        (virginia, "iad-roce", "roce", 200, "rail-optimized", 2.0),
    ]:
        NetworkFabric.objects.update_or_create(
            organization=organization,
            site=site,
            name=name,
            defaults={"kind": kind, "link_speed_gbps": speed, "topology": topology, "oversubscription_ratio": ratio},
        )
    CloudCapacity.objects.update_or_create(
        organization=organization,
        provider="AWS",
        region="us-east-1",
        instance_type="p5.48xlarge",
        defaults={
            "accelerator_type": h100,
            "accelerators_per_instance": 8,
            "instances": 2,
            "hourly_price": Decimal("98.32"),
            "currency": "USD",
        },
    )
    Workload.objects.update_or_create(
        organization=organization,
        name="Customer assistant",
        defaults={
            "kind": "inference",
            "model_profile": ModelProfile.objects.get(organization=None, name="Llama-3.1-70B"),
            "precision": "fp8",
            "requests_per_second": 20,
            "prompt_tokens": 1500,
            "output_tokens": 300,
            "ttft_target_ms": 800,
            "tpot_target_ms": 50,
        },
    )
    Workload.objects.update_or_create(
        organization=organization,
        name="Maintenance-manual fine-tune",
        defaults={
            "kind": "fine_tuning",
            "model_profile": ModelProfile.objects.get(organization=None, name="Mistral-7B-v0.1"),
            "precision": "bf16",
            "training_tokens": 5e9,
            "deadline_days": 7,
            "assumed_mfu": 0.4,
            "dataset_size_tb": 2,
        },
    )
    _seed_findings(organization, h100)
    servers = Server.objects.filter(organization=organization).count()
    result.notes.append(
        f"Demo inventory: 3 sites, {servers} servers, 3 storage systems, 2 fabrics, 3 workloads. What InfraReady "
        "finds: the 70B training run cannot finish by its deadline on the fleet, and Munich Lab runs near its "
        "power limit."
    )


def _seed_findings(organization: Any, h100: AcceleratorType) -> None:
    """What makes the demo tell a true story, added beside the records above (which stay as they are): a site near
    its power limit (Munich Lab: 10 DGX H100 rated 102 kW on a 110 kW feed) and a training run the fleet cannot
    finish on time (70B parameters on 200 billion tokens in 14 days needs about 200 H100 at 40 % MFU; the
    largest pool has 128), so the capacity page shows the finding and the roadmap adds the accelerators."""
    munich, _ = Site.objects.update_or_create(
        organization=organization,
        name="Munich Lab",
        defaults={
            "country": "DE",
            "region": "eu-central",
            "pue": 1.4,
            "electricity_price_per_kwh": Decimal("0.2200"),
            "currency": "EUR",
            "renewable_share_pct": 45,
            "power_capacity_kw": 110,
            "cooling": "air",
        },
    )
    _servers(
        organization,
        munich,
        "muc-h100",
        range(1, 11),
        vendor="NVIDIA",
        model="DGX H100",
        cpu_cores=112,
        ram_gb=2048,
        accelerator_type=h100,
        accelerator_count=8,
        power_w=10200,
        os="Ubuntu 22.04",
        status=ServerStatus.ACTIVE,
        purchase_date=date(2024, 9, 1),
        purchase_cost=Decimal("300000"),
        gpu_driver_version="550.54.15",
        cuda_version="12.4",
    )
    Workload.objects.update_or_create(
        organization=organization,
        name="Domain model training (70B)",
        defaults={
            "kind": "training",
            "model_profile": ModelProfile.objects.get(organization=None, name="Llama-3.1-70B"),
            "precision": "bf16",
            "training_tokens": 2e11,
            "deadline_days": 14,
            "assumed_mfu": 0.4,
            "dataset_size_tb": 1,
        },
    )
