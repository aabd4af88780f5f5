"""Read dcgm-exporter's ``/metrics`` (Prometheus text exposition) into per-GPU readings. Pure Python: no Django.

Parsing is ``prometheus_client.parser.text_string_to_metric_families`` (the reference parser), never by hand. Of
what dcgm-exporter exposes, these fields are read (``METRICS``)::

    DCGM_FI_DEV_POWER_USAGE           W, per GPU (MIG series repeat the whole GPU's power on every instance)
    DCGM_FI_DEV_GPU_UTIL              %, per GPU (not reported for MIG instances)
    DCGM_FI_PROF_GR_ENGINE_ACTIVE     ratio 0-1, per GPU or per MIG instance
    DCGM_FI_PROF_PIPE_TENSOR_ACTIVE   ratio 0-1, per GPU or per MIG instance
    DCGM_FI_DEV_FB_USED / FB_FREE     MiB, per GPU or per MIG instance

(four of them also under dcgm-exporter 1.x's names, `LEGACY_METRICS`), with the labels ``Hostname`` (``hostname``
since dcgm-exporter's master after #655), ``UUID`` (``uuid`` with ``--use-old-namespace``), ``gpu``, ``device``,
``modelName``, on MIG series ``GPU_I_ID``/``GPU_I_PROFILE``, and the Kubernetes node a Prometheus added
(``NODE_LABELS``: a scrape of its ``/federate``).

Values DCGM uses to say "no value" are absent, not numbers: NaN, infinities, negatives, and DCGM's blank
sentinels (``dcgm_structs.h``: ``DCGM_INT32_BLANK`` 0x7ffffff0 and up, ``DCGM_INT64_BLANK`` 0x7ffffffffffffff0
and up, e.g. 9223372036854775794 = NOT_SUPPORTED, ``DCGM_FP64_BLANK`` 140737488355328.0 and up). No field read
here can legitimately reach 2**31 - 16, so every value from ``DCGM_INT32_BLANK`` up is absent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

METRICS: dict[str, str] = {
    "DCGM_FI_DEV_POWER_USAGE": "power_w",
    "DCGM_FI_DEV_GPU_UTIL": "util_pct",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE": "gr_active",
    "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE": "tensor_active",
    "DCGM_FI_DEV_FB_USED": "fb_used_mib",
    "DCGM_FI_DEV_FB_FREE": "fb_free_mib",
}
LEGACY_METRICS: dict[str, str] = {
    "dcgm_power_usage": "power_w",
    "dcgm_gpu_utilization": "util_pct",
    "dcgm_fb_used": "fb_used_mib",
    "dcgm_fb_free": "fb_free_mib",
}
"""The same fields under the names of NVIDIA's first exporter (gpu-monitoring-tools' prometheus-dcgm, dcgm-exporter
1.x, until 2020): W, %, MiB, with the labels ``gpu`` and ``uuid``. Its README's sample output is in the tests."""
DCGM_INT32_BLANK = 0x7FFFFFF0
HOST_LABELS = ("Hostname", "hostname")
NODE_LABELS = ("kubernetes_node", "node", "nodename")
"""Labels a Prometheus scrape configuration adds for the Kubernetes node a series was scraped on: ``kubernetes_node``
in NVIDIA's GPU Operator monitoring guide (from ``__meta_kubernetes_pod_node_name``), ``node`` and ``nodename``
elsewhere (dcgm-exporter's Helm chart suggests ``nodename``). They name the server when the exporter's ``Hostname``
is its pod's name (dcgm-exporter deployed without ``NODE_NAME``): in a Prometheus pull, or a scrape of Prometheus'
``/federate``."""
UUID_LABELS = ("UUID", "uuid")


class ExpositionError(ValueError):
    """The text is not Prometheus exposition (or not dcgm-exporter's); ``line`` is 1-based when known (it is not
    repeated in the message: callers show it)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Reading:
    """One series' value: which metric (a value of ``METRICS``), on which host and physical GPU (its UUID, else
    ``gpu <index>``), which MIG instance if any; ``timestamp`` (s) when the exposition gave one."""

    metric: str
    host: str | None
    gpu: str
    value: float
    model: str = ""
    instance: str | None = None
    profile: str | None = None
    timestamp: float | None = None
    node: str | None = None
    """The Kubernetes node of the series (`NODE_LABELS`), when Prometheus added one."""


@dataclass
class Scrape:
    readings: list[Reading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    absent_examples: list[str] = field(default_factory=list)  # the first values ignored as absent, in words

    @property
    def hosts(self) -> list[str | None]:
        return list(dict.fromkeys(r.host for r in self.readings))


ABSENT_EXAMPLES = 3
"""How many of the values ignored as absent a scrape's note names (metric, value, GPU and host)."""


def is_absent(value: float) -> bool:
    """NaN, infinite, negative or a DCGM blank sentinel."""
    return math.isnan(value) or math.isinf(value) or value < 0 or value >= DCGM_INT32_BLANK


