"""The default `nvidia-smi` table (the wide one of driver 530+, the narrow one before, Windows' WDDM/TCC column).
Pure Python.

The header line gives the driver and CUDA versions (``Driver Version``/``CUDA Version``, from driver 610 ``KMD
Version``/``CUDA UMD Version``). Each GPU is a block of three rows between ``+---`` lines::

    |   0  NVIDIA H100 80GB HBM3          On  |   00000000:00:09.0 Off |                   On |
    | N/A   42C    P0             98W /  700W |      59MiB /  81559MiB |     N/A      Default |
    |                                         |                        |              Enabled |

name and persistence mode (or driver model), power usage and cap, memory used and total ("Not Supported" on a
GPU with unified memory, such as the DGX Spark's GB10), MIG mode. The table cuts
long names ("NVIDIA GeForce RTX 4080 ...", first 24 characters; the narrow table 15): such a GPU is marked
``truncated`` and the catalog matches it by the name's start and the memory. The ``MIG devices:`` section gives
each MIG device's GPU instance, compute instance, memory and multiprocessors (no profile name).
"""

from __future__ import annotations

import re

from .base import Discovered, GpuRecord, HostRecord, MigDevice, Problem, Refused, version_or_empty

FORMAT = "nvidia-smi-table"
_VERSIONS = re.compile(
    r"(?:Driver|KMD) Version:\s*(?P<driver>\S+)(?:\s+CUDA(?: UMD)? Version:\s*(?P<cuda>\S+))?", re.IGNORECASE
)
_GPU_ROW = re.compile(r"^\s*(?P<index>\d+)\s+(?P<name>.+?)\s+(?P<mode>On|Off|WDDM|TCC|MCDM|N/A)\s*$")
_POWER = re.compile(r"(?P<use>\d+|N/A)\s*W?\s*/\s*(?P<cap>\d+)\s*W", re.IGNORECASE)
_MEMORY = re.compile(r"(?P<used>\d+)\s*MiB\s*/\s*(?P<total>\d+)\s*MiB", re.IGNORECASE)
_NO_MEMORY = ("not supported", "n/a")
"""Memory cells of a GPU with no memory of its own to report: the unified memory of a DGX Spark's GB10 ("Not
Supported"). The GPU is recorded without a memory size (the catalog's applies)."""
_MIG_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def _cells(line: str) -> list[str]:
    return line.strip().strip("|").split("|")


def parse(text: str) -> Discovered:
    lines = text.splitlines()
    versions = next((m for m in map(_VERSIONS.search, lines) if m), None)
    host = HostRecord(
        hostname="",
        driver_version=version_or_empty(versions.group("driver")) if versions else "",
        cuda_version=version_or_empty(versions.group("cuda") or "") if versions else "",
    )
    result = Discovered(format=FORMAT, hosts=[host])
    section = ""
    block: list[tuple[int, list[str]]] = []
    gpus_by_index: dict[int, GpuRecord] = {}

    def close_block() -> None:
        if block and section == "gpus":
            gpu = _gpu(block, result)
            if gpu is not None:
                host.gpus.append(gpu)
                gpus_by_index[gpu.index] = gpu
        block.clear()

    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith("| MIG devices:"):
            close_block()
            section = "mig-header"
            continue
        if stripped.startswith("| Processes:"):
            close_block()
            section = "processes"
            continue
        if stripped.startswith("|=") or stripped.startswith("+="):
            section = {"mig-header": "mig", "": "gpus"}.get(section, section)
            continue
        if stripped.startswith("+-") or not stripped:
            close_block()
            if not stripped and section == "gpus":
                section = "done"
            continue
        if not stripped.startswith("|"):
            continue
        if section == "gpus":
            block.append((number, _cells(line)))
        elif section == "mig":
            _mig_row(_cells(line), gpus_by_index)
    close_block()
    if not host.gpus and not result.problems:
        raise Refused(
            'The nvidia-smi table lists no GPU ("No devices were found"?): nothing to record. Run `nvidia-smi -q -x` '
            "on a host whose GPUs the driver sees.",
            code="empty",
        )
    if any(gpu.truncated for gpu in host.gpus):
        result.notes.append(
            "nvidia-smi's table cuts long names: matched by the name's start and the memory size "
            "(`nvidia-smi -q -x` prints the whole name)."
        )
    return result


def _gpu(block: list[tuple[int, list[str]]], result: Discovered) -> GpuRecord | None:
    number, first = block[0]
    match = _GPU_ROW.match(first[0]) if first else None
    if match is None:
        return None  # a header row or a "No running processes" line
    name = match.group("name").strip()
    truncated = name.endswith("...")
    second = block[1][1] if len(block) > 1 else []
    third = block[2][1] if len(block) > 2 else []
    power = _POWER.search(second[0]) if second else None
    memory_cell = second[1].strip() if len(second) > 1 else ""
    memory = _MEMORY.search(memory_cell)
    if memory is None and memory_cell.lower() not in _NO_MEMORY:
        result.problems.append(
            Problem(
                f"line {number + 1}: GPU {match.group('index')} shows no memory total.", "malformed", line=number + 1
            )
        )
        return None
    mig = third[-1].strip().lower() if third else ""
    return GpuRecord(
        name=name[:120],
        index=int(match.group("index")),
        memory_mib=int(memory.group("total")) if memory else None,
        power_limit_w=float(power.group("cap")) if power else None,
        mig_mode=mig if mig in ("enabled", "disabled") else "",
        line=number,
        truncated=truncated,
        vendor="NVIDIA",
    )


def _mig_row(cells: list[str], gpus: dict[int, GpuRecord]) -> None:
    if len(cells) < 2:
        return
    ids = _MIG_ROW.match(cells[0])
    memory = _MEMORY.search(cells[1])
    if ids is None or memory is None:
        return  # the second line of a MIG device (BAR1) or a header
    gpu = gpus.get(int(ids.group(1)))
    if gpu is None:
        return
    sm = cells[2].split()[0] if len(cells) > 2 and cells[2].split() else ""
    gpu.mig_devices.append(
        MigDevice(
            gpu_instance_id=int(ids.group(2)),
            compute_instance_id=int(ids.group(3)),
            memory_mib=int(memory.group("total")),
            multiprocessors=int(sm) if sm.isdigit() else None,
        )
    )
    gpu.mig_mode = "enabled"
