"""`nvidia-smi -q -x`: the XML log, every DTD version in use (v10 to v13) and files without a DOCTYPE. Pure Python.

Read with defusedxml (no entity expansion, nothing fetched). Per ``<gpu>``: ``product_name``, ``fb_memory_usage/
total``, the power limit (``gpu_power_readings/current_power_limit`` from DTD v12, ``power_readings/
enforced_power_limit`` or ``power_limit`` before), ``serial``, ``uuid``, ``mig_mode/current_mig`` and each
``mig_devices/mig_device`` (GPU and compute instance ids, memory, multiprocessors). The root gives the driver and
CUDA versions (``kmd_version`` and ``cuda_umd_version`` from driver 610). A file cut short is refused whole: a
partial log is never half-recorded.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

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

FORMAT = "nvidia-smi-xml"
POWER_PATHS = (
    "gpu_power_readings/current_power_limit",
    "gpu_power_readings/gpu_ceiling_power_limit/current_power_limit",  # driver 610 (as -q nests it)
    "gpu_power_readings/enforced_power_limit",
    "power_readings/enforced_power_limit",
    "power_readings/power_limit",
    "power_readings/current_power_limit",
    "gpu_power_readings/default_power_limit",
    "power_readings/default_power_limit",
)


def _text(element: Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


def parse(text: str) -> Discovered:
    try:
        root = fromstring(text.lstrip("\ufeff").strip())
    except ParseError as exc:
        raise Refused(
            f"The XML is incomplete or broken ({exc}): nothing was read. Send the whole output of `nvidia-smi -q -x`.",
            code="malformed",
        ) from None
    except DefusedXmlException:
        raise Refused(
            "The XML declares entities, which nvidia-smi never writes: refused. Send the output of `nvidia-smi -q -x`.",
            code="malformed",
        ) from None
    if root.tag != "nvidia_smi_log":
        raise Refused(
            f"This XML's root is <{root.tag}>, not nvidia-smi's <nvidia_smi_log>. Run `nvidia-smi -q -x`.",
            code="unknown_format",
        )
    host = HostRecord(
        hostname="",
        driver_version=version_or_empty(_text(root, "driver_version")) or version_or_empty(_text(root, "kmd_version")),
        cuda_version=version_or_empty(_text(root, "cuda_version")) or version_or_empty(_text(root, "cuda_umd_version")),
    )
    result = Discovered(format=FORMAT, hosts=[host])
    for position, element in enumerate(root.findall("gpu")):
        gpu = _gpu(element, position, result)
        if gpu is not None:
            host.gpus.append(gpu)
    if not host.gpus and not result.problems:
        raise Refused("The nvidia-smi XML lists no GPU: nothing to record.", code="empty")
    attached = _int(_text(root, "attached_gpus"))
    if attached is not None and attached != len(root.findall("gpu")):
        host.notes.append(
            f"attached_gpus says {attached} but the log describes {len(root.findall('gpu'))} GPU(s): recorded what it "
            "describes (send the whole output to record every GPU)."
        )
    host.notes.extend(dedupe_uuids(host.gpus))
    return result


def _gpu(element: Element, position: int, result: Discovered) -> GpuRecord | None:
    name = text_or_empty(_text(element, "product_name"), limit=120)
    where = f"GPU {element.get('id') or position}"
    if not name:
        result.problems.append(Problem(f"{where}: no product_name.", "required", field="name"))
        return None
    try:
        memory = mib(_text(element, "fb_memory_usage/total"))
    except ValueError as exc:
        result.problems.append(Problem(f"{where}: fb_memory_usage/total {exc}.", "invalid", field="memory"))
        return None
    power = None
    for path in POWER_PATHS:
        power = quiet(watts, _text(element, path))
        if power is not None:
            break
    devices = [
        MigDevice(
            gpu_instance_id=_int(_text(device, "gpu_instance_id")),
            compute_instance_id=_int(_text(device, "compute_instance_id")),
            memory_mib=quiet(mib, _text(device, "fb_memory_usage/total")),  # type: ignore[arg-type]
            multiprocessors=_int(_text(device, "device_attributes/shared/multiprocessor_count")),
        )
        for device in element.findall("mig_devices/mig_device")
    ]
    return GpuRecord(
        name=name,
        index=position,
        memory_mib=memory,
        power_limit_w=power,  # type: ignore[arg-type]
        serial=text_or_empty(_text(element, "serial"), limit=80),
        uuid=uuid_or_empty(_text(element, "uuid")),
        mig_mode=mig_mode(_text(element, "mig_mode/current_mig")),
        mig_devices=devices,
        virtual=vgpu_guest(_text(element, "gpu_virtualization_mode/virtualization_mode")),
        vendor="NVIDIA",
    )
