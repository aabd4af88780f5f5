"""Recording a plan: the servers through the import engine (the model's rules, bulk writes), their GPU and MIG rows,
all in one transaction. Any problem writes nothing.

The servers go through `Importer` (`import_engine`) as rows of the ``servers`` kind: hostname, site, accelerator type
and count, driver and CUDA versions, and CPU cores and RAM where the output gives them (Slurm, Kubernetes). Columns
not given are left as they are on existing servers (power, purchase, status...): discovery never estimates
``power_w``; the GPUs' power limits are kept per GPU (`ServerGpu.power_limit_w`), their sum being the server's
rated accelerator power. A server's GPU rows are replaced by the ones the output describes (the latest description
of its GPUs wins, NetBox's included).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from accounts.services import organization_data_changed
from config.errors import ErrorItem, Invalid, items_from_django

from ...importing import RawRow
from ...models import MigInstance, Server, ServerGpu
from ..catalog_names import Catalog
from ..import_engine import Importer
from .plan import DiscoveryPlan, HostPlan, servers_by_hostname


@dataclass
class Recorded:
    """What `discovery_apply` wrote."""

    plan: DiscoveryPlan
    servers: list[Server] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {**self.plan.as_json(), "created_hosts": self.created, "updated_hosts": self.updated}


def _server_rows(plan: DiscoveryPlan, catalog: Catalog) -> Iterator[RawRow]:
    for number, host in enumerate(plan.hosts, start=1):
        values: dict[str, Any] = {
            "hostname": host.hostname,
            "site": plan.site,
            "accelerator_type": catalog.accelerator_export_name(host.accelerator_id),
            "accelerator_count": host.accelerator_count,
        }
        if host.driver_version:
            values["gpu_driver_version"] = host.driver_version
        if host.cuda_version:
            values["cuda_version"] = host.cuda_version
        if host.cpu_cores:
            values["cpu_cores"] = host.cpu_cores
        if host.ram_gb:
            values["ram_gb"] = host.ram_gb
        yield RawRow(kind="servers", number=number, values=values)


def _gpu_objects(organization: Organization, host: HostPlan, server: Server, source: str) -> list[ServerGpu]:
    gpus = []
    for row in host.gpus:
        gpu = ServerGpu(
            organization=organization,
            server=server,
            position=row.position,
            accelerator_type_id=row.accelerator_id,
            name=row.name,
            memory_mib=row.memory_mib,
            power_limit_w=row.power_limit_w,
            serial=row.serial,
            uuid=row.uuid,
            mig_mode=row.mig_mode,
            driver_version=host.driver_version,
            cuda_version=host.cuda_version,
            rocm_version=host.rocm_version,
            source=source,
        )
        gpu._mig = row.mig  # type: ignore[attr-defined]
        gpus.append(gpu)
    return gpus


def _check(objects: list[Any], hostname_of: dict[int, str]) -> list[ErrorItem]:
    """Each row's fields through its model's validators (no query: ``clean_fields``)."""
    problems = []
    for obj in objects:
        try:
            obj.clean_fields(exclude=["server", "gpu", "accelerator_type", "organization"])
        except ValidationError as exc:
            problems.extend(
                ErrorItem(f"{hostname_of.get(id(obj), '')}: {item.field}: {item.message}", item.code)
                for item in items_from_django(exc)
            )
    return problems


def replace_gpus(organization: Organization, pairs: list[tuple[Server, list[ServerGpu]]]) -> None:
    """Replace the GPU (and MIG) rows of these servers with the given ones: a few bulk statements."""
    ServerGpu.objects.filter(organization=organization, server__in=[server for server, _ in pairs]).delete()
    gpus = [gpu for _, rows in pairs for gpu in rows]
    ServerGpu.objects.bulk_create(gpus, batch_size=500)
    instances = [
        MigInstance(organization=organization, gpu=gpu, **mig) for gpu in gpus for mig in getattr(gpu, "_mig", [])
    ]
    if instances:
        MigInstance.objects.bulk_create(instances, batch_size=500)


def discovery_apply(*, organization: Organization, plan: DiscoveryPlan) -> Recorded:
    """Write a valid plan in one transaction (the caller builds it again just before, the inventory may have changed
    since a preview). Raises `Invalid` with every problem; then nothing is written."""
    if not plan.ok:
        raise Invalid(plan.errors)
    catalog = Catalog(organization)
    recorded = Recorded(plan=plan)
    with transaction.atomic():
        importer = Importer(organization)
        importer.run(_server_rows(plan, catalog), write=True)
        if importer.problems:
            raise Invalid(
                [
                    ErrorItem(f"{plan.hosts[item.row - 1].hostname}: {item.message}", item.code, column=item.column)
                    if item.row
                    else item
                    for item in importer.problems.items
                ],
                total=importer.problems.total,
            )
        found = servers_by_hostname(organization, [h.hostname for h in plan.hosts])  # whatever their case
        servers = {h.hostname: found[h.hostname.lower()] for h in plan.hosts}
        pairs = [
            (servers[h.hostname], _gpu_objects(organization, h, servers[h.hostname], plan.format)) for h in plan.hosts
        ]
        hostname_of = {id(gpu): server.hostname for server, gpus in pairs for gpu in gpus}
        problems = _check([gpu for _, gpus in pairs for gpu in gpus], hostname_of)
        if problems:
            raise Invalid(problems)
        replace_gpus(organization, pairs)
        organization_data_changed(organization_id=organization.pk)
        webhook_emit(
            organization_id=organization.pk,
            event=WebhookEvent.INVENTORY_IMPORTED,
            data={
                "source": "discovery",
                "kind": "servers",
                "file_format": plan.format,
                "rows": len(plan.hosts),
                "created": sum(1 for h in plan.hosts if h.action == "create"),
                "updated": sum(1 for h in plan.hosts if h.action == "update"),
            },
        )
    recorded.servers = [servers[h.hostname] for h in plan.hosts]
    recorded.created = [h.hostname for h in plan.hosts if h.action == "create"]
    recorded.updated = [h.hostname for h in plan.hosts if h.action == "update"]
    return recorded
