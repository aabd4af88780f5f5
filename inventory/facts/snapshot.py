"""What the analysed inventory holds, in a few counts, stored with a scored result (`inventory_snapshot`), and how
each count reads (`INVENTORY_WORDS`)."""

from __future__ import annotations

from typing import Any

from ..analysis import CapacitySummary


def inventory_snapshot(summary: CapacitySummary) -> dict[str, Any]:
    """What the analysed inventory holds, in a few counts (stored with a scored result, so that a report states
    the inventory as scored and what changed since): sites, active servers, accelerators (on site and cloud),
    IT power in kW (one decimal)."""
    return {
        "sites": len(summary.sites),
        "servers": sum(f.servers for f in summary.sites),
        "accelerators": summary.accelerators,
        "it_kw": round(summary.total.it_power_kw, 1),
    }


INVENTORY_WORDS = {
    "sites": ("site", "sites"),
    "servers": ("active server", "active servers"),
    "accelerators": ("accelerator", "accelerators"),
    "it_kw": ("kW IT power", "kW IT power"),
}
"""How each count of `inventory_snapshot` reads: (one, several)."""
