"""From readings to a server's daily summary. Pure Python: no Django.

**An instant** is what one scrape, one Prometheus query step or one BMC reading shows. For each instant and
server, the physical GPUs' readings become one value per figure (:func:`instant_values`):

- accelerator power (W) = the sum over GPUs of each GPU's power. A MIG GPU repeats its whole power on every
  instance's series: the GPU counts once, with the mean of its repeated values (they differ only by sampling time).
- utilization (%) = the mean over GPUs of ``GPU_UTIL``; for a GPU without it, its graphics-engine activity:
  ``GR_ENGINE_ACTIVE`` x 100 for the whole GPU, or over its MIG instances the sum of each instance's activity x its
  compute slices / the GPU's slices (7; 4 on an A30), idle slices counting as 0. **A GPU in MIG mode** (any of its
  series carries ``GPU_I_ID``) never takes ``GPU_UTIL``: DCGM does not measure it in MIG mode and dcgm-exporter
  reports it as 0 (NVIDIA/dcgm-exporter#216: "it is normal", use ``DCGM_FI_PROF_GR_ENGINE_ACTIVE``), which is not
  a measurement. Without ``GR_ENGINE_ACTIVE`` such a GPU's utilization is **not measured** (``mig_unmeasured``),
  never 0 %: the server's mean is over its measured GPUs, and the GPU has no day of its own.
- tensor activity (%) = the mean over GPUs of ``PIPE_TENSOR_ACTIVE`` x 100, MIG instances weighted the same way.
- memory used (GB of 1024 MiB) = the sum over GPUs (over a MIG GPU's instances) of ``FB_USED``; memory total
  adds ``FB_FREE`` where both are reported. Percentages are capped at 100.

Each GPU's own utilization at the instant is kept too (``gpu_utilization``, by the exporter's GPU key), so that a
day also has **each GPU's mean utilization** (the sum and count of its instants, kept in the digest): idle
accelerators are counted per GPU (`facts`), as a server averaging 60 % may hold idle GPUs.

**A day** (UTC) summarizes its instants: p50 and p95 are nearest-rank percentiles over the instants (rank
``ceil(q x n)``), max and mean are exact. So that several uploads of the same day fold into one summary without
keeping samples, each figure keeps a log-bucket histogram (:class:`Histogram`, as DDSketch: relative accuracy 1%):
a percentile is the representative value of the bucket holding that rank, within 1% of the true instant value and
clamped to the exact minimum and maximum (so a day of one instant gives that instant's value exactly).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .dcgm import Reading

RELATIVE_ACCURACY = 0.01
GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = math.log(GAMMA)
ZERO_BELOW = 1e-9
MIB_PER_GB = 1024.0
MIG_SLICES = 7
MIG_SLICES_BY_MODEL = {"A30": 4}
_PROFILE = re.compile(r"^(?:(\d+)c\.)?(\d+)g\.", re.IGNORECASE)
FIGURES = (
    "accelerator_power_w",
    "server_power_w",
    "utilization_pct",
    "tensor_active_pct",
    "memory_used_gb",
    "memory_total_gb",
)


class Histogram:
    """Count, sum, min and max exactly; the distribution in buckets ``(GAMMA**(i-1), GAMMA**i]`` (and a zero
    bucket), so that percentiles have a relative error of at most ``RELATIVE_ACCURACY`` and histograms merge."""

    __slots__ = ("buckets", "count", "maximum", "minimum", "total", "zeros")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.zeros = 0
        self.buckets: Counter[int] = Counter()

    def add(self, value: float) -> None:
        value = max(0.0, float(value))
        self.count += 1
        self.total += value
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        if value < ZERO_BELOW:
            self.zeros += 1
        else:
            self.buckets[math.ceil(math.log(value) / _LOG_GAMMA)] += 1

    def merge(self, other: Histogram) -> None:
        if not other.count:
            return
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        self.zeros += other.zeros
        self.buckets.update(other.buckets)

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def max(self) -> float | None:
        return self.maximum if self.count else None

    def quantile(self, q: float) -> float | None:
        """The nearest-rank ``q``-quantile (0 < q <= 1), within the relative accuracy; None when empty."""
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = self.zeros
        if rank <= seen:
            return self._clamp(0.0)
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if rank <= seen:
                return self._clamp(2 * GAMMA**index / (GAMMA + 1))
        return self.maximum

    def _clamp(self, value: float) -> float:
        return min(max(value, self.minimum), self.maximum)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.count,
            "sum": self.total,
            "min": self.minimum,
            "max": self.maximum,
            "zeros": self.zeros,
            "buckets": {str(k): v for k, v in sorted(self.buckets.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Histogram:
        histogram = cls()
        if data.get("n"):
            histogram.count = int(data["n"])
            histogram.total = float(data["sum"])
            histogram.minimum = float(data["min"])
            histogram.maximum = float(data["max"])
            histogram.zeros = int(data.get("zeros", 0))
            histogram.buckets = Counter({int(k): int(v) for k, v in data.get("buckets", {}).items()})
        return histogram


# --- one instant ------------------------------------------------------------------------------------------------


@dataclass
class InstantValues:
    """A server's figures at one instant (None: not reported)."""

    accelerator_power_w: float | None = None
    server_power_w: float | None = None
    utilization_pct: float | None = None
    tensor_active_pct: float | None = None
    memory_used_gb: float | None = None
    memory_total_gb: float | None = None
    gpu_count: int | None = None
    gpu_models: list[str] = field(default_factory=list)
    mig_profiles: dict[str, int] = field(default_factory=dict)
    gpu_utilization: dict[str, float] = field(default_factory=dict)
    """Each GPU's utilization (%) at the instant, by its key (UUID, else index)."""
    mig_unmeasured: list[str] = field(default_factory=list)
    """GPUs in MIG mode without graphics-engine activity: their utilization is not measured (their GPU_UTIL, 0 or
    absent, is not read)."""
    mig_from_activity: list[str] = field(default_factory=list)
    """GPUs in MIG mode whose utilization is their graphics-engine activity (``GR_ENGINE_ACTIVE``)."""


