"""The plan of a NetBox sync (its dry run): what would be created or changed, with every problem. Nothing is
written. See `inventory.services.netbox` for the whole sync."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.db.models.functions import Lower

from accounts.models import Organization
from config.errors import ErrorItem
from config.lookups import AnyOf

from ...discovery import GpuRecord, Matcher
from ...discovery.base import INVENTORY_NAME
from ...discovery.devicetypes import VENDORS, model_label, usable_maximum_draw
from ...models import AcceleratorType, Server, ServerGpu, ServerModel, ServerStatus, Site
from ..discovery.plan import catalog_items
from .read import Snapshot, is_gpu_item, item_name, module_name, servers_of

COUNTED = ("active", "planned", "staged")
STATUSES = {
    "active": ServerStatus.ACTIVE,
    "planned": ServerStatus.PLANNED,
    "staged": ServerStatus.PLANNED,
    "inventory": ServerStatus.PLANNED,
    "decommissioning": ServerStatus.RETIRED,
}


@dataclass
class DevicePlan:
    netbox_id: int
    hostname: str
    action: str  # create, update, unchanged
    server_id: int | None
    site: str
    status: str
    model: str
    accelerators: str
    groups: list[tuple[str, int]]
    changes: list[str]
    notes: list[str]
    values: dict[str, Any]
    gpus: list[dict[str, Any]]


@dataclass
class SyncPlan:
    url: str
    version: str
    devices: list[DevicePlan] = field(default_factory=list)
    sites_new: list[dict[str, Any]] = field(default_factory=list)
    sites_linked: list[tuple[int, int]] = field(default_factory=list)  # (site id, netbox id)
    server_models: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[ErrorItem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        actions = Counter(d.action for d in self.devices)
        return {
            "servers_created": actions["create"],
            "servers_updated": actions["update"],
            "servers_unchanged": actions["unchanged"],
            "sites_created": len(self.sites_new),
            "server_models": len(self.server_models),
            "gpus": sum(len(d.gpus) for d in self.devices),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "netbox_version": self.version,
            **self.counts(),
            "sites_new": [s["name"] for s in self.sites_new],
            "server_models_list": [
                {"label": model_label(m["vendor"], m["model"]), "draw_rule": m["draw_rule"]} for m in self.server_models
            ],
            "devices": [
                {
                    "netbox_id": d.netbox_id,
                    "hostname": d.hostname,
                    "action": d.action,
                    "server_id": d.server_id,
                    "site": d.site,
                    "status": d.status,
                    "model": d.model,
                    "accelerators": d.accelerators,
                    "changes": d.changes,
                    "notes": d.notes,
                }
                for d in self.devices
            ],
            "notes": self.notes,
            "errors": [e.as_dict() for e in self.errors],
        }


def _site_plan(
    organization: Organization, snapshot: Snapshot, devices: list[dict[str, Any]], country: str, plan: SyncPlan
) -> dict[int, str]:
    """NetBox site id -> the InfraReady site name it is (existing, linked or new)."""
    needed = {(d.get("site") or {}).get("id") for d in devices} - {None}
    sites = list(Site.objects.filter(organization=organization))
    by_netbox = {s.netbox_id: s for s in sites if s.netbox_id is not None}
    by_name = {s.name: s for s in sites}
    names: dict[int, str] = {}
    missing = []
    for netbox_id in sorted(needed):
        record = snapshot.sites.get(netbox_id) or {}
        name = str(record.get("name") or f"NetBox site {netbox_id}")[:100]
        site = by_netbox.get(netbox_id) or by_name.get(name)
        if site is not None:
            names[netbox_id] = site.name
            if site.netbox_id != netbox_id:
                plan.sites_linked.append((site.pk, netbox_id))
            continue
        names[netbox_id] = name
        if country:
            plan.sites_new.append({"name": name, "country": country.upper(), "netbox_id": netbox_id})
        else:
            missing.append(name)
    if missing:
        plan.errors.append(
            ErrorItem(
                f"NetBox site{'s' if len(missing) > 1 else ''} {', '.join(repr(n) for n in missing)} "
                f"{'have' if len(missing) > 1 else 'has'} no site in InfraReady: create "
                f"{'them' if len(missing) > 1 else 'it'} (with its country), or give the country of new sites.",
                "unknown",
                field="country",
            )
        )
    return names


def _model_plan(organization: Organization, snapshot: Snapshot, devices: list[dict[str, Any]], plan: SyncPlan) -> None:
    type_ids = sorted({(d.get("device_type") or {}).get("id") for d in devices} - {None})
    existing = {m.netbox_id: m for m in ServerModel.objects.filter(organization=organization, netbox_id__in=type_ids)}
    for type_id in type_ids:
        record = snapshot.device_types.get(type_id) or {}
        ports = [
            {
                "name": str(t.get("name") or "")[:64],
                "type": str((t.get("type") or {}).get("value") or "")
                if isinstance(t.get("type"), dict)
                else str(t.get("type") or ""),
                "maximum_draw": t.get("maximum_draw"),
                "allocated_draw": t.get("allocated_draw"),
            }
            for t in snapshot.port_templates.get(type_id, [])
        ]
        vendor = str((record.get("manufacturer") or {}).get("name") or "")
        airflow = record.get("airflow")
        plan.server_models.append(
            {
                "netbox_id": type_id,
                "existing": existing.get(type_id),
                "vendor": VENDORS.get(vendor.lower(), vendor)[:60],
                "model": str(record.get("model") or "")[:80],
                "slug": str(record.get("slug") or "")[:100],
                "part_number": str(record.get("part_number") or "")[:80],
                "u_height": float(record.get("u_height") or 0),
                "is_full_depth": bool(record.get("is_full_depth", True)),
                "airflow": str((airflow or {}).get("value") or "")[:30]
                if isinstance(airflow, dict)
                else str(airflow or "")[:30],
                "power_ports": ports,
                "draw_rule": usable_maximum_draw(ports).rule,
                "source": f"NetBox {snapshot.version} at {snapshot.url}, device type {type_id}",
            }
        )


def catalog_matcher(organization: Organization) -> tuple[Matcher, dict[int, AcceleratorType]]:
    items, entries = catalog_items(organization)
    return Matcher(items), entries


def netbox_plan(*, organization: Organization, snapshot: Snapshot, country: str = "") -> SyncPlan:
    """What syncing `snapshot` would change, with every problem; nothing is written."""
    matcher, entries = catalog_matcher(organization)
    devices = servers_of(snapshot, matcher)
    plan = SyncPlan(url=snapshot.url, version=snapshot.version)
    skipped = len(snapshot.devices) - len(devices)
    if skipped:
        plan.notes.append(
            f"{skipped} NetBox device(s) without GPUs left out (switches, PDUs...)"
            + ("." if snapshot.role else "; sync a device role to include servers without GPUs.")
        )
    unnamed = [d for d in devices if not d.get("name")]
    if unnamed:
        plan.notes.append(f"{len(unnamed)} device(s) without a name left out: a server needs a hostname.")
        devices = [d for d in devices if d.get("name")]
    site_names = _site_plan(organization, snapshot, devices, country, plan)
    _model_plan(organization, snapshot, devices, plan)
    names = Counter(str(d["name"]).lower() for d in devices)  # hostnames are one whatever their case
    for name, count in names.items():
        if count > 1:
            plan.errors.append(
                ErrorItem(
                    f"{count} NetBox devices are named {name!r} (whatever the case): a hostname names one server.",
                    "duplicate",
                    field="hostname",
                )
            )
    existing = list(
        Server.objects.filter(organization=organization)
        .filter(netbox_id__in=[d["id"] for d in devices])
        .select_related("accelerator_type", "site", "server_model")
    ) + list(
        Server.objects.filter(organization=organization)
        .filter(AnyOf(Lower(F("hostname")), set(names)))
        .select_related("accelerator_type", "site", "server_model")
    )
    by_netbox = {s.netbox_id: s for s in existing if s.netbox_id is not None}
    by_name = {s.hostname.lower(): s for s in existing}  # as the import finds them: whatever the case
    recorded: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in ServerGpu.objects.filter(server__in=existing).values_list(
        "server_id", "netbox_id", "accelerator_type_id", "serial"
    ):
        recorded[row[0]].append(row[1:])
    unknown: dict[str, tuple[int, list[str]]] = {}
    for device in devices:
        plan.devices.append(
            _device_plan(device, snapshot, matcher, entries, site_names, (by_netbox, by_name, recorded), unknown, plan)
        )
    for name, (count, hosts) in unknown.items():
        plan.errors.append(
            ErrorItem(
                f"unknown GPU {name!r} ({count} on {', '.join(hosts[:3])}): no accelerator type in the catalog has "
                "this name. Add it to a private accelerator type's names (nvidia_smi_names), or fix the module type or "
                "inventory item in NetBox.",
                "unknown",
                column="name",
            )
        )
    return plan


def _device_plan(
    device: dict[str, Any],
    snapshot: Snapshot,
    matcher: Matcher,
    entries: dict[int, AcceleratorType],
    site_names: dict[int, str],
    servers: tuple[dict[int, Server], dict[str, Server], dict[int, list[tuple[Any, ...]]]],
    unknown: dict[str, tuple[int, list[str]]],
    plan: SyncPlan,
) -> DevicePlan:
    by_netbox, by_name, recorded = servers
    hostname = str(device["name"])[:253]
    notes: list[str] = []
    gpus: list[dict[str, Any]] = []
    candidates: list[tuple[str, GpuRecord, dict[str, Any]]] = []
    for module in snapshot.modules.get(device["id"], []):
        name, aliases, memory, says_gpu = module_name(module, snapshot.module_types)
        gpu = GpuRecord(name=name, index=0, aliases=aliases, memory_mib=memory, name_kind=INVENTORY_NAME)
        if matcher.match(gpu).item is None and not says_gpu:
            continue  # a NIC, a line card...
        candidates.append(("netbox-module", gpu, module))
    for item in snapshot.items.get(device["id"], []):
        if is_gpu_item(item):
            name, aliases = item_name(item)
            candidates.append(
                (
                    "netbox-inventory-item",
                    GpuRecord(name=name, index=0, aliases=aliases, name_kind=INVENTORY_NAME),
                    item,
                )
            )
    for source, gpu, record in candidates:
        status = (
            str((record.get("status") or {}).get("value") or "active")
            if isinstance(record.get("status"), dict)
            else "active"
        )
        where = (record.get("module_bay") or {}).get("name") or record.get("name") or record.get("id")
        if status not in COUNTED:
            notes.append(f"{where} ({gpu.name}) is {status} in NetBox: not counted.")
            continue
        match = matcher.match(gpu)
        if match.item is None:
            count, hosts = unknown.get(gpu.name, (0, []))
            unknown[gpu.name] = (count + 1, hosts + ([hostname] if hostname not in hosts else []))
            continue
        if match.note and match.note + "." not in plan.notes:
            plan.notes.append(match.note + ".")
        gpus.append(
            {
                "position": len(gpus),
                "accelerator_id": match.item.key,
                "name": gpu.name[:120],
                "memory_mib": gpu.memory_mib,
                "serial": str(record.get("serial") or "")[:80],
                "source": source,
                "netbox_id": record.get("id"),
            }
        )
    groups = Counter(g["accelerator_id"] for g in gpus)
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1], -(entries[kv[0]].memory_gb or 0), str(entries[kv[0]])))
    primary, count = ordered[0] if ordered else (None, 0)
    if len(ordered) > 1:
        notes.append(
            "mixed GPU models: "
            + ", ".join(f"{n} × {entries[pk]}" for pk, n in ordered)
            + f"; the server's accelerator type and count are its largest group ({count} × {entries[primary]})."
        )
    declared = (device.get("custom_fields") or {}).get("gpu_count")
    if isinstance(declared, int) and declared != len(gpus):
        notes.append(f"NetBox's gpu_count says {declared}; {len(gpus)} GPU(s) are recorded on the device.")
    status_value = str((device.get("status") or {}).get("value") or "active")
    device_type = device.get("device_type") or {}
    manufacturer = (device_type.get("manufacturer") or {}).get("name") or ""
    values = {
        "hostname": hostname,
        "site_name": site_names.get((device.get("site") or {}).get("id"), ""),
        "status": STATUSES.get(status_value, ServerStatus.ACTIVE),
        "serial": str(device.get("serial") or "")[:80],
        "vendor": VENDORS.get(manufacturer.lower(), manufacturer)[:60],
        "model": str(device_type.get("model") or "")[:80],
        "accelerator_type_id": primary,
        "accelerator_count": count,
        "device_type_id": device_type.get("id"),
        "netbox_id": device["id"],
    }
    if status_value not in STATUSES and status_value != "active":
        notes.append(f"NetBox status {status_value!r} is recorded as active.")
    _check_ports(device, snapshot, notes)
    server = by_netbox.get(device["id"]) or by_name.get(hostname.lower())
    if server is not None and server.netbox_id not in (None, device["id"]):
        plan.errors.append(
            ErrorItem(
                f"{hostname!r} is already the server of NetBox device {server.netbox_id}, not {device['id']}.",
                "conflict",
                field="hostname",
            )
        )
    taken = by_name.get(hostname.lower())
    if server is not None and taken is not None and taken != server:
        plan.errors.append(
            ErrorItem(
                f"renaming {server.hostname!r} to {hostname!r}: that hostname is taken.", "duplicate", field="hostname"
            )
        )
    changes = _device_changes(server, values, entries, gpus, recorded.get(server.pk, []) if server else [])
    action = "create" if server is None else ("update" if changes else "unchanged")
    return DevicePlan(
        netbox_id=device["id"],
        hostname=hostname,
        action=action,
        server_id=server.pk if server is not None else None,
        site=values["site_name"],
        status=values["status"],
        model=model_label(values["vendor"], values["model"]),
        accelerators=f"{count} × {entries[primary]}" if primary else "no accelerators",
        groups=[(str(entries[pk]), n) for pk, n in ordered],
        changes=changes,
        notes=notes,
        values=values,
        gpus=gpus,
    )


def _check_ports(device: dict[str, Any], snapshot: Snapshot, notes: list[str]) -> None:
    """Say when the device's own power ports allow another draw than its device type's templates."""
    own = usable_maximum_draw(
        [{"maximum_draw": p.get("maximum_draw")} for p in snapshot.power_ports.get(device["id"], [])]
    )
    type_id = (device.get("device_type") or {}).get("id")
    templates = usable_maximum_draw(
        [{"maximum_draw": t.get("maximum_draw")} for t in snapshot.port_templates.get(type_id, [])]
    )
    if own.watts != templates.watts and own.watts is not None:
        notes.append(
            f"its own power ports give {own.watts:,} W usable, its device type's {templates.watts or 0:,} W: the "
            "device type's are recorded (edit the device type in NetBox to change them)."
        )


def _device_changes(
    server: Server | None,
    values: dict[str, Any],
    entries: dict[int, AcceleratorType],
    gpus: list[dict[str, Any]],
    recorded: list[tuple[Any, ...]],
) -> list[str]:
    accelerators = (
        f"{values['accelerator_count']} × {entries[values['accelerator_type_id']]}"
        if values["accelerator_type_id"]
        else "no accelerators"
    )
    if server is None:
        return [f"new server at {values['site_name']} with {accelerators}"]
    changes = []
    before = server.accelerators_text or "no accelerators"
    if before != accelerators:
        changes.append(f"accelerators: {before} → {accelerators}")
    if server.hostname.lower() != values["hostname"].lower():  # a change of case alone is the same name, kept
        changes.append(f"hostname: {server.hostname} → {values['hostname']}")
    if server.site.name != values["site_name"]:
        changes.append(f"site: {server.site.name} → {values['site_name']}")
    for name in ("status", "serial", "vendor", "model"):
        if getattr(server, name) != values[name]:
            changes.append(f"{name}: {getattr(server, name) or '—'} → {values[name] or '—'}")
    if server.netbox_id != values["netbox_id"]:
        changes.append(f"linked to NetBox device {values['netbox_id']}")
    if server.server_model is None or server.server_model.netbox_id != values["device_type_id"]:
        changes.append(f"server model: {server.server_model or '—'} → NetBox device type {values['device_type_id']}")
    if sorted(recorded) != sorted((g["netbox_id"], g["accelerator_id"], g["serial"]) for g in gpus):
        changes.append(f"GPU records: {len(recorded)} → {len(gpus)}")
    return changes
