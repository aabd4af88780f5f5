"""What every discovery parser returns, and the value rules they share. Pure Python: no Django.

A parser turns one tool's output into a `Discovered`: the format it read, the hosts (one for a single-host tool,
many for a cluster), each with its GPUs as the tool printed them (model name, memory in MiB, power limit in W,
serial, UUID, MIG mode and MIG devices) and the host's driver and CUDA/ROCm versions. Nothing is matched to the
catalog here (the service does that) and nothing is written.

An output that cannot be read at all raises `Refused` with ONE message saying what it looks like and the command to
run; a problem with one GPU or row is a `Problem` with its line, so that a 200-column CSV never gives a message per
column or a log a message per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Values tools print where they have none: they are absent, never recorded as a serial, a UUID or a version.
_PLACEHOLDERS = {
    "",
    "n/a",
    "[n/a]",
    "na",
    "none",
    "null",
    "(null)",
    "unknown",
    "[unknown]",
    "[unknown error]",
    "not supported",
    "[not supported]",
    "[insufficient permissions]",
    "insufficient permissions",
    "requested functionality has been deprecated",
    "[requested functionality has been deprecated]",
    "redacted",
    "[redacted]",
    "<redacted>",
    "masked",
    "0",
}
_ZEROS = re.compile(r"^[0\s.:-]*$")
_HEX = re.compile(r"[0-9a-fA-F]")
_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z/]*)\s*$")
_VERSION = re.compile(r"^\d+(?:\.\d+)+[0-9A-Za-z.+~-]*$")
MEMORY_UNITS = {"": 1.0, "mib": 1.0, "mb": 1.0, "gib": 1024.0, "gb": 1024.0, "kib": 1 / 1024, "kb": 1 / 1024}
POWER_UNITS = {"": 1.0, "w": 1.0, "kw": 1000.0}


def absent(value: object) -> bool:
    """A placeholder: empty, N/A, [Not Supported], REDACTED, "0", or all zeros (a masked serial)."""
    if value is None:
        return True
    text = str(value).strip()
    return text.lower() in _PLACEHOLDERS or bool(_ZEROS.match(text))


def text_or_empty(value: object, *, limit: int = 200) -> str:
    """The value as text, or "" for a placeholder; cut at ``limit`` characters."""
    return "" if absent(value) else str(value).strip()[:limit]


def uuid_or_empty(value: object) -> str:
    """A GPU or MIG UUID, or "" for a masked one: ``GPU-00000000-...`` and ``MIG-00000003-0000-...-000000000003``
    have (almost) no digit but zero, which no real UUID has."""
    text = text_or_empty(value, limit=80)
    digits = [c for c in _HEX.findall(text.split("-", 1)[-1] if text[:4] in ("GPU-", "MIG-") else text) if c != "0"]
    return text if len(digits) >= 4 else ""


def version_or_empty(value: object) -> str:
    """A driver/CUDA/ROCm version ("550.54.15", "13.1"), "" for a placeholder or for text that is no version
    (amd-smi can print the kernel's banner there). "610.62 [Deprecated; ...]" keeps "610.62"."""
    text = text_or_empty(value, limit=200).split("[", 1)[0].strip()
    return text[:40] if _VERSION.match(text) else ""


def quantity(value: object, units: dict[str, float]) -> float | None:
    """ "81559 MiB", "700.00 W", "81559" (nounits) -> the number in the first unit; None for a placeholder.
    Raises ValueError for text that is neither, and for a quantity below zero."""
    if absent(value):
        return None
    text = str(value).strip()
    match = _QUANTITY.match(text.removeprefix("-"))
    if not match or match.group(2).lower() not in units:
        raise ValueError(f"{text!r} is not a number")
    if text.startswith("-"):
        raise ValueError(f"{text!r} is below zero")
    return float(match.group(1)) * units[match.group(2).lower()]


def mib(value: object) -> int | None:
    number = quantity(value, MEMORY_UNITS)
    return None if number is None else round(number)


def watts(value: object) -> float | None:
    number = quantity(value, POWER_UNITS)
    return None if number is None or number <= 0 else number


def quiet(call: object, *args: object) -> object:
    """``call(*args)``, or None when the value cannot be read (for optional fields of structured outputs)."""
    try:
        return call(*args)  # type: ignore[operator]
    except (TypeError, ValueError):
        return None


def mapping(value: object) -> dict:
    """`value` when it is a JSON object, else an empty one (a structured output with an unexpected shape)."""
    return value if isinstance(value, dict) else {}


def mig_mode(value: object) -> str:
    """ "enabled", "disabled", or "" (not supported or not said)."""
    text = str(value or "").strip().lower()
    return text if text in ("enabled", "disabled") else ""


def vgpu_guest(value: object) -> bool:
    """Whether nvidia-smi's GPU Virtualization Mode says the GPU is a vGPU profile seen from a guest ("VGPU"): a
    slice of a physical GPU. The other modes are physical GPUs: "None", "Pass-Through" (a whole GPU given to a
    virtual machine), "Host VGPU" and "Host VSGA" (the hypervisor's own view of the GPU it slices)."""
    return str(value or "").strip().upper() == "VGPU"


class Refused(Exception):
    """The output cannot be read at all: ONE message (what it looks like, what to run instead)."""

    def __init__(self, message: str, *, code: str = "invalid", line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.field = field
        self.format = ""  # the format it was taken for, when detected (set by `parse`)


@dataclass(frozen=True)
class Problem:
    """A problem with one GPU, row or node; the rest of the output was read."""

    message: str
    code: str = "invalid"
    line: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class MigDevice:
    """A MIG device (a compute instance on a GPU instance). ``profile`` as the tool names it ("3g.40gb",
    "1c.3g.71gb"), "" when the output does not name it (the table, -q and -q -x give ids and memory only)."""

    gpu_instance_id: int | None = None
    compute_instance_id: int | None = None
    profile: str = ""
    memory_mib: int | None = None
    multiprocessors: int | None = None
    uuid: str = ""


# How a GPU's name must be read against the catalog (`matching`).
PRINTED = "printed"  # exactly as the tool prints it (nvidia-smi, rocm-smi, amd-smi)
LABEL = "label"  # a Kubernetes label: the printed name with "-" for spaces
GRES = "gres"  # a Slurm gres type: chosen by the site ("t4", "h100", "nvidia_a100-sxm4-80gb")
INVENTORY_NAME = "inventory"  # a name people typed in NetBox ("H100 SXM5 80GB", "GPU3 (NVIDIA L40S)")
DEVICE_ID = "device-id"  # no product name printed, only the PCI device id: "AMD GPU 0x73df" (old rocm-smi)


@dataclass
class GpuRecord:
    """One GPU as the output describes it. ``name`` is exactly as printed; ``aliases`` are other names the output
    gives for it (an AMD device id's product name, a board name) tried after it."""

    name: str
    index: int
    memory_mib: int | None = None
    power_limit_w: float | None = None
    serial: str = ""
    uuid: str = ""
    mig_mode: str = ""
    mig_devices: list[MigDevice] = field(default_factory=list)
    line: int | None = None
    aliases: tuple[str, ...] = ()
    truncated: bool = False  # nvidia-smi's table cut the name ("NVIDIA GeForce RTX 4080 ...")
    virtual: bool = False  # a vGPU profile, not a physical GPU
    name_kind: str = PRINTED
    vendor: str = ""  # "NVIDIA" or "AMD" when the format says so


@dataclass
class HostRecord:
    """One host and its GPUs. ``hostname`` is "" for single-host outputs that do not name it (the request must)."""

    hostname: str
    gpus: list[GpuRecord] = field(default_factory=list)
    driver_version: str = ""
    cuda_version: str = ""
    rocm_version: str = ""
    cpu_cores: int | None = None
    ram_gb: int | None = None
    line: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Discovered:
    """What a parser read: the format, the hosts, notes for people and problems with single GPUs or rows."""

    format: str
    hosts: list[HostRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    single_host: bool = True  # the format describes the host it ran on (the request names it)

    @property
    def gpu_count(self) -> int:
        return sum(len(host.gpus) for host in self.hosts)


def dedupe_uuids(gpus: list[GpuRecord]) -> list[str]:
    """Forget a UUID two GPUs share (a scrubbed capture repeats one): a UUID names one GPU. Returns notes."""
    seen: dict[str, int] = {}
    for gpu in gpus:
        if gpu.uuid:
            seen[gpu.uuid] = seen.get(gpu.uuid, 0) + 1
    repeated = sorted(uuid for uuid, count in seen.items() if count > 1)
    for gpu in gpus:
        if gpu.uuid in repeated:
            gpu.uuid = ""
    return [f"UUID {uuid} is printed for {seen[uuid]} GPUs: not recorded (a UUID names one GPU)." for uuid in repeated]
