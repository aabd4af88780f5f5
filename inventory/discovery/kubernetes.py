"""`kubectl get nodes -o json` with NVIDIA GPU Feature Discovery labels: every node a server. Pure Python.

Labels read (NVIDIA/k8s-device-plugin docs/gpu-feature-discovery/README.md, "Generated Labels"):

- ``nvidia.com/gpu.product``: the GPU's name with "-" for spaces (``NVIDIA-H100-80GB-HBM3``); ``-SHARED`` is
  appended under time-slicing or MPS (removed, said in a note);
- ``nvidia.com/gpu.count`` (else the node's ``status.capacity["nvidia.com/gpu"]``) and ``nvidia.com/gpu.memory``
  (MiB);
- ``nvidia.com/mig.strategy``: with ``single`` the product becomes ``<name>-MIG-<profile>`` and ``gpu.count`` and
  ``gpu.memory`` describe the MIG devices: the GPUs are counted as the devices over how many of that profile fit
  one GPU (seven GPU-instance slices; four on an A30), assuming every GPU is partitioned alike, as the strategy
  requires (said in a note); with ``mixed``, ``nvidia.com/mig-<profile>.count`` and ``.memory`` give each profile's
  devices, spread over the node's GPUs in order;
- ``nvidia.com/cuda.driver-version.full`` (older: ``cuda.driver.major/minor/rev``) and
  ``nvidia.com/cuda.runtime-version.full`` (older: ``cuda.runtime.major/minor``);
- ``nvidia.com/vgpu.present``: the product is a vGPU profile (``NVIDIA-A16-4Q``), not a physical GPU.

Nodes without GPUs are left out (named in a note); a list in which no node has GPUs is refused.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (
    LABEL,
    Discovered,
    GpuRecord,
    HostRecord,
    MigDevice,
    Problem,
    Refused,
    mapping,
    quiet,
    version_or_empty,
)

FORMAT = "kubectl-nodes"
P = "nvidia.com/"
_MIG_SUFFIX = re.compile(r"-MIG-(?P<profile>\d+g\.\d+gb|INVALID)$", re.IGNORECASE)
_MIG_TYPE = re.compile(r"^nvidia\.com/mig-(?P<profile>\d+g\.\d+gb)\.count$")
_SLICES = re.compile(r"^(\d+)g\.")
SLICES_PER_GPU = {"a30": 4}  # GPU-instance slices of a whole GPU; 7 for A100, H100, H200, B200 (MIG user guide)


def _slices_per_gpu(product: str) -> int:
    lowered = product.lower()
    return next((n for key, n in SLICES_PER_GPU.items() if key in lowered), 7)


def _memory_gib(quantity: str) -> int | None:
    match = re.match(r"^(\d+)(Ki|Mi|Gi)?$", quantity or "")
    if not match:
        return None
    factor = {"Ki": 1 / 1024**2, "Mi": 1 / 1024, "Gi": 1.0, None: 1 / 1024**3}[match.group(2)]
    return round(int(match.group(1)) * factor) or None


def _version(labels: dict[str, str], full: str, *parts: str) -> str:
    if labels.get(P + full):
        return version_or_empty(labels[P + full])
    values = [labels.get(P + part, "") for part in parts]
    return version_or_empty(".".join(v for v in values if v)) if values and values[0] else ""


def parse(data: dict[str, Any]) -> Discovered:
    nodes = [data] if data.get("kind") == "Node" else data.get("items") or []
    nodes = nodes if isinstance(nodes, list) else []
    result = Discovered(format=FORMAT, single_host=False)
    without: list[str] = []
    for position, node in enumerate(nodes):
        if not isinstance(node, dict) or (node.get("kind") not in (None, "Node")):
            continue
        name = str(mapping(node.get("metadata")).get("name") or "").strip()
        if not name:
            result.problems.append(Problem(f"item {position + 1} has no metadata.name.", "required", field="name"))
            continue
        host = _node(name, node, result)
        if host is None:
            without.append(name)
        else:
            result.hosts.append(host)
    if not result.hosts and not result.problems:
        shown = ", ".join(without[:5]) + (f" and {len(without) - 5} more" if len(without) > 5 else "")
        raise Refused(
            f"None of the {len(without)} node(s) ({shown}) has GPUs: no nvidia.com/gpu capacity and no GPU Feature "
            "Discovery labels (nvidia.com/gpu.product). Deploy GPU Feature Discovery (or the GPU Operator) and run "
            "`kubectl get nodes -o json` again.",
            code="empty",
        )
    if without:
        result.notes.append(f"{len(without)} node(s) without GPUs left out: {', '.join(without[:10])}.")
    return result


def _node(name: str, node: dict[str, Any], result: Discovered) -> HostRecord | None:
    labels = {str(k): str(v) for k, v in mapping(mapping(node.get("metadata")).get("labels")).items()}
    capacity = mapping(mapping(node.get("status")).get("capacity"))
    count_text = labels.get(P + "gpu.count") or str(capacity.get(P + "gpu") or "")
    count = quiet(int, count_text) or 0
    product = labels.get(P + "gpu.product", "").strip()
    if not count and not product:
        return None
    host = HostRecord(
        hostname=name[:253],
        driver_version=_version(
            labels, "cuda.driver-version.full", "cuda.driver.major", "cuda.driver.minor", "cuda.driver.rev"
        ),
        cuda_version=_version(labels, "cuda.runtime-version.full", "cuda.runtime.major", "cuda.runtime.minor"),
        cpu_cores=quiet(int, str(capacity.get("cpu", ""))),  # type: ignore[arg-type]
        ram_gb=_memory_gib(str(capacity.get("memory", ""))),
    )
    if not product:
        result.problems.append(
            Problem(
                f"node {name} has {count} GPU(s) but no nvidia.com/gpu.product label: the model is unknown. Deploy "
                "GPU Feature Discovery (or describe the node with `nvidia-smi -q -x`).",
                "missing",
                field=name,
            )
        )
        return host
    memory = quiet(int, labels.get(P + "gpu.memory", ""))
    strategy = labels.get(P + "mig.strategy", "")
    if product.endswith("-SHARED"):
        product = product.removesuffix("-SHARED")
        host.notes.append("the GPUs are shared (time-slicing or MPS): counted as the physical GPUs.")
    mig = _MIG_SUFFIX.search(product)
    devices: list[MigDevice] = []
    if mig:
        product = product[: mig.start()]
        profile = mig.group("profile")
        if profile.upper() == "INVALID":
            result.problems.append(
                Problem(
                    f"node {name}: nvidia.com/gpu.product says MIG-INVALID (GPUs partitioned differently under the "
                    "single MIG strategy): describe the node with `nvidia-smi -q -x`.",
                    "invalid",
                    field=name,
                )
            )
            return host
        per_gpu = _slices_per_gpu(product) // max(1, int(_SLICES.match(profile).group(1)))  # type: ignore[union-attr]
        slices = count
        count = max(1, -(-slices // max(1, per_gpu)))
        devices = [MigDevice(profile=profile, memory_mib=memory) for _ in range(slices)]
        memory = None
        host.notes.append(
            f"MIG single strategy: {slices} MIG devices of {profile}, at most {per_gpu} per GPU: {count} GPU(s) "
            "(the labels count MIG devices, not GPUs)."
        )
    elif strategy == "mixed":
        for key, value in sorted(labels.items()):
            match = _MIG_TYPE.match(key)
            if match:
                profile = match.group("profile")
                size = quiet(int, labels.get(f"{P}mig-{profile}.memory", ""))
                devices.extend(MigDevice(profile=profile, memory_mib=size) for _ in range(quiet(int, value) or 0))  # type: ignore[arg-type]
    virtual = labels.get(P + "vgpu.present", "").lower() == "true"
    for index in range(count):
        host.gpus.append(
            GpuRecord(
                name=product[:120],
                index=index,
                memory_mib=memory,
                name_kind=LABEL,
                virtual=virtual,
                vendor="NVIDIA",
            )
        )
    _spread(host.gpus, devices, _slices_per_gpu(product))
    return host


def _spread(gpus: list[GpuRecord], devices: list[MigDevice], capacity: int) -> None:
    """MIG devices onto GPUs in order, each GPU taking devices until its GPU-instance slices are used."""
    if not gpus or not devices:
        return
    position, used = 0, 0
    for device in devices:
        match = _SLICES.match(device.profile)
        size = int(match.group(1)) if match else 1
        if used + size > capacity and position < len(gpus) - 1:
            position, used = position + 1, 0
        gpus[position].mig_devices.append(device)
        gpus[position].mig_mode = "enabled"
        used += size
