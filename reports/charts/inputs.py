"""The chart inputs: plain typed dataclasses that views and the PDF renderer build from the database."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Phase = Literal["now", "next", "later"]

WHOLE_ORGANIZATION_KEY = "all"
"""The scope key of the whole organization (`inventory.analysis.Scope.key`; charts import no model)."""
Effort = Literal["S", "M", "L"]


@dataclass(frozen=True)
class AreaScore:
    """One area of a scored assessment. Scores are 0-100; ``target`` is the lowest score of the target level
    (``20 * (L - 1)``); ``previous`` the score in the previous assessment; ``self_score`` and ``evidence_score``
    the self-assessed and inventory-evidence scores; ``contradiction`` when they differ by more than 30 points."""

    area_id: str
    name: str
    score: float | None
    target: float | None = None
    previous: float | None = None
    self_score: float | None = None
    evidence_score: float | None = None
    contradiction: bool = False
    high_risks: int = 0
    medium_risks: int = 0
    level: int | None = None


@dataclass(frozen=True)
class SubareaScore:
    """One sub-area; ``position`` orders the sub-areas inside their area (only the order matters)."""

    area_name: str
    subarea_name: str
    score: float | None
    position: int


@dataclass(frozen=True)
class SourceCount:
    """How the questions of one area were answered, in questions."""

    area_name: str
    self_reported: int
    from_inventory: int
    not_applicable: int
    unanswered: int


@dataclass(frozen=True)
class AcceleratorCount:
    """Accelerators of one type at one site; ``memory_gb`` is the total memory of these ``count`` devices."""

    site: str
    accelerator: str
    count: int
    memory_gb: float


@dataclass(frozen=True)
class WorkloadDemand:
    """What a workload needs and what its pool (or the fleet) has; ``fits`` is the capacity model's verdict."""

    workload: str
    memory_needed_gb: float
    memory_available_gb: float
    compute_needed_tflops: float | None  # None: not determined (no number of GPUs holds the model)
    compute_available_tflops: float
    fits: bool
    compute_rate: str = ""  # the datasheet rate both compute numbers are at, as people read it ("FP8", "BF16")


@dataclass(frozen=True)
class SitePower:
    """Power of one site in kW: IT draw, facility draw (IT x PUE), and the site's power capacity if known."""

    site: str
    it_kw: float
    facility_kw: float
    capacity_kw: float | None = None


@dataclass(frozen=True)
class SiteEnergy:
    """Monthly energy, cost (in the site's ``currency``) and carbon of one site, with its PUE and grid intensity
    (gCO2e/kWh)."""

    site: str
    currency: str
    it_kwh_month: float
    facility_kwh_month: float
    cost_month: float | None
    tco2_month: float | None
    pue: float | None
    grid_g_per_kwh: float | None


@dataclass(frozen=True)
class RoadmapEntry:
    """A roadmap item before scheduling: ``status`` is its display label ("Open", "In progress", "Done", ...)."""

    rank: int
    title: str
    area_name: str
    phase: Phase
    status: str
    effort: Effort


@dataclass(frozen=True)
class RoadmapBar:
    """A scheduled roadmap item: its bar runs from ``start_month`` to ``end_month`` (months from now)."""

    rank: int
    title: str
    area_name: str
    phase: Phase
    status: str
    effort: Effort
    start_month: float
    end_month: float


@dataclass(frozen=True)
class TrendPoint:
    """One scored assessment on the timeline: readiness index and area scores (area name -> score), and its
    scope: ``scope_key`` (`inventory.analysis.Scope.key`, "all" for the whole organization) and ``scope`` in
    words. Only points of one scope make a line."""

    label: str
    date: datetime.date
    index: float | None
    areas: Mapping[str, float | None] = field(default_factory=dict)
    scope_key: str = WHOLE_ORGANIZATION_KEY
    scope: str = "whole organization"


@dataclass(frozen=True)
class HostDayUtilization:
    """One host's measured accelerator utilization over one UTC day (``day`` as YYYY-MM-DD), in %."""

    host: str
    day: str
    mean_pct: float
    p95_pct: float | None = None


@dataclass(frozen=True)
class ServerDay:
    """One server's measured UTC day (``day`` as YYYY-MM-DD): its daily p95 power (W) and utilization (%)."""

    day: str
    server_power_p95_w: float | None = None
    accelerator_power_p95_w: float | None = None
    utilization_mean_pct: float | None = None
    utilization_p95_pct: float | None = None