def mig_slices(profile: str | None) -> int | None:
    """Compute slices of a MIG profile: ``1g.10gb`` -> 1, ``3g.40gb`` -> 3, compute instance ``1c.2g.20gb`` -> 1."""
    match = _PROFILE.match(profile or "")
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def _gpu_slices(model: str) -> int:
    for name, slices in MIG_SLICES_BY_MODEL.items():
        if re.search(rf"\b{name}\b", model):
            return slices
    return MIG_SLICES


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _pct(value: float | None) -> float | None:
    return None if value is None else min(100.0, value)


def _activity(whole: list[float], instances: dict[str, tuple[float, str | None]], model: str) -> float | None:
    """A GPU's activity ratio from its whole-GPU series, else from its MIG instances weighted by compute slices."""
    if whole:
        return _mean(whole)
    if not instances:
        return None
    total = _gpu_slices(model)
    weighted = 0.0
    for value, profile in instances.values():
        weighted += value * (mig_slices(profile) or 1) / total
    return weighted


def instant_values(readings: Iterable[Reading]) -> InstantValues:
    """One server's figures at one instant from its GPUs' readings (see the module docstring)."""
    gpus: dict[str, dict[str, Any]] = {}
    for r in readings:
        gpu = gpus.setdefault(
            r.gpu, {"model": "", "power": [], "util": [], "metric_whole": {}, "metric_mig": {}, "instances": {}}
        )
        gpu["model"] = gpu["model"] or r.model
        if r.instance is not None:
            gpu["instances"][r.instance] = r.profile
        if r.metric == "power_w":
            gpu["power"].append(r.value)
        elif r.metric == "util_pct":
            gpu["util"].append(r.value)
        elif r.instance is None:
            gpu["metric_whole"].setdefault(r.metric, []).append(r.value)
        else:
            gpu["metric_mig"].setdefault(r.metric, {})[r.instance] = (r.value, r.profile)
    values = InstantValues()
    if not gpus:
        return values
    power, util, tensor, used, total = [], [], [], [], []
    profiles: Counter[str] = Counter()
    models: list[str] = []
    per_gpu: dict[str, float] = {}
    mig_unmeasured: list[str] = []
    mig_from_activity: list[str] = []
    for key, gpu in gpus.items():
        model = gpu["model"]
        if model and model not in models:
            models.append(model)
        for profile in gpu["instances"].values():
            profiles[profile or "unknown"] += 1
        if gpu["power"]:
            power.append(_mean(gpu["power"]))
        mig = bool(gpu["instances"])
        gpu_util = None if mig else _mean(gpu["util"])  # GPU_UTIL is 0 or absent in MIG mode: not a measurement
        if gpu_util is None:
            active = _activity(gpu["metric_whole"].get("gr_active", []), gpu["metric_mig"].get("gr_active", {}), model)
            gpu_util = None if active is None else active * 100
            if mig:
                (mig_unmeasured if active is None else mig_from_activity).append(str(key))
        if gpu_util is not None:
            util.append(min(100.0, gpu_util))
            per_gpu[str(key)] = min(100.0, max(0.0, gpu_util))
        gpu_tensor = _activity(
            gpu["metric_whole"].get("tensor_active", []), gpu["metric_mig"].get("tensor_active", {}), model
        )
        if gpu_tensor is not None:
            tensor.append(min(100.0, gpu_tensor * 100))
        fb_used = _memory(gpu, "fb_used_mib")
        fb_free = _memory(gpu, "fb_free_mib")
        if fb_used is not None:
            used.append(fb_used / MIB_PER_GB)
            if fb_free is not None:
                total.append((fb_used + fb_free) / MIB_PER_GB)
    values.accelerator_power_w = sum(power) if power else None
    values.utilization_pct = _pct(_mean(util))
    values.tensor_active_pct = _pct(_mean(tensor))
    values.memory_used_gb = sum(used) if used else None
    values.memory_total_gb = sum(total) if total and len(total) == len(used) else None
    values.gpu_count = len(gpus)
    values.gpu_models = models
    values.mig_profiles = dict(sorted(profiles.items()))
    values.gpu_utilization = per_gpu
    values.mig_unmeasured = mig_unmeasured
    values.mig_from_activity = mig_from_activity
    return values


