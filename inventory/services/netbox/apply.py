"""Writing a NetBox sync's plan in one transaction, and the sync as one call (`netbox_sync`). See
`inventory.services.netbox` for the whole sync."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from accounts.services import organization_data_changed
from config.errors import ErrorItem, Invalid, items_from_django

from ...models import Server, ServerGpu, ServerModel, Site
from ...validators import server_rules
from ..discovery.apply import replace_gpus
from .plan import SyncPlan, catalog_matcher, netbox_plan
from .read import Progress, netbox_read


def netbox_apply(*, organization: Organization, plan: SyncPlan) -> SyncPlan:
    """Write a valid plan in one transaction; raises `Invalid` with every problem (nothing written)."""
    if not plan.ok:
        raise Invalid(plan.errors)
    with transaction.atomic():
        if plan.sites_new:
            Site.objects.bulk_create(
                [
                    Site(organization=organization, name=s["name"], country=s["country"], netbox_id=s["netbox_id"])
                    for s in plan.sites_new
                ]
            )
        for site_id, netbox_id in plan.sites_linked:
            Site.objects.filter(pk=site_id, organization=organization).update(netbox_id=netbox_id)
        models: dict[int, ServerModel] = {}
        for spec in plan.server_models:
            model = spec["existing"] or ServerModel(organization=organization, netbox_id=spec["netbox_id"])
            for name in (
                "vendor",
                "model",
                "slug",
                "part_number",
                "u_height",
                "is_full_depth",
                "airflow",
                "power_ports",
                "source",
            ):
                setattr(model, name, spec[name])
            try:
                model.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                raise Invalid(
                    [
                        ErrorItem(f"device type {spec['netbox_id']}: {i.field}: {i.message}", i.code)
                        for i in items_from_django(exc)
                    ]
                ) from None
            model.save()
            models[spec["netbox_id"]] = model
        sites = {s.name: s for s in Site.objects.filter(organization=organization)}
        existing = {
            s.pk: s
            for s in Server.objects.filter(
                organization=organization, pk__in=[d.server_id for d in plan.devices if d.server_id]
            )
        }
        new, changed, problems = [], [], []
        for device in plan.devices:
            server = existing.get(device.server_id) if device.server_id else Server(organization=organization)
            values = device.values
            server.hostname = values["hostname"]
            server.site = sites[values["site_name"]]
            for name in (
                "status",
                "serial",
                "vendor",
                "model",
                "accelerator_type_id",
                "accelerator_count",
                "netbox_id",
            ):
                setattr(server, name, values[name])
            server.server_model = models.get(values["device_type_id"])
            try:
                server.clean_fields(exclude=["organization", "site", "accelerator_type", "server_model"])
            except ValidationError as exc:
                problems.extend(
                    ErrorItem(f"{server.hostname}: {i.field}: {i.message}", i.code) for i in items_from_django(exc)
                )
            problems.extend(
                ErrorItem(f"{server.hostname}: {i.message}", i.code, field=i.field)
                for i in server_rules(
                    {"accelerator_count": server.accelerator_count, "accelerator_type": server.accelerator_type_id}
                )
            )
            (changed if server.pk else new).append(server)
        if problems:
            raise Invalid(problems)
        Server.objects.bulk_create(new, batch_size=500)
        if changed:
            Server.objects.bulk_update(
                changed,
                [
                    "hostname",
                    "site",
                    "status",
                    "serial",
                    "vendor",
                    "model",
                    "accelerator_type",
                    "accelerator_count",
                    "netbox_id",
                    "server_model",
                ],
                batch_size=250,
            )
        servers = {s.netbox_id: s for s in [*new, *changed]}
        pairs = []
        for device in plan.devices:
            server = servers[device.netbox_id]
            rows = [
                ServerGpu(
                    organization=organization,
                    server=server,
                    position=g["position"],
                    accelerator_type_id=g["accelerator_id"],
                    name=g["name"],
                    memory_mib=g["memory_mib"],
                    serial=g["serial"],
                    source=g["source"],
                    netbox_id=g["netbox_id"],
                )
                for g in device.gpus
            ]
            pairs.append((server, rows))
        replace_gpus(organization, pairs)
        organization_data_changed(organization_id=organization.pk)
        webhook_emit(
            organization_id=organization.pk,
            event=WebhookEvent.INVENTORY_IMPORTED,
            data={"source": "netbox", "kind": "servers", **plan.counts()},
        )
    return plan


def netbox_sync(
    *,
    organization: Organization,
    url: str,
    token: str,
    role: str = "",
    country: str = "",
    verify: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SyncPlan:
    """Read the NetBox, plan, and (unless `dry_run`) write: the command line's and the task's one call. Raises
    `Invalid` (every problem; nothing written) or `Unavailable` (NetBox could not be read)."""
    matcher, _ = catalog_matcher(organization)
    snapshot = netbox_read(url=url, token=token, matcher=matcher, role=role, verify=verify, progress=progress)
    plan = netbox_plan(organization=organization, snapshot=snapshot, country=country)
    if not plan.ok:
        raise Invalid(plan.errors)
    if dry_run:
        return plan
    return netbox_apply(organization=organization, plan=plan)
