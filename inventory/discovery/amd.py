"""AMD: `rocm-smi --showallinfo --json` and `amd-smi static --json`. Pure Python.

rocm-smi prints ``{"card0": {...}, "card1": {...}, "system": {...}}``; the name is ``Card series`` (``Card Series``
in some versions, ``Device Name`` from ROCm 6.1; ROCm 4's prints the PCI vendor id there, "0x1002", and a GPU
with no name but its device id is recorded as "AMD GPU 0x73df", which the catalog only knows if a private type
lists it), the memory ``VRAM Total Memory (B)`` in bytes, the power limit
``Max Graphics Package Power (W)``, the serial ``Serial Number``, the id ``Unique ID``, the driver ``system >
Driver version``. amd-smi prints ``{"gpu_data": [...]}`` (a bare list on older versions): ``asic.market_name``,
``vram.size`` (``{"value": 65520, "unit": "MB"}``, MiB), ``limit.max_power`` (or ``socket_power``),
``board.product_serial``, ``driver.version``.

Both print the PCI device id (``Device ID``/``GPU ID``/``Card Model``, ``asic.device_id``). OEM boards carry
strings such as "AMD INSTINCT MI200 (MCM) OAM LC MBA HPE C2" in the name field, so the product the device id stands
for (`DEVICE_IDS`, from the Linux amdgpu driver's PCI id table and the devices seen in the corpus) is given as an
alias the catalog is tried with after the printed name. An MI250X is two devices (GCDs) to the runtime, and is
counted as two accelerators of the per-GCD catalog entry.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (
    DEVICE_ID,
    PRINTED,
    Discovered,
    GpuRecord,
    HostRecord,
    Problem,
    Refused,
    absent,
    dedupe_uuids,
    mapping,
    quiet,
    text_or_empty,
    version_or_empty,
)

# PCI device id -> the product name amd-smi prints for it (corpus NAMES.md: MI100 0x738c, MI210 0x740f, MI250X
# 0x7408, MI250X/MI250 0x740c, MI300X 0x74a1).
DEVICE_IDS = {
    "0x738c": "AMD Instinct MI100",
    "0x740f": "AMD Instinct MI210",
    "0x7408": "AMD Instinct MI250X",
    "0x740c": "AMD Instinct MI250X/MI250",
    "0x74a1": "AMD Instinct MI300X",
}
_NAME_KEYS = ("Card series", "Card Series", "Device Name")
"""Where rocm-smi prints the product name. Not ``Card SKU``: a board part number ("D05101", "67XA6S")."""
_ID_KEYS = ("Device ID", "GPU ID", "Card Model", "Card model")
_HEX_ID = re.compile(r"0x[0-9a-f]+", re.IGNORECASE)


def _name(card: dict[str, Any]) -> str:
    """The product name rocm-smi printed, or "": ROCm 4's rocm-smi prints the PCI vendor id ("0x1002") in ``Card
    series``, which names no product."""
    for key in _NAME_KEYS:
        value = card.get(key)
        if not absent(value) and not _HEX_ID.fullmatch(str(value).strip()):
            return str(value).strip()
    return ""


def _device_alias(*ids: str) -> tuple[str, ...]:
    names = [DEVICE_IDS[i.lower()] for i in ids if i and i.lower() in DEVICE_IDS]
    return tuple(dict.fromkeys(names))


def parse_rocm_smi(data: dict[str, Any]) -> Discovered:
    system = mapping(data.get("system"))
    host = HostRecord(hostname="", driver_version=version_or_empty(system.get("Driver version")))
    result = Discovered(format="rocm-smi-json", hosts=[host])
    cards = sorted(
        ((key, value) for key, value in data.items() if key.startswith("card") and key[4:].isdigit()),
        key=lambda item: int(item[0][4:]),
    )
    for key, card in cards:
        if not isinstance(card, dict):
            result.problems.append(Problem(f"{key} is not an object.", "malformed", field=key))
            continue
        name = _name(card)
        ids = [str(card.get(k) or "").strip() for k in _ID_KEYS]
        aliases = _device_alias(*ids)
        device_id = next((i.lower() for i in ids if _HEX_ID.fullmatch(i)), "")
        kind = PRINTED
        if not name and not aliases:
            if not device_id:
                result.problems.append(
                    Problem(f"{key} has no name (Card series or Device Name).", "required", field=key)
                )
                continue
            name, kind = f"AMD GPU {device_id}", DEVICE_ID  # a GPU all the same: counted, named by its id
        memory = quiet(int, str(card.get("VRAM Total Memory (B)", "")).strip())
        power = quiet(float, str(card.get("Max Graphics Package Power (W)", "")).strip())
        host.gpus.append(
            GpuRecord(
                name=(name or aliases[0])[:120],
                index=int(key[4:]),
                memory_mib=round(memory / 1048576) if memory else None,  # type: ignore[operator]
                power_limit_w=power if power else None,  # type: ignore[arg-type]
                serial=text_or_empty(card.get("Serial Number"), limit=80),
                uuid=text_or_empty(card.get("Unique ID"), limit=80),
                aliases=tuple(a for a in aliases if a != name),
                name_kind=kind,
                vendor="AMD",
            )
        )
    if not host.gpus and not result.problems:
        raise Refused(
            "The rocm-smi JSON lists no GPU (no card0, card1...). Run `rocm-smi --showallinfo --json`.", code="empty"
        )
    if not any(g.memory_mib for g in host.gpus):
        result.notes.append(
            "rocm-smi printed no memory or power (run with --showallinfo): the catalog's figures apply."
        )
    host.notes.extend(dedupe_uuids(host.gpus))
    return result


def _measure(value: Any, unit_factors: dict[str, float]) -> float | None:
    if isinstance(value, dict):
        number = quiet(float, str(value.get("value", "")))
        factor = unit_factors.get(str(value.get("unit", "")).strip().lower())
        return None if number is None or factor is None or number <= 0 else number * factor  # type: ignore[operator]
    number = quiet(float, str(value or ""))
    return number if number and number > 0 else None  # type: ignore[operator,return-value]


def parse_amd_smi(data: Any) -> Discovered:
    items = data.get("gpu_data") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise Refused("amd-smi's gpu_data is not a list. Run `amd-smi static --json`.", code="malformed")
    host = HostRecord(hostname="")
    result = Discovered(format="amd-smi-json", hosts=[host])
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            result.problems.append(
                Problem(f"GPU {position} is not an object.", "malformed", field=f"gpu_data[{position}]")
            )
            continue
        asic = mapping(item.get("asic"))
        board = mapping(item.get("board"))
        name = text_or_empty(asic.get("market_name"), limit=120)
        aliases = _device_alias(str(asic.get("device_id") or ""))
        product = text_or_empty(board.get("product_name"), limit=120)
        if product and product != name:
            aliases = (*aliases, product)
        if not name and not aliases:
            result.problems.append(Problem(f"GPU {position} has no asic.market_name.", "required", field="name"))
            continue
        limit = mapping(item.get("limit"))
        memory = _measure(mapping(item.get("vram")).get("size"), {"mb": 1.0, "mib": 1.0, "gb": 1024.0, "gib": 1024.0})
        power = _measure(limit.get("max_power") or limit.get("socket_power"), {"w": 1.0})
        index = item.get("gpu")
        host.gpus.append(
            GpuRecord(
                name=name or aliases[0],
                index=index if isinstance(index, int) else position,
                memory_mib=round(memory) if memory else None,
                power_limit_w=power,
                serial=text_or_empty(board.get("product_serial") or asic.get("asic_serial"), limit=80),
                uuid=text_or_empty(item.get("uuid") or asic.get("uuid"), limit=80),
                aliases=tuple(a for a in aliases if a != name),
                vendor="AMD",
            )
        )
        driver = mapping(item.get("driver"))
        host.driver_version = host.driver_version or version_or_empty(driver.get("version"))
        host.rocm_version = host.rocm_version or version_or_empty(item.get("rocm_version"))
    if not host.gpus and not result.problems:
        raise Refused(
            "The amd-smi JSON lists no GPU. Run `amd-smi static --json` on a host with AMD GPUs.", code="empty"
        )
    host.notes.extend(dedupe_uuids(host.gpus))
    return result
