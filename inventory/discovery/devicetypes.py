"""NetBox device types (netbox-community/devicetype-library YAML) as server models, and the rule for a server model's
usable power. Pure Python (PyYAML): no Django.

A device type file holds ``manufacturer``, ``model``, ``slug``, ``part_number``, ``u_height``, ``power-ports``
(``name``, ``type``, ``maximum_draw`` and ``allocated_draw`` in W), ``interfaces`` (``name``, ``type``,
``mgmt_only``), ``module-bays`` and more (``console-ports``, ``comments``...). Module types (the library's
``module-types/``: GPU cards, NICs) have no ``u_height`` and no ``slug``: they are not server models and are skipped
by the caller with a note.

**Usable maximum draw** (`usable_maximum_draw`): power ports list every supply, and servers carry redundant ones, so
the sum of the ports' ``maximum_draw`` overstates what a server can draw (the library's 8-GPU AMD server has six
3,000 W supplies: 18 kW summed). The rule: the largest port's maximum draw times the ports that carry the load,
``max(maximum_draw) x (n - r)``, where ``r``, the redundant ports, is ``n // 2`` unless the model says otherwise
(N+N, the common configuration of dual-corded servers: 2 ports -> 1 carries the load, 6 -> 3; 3 -> 2, i.e. N+1).
Ports without ``maximum_draw`` are left out; with none, the draw is unknown. A model may set its redundant port
count (`redundant`) when its supplies are configured otherwise (e.g. 4+2: ``r = 2`` of 6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

VENDORS = {"nvidia": "NVIDIA", "amd": "AMD", "hpe": "HPE", "ibm": "IBM", "asus": "ASUS", "msi": "MSI"}


class DeviceTypeError(ValueError):
    """The file is not a device type we can read (one sentence)."""


@dataclass(frozen=True)
class PowerPort:
    name: str
    type: str = ""
    maximum_draw: int | None = None
    allocated_draw: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "maximum_draw": self.maximum_draw,
            "allocated_draw": self.allocated_draw,
        }


@dataclass(frozen=True)
class Interface:
    name: str
    type: str = ""
    mgmt_only: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "mgmt_only": self.mgmt_only}


@dataclass(frozen=True)
class Draw:
    """A server model's usable maximum draw (W, None when unknown) and how it was reached, in words."""

    watts: int | None
    rule: str


@dataclass
class DeviceType:
    vendor: str
    model: str
    slug: str = ""
    part_number: str = ""
    u_height: float = 1.0
    is_full_depth: bool = True
    airflow: str = ""
    weight_kg: float | None = None
    power_ports: list[PowerPort] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    module_bays: list[str] = field(default_factory=list)
    comments: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def gpu_bays(self) -> int:
        return sum(1 for name in self.module_bays if re.match(r"^GPU\b", name, re.IGNORECASE))


def model_label(vendor: str, model: str) -> str:
    """ "Dell PowerEdge R630", but "NVIDIA DGX A100 640GB" when the model already names its vendor."""
    return model if model.lower().startswith(vendor.lower() + " ") else f"{vendor} {model}".strip()


def usable_maximum_draw(ports: list[PowerPort] | list[dict[str, Any]], redundant: int | None = None) -> Draw:
    """The rule of the module docstring: ``max(maximum_draw) x (n - r)``, ``r = n // 2`` by default."""
    draws = [int(d) for d in ((p.get("maximum_draw") if isinstance(p, dict) else p.maximum_draw) for p in ports) if d]
    if not draws:
        return Draw(None, "no power port has a maximum draw")
    n = len(draws)
    spare = n // 2 if redundant is None else min(max(redundant, 0), n - 1)
    watts = max(draws) * (n - spare)
    how = "N+N redundancy assumed" if redundant is None else "redundant ports as set on the model"
    if n == 1:
        return Draw(watts, f"1 power port x {draws[0]:,} W")
    return Draw(watts, f"{n} power ports, {spare} redundant ({how}): {n - spare} x {max(draws):,} W = {watts:,} W")


def _int(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _weight_kg(value: Any, unit: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    factor = {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523}.get(str(unit or "kg").lower(), 1.0)
    return round(number * factor, 2) if number > 0 else None


def is_module_type(data: Any) -> bool:
    return isinstance(data, dict) and "u_height" not in data and "slug" not in data


def parse_device_type(text: str) -> DeviceType:
    """One devicetype-library file. Raises `DeviceTypeError` (a module type, not YAML, no model...)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise DeviceTypeError(f"not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise DeviceTypeError("not a device type (a mapping with manufacturer, model, slug...)")
    if is_module_type(data):
        raise DeviceTypeError("a module type (a card or module), not a server model")
    vendor, model = str(data.get("manufacturer") or "").strip(), str(data.get("model") or "").strip()
    if not vendor or not model:
        raise DeviceTypeError("no manufacturer or model")
    device = DeviceType(
        vendor=VENDORS.get(vendor.lower(), vendor)[:60],
        model=model[:80],
        slug=str(data.get("slug") or "")[:100],
        part_number=str(data.get("part_number") or "").strip()[:80],
        is_full_depth=bool(data.get("is_full_depth", True)),
        airflow=str(data.get("airflow") or "")[:30],
        weight_kg=_weight_kg(data.get("weight"), data.get("weight_unit")),
        comments=str(data.get("comments") or ""),
    )
    try:
        device.u_height = float(data.get("u_height", 1) or 0)
    except (TypeError, ValueError):
        device.notes.append(f"u_height {data.get('u_height')!r} is not a number: 1 U assumed.")
    for item in data.get("power-ports") or []:
        if isinstance(item, dict) and item.get("name"):
            device.power_ports.append(
                PowerPort(
                    name=str(item["name"])[:64],
                    type=str(item.get("type") or "")[:50],
                    maximum_draw=_int(item.get("maximum_draw")),
                    allocated_draw=_int(item.get("allocated_draw")),
                )
            )
    for item in data.get("interfaces") or []:
        if isinstance(item, dict) and item.get("name"):
            device.interfaces.append(
                Interface(str(item["name"])[:64], str(item.get("type") or "")[:50], bool(item.get("mgmt_only")))
            )
    device.module_bays = [str(i.get("name")) for i in data.get("module-bays") or [] if isinstance(i, dict)]
    if data.get("is_powered") is False:
        device.notes.append("is_powered is false: powered by its enclosure (no power ports of its own).")
    draw = usable_maximum_draw(device.power_ports)
    stated = [float(kw) for kw in re.findall(r"(\d+(?:\.\d+)?)\s*kW", device.comments)]
    if draw.watts and stated and max(stated) * 1000 > 1.5 * draw.watts:
        device.notes.append(
            f"its comments say {max(stated):g} kW but its power ports give {draw.watts:,} W usable: check the "
            "device type's maximum_draw."
        )
    return device