def _memory(gpu: dict[str, Any], metric: str) -> float | None:
    whole = gpu["metric_whole"].get(metric)
    if whole:
        return _mean(whole)
    instances = gpu["metric_mig"].get(metric)
    if instances:
        return sum(value for value, _ in instances.values())
    return None


# --- one day ----------------------------------------------------------------------------------------------------

MIG_UNMEASURED = "mig_unmeasured"


def mig_unmeasured(digest: dict[str, Any] | None) -> list[str]:
    """The GPUs of a stored day's digest whose utilization was not measured (MIG mode without GR_ENGINE_ACTIVE)."""
    return [str(key) for key in ((digest or {}).get(MIG_UNMEASURED) or [])]


def mig_unmeasured_words(count: int) -> str:
    """What a day or a scrape says of its MIG GPUs whose utilization was not measured."""
    gpus = "1 GPU" if count == 1 else f"{count} GPUs"
    return (
        f"utilization not measured for {gpus} in MIG mode: dcgm-exporter reports DCGM_FI_DEV_GPU_UTIL as 0 (or "
        "not at all) for MIG instances and the data has no DCGM_FI_PROF_GR_ENGINE_ACTIVE; add that metric to the "
        "exporter's counters (its dcp-metrics-included.csv) to measure them. They are not counted as idle."
    )


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


