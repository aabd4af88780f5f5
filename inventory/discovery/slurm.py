"""Slurm's `scontrol show nodes`: every node a server, its GPUs from ``Gres=gpu:<type>:<count>``. Pure Python.

A node's record starts at ``NodeName=`` and holds ``key=value`` words (a value may hold spaces, such as ``OS=``;
it runs to the next ``key=``). Read: ``NodeName`` (the server's hostname), ``Gres`` (``gpu:t4:6``,
``gpu:l4:8(S:0-1)`` with its socket binding, several types separated by commas, or ``gpu:6`` without a type),
``CPUTot`` and ``RealMemory`` (MB). Gres types are names the site chose in gres.conf (``t4``, ``a100``,
``nvidia_a100-sxm4-80gb`` with AutoDetect=nvml): the catalog reads them loosely and refuses when they fit several
accelerators. A gres without a type says nothing of the model: that node is refused with a message asking for it.
Prompts, ``....`` and other lines without ``=`` are ignored.
"""

from __future__ import annotations

import re

from .base import GRES, Discovered, GpuRecord, HostRecord, Problem, Refused

FORMAT = "slurm-nodes"
_KEY = re.compile(r"(?:^|\s)([A-Za-z][A-Za-z0-9_/]*)=")
_GRES_ITEM = re.compile(r"^gpu(?::(?P<type>[^:(]+))?:(?P<count>\d+)(?:\((?P<extra>[^)]*)\))?$", re.IGNORECASE)


def _fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    matches = list(_KEY.finditer(text))
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        fields.setdefault(match.group(1), text[match.end() : end].strip())
    return fields


def _split_gres(value: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in value:
        if char == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    items.append(current)
    return [item.strip() for item in items if item.strip()]


def parse(text: str) -> Discovered:
    records: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if "=" not in line:
            continue
        if line.startswith("NodeName="):
            records.append((number, line))
        elif records:
            records[-1] = (records[-1][0], records[-1][1] + " " + line)
    result = Discovered(format=FORMAT, single_host=False)
    without: list[str] = []
    for number, record in records:
        fields = _fields(record)
        name = fields.get("NodeName", "").split()[0] if fields.get("NodeName") else ""
        host = HostRecord(hostname=name[:253], line=number)
        cpus = fields.get("CPUTot", "")
        memory = fields.get("RealMemory", "")
        host.cpu_cores = int(cpus) if cpus.isdigit() else None
        host.ram_gb = round(int(memory) / 1024) if memory.isdigit() and int(memory) else None
        gres = fields.get("Gres", "")
        items = [] if gres in ("", "(null)") else _split_gres(gres)
        for item in items:
            match = _GRES_ITEM.match(item)
            if match is None:
                continue  # another generic resource (e.g. shard:8, mps:100)
            count = int(match.group("count"))
            gpu_type = (match.group("type") or "").strip()
            if not gpu_type:
                result.problems.append(
                    Problem(
                        f"node {name} has {count} GPU(s) of an unnamed model (Gres={gres}): Slurm's gres has no type. "
                        "Name it in gres.conf (e.g. Name=gpu Type=h100 File=/dev/nvidia[0-7]) or describe the node "
                        "with `nvidia-smi -q -x`.",
                        "missing",
                        line=number,
                        field=name,
                    )
                )
                continue
            for _ in range(count):
                host.gpus.append(GpuRecord(name=gpu_type[:120], index=len(host.gpus), line=number, name_kind=GRES))
        if host.gpus or any(p.field == name for p in result.problems):
            result.hosts.append(host)
        else:
            without.append(name)
    if not records:
        raise Refused("No NodeName= record: run `scontrol show nodes` and send what it prints.", code="empty")
    if not result.hosts and not result.problems:
        raise Refused(
            f"None of the {len(without)} Slurm node(s) has GPUs (no Gres=gpu:...): nothing to record.", code="empty"
        )
    if without:
        result.notes.append(f"{len(without)} node(s) without GPUs left out: {', '.join(without[:10])}.")
    return result
