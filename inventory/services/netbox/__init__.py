"""The sync from a NetBox instance over its REST API, with pynetbox: read, plan (the dry run), write (all or nothing).

**Read** (`netbox_read`): ``/api/status/`` (the version; a wrong token fails here), sites, device types, module types,
the devices (of one role when ``role`` is given), their power ports, modules and inventory items, and the power port
templates of the device types in use: a list request each (pynetbox pages them: ``limit=0`` first, then offsets), one
per device type for the templates. Records are read as plain dicts; no nested field that would make pynetbox fetch
it is touched. Every request goes through `config.outbound` (address policy with `INTEGRATIONS_ALLOW_PRIVATE_TARGETS`,
the connection pinned to the checked address, no redirect to another host, timeouts `NETBOX_HTTP_TIMEOUT`): pynetbox is
given that ``requests`` session.

**Plan** (`netbox_plan`): a device is a server when it holds GPUs (modules whose type is a catalog accelerator, or
whose profile (NetBox 4.3+) is GPU or whose bay is named GPU; inventory items whose role is GPU) or when its role is
the one asked for. A GPU counts when its status is active or planned (a failed one is named in a note). Its name is
read against the catalog as a name people typed (``H100 SXM5 80GB``, ``A100-SXM4-80GB``, ``GPU3 (NVIDIA L40S)``),
the GPU profile's ``gpu`` attribute tried after it; an unknown one stops the sync (one problem per name). Servers are
matched by NetBox id, else by hostname (a NetBox device renamed renames its server); sites by NetBox id, else by name
(a new one needs the country given for new sites); server models (the device types, private to the organization, with
their power port templates) by NetBox id.

**Write** (`netbox_apply`): in one transaction, bulk statements: sites, server models, servers (their fields through
the model's validators and row rules, as imports), their GPU rows (replaced, as discovery does). NetBox ids are stored
(`Site.netbox_id`, `Server.netbox_id`, `ServerModel.netbox_id`, `ServerGpu.netbox_id`): syncing twice changes
nothing the second time. Power is not written: a server without recorded power takes its model's usable maximum draw
(`ServerModel.max_draw_w`) where the power ladder reads it.
"""

from .apply import netbox_apply, netbox_sync
from .jobs import (
    is_busy,
    netbox_config_for,
    netbox_config_save,
    netbox_status,
    netbox_sync_reap,
    netbox_sync_run,
    netbox_sync_start,
)
from .plan import DevicePlan, SyncPlan, catalog_matcher, netbox_plan
from .read import Snapshot, netbox_read

__all__ = [
    "DevicePlan",
    "Snapshot",
    "SyncPlan",
    "catalog_matcher",
    "is_busy",
    "netbox_config_for",
    "netbox_config_save",
    "netbox_status",
    "netbox_sync_reap",
    "netbox_sync_run",
    "netbox_sync_start",
    "netbox_apply",
    "netbox_plan",
    "netbox_read",
    "netbox_sync",
]