@dataclass
class DaySummary:
    """A server's day from one source: histograms of its instants' figures, mergeable with a stored digest."""

    day: date
    histograms: dict[str, Histogram] = field(default_factory=lambda: {name: Histogram() for name in FIGURES})
    instants: int = 0
    window_start: datetime | None = None
    window_end: datetime | None = None
    gpu_count: int | None = None
    gpu_models: list[str] = field(default_factory=list)
    mig_profiles: dict[str, int] = field(default_factory=dict)
    power_reading_path: str = ""
    gpu_utilization: dict[str, list[float]] = field(default_factory=dict)
    """Each GPU's utilization over the day: [sum of its instants' %, instants]."""
    mig_unmeasured: set[str] = field(default_factory=set)
    """GPUs in MIG mode whose utilization was not measured at some instant of the day (`InstantValues`), kept in
    the digest (``"mig_unmeasured"``) so that what is shown can say so."""

    def add(self, moment: datetime, values: InstantValues) -> None:
        self.instants += 1
        self._add_gpus({key: [value, 1] for key, value in values.gpu_utilization.items()})
        self.mig_unmeasured.update(values.mig_unmeasured)
        self.window_start = moment if self.window_start is None else min(self.window_start, moment)
        self.window_end = moment if self.window_end is None else max(self.window_end, moment)
        for name in FIGURES:
            value = getattr(values, name)
            if value is not None:
                self.histograms[name].add(value)
        self._add_inventory(values.gpu_count, values.gpu_models, values.mig_profiles)

    def _add_inventory(self, gpu_count: int | None, models: list[str], profiles: dict[str, int]) -> None:
        if gpu_count is not None:
            self.gpu_count = max(self.gpu_count or 0, gpu_count)
        for model in models:
            if model not in self.gpu_models:
                self.gpu_models.append(model)
        for profile, count in profiles.items():
            self.mig_profiles[profile] = max(self.mig_profiles.get(profile, 0), count)

    def _add_gpus(self, sums: dict[str, list[float]]) -> None:
        for key, (total, count) in sums.items():
            entry = self.gpu_utilization.setdefault(key, [0.0, 0])
            entry[0] += float(total)
            entry[1] += int(count)

    def gpu_means(self) -> dict[str, tuple[float, int]]:
        """Each GPU's mean utilization (%) over the day and its number of instants, by GPU key."""
        return {
            key: (min(100.0, total / count), int(count))
            for key, (total, count) in sorted(self.gpu_utilization.items())
            if count
        }

    def merge(self, other: DaySummary) -> None:
        self._add_gpus(other.gpu_utilization)
        self.mig_unmeasured.update(other.mig_unmeasured)
        self.instants += other.instants
        for moment in (other.window_start, other.window_end):
            if moment is not None:
                self.window_start = moment if self.window_start is None else min(self.window_start, moment)
                self.window_end = moment if self.window_end is None else max(self.window_end, moment)
        for name in FIGURES:
            self.histograms[name].merge(other.histograms[name])
        self._add_inventory(other.gpu_count, other.gpu_models, other.mig_profiles)
        self.power_reading_path = other.power_reading_path or self.power_reading_path

    def digest(self) -> dict[str, Any]:
        digest: dict[str, Any] = {"instants": self.instants}
        digest.update({n: h.to_json() for n, h in self.histograms.items() if h.count})
        if self.gpu_utilization:
            digest["gpus"] = {key: [total, count] for key, (total, count) in sorted(self.gpu_utilization.items())}
        if self.mig_unmeasured:
            digest[MIG_UNMEASURED] = sorted(self.mig_unmeasured)
        return digest

    @classmethod
    def from_stored(
        cls,
        *,
        day: date,
        digest: dict[str, Any],
        window_start: datetime,
        window_end: datetime,
        gpu_count: int | None,
        gpu_models: list[str],
        mig_profiles: dict[str, int],
        power_reading_path: str = "",
    ) -> DaySummary:
        summary = cls(day=day)
        summary.instants = int(digest.get("instants", 0))
        for name in FIGURES:
            if name in digest:
                summary.histograms[name] = Histogram.from_json(digest[name])
        summary._add_gpus({str(k): list(v) for k, v in (digest.get("gpus") or {}).items()})
        summary.mig_unmeasured.update(mig_unmeasured(digest))
        summary.window_start, summary.window_end = window_start, window_end
        summary._add_inventory(gpu_count, list(gpu_models or []), dict(mig_profiles or {}))
        summary.power_reading_path = power_reading_path
        return summary

    def figures(self) -> dict[str, Any]:
        """The model fields of `ServerTelemetryDay` this summary gives (figures rounded to 3 decimals)."""
        h = self.histograms
        figures = {
            "sample_count": self.instants,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "gpu_count": self.gpu_count,
            "gpu_models": list(self.gpu_models),
            "mig_profiles": dict(sorted(self.mig_profiles.items())),
            "accelerator_power_p50_w": h["accelerator_power_w"].quantile(0.5),
            "accelerator_power_p95_w": h["accelerator_power_w"].quantile(0.95),
            "accelerator_power_max_w": h["accelerator_power_w"].max,
            "server_power_p50_w": h["server_power_w"].quantile(0.5),
            "server_power_p95_w": h["server_power_w"].quantile(0.95),
            "server_power_max_w": h["server_power_w"].max,
            "utilization_mean_pct": h["utilization_pct"].mean,
            "utilization_p95_pct": h["utilization_pct"].quantile(0.95),
            "tensor_active_mean_pct": h["tensor_active_pct"].mean,
            "memory_used_mean_gb": h["memory_used_gb"].mean,
            "memory_used_max_gb": h["memory_used_gb"].max,
            "memory_total_gb": h["memory_total_gb"].max,
            "power_reading_path": self.power_reading_path,
            "digest": self.digest(),
        }
        return {name: round(value, 3) if isinstance(value, float) else value for name, value in figures.items()}
