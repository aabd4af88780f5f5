"""Discovery: what GPU tools print, read into one result. Pure Python: no Django (the service in
`inventory.services.discovery` matches the GPUs to the catalog and writes the servers).

One entry point, `parse(text)`: `detect` says which tool printed the text (`FORMATS`), the parser of that format
family reads it (one module each: `nvidia_csv`, `nvidia_xml`, `nvidia_text` (-q, -L), `nvidia_table`, `amd`
(rocm-smi, amd-smi), `kubernetes`, `slurm`) into a `Discovered`: hosts -> GPUs (`base`). `matching` reads a GPU's
name against the catalog. `devicetypes` reads NetBox devicetype-library YAML (server models) and holds the rule
for a server model's usable power.
"""

from __future__ import annotations

import json

from . import amd, kubernetes, nvidia_csv, nvidia_table, nvidia_text, nvidia_xml, slurm
from .base import (
    GRES,
    INVENTORY_NAME,
    LABEL,
    PRINTED,
    Discovered,
    GpuRecord,
    HostRecord,
    MigDevice,
    Problem,
    Refused,
    absent,
)
from .formats import COMMANDS_HINT, FORMATS, QUERY_GPU_COMMAND, QUERY_GPU_FIELDS, Format, detect
from .matching import CatalogItem, Match, Matcher


def parse(text: str, *, hostname: str = "") -> Discovered:
    """The hosts and GPUs in a tool's output. Raises `Refused` (one message) for an output no parser reads.

    ``hostname`` names the host of a single-host output (a CSV with a ``hostname`` column names its own)."""
    text = text.lstrip("\ufeff")
    name = detect(text)
    try:
        result = _parse(name, text, hostname)
    except Refused as exc:
        exc.format = exc.format or name  # what it was taken for, said even when refused
        raise
    if result.single_host and hostname:
        for host in result.hosts:
            host.hostname = hostname
    return result


def _parse(name: str | None, text: str, hostname: str) -> Discovered:
    if name in ("amd-smi-json", "rocm-smi-json", "kubectl-nodes"):
        data = json.loads(text)
        if name == "amd-smi-json":
            result = amd.parse_amd_smi(data)
        elif name == "rocm-smi-json":
            result = amd.parse_rocm_smi(data)
        else:
            result = kubernetes.parse(data)
    elif name == "nvidia-smi-csv":
        result = nvidia_csv.parse(text, hostname=hostname)
    elif name == "nvidia-smi-xml":
        result = nvidia_xml.parse(text)
    elif name == "nvidia-smi-q":
        result = nvidia_text.parse_q(text)
    elif name == "nvidia-smi-list":
        result = nvidia_text.parse_list(text)
    elif name == "nvidia-smi-table":
        result = nvidia_table.parse(text)
    elif name == "slurm-nodes":
        result = slurm.parse(text)
    else:  # detect() refuses what it cannot name
        raise Refused("Unknown output.", code="unknown_format")
    return result


__all__ = [
    "COMMANDS_HINT",
    "FORMATS",
    "GRES",
    "INVENTORY_NAME",
    "LABEL",
    "PRINTED",
    "QUERY_GPU_COMMAND",
    "QUERY_GPU_FIELDS",
    "CatalogItem",
    "Discovered",
    "Format",
    "GpuRecord",
    "HostRecord",
    "Match",
    "Matcher",
    "MigDevice",
    "Problem",
    "Refused",
    "absent",
    "detect",
    "parse",
]
