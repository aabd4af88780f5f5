"""The nvidia-smi ingest of before discovery read every format (`POST /api/v1/inventory/discover/nvidia-smi/`,
`manage.py ingest_nvidia_smi`): the same discovery, one named host, answered in the shape those callers know."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Organization

from ...models import AcceleratorType, Server
from .apply import Recorded
from .runs import discover


@dataclass
class Discovery:
    server: Server
    created: bool
    gpu_count: int
    accelerator_type: AcceleratorType | None
    notes: list[str] = field(default_factory=list)
    recorded: Recorded | None = None


def nvidia_smi_ingest(*, organization: Organization, site: str, hostname: str, text: str) -> Discovery:
    """Create or update the server `hostname` at `site` from a GPU tool's output (any format discovery reads).
    Raises `Invalid` with every problem, or `TooLarge`; then nothing is written."""
    recorded = discover(organization=organization, text=text, site=site, hostname=hostname)
    host = recorded.plan.hosts[0]
    server = recorded.servers[0]
    notes = [*recorded.plan.notes, *host.notes]
    if host.rated_power_w:
        notes.append(
            f"rated accelerator power {host.rated_power_w} W: the sum of the GPUs' power limits as reported "
            f"(recorded per GPU; power_w is left as it was)."
        )
    return Discovery(
        server=server,
        created=host.action == "create",
        gpu_count=len(host.gpus),
        accelerator_type=server.accelerator_type,
        notes=notes,
        recorded=recorded,
    )
