"""Parse what `nvidia-smi --query-gpu=... --format=csv` prints. Pure Python: no Django.

    nvidia-smi --query-gpu=index,name,uuid,serial,memory.total,power.limit,driver_version --format=csv

prints a header and one line per GPU::

    index, name, uuid, serial, memory.total [MiB], power.limit [W], driver_version
    0, NVIDIA H100 80GB HBM3, GPU-5e3b..., 1654922003641, 81559 MiB, 700.00 W, 550.54.15

`--format=csv,noheader` drops the header and `nounits` the units; every variant is accepted. With a header the
columns are found by name (so other query orders work); without one they must be the seven above, in order.
Blank lines are skipped; any other line that is not a GPU is reported with its line number, never skipped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

QUERY_FIELDS: tuple[str, ...] = ("index", "name", "uuid", "serial", "memory.total", "power.limit", "driver_version")
COMMAND = f"nvidia-smi --query-gpu={','.join(QUERY_FIELDS)} --format=csv"
REQUIRED_FIELDS: tuple[str, ...] = ("index", "name")
_UNAVAILABLE = {"", "n/a", "[n/a]", "[not supported]", "not supported", "[unknown error]", "[insufficient permissions]"}
_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$")
_MEMORY_UNITS = {"": 1.0, "mib": 1.0, "mb": 1.0, "gib": 1024.0, "gb": 1024.0}
_POWER_UNITS = {"": 1.0, "w": 1.0, "kw": 1000.0}
_HEADER_UNIT = re.compile(r"\s*\[[^\]]*\]\s*$")


@dataclass(frozen=True)
class Gpu:
    line: int
    index: int
    name: str
    uuid: str = ""
    serial: str = ""
    memory_mib: float | None = None
    power_limit_w: float | None = None
    driver_version: str = ""


@dataclass(frozen=True)
class ParseProblem:
    line: int | None
    field: str | None
    message: str


@dataclass
class NvidiaSmiOutput:
    gpus: list[Gpu] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.gpus)


def _split(line: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line], skipinitialspace=True), [])]


def _header_fields(cells: list[str]) -> list[str]:
    return [_HEADER_UNIT.sub("", cell).strip().lower() for cell in cells]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and _header_fields(cells)[0] in QUERY_FIELDS and not cells[0].strip().isdigit()


def _optional_text(value: str) -> str:
    return "" if value.strip().lower() in _UNAVAILABLE else value.strip()


def _quantity(value: str, units: dict[str, float], what: str) -> float | None:
    if value.strip().lower() in _UNAVAILABLE:
        return None
    match = _QUANTITY.match(value)
    if not match or match.group(2).lower() not in units:
        raise ValueError(f"{what} {value!r} is not a number{' with a unit' if len(units) > 1 else ''}.")
    return float(match.group(1)) * units[match.group(2).lower()]


def parse(text: str) -> NvidiaSmiOutput:
    """The GPUs in `text` and the problems found, each with its 1-based line number."""
    output = NvidiaSmiOutput()
    columns: list[str] | None = None
    seen_index: dict[int, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            cells = _split(line)
        except csv.Error:
            cells = [line]
        if columns is None:
            if _is_header(cells):
                columns = _header_fields(cells)
                missing = [name for name in REQUIRED_FIELDS if name not in columns]
                if missing:
                    output.problems.append(
                        ParseProblem(number, None, f"the header has no {' or '.join(missing)} column.")
                    )
                    return output
                continue
            columns = list(QUERY_FIELDS)
        elif _is_header(cells) and _header_fields(cells) == columns:
            continue  # the same header again (outputs of several runs pasted together)
        if len(cells) != len(columns):
            shown = line if len(line) <= 80 else line[:77] + "..."
            output.problems.append(
                ParseProblem(
                    number,
                    None,
                    f"not a GPU line: expected {len(columns)} comma-separated values ({', '.join(columns)}), "
                    f"found {len(cells)}: {shown!r}",
                )
            )
            continue
        values = dict(zip(columns, cells, strict=True))
        try:
            gpu = _gpu(number, values)
        except ValueError as exc:
            output.problems.append(ParseProblem(number, _field_of(str(exc)), str(exc)))
            continue
        if gpu.index in seen_index:
            output.problems.append(
                ParseProblem(
                    number, "index", f"GPU index {gpu.index} appears twice (also line {seen_index[gpu.index]})."
                )
            )
            continue
        seen_index[gpu.index] = number
        output.gpus.append(gpu)
    if not output.gpus and not output.problems:
        output.problems.append(ParseProblem(None, None, f"no GPUs in the output; run: {COMMAND}"))
    return output


def _field_of(message: str) -> str | None:
    for name in QUERY_FIELDS:
        if message.startswith(f"{name} "):
            return name
    return None


def _gpu(line: int, values: dict[str, str]) -> Gpu:
    index_text = values["index"].strip()
    if not index_text.isdigit():
        raise ValueError(f"index {index_text!r} is not a GPU index (0, 1, ...).")
    name = values["name"].strip()
    if not name or name.lower() in _UNAVAILABLE:
        raise ValueError("name is empty.")
    return Gpu(
        line=line,
        index=int(index_text),
        name=name,
        uuid=_optional_text(values.get("uuid", "")),
        serial=_optional_text(values.get("serial", "")),
        memory_mib=_quantity(values["memory.total"], _MEMORY_UNITS, "memory.total")
        if "memory.total" in values
        else None,
        power_limit_w=_quantity(values["power.limit"], _POWER_UNITS, "power.limit")
        if "power.limit" in values
        else None,
        driver_version=_optional_text(values.get("driver_version", "")),
    )
