"""`nvidia-smi -q` (the text log) and `nvidia-smi -L` (the GPU list). Pure Python.

`-q` is a tree written with indentation: ``Key : Value`` lines and section titles (``GPU 00000000:18:00.0``,
``MIG Mode``, ``MIG Device``, ``FB Memory Usage``, ``GPU Power Readings``). Per GPU: ``Product Name``, ``FB Memory
Usage > Total``, the power limit (``GPU Power Readings > Current Power Limit`` from driver 530, ``Power Readings >
Enforced Power Limit`` or ``Power Limit`` before; never ``Module Power Readings``, the whole module's, nor
``Default``/``Max``), ``Serial Number`` (not the platform's ``Chassis``/``RACK Serial Number``), ``GPU UUID``,
``MIG Mode > Current`` and each ``MIG Device``. The header gives ``Driver Version`` and ``CUDA Version``
(``KMD Version`` and ``CUDA UMD Version`` from driver 610, where the old keys say "[Deprecated ...]").

`-L` lists ``GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)`` and, below a GPU in MIG mode, ``MIG 3g.40gb Device 0:
(UUID: MIG-...)``: names and MIG profiles only (no memory, power or driver: the catalog's figures apply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import (
    Discovered,
    GpuRecord,
    HostRecord,
    MigDevice,
    Problem,
    Refused,
    dedupe_uuids,
    mib,
    mig_mode,
    quiet,
    text_or_empty,
    uuid_or_empty,
    version_or_empty,
    vgpu_guest,
    watts,
)

_ENTRY = re.compile(r"^(\s*)(\S.*?)\s+:(?:\s(.*))?$")
_GPU_SECTION = re.compile(r"^GPU [0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]$")
POWER_KEYS = (
    ("GPU Power Readings", "Current Power Limit"),
    ("GPU Power Readings", "GPU Ceiling Power Limit", "Current Power Limit"),  # driver 610
    ("GPU Power Readings", "Enforced Power Limit"),
    ("Power Readings", "Enforced Power Limit"),
    ("Power Readings", "Power Limit"),
    ("Power Readings", "Current Power Limit"),
    ("GPU Power Readings", "Default Power Limit"),
    ("Power Readings", "Default Power Limit"),
)


@dataclass
class Node:
    """A section of the log: its own ``Key : Value`` entries and its subsections, in order."""

    title: str
    line: int
    values: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    def child(self, title: str) -> Node | None:
        return next((c for c in self.children if c.title == title), None)

    def get(self, *path: str) -> str:
        node: Node | None = self
        for title in path[:-1]:
            node = node.child(title) if node is not None else None
        return node.values.get(path[-1], "") if node is not None else ""


def tree(text: str) -> Node:
    """The log as nested sections by indentation."""
    root = Node("", 0)
    stack: list[tuple[int, Node]] = [(-1, root)]
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.strip().startswith("==="):
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        match = _ENTRY.match(raw.rstrip())
        if match:
            parent.values.setdefault(match.group(2).strip(), (match.group(3) or "").strip())
            continue
        section = Node(raw.strip(), number)
        parent.children.append(section)
        stack.append((indent, section))
    return root


def parse_q(text: str) -> Discovered:
    root = tree(text)
    host = HostRecord(
        hostname="",
        driver_version=version_or_empty(root.values.get("KMD Version"))
        or version_or_empty(root.values.get("Driver Version")),
        cuda_version=version_or_empty(root.values.get("CUDA UMD Version"))
        or version_or_empty(root.values.get("CUDA Version")),
    )
    result = Discovered(format="nvidia-smi-q", hosts=[host])
    sections = [node for node in root.children if _GPU_SECTION.match(node.title)]
    for position, node in enumerate(sections):
        gpu = _q_gpu(node, position, result)
        if gpu is not None:
            host.gpus.append(gpu)
    if not host.gpus and not result.problems:
        raise Refused("The nvidia-smi -q log lists no GPU: nothing to record.", code="empty")
    attached = root.values.get("Attached GPUs", "")
    if attached.isdigit() and int(attached) != len(sections):
        host.notes.append(
            f"Attached GPUs says {attached} but the log describes {len(sections)}: recorded what it describes."
        )
    host.notes.extend(dedupe_uuids(host.gpus))
    return result


def _q_gpu(node: Node, position: int, result: Discovered) -> GpuRecord | None:
    name = text_or_empty(node.values.get("Product Name"), limit=120)
    if not name:
        result.problems.append(Problem(f"{node.title}: no Product Name.", "required", line=node.line, field="name"))
        return None
    try:
        memory = mib(node.get("FB Memory Usage", "Total"))
    except ValueError as exc:
        result.problems.append(Problem(f"{node.title}: FB Memory Usage {exc}.", "invalid", line=node.line))
        return None
    power = None
    for path in POWER_KEYS:
        power = quiet(watts, node.get(*path))
        if power is not None:
            break
    devices = [
        MigDevice(
            gpu_instance_id=_int(device.values.get("GPU Instance ID", "")),
            compute_instance_id=_int(device.values.get("Compute Instance ID", "")),
            memory_mib=quiet(
                mib, device.get("Shared FB Memory Usage", "Total") or device.get("FB Memory Usage", "Total")
            ),  # type: ignore[arg-type]
            multiprocessors=_int(device.get("Device Attributes", "Shared", "Multiprocessor count")),
        )
        for device in node.children
        if device.title == "MIG Device"
    ]
    return GpuRecord(
        name=name,
        index=position,
        memory_mib=memory,
        power_limit_w=power,  # type: ignore[arg-type]
        serial=text_or_empty(node.values.get("Serial Number"), limit=80),
        uuid=uuid_or_empty(node.values.get("GPU UUID")),
        mig_mode=mig_mode(node.get("MIG Mode", "Current")),
        mig_devices=devices,
        line=node.line,
        virtual=vgpu_guest(node.get("GPU Virtualization Mode", "Virtualization Mode")),
        vendor="NVIDIA",
    )


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


_LIST_GPU = re.compile(r"^GPU (\d+): (.+?) \(UUID: ([^)]*)\)\s*$")
_LIST_MIG = re.compile(r"^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]*)\)\s*$")


def parse_list(text: str) -> Discovered:
    host = HostRecord(hostname="")
    result = Discovered(format="nvidia-smi-list", hosts=[host])
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        gpu_match = _LIST_GPU.match(raw.strip())
        mig_match = _LIST_MIG.match(raw.rstrip())
        if gpu_match:
            host.gpus.append(
                GpuRecord(
                    name=gpu_match.group(2).strip()[:120],
                    index=int(gpu_match.group(1)),
                    uuid=uuid_or_empty(gpu_match.group(3)),
                    line=number,
                    vendor="NVIDIA",
                )
            )
        elif mig_match and host.gpus:
            gpu = host.gpus[-1]
            gpu.mig_mode = "enabled"
            gpu.mig_devices.append(MigDevice(profile=mig_match.group(1), uuid=uuid_or_empty(mig_match.group(3))))
        else:
            shown = raw.strip() if len(raw.strip()) <= 80 else raw.strip()[:77] + "..."
            result.problems.append(
                Problem(f"line {number} is not a GPU of nvidia-smi -L: {shown!r}.", "malformed", line=number)
            )
    if not host.gpus:
        raise Refused("The nvidia-smi -L output lists no GPU: nothing to record.", code="empty")
    result.notes.append(
        "nvidia-smi -L prints names and MIG profiles only: memory and power are the catalog's "
        "(send `nvidia-smi -q -x` to record them as the GPUs report them)."
    )
    host.notes.extend(dedupe_uuids(host.gpus))
    return result


__all__ = ["Node", "parse_list", "parse_q", "text_or_empty", "tree"]
