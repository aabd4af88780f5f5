"""Rows of the hardware records (server models, GPU and MIG records, discovery runs, NetBox configuration) for tests
that need one of every inventory model (the admin's)."""

from __future__ import annotations

from typing import Any

from inventory.models import (
    AcceleratorType,
    DiscoveryRun,
    MigInstance,
    NetboxConfig,
    RunStatus,
    Server,
    ServerGpu,
    ServerModel,
)

NETBOX_TOKEN = "nbt_abcdefghijkl.0123456789abcdef0123456789abcdef01234567"


def hardware_rows(organization: Any, server: Server) -> dict[str, Any]:
    model = ServerModel.objects.create(
        organization=organization,
        vendor="Supermicro",
        model=f"AS-8125GS-TNMR2 ({organization.slug})",
        u_height=8,
        power_ports=[
            {"name": f"PSU {i}", "type": "iec-60320-c20", "maximum_draw": 3000, "allocated_draw": None}
            for i in range(6)
        ],
        source="test",
    )
    gpu = ServerGpu.objects.create(
        organization=organization,
        server=server,
        position=0,
        accelerator_type=AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM"),
        name="NVIDIA H100 80GB HBM3",
        memory_mib=81559,
        power_limit_w=700,
        mig_mode="enabled",
        source="nvidia-smi-xml",
    )
    mig = MigInstance.objects.create(
        organization=organization, gpu=gpu, gpu_instance_id=1, compute_instance_id=0, profile="3g.40gb"
    )
    run = DiscoveryRun.objects.create(
        organization=organization, site_name="x", text="No devices were found\n", status=RunStatus.INVALID
    )
    netbox = NetboxConfig(organization=organization, url=f"https://netbox.{organization.slug}.example")
    netbox.set_token(NETBOX_TOKEN)
    netbox.save()
    return {"server_model": model, "server_gpu": gpu, "mig": mig, "discovery_run": run, "netbox": netbox}
