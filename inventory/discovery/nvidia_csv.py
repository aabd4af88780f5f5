"""`nvidia-smi --query-gpu=... --format=csv`: any columns, any order, with or without units. Pure Python.

    nvidia-smi --query-gpu=index,name,uuid,serial,memory.total,power.limit,driver_version --format=csv

With a header (the default) the columns are found by name among any others (the exporters' 200-column queries
work: ``name``, ``memory.total [MiB]``, ``power.limit [W]``...), in any order, units in the header and the values
(``81559 MiB``) or not (``nounits``). Without a header (``noheader``) only the documented order above is read.
``name`` is required; ``memory.total`` is taken from ``memory.used + memory.free + memory.reserved`` when only those
are queried (said in a note); ``power.limit`` falls back to ``enforced.power.limit``; ``driver_version`` to
``kmd_version`` (driver 610+). A ``hostname`` column names the host of each row (several hosts' outputs pasted
together become several servers) unless the request names the host.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TypeVar

from .base import (
    Discovered,
    GpuRecord,
    HostRecord,
    Problem,
    Refused,
    dedupe_uuids,
    mib,
    mig_mode,
    text_or_empty,
    uuid_or_empty,
    version_or_empty,
    watts,
)
from .formats import QUERY_GPU_COMMAND, QUERY_GPU_FIELDS, looks_like_query_header

FORMAT = "nvidia-smi-csv"
POWER_COLUMNS = ("power.limit", "enforced.power.limit", "power.default_limit")
DRIVER_COLUMNS = ("driver_version", "kmd_version")
MIG_COLUMNS = ("mig.mode.current",)
T = TypeVar("T")


def _cells(line: str) -> list[str]:
    try:
        return [cell.strip() for cell in next(csv.reader([line], skipinitialspace=True), [])]
    except csv.Error:
        return [line]


def _column_name(cell: str) -> str:
    name = cell.strip()
    if name.endswith("]") and "[" in name:
        name = name[: name.rindex("[")]
    return name.strip().lower()


def _first_column(values: dict[str, str], names: tuple[str, ...]) -> str:
    """The first of ``names`` whose value is given (no placeholder), else the first of ``names``."""
    return next((name for name in names if text_or_empty(values.get(name, ""))), names[0])


def _first(values: dict[str, str], names: tuple[str, ...]) -> str:
    return values.get(_first_column(values, names), "")


def parse(text: str, *, hostname: str = "") -> Discovered:
    lines = [(n, raw.strip().lstrip("\ufeff")) for n, raw in enumerate(text.splitlines(), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if not lines:
        raise Refused("The output is empty: nothing to read.", code="empty")
    first_number, first_line = lines[0]
    if looks_like_query_header(first_line):
        header = [_column_name(cell) for cell in _cells(first_line)]
        rows = lines[1:]
        if "name" not in header:
            raise Refused(f"The CSV header has no `name` column. Run: {QUERY_GPU_COMMAND}", code="missing_column")
    else:
        cells = _cells(first_line)
        if len(cells) != len(QUERY_GPU_FIELDS) or not cells[0].isdigit():
            raise Refused(
                f"This is a --query-gpu CSV without a header ({len(cells)} values on line {first_number}): without a "
                f"header only the documented columns in their order are read. Run: {QUERY_GPU_COMMAND} (with the "
                "header: any columns, found by name).",
                code="unknown_format",
                line=first_number,
            )
        header = list(QUERY_GPU_FIELDS)
        rows = lines
    result = Discovered(format=FORMAT)
    memory_derived = "memory.total" not in header and {"memory.used", "memory.free"} <= set(header)
    if "memory.total" not in header and not memory_derived:
        result.notes.append("The CSV has no memory.total column: memory is the catalog's (add memory.total).")
    if memory_derived:
        result.notes.append(
            "The CSV has no memory.total column: memory is memory.used + memory.free + memory.reserved."
        )
    hosts: dict[str, HostRecord] = {}
    for position, (number, line) in enumerate(rows):
        cells = _cells(line)
        if cells and [_column_name(c) for c in cells] == header:
            continue  # the header again (outputs of several runs pasted together)
        if len(cells) != len(header):
            result.problems.append(
                Problem(
                    f"line {number} has {len(cells)} values, the header {len(header)}: it is not a GPU row (cut short, "
                    "or another command's output).",
                    "malformed",
                    line=number,
                )
            )
            continue
        values = dict(zip(header, cells, strict=True))
        gpu = _gpu(values, number, position, memory_derived, result)
        if gpu is None:
            continue
        host_name = hostname or text_or_empty(values.get("hostname", ""), limit=253)
        if host_name.lower() in ("redacted-host", "localhost"):
            host_name = hostname
        host = hosts.setdefault(host_name, HostRecord(hostname=host_name, line=number))
        host.driver_version = host.driver_version or version_or_empty(_first(values, DRIVER_COLUMNS))
        host.gpus.append(gpu)
    if not hosts and not result.problems:
        raise Refused(f"The CSV has a header but no GPU row. Run: {QUERY_GPU_COMMAND}", code="empty")
    for host in hosts.values():
        _renumber(host)
        host.notes.extend(dedupe_uuids(host.gpus))
    result.hosts = list(hosts.values())
    result.single_host = len(hosts) <= 1
    return result


def _renumber(host: HostRecord) -> None:
    indexes = [gpu.index for gpu in host.gpus]
    if len(set(indexes)) != len(indexes):
        for position, gpu in enumerate(host.gpus):
            gpu.index = position


def _gpu(
    values: dict[str, str], line: int, position: int, memory_derived: bool, result: Discovered
) -> GpuRecord | None:
    name = text_or_empty(values.get("name"), limit=120)
    if not name:
        result.problems.append(Problem(f"line {line}: the GPU has no name.", "required", line=line, field="name"))
        return None
    index_text = values.get("index", "").strip()
    problems: list[Problem] = []

    def read(read_value: Callable[[str], T | None], column: str, value: str) -> T | None:
        """The value read, or None with a problem: every unreadable value of the line is reported, not the first."""
        try:
            return read_value(value)
        except ValueError as exc:
            problems.append(Problem(f"line {line}: {exc}.", "invalid", line=line, field=column))
            return None

    memory = read(mib, "memory.total", values["memory.total"]) if "memory.total" in values else None
    if memory_derived:
        parts = [read(mib, key, values.get(key, "")) for key in ("memory.used", "memory.free", "memory.reserved")]
        memory = sum(p for p in parts if p is not None) or None
    power_column = _first_column(values, POWER_COLUMNS)
    power = read(watts, power_column, values.get(power_column, ""))
    if problems:
        result.problems.extend(problems)
        return None
    return GpuRecord(
        name=name,
        index=int(index_text) if index_text.isdigit() else position,
        memory_mib=memory,
        power_limit_w=power,
        serial=text_or_empty(values.get("serial"), limit=80),
        uuid=uuid_or_empty(values.get("uuid")),
        mig_mode=mig_mode(_first(values, MIG_COLUMNS)),
        line=line,
        vendor="NVIDIA",
    )
