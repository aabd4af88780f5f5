"""The server model catalog from NetBox devicetype-library YAML (`manage.py import_netbox --device-types PATH`).

A file or a folder (every ``*.yaml``/``*.yml`` under it, as the library lays them out: ``device-types/<Vendor>/``).
Each device type becomes a `ServerModel`, shared (the default) or private to an organization, upserted by vendor and
model: loading the same folder twice changes nothing. Module types (cards: the library's ``module-types/``) are
skipped with a note. All or nothing: a file that is not a device type we can read (not YAML, no manufacturer or model)
is listed and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization
from config.errors import ErrorItem, Invalid, items_from_django

from ..discovery.devicetypes import DeviceType, DeviceTypeError, is_module_type, parse_device_type
from ..models import ServerModel

FIELDS = (
    "slug",
    "part_number",
    "u_height",
    "is_full_depth",
    "airflow",
    "weight_kg",
    "power_ports",
    "interfaces",
    "gpu_bays",
    "notes",
    "source",
)


@dataclass
class ServerModelImport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # module types, with the reason
    models: list[ServerModel] = field(default_factory=list)  # the created and updated ones


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
    raise Invalid(f"{path} is neither a file nor a folder.", code="not_found", field="path")


def _values(device: DeviceType, source: str) -> dict[str, object]:
    return {
        "slug": device.slug,
        "part_number": device.part_number,
        "u_height": device.u_height,
        "is_full_depth": device.is_full_depth,
        "airflow": device.airflow,
        "weight_kg": device.weight_kg,
        "power_ports": [p.as_dict() for p in device.power_ports],
        "interfaces": [i.as_dict() for i in device.interfaces],
        "gpu_bays": device.gpu_bays,
        "notes": device.notes,
        "source": source,
    }


def server_models_import(
    *, path: Path, organization: Organization | None = None, dry_run: bool = False
) -> ServerModelImport:
    """Load device types from a file or folder into the server model catalog (shared, or `organization`'s). Raises
    `Invalid` listing every file that cannot be read; then nothing is written."""
    files = _files(path)
    result = ServerModelImport()
    problems: list[ErrorItem] = []
    parsed: list[tuple[str, DeviceType]] = []
    for file in files:
        shown = str(file.relative_to(path)) if file != path else file.name
        try:
            text = file.read_text(encoding="utf-8")
            device = parse_device_type(text)
        except UnicodeDecodeError:
            problems.append(ErrorItem(f"{shown}: not UTF-8 text.", "encoding", field=shown))
            continue
        except DeviceTypeError as exc:
            if "module type" in str(exc) or "module-types" in shown:
                result.skipped.append(f"{shown}: {exc}")
            else:
                problems.append(ErrorItem(f"{shown}: {exc}.", "invalid", field=shown))
            continue
        parsed.append((f"netbox-community/devicetype-library: {shown}", device))
    if not files:
        problems.append(ErrorItem(f"no YAML file in {path}.", "empty", field="path"))
    existing = {
        (m.vendor, m.model): m
        for m in ServerModel.objects.filter(organization=organization).filter(
            vendor__in={d.vendor for _, d in parsed}, model__in={d.model for _, d in parsed}
        )
    }
    seen: dict[tuple[str, str], str] = {}
    for source, device in parsed:
        key = (device.vendor, device.model)
        if key in seen:
            problems.append(ErrorItem(f"{source}: {device.vendor} {device.model} is also in {seen[key]}.", "duplicate"))
            continue
        seen[key] = source
        model = existing.get(key) or ServerModel(organization=organization, vendor=device.vendor, model=device.model)
        before = {name: getattr(model, name) for name in FIELDS} if model.pk else None
        for name, value in _values(device, source).items():
            setattr(model, name, value)
        try:
            model.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            problems.extend(ErrorItem(f"{source}: {i.field}: {i.message}", i.code) for i in items_from_django(exc))
            continue
        label = str(model)
        if before is None:
            result.created.append(label)
        elif before != {name: getattr(model, name) for name in FIELDS}:
            result.updated.append(label)
        else:
            result.unchanged.append(label)
            continue
        result.models.append(model)
    if problems:
        raise Invalid(problems)
    if not dry_run:
        with transaction.atomic():
            for model in result.models:
                model.save()  # a handful of rows: save() computes the usable maximum draw
    return result


__all__ = ["ServerModelImport", "is_module_type", "server_models_import"]