def _first(labels: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = (labels.get(name) or "").strip()
        if value:
            return value
    return None


def _families(text: str) -> list:
    try:
        return list(text_string_to_metric_families(text))  # a generator: materialize before using anything
    except ValueError as exc:
        line, shown = _offending_line(text)
        detail = (str(exc).split(":", 1)[0].strip() or type(exc).__name__).rstrip(".")  # the rest repeats the line
        if line is not None:
            raise ExpositionError(f"not Prometheus text exposition: {shown!r} ({detail})", line=line) from None
        raise ExpositionError(f"not Prometheus text exposition: {detail}") from None


def _offending_line(text: str) -> tuple[int | None, str]:
    """The first line the parser refuses on its own (the parser's errors carry no line number)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            list(text_string_to_metric_families(line + "\n"))
        except ValueError:
            return number, line if len(line) <= 120 else line[:117] + "..."
    return None, ""


def parse(text: str) -> Scrape:
    """The readings of every series of ``METRICS`` in ``text``. Raises :class:`ExpositionError` when the text is
    not exposition (naming the line), has no metrics, or none that dcgm-exporter exposes."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ExpositionError("the scrape is empty: send what dcgm-exporter's /metrics answers")
    families = _families(text)
    if not families:
        raise ExpositionError("no metrics in the scrape: send what dcgm-exporter's /metrics answers")
    scrape = Scrape()
    seen: set[tuple] = set()
    duplicates = absent = unlabeled = 0
    found_any = False
    families_seen: list[str] = []  # the metrics' families present, with series or not
    legacy = 0
    for family in families:
        metric = METRICS.get(family.name) or LEGACY_METRICS.get(family.name)
        if metric is None:
            continue
        families_seen.append(family.name)
        legacy += family.name in LEGACY_METRICS and bool(family.samples)
        for sample in family.samples:
            if sample.name != family.name:
                continue
            found_any = True
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            labels = sample.labels
            gpu = _first(labels, UUID_LABELS)
            if gpu is None and (labels.get("gpu") or "").strip():
                gpu = f"gpu {labels['gpu'].strip()}"
            if gpu is None:
                unlabeled += 1
                continue
            value = float(sample.value)
            if is_absent(value):
                absent += 1
                if len(scrape.absent_examples) < ABSENT_EXAMPLES:
                    host = _first(labels, HOST_LABELS)
                    scrape.absent_examples.append(
                        f"{sample.name} {sample.value:g} for {gpu}" + (f" on {host}" if host else "")
                    )
                continue
            scrape.readings.append(
                Reading(
                    metric=metric,
                    host=_first(labels, HOST_LABELS),
                    gpu=gpu,
                    value=value,
                    model=(labels.get("modelName") or "").strip(),
                    instance=(labels.get("GPU_I_ID") or "").strip() or None,
                    profile=(labels.get("GPU_I_PROFILE") or "").strip() or None,
                    timestamp=float(sample.timestamp) if sample.timestamp is not None else None,
                    node=_first(labels, NODE_LABELS),
                )
            )
    if not found_any and families_seen:
        raise ExpositionError(
            "dcgm-exporter answered but reports no GPU: "
            + ", ".join(families_seen[:3])
            + (" and others" if len(families_seen) > 3 else "")
            + " have no series (only # HELP and # TYPE lines). The exporter sees no GPU on this host: check that "
            "its pod or container is given the GPUs (the NVIDIA device plugin or runtime), then scrape it again"
        )
    if not found_any:
        raise ExpositionError(
            "no dcgm-exporter metrics in the scrape (looked for " + ", ".join(METRICS) + "): is this dcgm-exporter?"
        )
    if legacy:
        scrape.notes.append(
            "Read with the metric names of dcgm-exporter 1.x (dcgm_power_usage, dcgm_gpu_utilization): an exporter "
            "NVIDIA replaced in 2020; its successor names them DCGM_FI_DEV_POWER_USAGE and DCGM_FI_DEV_GPU_UTIL."
        )
    if duplicates:
        scrape.notes.append(f"{duplicates} repeated series ignored (the first value kept, as Prometheus does).")
    if absent:
        scrape.notes.append(
            f"{absent} value{'s' if absent != 1 else ''} DCGM reports as not available (NaN, negative, or a blank or "
            f"not-supported sentinel) ignored: {'; '.join(scrape.absent_examples)}"
            + ("; …" if absent > len(scrape.absent_examples) else "")
            + "."
        )
    if unlabeled:
        scrape.notes.append(f"{unlabeled} series without a gpu or UUID label ignored.")
    return scrape


def readings_by_host(readings: list[Reading]) -> Iterator[tuple[str | None, list[Reading]]]:
    groups: dict[str | None, list[Reading]] = {}
    for reading in readings:
        groups.setdefault(reading.host, []).append(reading)
    yield from groups.items()
