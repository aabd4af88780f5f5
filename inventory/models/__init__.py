"""What an organization has (supply) and what it wants to run (demand).

Catalog types are kept apart from installed instances, as NetBox keeps DeviceType apart from Device:
`AcceleratorType`, `ModelProfile` and `GridRegion` are reference data with a source for every row, shared by all
organizations (``organization`` empty) or private to one. Sites, servers, storage, fabrics, cloud capacity and
workloads belong to one organization.

The models are split by what they hold (`base`, `catalog`, `fleet`, `workloads`, `jobs`; hardware, exchange rates
and telemetry in their own packages); every name is importable from here, as before.
"""

# Their own modules, part of this app: GPUs and MIG instances of servers, server models, discovery runs and the
# NetBox sync (hardware); measured telemetry (daily summaries, Prometheus and BMC endpoints).
from ..exchange.models import ExchangeRate, ExchangeRateOverride  # noqa: E402
from ..hardware.models import (  # noqa: E402
    DiscoveryRun,
    GpuSource,
    MigInstance,
    MigMode,
    NetboxConfig,
    RunStatus,
    ServerGpu,
    ServerModel,
    SyncStatus,
)
from ..telemetry.models import (  # noqa: E402
    BmcEndpoint,
    PrometheusConfig,
    PullStatus,
    ServerTelemetryDay,
    ServerTelemetryGpuDay,
    TelemetrySource,
)
from .base import InventoryRow, Precision, RowRulesMixin, UpperCaseCodeField, duplicate_message
from .catalog import AcceleratorType, CatalogEntry, GridRegion, ModelProfile
from .fleet import (
    CloudCapacity,
    Cooling,
    FabricKind,
    NetworkFabric,
    Server,
    ServerStatus,
    Site,
    StorageKind,
    StorageSystem,
)
from .jobs import ImportJob, ImportStatus
from .workloads import Workload, WorkloadKind

__all__ = [
    "AcceleratorType",
    "BmcEndpoint",
    "CatalogEntry",
    "CloudCapacity",
    "Cooling",
    "DiscoveryRun",
    "ExchangeRate",
    "ExchangeRateOverride",
    "FabricKind",
    "GpuSource",
    "GridRegion",
    "ImportJob",
    "ImportStatus",
    "InventoryRow",
    "MigInstance",
    "MigMode",
    "ModelProfile",
    "NetboxConfig",
    "NetworkFabric",
    "Precision",
    "PrometheusConfig",
    "PullStatus",
    "RowRulesMixin",
    "RunStatus",
    "Server",
    "ServerGpu",
    "ServerModel",
    "ServerStatus",
    "ServerTelemetryDay",
    "ServerTelemetryGpuDay",
    "Site",
    "StorageKind",
    "StorageSystem",
    "SyncStatus",
    "TelemetrySource",
    "UpperCaseCodeField",
    "Workload",
    "WorkloadKind",
    "duplicate_message",
]
