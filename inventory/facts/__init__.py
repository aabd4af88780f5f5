"""Inventory facts: numbers computed from what an organization owns, which answer or check assessment questions.

Each fact has a name (used in framework files as `inventory_fact`), a unit and an explanation. `compute_facts`
returns the value of every fact the inventory can support, each with the inputs it was computed from, so that a
pre-filled answer is traceable. A fact the inventory cannot support (no sites, no workloads...) is absent.

The package is split along its seams; every public name is re-exported here, so ``from inventory.facts import
compute_facts`` works whichever module holds it:

* ``definitions``: `Fact`, every fact's definition (`FACTS`), `fact_label`, `CHOICE_LABELS`, `unit_now`
  (units once written otherwise: gCO2/kWh is gCO2e/kWh);
* ``values``: `FactValue`, and how a value reads (`rounded`, `shown`; `DECIMALS_BY_UNIT`, `UNITLESS`);
* ``compute``: `compute_facts` (and `distinct_regions`, `FABRIC_RANK`);
* ``snapshot``: `inventory_snapshot`, the inventory's counts stored with a scored result, and `INVENTORY_WORDS`.
"""

from .compute import FABRIC_RANK, compute_facts, distinct_regions
from .definitions import CHOICE_LABELS, FACTS, UNITS_RENAMED, Fact, fact_label, unit_now
from .snapshot import INVENTORY_WORDS, inventory_snapshot
from .values import DECIMALS_BY_UNIT, UNITLESS, FactValue, rounded, shown

__all__ = [
    "CHOICE_LABELS",
    "DECIMALS_BY_UNIT",
    "FABRIC_RANK",
    "FACTS",
    "INVENTORY_WORDS",
    "UNITLESS",
    "UNITS_RENAMED",
    "Fact",
    "FactValue",
    "compute_facts",
    "distinct_regions",
    "fact_label",
    "inventory_snapshot",
    "rounded",
    "shown",
    "unit_now",
]
