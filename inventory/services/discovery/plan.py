"""What a tool's output would change (the preview), with every problem: nothing is written here.

`discovery_plan` reads the output (`inventory.discovery.parse`: the format is detected), matches every GPU to the
catalog the organization sees (`inventory.discovery.Matcher`: one query), looks up the site and the servers of the
hosts (one query each), and describes each host: created or updated, its GPUs grouped by accelerator type, the
accelerator type and count the server gets (its largest group when the models are mixed), what changes, the MIG
devices, the rated accelerator power (the sum of the GPUs' power limits) and notes. Problems are `ErrorItem`s:
an output no parser reads is ONE item; an unknown or ambiguous GPU name one item per name (with its line, and what
to add to the catalog); a missing site or hostname an item on that request field.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Lower

from accounts.models import Organization
from config.errors import ErrorItem, TooLarge
from config.lookups import AnyOf

from ... import selectors
from ...discovery import FORMATS, CatalogItem, Discovered, GpuRecord, Matcher, Refused, parse
from ...discovery.base import DEVICE_ID, GRES, INVENTORY_NAME, LABEL
from ...importing import megabytes
from ...models import AcceleratorType, Server
from ...validators import validate_hostname

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
HOSTNAME_MAX = 253


def max_bytes() -> int:
    return int(getattr(settings, "INVENTORY_DISCOVERY_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_size(size: int, *, limit: int | None = None, field: str = "file") -> None:
    """Refuse an output over `limit` (default `INVENTORY_DISCOVERY_MAX_BYTES`) before reading it (`TooLarge`)."""
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise TooLarge(
            f"The output is {megabytes(size)}; the limit is {megabytes(limit)}. Send one host's or one cluster's "
            "output at a time.",
            field=field,
        )


def catalog_items(organization: Organization) -> tuple[list[CatalogItem], dict[int, AcceleratorType]]:
    """The accelerator types the organization sees, as the matcher reads them (one query)."""
    entries = {e.pk: e for e in selectors.accelerator_types_for(organization=organization).order_by("pk")}
    items = [
        CatalogItem(
            key=e.pk,
            vendor=e.vendor,
            model=e.model,
            names=tuple(n for n in (e.nvidia_smi_names or []) if isinstance(n, str)),
            memory_gb=e.memory_gb,
            tdp_w=e.tdp_w,
            private=not e.is_shared,
        )
        for e in entries.values()
    ]
    return items, entries


@dataclass
class GpuRow:
    """One GPU to record (what `ServerGpu` and its `MigInstance`s get)."""

    position: int
    accelerator_id: int
    name: str
    memory_mib: int | None
    power_limit_w: int | None
    serial: str
    uuid: str
    mig_mode: str
    mig: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Group:
    accelerator_id: int
    accelerator: str
    count: int
    names: list[str]
    memory_mib: int | None
    power_limit_w: int | None
    mig_devices: int


@dataclass
class HostPlan:
    hostname: str
    action: str  # "create" or "update"
    server_id: int | None
    groups: list[Group]
    accelerator_id: int | None
    accelerator: str
    accelerator_count: int
    driver_version: str
    cuda_version: str
    rocm_version: str
    cpu_cores: int | None
    ram_gb: int | None
    rated_power_w: int | None  # the sum of the GPUs' power limits; None when one is not reported
    changes: list[str]
    notes: list[str]
    gpus: list[GpuRow]

    @property
    def mixed(self) -> bool:
        return len(self.groups) > 1


@dataclass
class UnknownGpu:
    """A GPU name no catalog entry has: what the output says of it, to pre-fill a private accelerator type."""

    name: str
    vendor: str
    count: int
    hosts: list[str]
    memory_mib: int | None
    power_limit_w: int | None
    can_add: bool  # False for a name the table cut, a label, a gres type, a vGPU profile or a bare device id
    suggestions: list[str]

    @property
    def proposed_model(self) -> str:
        words = self.name.split()
        return " ".join(words[1:]) if len(words) > 1 and words[0].upper() in ("NVIDIA", "AMD") else self.name

    @property
    def proposed_memory_gb(self) -> float | None:
        return round(self.memory_mib / 1024, 1) if self.memory_mib else None


@dataclass
class DiscoveryPlan:
    format: str
    site: str
    hosts: list[HostPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[ErrorItem] = field(default_factory=list)
    unknown: list[UnknownGpu] = field(default_factory=list)
    site_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def format_label(self) -> str:
        return FORMATS[self.format].label if self.format in FORMATS else "not recognized"

    @property
    def command(self) -> str:
        return FORMATS[self.format].command if self.format in FORMATS else ""

    @property
    def created(self) -> int:
        return sum(1 for h in self.hosts if h.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for h in self.hosts if h.action == "update")

    @property
    def gpu_count(self) -> int:
        return sum(len(h.gpus) for h in self.hosts)

    def as_json(self) -> dict[str, Any]:
        """The preview as stored on a `DiscoveryRun` and shown by the API."""
        return {
            "format": self.format,
            "format_label": self.format_label,
            "command": self.command,
            "site": self.site,
            "created": self.created,
            "updated": self.updated,
            "gpus": self.gpu_count,
            "notes": self.notes,
            "hosts": [_host_json(h) for h in self.hosts],
            "unknown_gpus": [
                {**asdict(u), "proposed_model": u.proposed_model, "proposed_memory_gb": u.proposed_memory_gb}
                for u in self.unknown
            ],
        }


def _host_json(host: HostPlan) -> dict[str, Any]:
    data = asdict(host)
    data["mixed"] = host.mixed
    data["mig_devices"] = sum(len(g.mig) for g in host.gpus)
    data["gpus"] = [asdict(g) for g in host.gpus]
    return data


# --- building the plan ---------------------------------------------------------------------------------------------


def _refused(exc: Refused) -> ErrorItem:
    return ErrorItem(exc.message, exc.code, row=exc.line, column=exc.field)


def discovery_plan(*, organization: Organization, text: str, site: str, hostname: str = "") -> DiscoveryPlan:
    """The preview of recording `text` (a tool's output) at `site`; `hostname` names a single host's server.
    Raises `TooLarge` for an output over the limit; every other problem is in ``plan.errors``."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    site_name, hostname = (site or "").strip(), (hostname or "").strip()
    plan = DiscoveryPlan(format="", site=site_name)
    if not site_name:
        plan.errors.append(ErrorItem("the site's name is required.", "required", field="site"))
    else:
        site_obj = selectors.sites_for(organization=organization).filter(name=site_name).only("pk").first()
        if site_obj is None:
            plan.errors.append(ErrorItem(f"unknown site {site_name!r}.", "unknown", field="site"))
        else:
            plan.site_id = site_obj.pk
    if len(hostname) > HOSTNAME_MAX:
        plan.errors.append(ErrorItem(f"longer than {HOSTNAME_MAX} characters.", "max_length", field="hostname"))
        hostname = ""
    try:
        discovered = parse(text, hostname=hostname)
    except Refused as exc:
        plan.format = exc.format
        plan.errors.append(_refused(exc))
        return plan
    plan.format = discovered.format
    plan.notes.extend(discovered.notes)
    plan.errors.extend(ErrorItem(p.message, p.code, row=p.line, column=p.field) for p in discovered.problems)
    _check_hostnames(discovered, plan)
    items, entries = catalog_items(organization)
    matches = _match(discovered, Matcher(items), plan)
    existing = servers_by_hostname(organization, [h.hostname for h in discovered.hosts if h.hostname])
    for host in discovered.hosts:
        if host.hostname:
            found = existing.get(host.hostname.lower())
            plan.hosts.append(_host_plan(host, matches, entries, found, plan, discovered))
    return plan


def servers_by_hostname(organization: Organization, hostnames: list[str]) -> dict[str, Server]:
    """The organization's servers of `hostnames`, whatever their case (DNS names are case-insensitive: FRA-H100-02
    is the server fra-h100-02), by hostname in lower case; one query (``LOWER(hostname)``)."""
    wanted = {name.lower() for name in hostnames}
    if not wanted:
        return {}
    queryset = Server.objects.filter(organization=organization).filter(AnyOf(Lower(F("hostname")), wanted))
    return {s.hostname.lower(): s for s in queryset.select_related("accelerator_type", "site")}


def _check_hostnames(discovered: Discovered, plan: DiscoveryPlan) -> None:
    if any(not host.hostname for host in discovered.hosts):
        plan.errors.append(
            ErrorItem(
                f"the server's hostname is required: {FORMATS[discovered.format].label} describes the host it ran on "
                "without naming it.",
                "required",
                field="hostname",
            )
        )
    counts = Counter(host.hostname.lower() for host in discovered.hosts if host.hostname)
    for name, count in counts.items():
        if count > 1:
            plan.errors.append(
                ErrorItem(f"node {name!r} appears {count} times in the output.", "duplicate", field="hostname")
            )
        if len(name) > HOSTNAME_MAX:
            plan.errors.append(
                ErrorItem(f"node name {name[:40]!r}... is longer than {HOSTNAME_MAX} characters.", "max_length")
            )
        else:
            try:
                validate_hostname(name)  # the server's field rule, as the import applies it when recording
            except ValidationError as error:
                message = f"node name {name[:60]!r}: {error.messages[0]}"
                plan.errors.append(ErrorItem(message, error.code or "invalid", field="hostname"))


def _where(gpu: GpuRecord, hostname: str) -> str:
    kind = {LABEL: "label on node", GRES: "gres type on node", INVENTORY_NAME: "on"}.get(gpu.name_kind, "on")
    return f"{kind} {hostname}" if hostname else "in the output"


def _match(discovered: Discovered, matcher: Matcher, plan: DiscoveryPlan) -> dict[int, int]:
    """Each GPU's accelerator type id (by ``id(gpu)``); unknown and ambiguous names become one problem each."""
    matched: dict[int, int] = {}
    unknown: dict[str, UnknownGpu] = {}
    ambiguous: dict[str, tuple[GpuRecord, str, list[str]]] = {}
    first_line: dict[str, int | None] = {}
    for host in discovered.hosts:
        for gpu in host.gpus:
            match = matcher.match(gpu)
            if match.item is not None:
                matched[id(gpu)] = match.item.key
                if match.note and match.note + "." not in plan.notes:
                    plan.notes.append(match.note + ".")
                continue
            first_line.setdefault(gpu.name, gpu.line)
            if match.candidates:
                ambiguous.setdefault(gpu.name, (gpu, host.hostname, [c.label for c in match.candidates]))
                continue
            entry = unknown.setdefault(
                gpu.name,
                UnknownGpu(
                    name=gpu.name,
                    vendor=gpu.vendor or (gpu.name.split()[0] if gpu.name.split()[0].isupper() else ""),
                    count=0,
                    hosts=[],
                    memory_mib=gpu.memory_mib,
                    power_limit_w=round(gpu.power_limit_w) if gpu.power_limit_w else None,
                    can_add=gpu.name_kind not in (LABEL, GRES, DEVICE_ID) and not gpu.truncated and not gpu.virtual,
                    suggestions=[s.label for s in match.suggestions],
                ),
            )
            entry.count += 1
            if host.hostname and host.hostname not in entry.hosts:
                entry.hosts.append(host.hostname)
    for name, (gpu, hostname, candidates) in ambiguous.items():
        plan.errors.append(
            ErrorItem(
                f"{name!r} ({_where(gpu, hostname)}) fits several accelerator types: {', '.join(candidates)}. "
                + (
                    "Send `nvidia-smi -q -x`, which prints the whole name."
                    if gpu.truncated
                    else "Name the model exactly (e.g. the name nvidia-smi prints) or add it to a private accelerator "
                    "type's names."
                ),
                "ambiguous",
                row=first_line.get(name),
                column="name",
            )
        )
    for name, entry in unknown.items():
        plan.unknown.append(entry)
        plan.errors.append(
            ErrorItem(_unknown_message(entry, discovered), "unknown", row=first_line.get(name), column="name")
        )
    return matched


def _unknown_message(entry: UnknownGpu, discovered: Discovered) -> str:
    facts = ", ".join(
        part
        for part in (
            f"{entry.memory_mib} MiB" if entry.memory_mib else "",
            f"{entry.power_limit_w} W" if entry.power_limit_w else "",
        )
        if part
    )
    where = f"{entry.count} GPU{'s' if entry.count > 1 else ''}" + (
        f" on {', '.join(entry.hosts[:3])}" if entry.hosts else ""
    )
    described = f"unknown GPU {entry.name!r} ({where}{'; ' + facts if facts else ''})"
    if entry.name == "Graphics Device":
        return (
            f"{described}: the driver does not know this GPU's name (it is older than the GPU). Update the driver and "
            "send the output again."
        )
    if entry.name.endswith("..."):
        return (
            f"{described}: nvidia-smi's table cut the name and no catalog entry starting with it has this memory. "
            "Send `nvidia-smi -q -x`, which prints the whole name."
        )
    hint = f" Did you mean {' or '.join(entry.suggestions[:3])}?" if entry.suggestions else ""
    if any(g.name_kind == DEVICE_ID for h in discovered.hosts for g in h.gpus if g.name == entry.name):
        return (
            f"{described}: rocm-smi printed no product name for this GPU, only its PCI device id. Run "
            "`amd-smi static --json` (or rocm-smi from ROCm 5 on, `rocm-smi --showallinfo --json`), which print "
            f"the name, or add {entry.name!r} to a private accelerator type's names."
        )
    if any(g.virtual for h in discovered.hosts for g in h.gpus if g.name == entry.name):
        return (
            f"{described}: an NVIDIA vGPU profile (a slice of a physical GPU), not a GPU. Record the physical GPUs "
            "(nvidia-smi -q -x on the hypervisor), or add a private accelerator type for this profile if you plan by "
            "vGPU slices."
        )
    if not entry.can_add:
        return (
            f"{described}: no accelerator type in the catalog has this name.{hint} Add the name to a private "
            "accelerator type's names (nvidia_smi_names), or send the nodes' nvidia-smi -q -x."
        )
    return (
        f"{described}: no accelerator type in the catalog lists this name.{hint} Add a private accelerator type for it "
        "(Inventory → Discover offers one pre-filled from the output; API: POST /api/v1/inventory/accelerator-types/ "
        f"with nvidia_smi_names [{entry.name!r}]), then send the output again."
    )


def _host_plan(
    host: Any,
    matches: dict[int, int],
    entries: dict[int, AcceleratorType],
    server: Server | None,
    plan: DiscoveryPlan,
    discovered: Discovered,
) -> HostPlan:
    rows: list[GpuRow] = []
    by_type: dict[int, list[GpuRecord]] = defaultdict(list)
    for position, gpu in enumerate(sorted(host.gpus, key=lambda g: g.index)):
        pk = matches.get(id(gpu))
        if pk is None:
            continue
        by_type[pk].append(gpu)
        rows.append(
            GpuRow(
                position=position,
                accelerator_id=pk,
                name=gpu.name[:120],
                memory_mib=gpu.memory_mib,
                power_limit_w=round(gpu.power_limit_w) if gpu.power_limit_w else None,
                serial=gpu.serial[:80],
                uuid=gpu.uuid[:80],
                mig_mode=gpu.mig_mode,
                mig=[
                    {
                        "gpu_instance_id": d.gpu_instance_id,
                        "compute_instance_id": d.compute_instance_id,
                        "profile": d.profile[:24],
                        "memory_mib": d.memory_mib,
                        "multiprocessors": d.multiprocessors,
                        "uuid": d.uuid[:80],
                    }
                    for d in gpu.mig_devices
                ],
            )
        )
    groups = sorted(
        (
            Group(
                accelerator_id=pk,
                accelerator=str(entries[pk]),
                count=len(gpus),
                names=sorted({g.name for g in gpus}),
                memory_mib=gpus[0].memory_mib,
                power_limit_w=round(gpus[0].power_limit_w) if gpus[0].power_limit_w else None,
                mig_devices=sum(len(g.mig_devices) for g in gpus),
            )
            for pk, gpus in by_type.items()
        ),
        key=lambda g: (-g.count, -(entries[g.accelerator_id].memory_gb or 0), g.accelerator),
    )
    primary = groups[0] if groups else None
    limits = [g.power_limit_w for g in host.gpus]
    rated = round(sum(limits)) if limits and all(limit for limit in limits) else None  # type: ignore[arg-type]
    notes = list(host.notes)
    if len(groups) > 1:
        notes.append(
            "mixed GPU models: "
            + ", ".join(f"{g.count} × {g.accelerator}" for g in groups)
            + f". The server's accelerator type and count are its largest group ({primary.count} × "  # type: ignore[union-attr]
            f"{primary.accelerator}); every GPU is recorded, but the capacity analysis counts that group only."  # type: ignore[union-attr]
        )
    host_plan = HostPlan(
        hostname=host.hostname,
        action="update" if server is not None else "create",
        server_id=server.pk if server is not None else None,
        groups=groups,
        accelerator_id=primary.accelerator_id if primary else None,
        accelerator=primary.accelerator if primary else "",
        accelerator_count=primary.count if primary else 0,
        driver_version=host.driver_version[:40],
        cuda_version=host.cuda_version[:20],
        rocm_version=host.rocm_version[:20],
        cpu_cores=host.cpu_cores,
        ram_gb=host.ram_gb,
        rated_power_w=rated,
        changes=[],
        notes=notes,
        gpus=rows,
    )
    host_plan.changes = _changes(host_plan, server, plan)
    return host_plan


def _changes(host: HostPlan, server: Server | None, plan: DiscoveryPlan) -> list[str]:
    after = f"{host.accelerator_count} × {host.accelerator}" if host.accelerator_count else "no accelerators"
    if server is None:
        return [f"new server at {plan.site} with {after}"]
    changes = []
    before = server.accelerators_text or "no accelerators"
    if before != after:
        changes.append(f"accelerators: {before} → {after}")
    if plan.site and server.site.name != plan.site:
        changes.append(f"site: {server.site.name} → {plan.site}")
    if host.driver_version and server.gpu_driver_version != host.driver_version:
        changes.append(f"driver: {server.gpu_driver_version or '—'} → {host.driver_version}")
    if host.cuda_version and server.cuda_version != host.cuda_version:
        changes.append(f"CUDA: {server.cuda_version or '—'} → {host.cuda_version}")
    if host.cpu_cores and server.cpu_cores != host.cpu_cores:
        changes.append(f"CPU cores: {server.cpu_cores or '—'} → {host.cpu_cores}")
    if host.ram_gb and server.ram_gb != host.ram_gb:
        changes.append(f"RAM: {server.ram_gb or '—'} → {host.ram_gb} GB")
    return changes or ["accelerators unchanged; the GPU records are refreshed"]
