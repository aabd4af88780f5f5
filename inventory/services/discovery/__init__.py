"""Discovery: servers and their GPUs from what GPU tools print (`inventory.discovery` reads the outputs).

- `plan`: the preview with every problem (`discovery_plan`), nothing written;
- `apply`: recording a plan in one transaction (`discovery_apply`): servers through the import engine, GPU and MIG
  rows in bulk;
- `runs`: the ways in: `discover` (command line, API), the app's runs (`discovery_run_create`,
  `discovery_run_confirm`) and the private accelerator type offered for an unknown GPU;
- `legacy`: `nvidia_smi_ingest`, the shape of the nvidia-smi ingest of before.
"""

from .apply import Recorded, discovery_apply, replace_gpus
from .legacy import Discovery, nvidia_smi_ingest
from .plan import DiscoveryPlan, HostPlan, UnknownGpu, catalog_items, check_size, discovery_plan, max_bytes
from .runs import (
    accelerator_type_from_discovery,
    discover,
    discovery_run_confirm,
    discovery_run_create,
    discovery_run_recheck,
    run_errors,
)

__all__ = [
    "Discovery",
    "DiscoveryPlan",
    "HostPlan",
    "Recorded",
    "UnknownGpu",
    "accelerator_type_from_discovery",
    "catalog_items",
    "check_size",
    "discover",
    "discovery_apply",
    "discovery_plan",
    "discovery_run_confirm",
    "discovery_run_create",
    "discovery_run_recheck",
    "max_bytes",
    "nvidia_smi_ingest",
    "replace_gpus",
    "run_errors",
]
