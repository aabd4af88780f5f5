"""Which tool printed a text (`detect`), and what to say about a text no parser reads (`refusal`). Pure Python.

Detection looks at the text's shape, never at its file name: the banner of `nvidia-smi -q`, the box of the default
table, the XML root, the JSON structure (amd-smi's ``gpu_data``, rocm-smi's ``card0``, a Kubernetes ``List`` of
``Node``), Slurm's ``NodeName=``, the header of a ``--query-gpu`` CSV. Anything else is refused with ONE message
that names what it looks like and the command whose output is read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .base import Refused

QUERY_GPU_FIELDS: tuple[str, ...] = ("index", "name", "uuid", "serial", "memory.total", "power.limit", "driver_version")
QUERY_GPU_COMMAND = f"nvidia-smi --query-gpu={','.join(QUERY_GPU_FIELDS)} --format=csv"


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    command: str
    single_host: bool = True


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("nvidia-smi-csv", "nvidia-smi --query-gpu CSV", QUERY_GPU_COMMAND),
        Format("nvidia-smi-xml", "nvidia-smi -q -x (XML)", "nvidia-smi -q -x"),
        Format("nvidia-smi-q", "nvidia-smi -q (text)", "nvidia-smi -q"),
        Format("nvidia-smi-table", "nvidia-smi (the default table)", "nvidia-smi"),
        Format("nvidia-smi-list", "nvidia-smi -L (the GPU list)", "nvidia-smi -L"),
        Format("rocm-smi-json", "rocm-smi --json", "rocm-smi --showallinfo --json"),
        Format("amd-smi-json", "amd-smi static --json", "amd-smi static --json"),
        Format(
            "kubectl-nodes",
            "kubectl get nodes -o json (GPU Feature Discovery labels)",
            "kubectl get nodes -o json",
            single_host=False,
        ),  # fmt: skip
        Format("slurm-nodes", "Slurm scontrol show nodes", "scontrol show nodes", single_host=False),
    )
}
COMMANDS_HINT = (
    f"`{QUERY_GPU_COMMAND}`, `nvidia-smi -q -x`, `nvidia-smi -q`, `nvidia-smi`, `rocm-smi --showallinfo --json`, "
    "`amd-smi static --json`, `kubectl get nodes -o json` or `scontrol show nodes`"
)

_TABLE_HEADER = re.compile(r"NVIDIA-SMI\s+\S+\s+(Driver|KMD) Version")
_LIST_LINE = re.compile(r"^GPU \d+: .+\(UUID: ", re.MULTILINE)
_QUERY_HEADER_CELL = re.compile(r"^[a-z_][a-z0-9_.]*(\s*\[[^\]]*\])?$", re.IGNORECASE)


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= 80 else line[:77] + "..."


def looks_like_query_header(line: str) -> bool:
    cells = [cell.strip() for cell in line.split(",")]
    names = {re.sub(r"\s*\[[^\]]*\]$", "", cell).lower() for cell in cells}
    return "name" in names and all(_QUERY_HEADER_CELL.match(cell) for cell in cells if cell)


def _json_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        if "gpu_data" in data:
            return "amd-smi-json"
        if data.get("kind") in ("List", "NodeList") or (
            isinstance(data.get("items"), list) and data.get("apiVersion") is not None
        ):
            return "kubectl-nodes"
        if data.get("kind") == "Node":
            return "kubectl-nodes"
        if any(re.fullmatch(r"card\d+", str(key)) for key in data):
            return "rocm-smi-json"
    if (
        isinstance(data, list)
        and data
        and all(isinstance(item, dict) for item in data)
        and any("asic" in item or "vram" in item for item in data)
    ):
        return "amd-smi-json"
    return None


def detect(text: str) -> str | None:
    """The format name (a key of `FORMATS`) of a tool's output, or None when no parser reads it.

    Raises `Refused` for the outputs that say themselves why there is nothing to read (nvidia-smi's "No devices
    were found", a driver that is not loaded, rocm-smi's text, an empty text)."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise Refused("The output is empty: nothing to read.", code="empty")
    _refuse_known_messages(stripped)
    head = stripped[:4096]
    if head.startswith("<"):
        return "nvidia-smi-xml"
    if head[0] in "[{":
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise Refused(
                f"This looks like JSON but it cannot be read ({exc}); it may be cut short. Send the whole output of "
                "`amd-smi static --json`, `rocm-smi --showallinfo --json` or `kubectl get nodes -o json`.",
                code="malformed",
            ) from None
        kind = _json_kind(data)
        if kind is None:
            raise Refused(
                "This is JSON, but not the output of a tool we read (amd-smi's gpu_data, rocm-smi's card0..., a "
                f"Kubernetes List of Nodes). Run {COMMANDS_HINT}.",
                code="unknown_format",
            )
        return kind
    if "==============NVSMI LOG==============" in head:
        return "nvidia-smi-q"
    if _TABLE_HEADER.search(head):
        return "nvidia-smi-table"
    if _LIST_LINE.search(head):
        return "nvidia-smi-list"
    if re.search(r"^\s*NodeName=", head, re.MULTILINE):
        return "slurm-nodes"
    first = next(line for line in stripped.splitlines() if line.strip())
    if "," in first:
        return "nvidia-smi-csv"
    raise Refused(_what_it_looks_like(stripped), code="unknown_format")


def _refuse_known_messages(text: str) -> None:
    head = text[:2048]
    if head.startswith("No devices were found"):
        raise Refused(
            'nvidia-smi found no GPU on this host ("No devices were found"): nothing to record. Check that the GPUs '
            "are seen by the driver (lspci | grep -i nvidia) and run `nvidia-smi -q -x` again.",
            code="empty",
        )
    if "couldn't communicate with the NVIDIA driver" in head or "NVIDIA-SMI has failed" in head:
        raise Refused(
            'nvidia-smi could not reach the NVIDIA driver on this host ("NVIDIA-SMI has failed ..."): no GPU was '
            "listed. Load the driver (or reboot after installing it) and run `nvidia-smi -q -x` again.",
            code="empty",
        )
    if "No JSON data to report" in head or "ROCm System Management Interface" in head:
        raise Refused(
            "This is rocm-smi's text output, which we do not read: run `rocm-smi --showallinfo --json` and send that.",
            code="unknown_format",
        )


def _what_it_looks_like(text: str) -> str:
    head = text[:4096]
    first = _first_line(text)
    if re.search(r"^\s*(manufacturer|model|slug|u_height):", head, re.MULTILINE) and "manufacturer:" in head:
        return (
            "This is a NetBox device type (devicetype-library YAML), not a GPU tool's output: load it into the server "
            "model catalog with `python manage.py import_netbox --device-types PATH`."
        )
    if re.search(r"^\s*(ASIC|MARKET_NAME|GPU):", head, re.MULTILINE | re.IGNORECASE) and "MARKET_NAME" in head.upper():
        return "This is amd-smi's text output, which we do not read: run `amd-smi static --json` and send that."
    if re.match(r"^NAME\s+STATUS\s+ROLES", first):
        return "This is kubectl's table, which has no GPU labels: run `kubectl get nodes -o json` and send that."
    if head.startswith("apiVersion:") or "\nkind: Node" in head:
        return "This is kubectl's YAML: run `kubectl get nodes -o json` (JSON) and send that."
    if re.match(r"^(PARTITION|NODELIST)\s", first):
        return "This is sinfo's table, which has no GPU types: run `scontrol show nodes` and send that."
    return (
        f"This does not look like the output of a GPU tool we read (it starts with {first!r}). Run {COMMANDS_HINT} "
        "and send what it prints."
    )
