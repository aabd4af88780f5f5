"""Reading a NetBox with pynetbox (through `config.outbound`), and which of its devices are servers with GPUs.

See `inventory.services.netbox` for the whole sync."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from config import outbound
from config.errors import Invalid, Unavailable

from ...discovery import GpuRecord, Matcher
from ...discovery.base import INVENTORY_NAME

Progress = Callable[[str, int, int], None]
DEADLINE_SECONDS = 15 * 60
STEPS = 9


@dataclass
class Snapshot:
    """What a NetBox holds, as plain dicts (pynetbox records read with ``dict()``)."""

    url: str
    version: str = ""
    sites: dict[int, dict[str, Any]] = field(default_factory=dict)
    device_types: dict[int, dict[str, Any]] = field(default_factory=dict)
    module_types: dict[int, dict[str, Any]] = field(default_factory=dict)
    devices: list[dict[str, Any]] = field(default_factory=list)
    power_ports: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    modules: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    items: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    port_templates: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    role: str = ""


def _session(url: str, verify: bool) -> Any:
    session = outbound.pinned_session(
        allow_private=outbound.integrations_allow_private(),
        origin=url,
        deadline=time.monotonic() + DEADLINE_SECONDS,
        verify=verify,
    )
    timeout = tuple(getattr(settings, "NETBOX_HTTP_TIMEOUT", (5.0, 60.0)))
    plain = session.request

    def request(method: str, target: str, **kwargs: Any) -> Any:  # pynetbox sets no timeout: ours applies
        kwargs.setdefault("timeout", timeout)
        return plain(method, target, **kwargs)

    session.request = request  # type: ignore[method-assign]
    return session


def _by_device(records: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        device = record.get("device") or {}
        if device.get("id") is not None:
            grouped[device["id"]].append(record)
    return grouped


def netbox_read(
    *,
    url: str,
    token: str,
    matcher: Matcher,
    role: str = "",
    verify: bool = True,
    progress: Progress | None = None,
) -> Snapshot:
    """Read what the sync needs from the NetBox at `url` (`matcher`: the catalog, which tells GPU modules from
    others). Raises `Invalid` (a URL or token NetBox refuses) or `Unavailable` (NetBox cannot be reached, or answers
    with something that is not its API)."""
    import pynetbox
    from pynetbox.core.query import ContentError, RequestError

    url = url.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    api = pynetbox.api(url, token=token.strip())
    try:
        api.http_session = _session(url, verify)
    except outbound.InvalidUrl as exc:  # a URL saved before the rule refused it ("https://[::1")
        raise Invalid(exc.problem, field="url") from None
    snapshot = Snapshot(url=url, role=role.strip())
    step = 0

    def advance(stage: str) -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(stage, step, STEPS)

    try:
        advance("NetBox status")
        status = api.status()
        snapshot.version = str(status.get("netbox-version") or "")
        advance("sites")
        snapshot.sites = {r["id"]: r for r in map(dict, api.dcim.sites.all())}
        advance("device types")
        snapshot.device_types = {r["id"]: r for r in map(dict, api.dcim.device_types.all())}
        advance("module types")
        snapshot.module_types = {r["id"]: r for r in map(dict, api.dcim.module_types.all())}
        advance("devices")
        devices = api.dcim.devices.filter(role=snapshot.role) if snapshot.role else api.dcim.devices.all()
        snapshot.devices = [dict(r) for r in devices]
        advance("power ports")
        snapshot.power_ports = _by_device([dict(r) for r in api.dcim.power_ports.all()])
        advance("modules")
        snapshot.modules = _by_device([dict(r) for r in api.dcim.modules.all()])
        advance("inventory items")
        snapshot.items = _by_device([dict(r) for r in api.dcim.inventory_items.all()])
        advance("power port templates")
        for type_id in sorted({(d.get("device_type") or {}).get("id") for d in servers_of(snapshot, matcher)} - {None}):
            templates = api.dcim.power_port_templates.filter(device_type_id=type_id)
            snapshot.port_templates[type_id] = [dict(r) for r in templates]
    except RequestError as exc:
        code = exc.req.status_code
        if code in (401, 403):
            raise Invalid(
                f"NetBox refused the token ({code}: {_detail(exc)}).", code="forbidden", field="token"
            ) from None
        raise Unavailable(f"NetBox answered {code} to {exc.req.url}: {_detail(exc)}.", field="url") from None
    except ContentError:
        raise Unavailable(
            f"{url} answered with something that is not NetBox's JSON: is it NetBox's address?", field="url"
        ) from None
    except outbound.OutboundError as exc:
        raise Unavailable(f"NetBox at {url} could not be read: {exc}.", field="url") from None
    return snapshot


def _detail(exc: Any) -> str:
    """NetBox's ``{"detail": "..."}`` (or the first words of another answer)."""
    try:
        body = exc.req.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])[:200]
    if isinstance(body, dict) and body:
        return "; ".join(f"{key}: {value}" for key, value in body.items())[:200]
    text = exc.req.text or ""
    return "an HTML page (not the API)" if text.lstrip().startswith("<") else (text.strip()[:200] or "no detail")


# --- which devices are servers, and their GPUs ---------------------------------------------------------------------


def is_gpu_item(item: dict[str, Any]) -> bool:
    role = item.get("role") or {}
    return any("gpu" in str(role.get(key) or "").lower() for key in ("slug", "name"))


def module_name(
    module: dict[str, Any], module_types: dict[int, dict[str, Any]]
) -> tuple[str, tuple[str, ...], int | None, bool]:
    """A module's name for the catalog, its aliases (the GPU profile's ``gpu`` attribute), memory in MiB (the
    profile's ``memory`` in GB) and whether NetBox says it is a GPU (its profile, or its bay's name)."""
    nested = module.get("module_type") or {}
    full = module_types.get(nested.get("id"), {})
    manufacturer = (nested.get("manufacturer") or {}).get("name") or ""
    model = str(nested.get("model") or full.get("model") or "")
    attributes = full.get("attributes") or {}
    profile = str(((full.get("profile") or {}).get("name")) or "")
    gpu_name = str(attributes.get("gpu") or "") if isinstance(attributes, dict) else ""
    memory = attributes.get("memory") if isinstance(attributes, dict) else None
    bay = str((module.get("module_bay") or {}).get("name") or "")
    says_gpu = profile.upper() == "GPU" or bay.upper().startswith("GPU")
    aliases = tuple(a for a in (gpu_name, model) if a)
    memory_mib = round(float(memory) * 1024) if isinstance(memory, int | float) and memory > 0 else None
    return f"{manufacturer} {model}".strip(), aliases, memory_mib, says_gpu


def item_name(item: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    manufacturer = (item.get("manufacturer") or {}).get("name") or ""
    part = str(item.get("part_id") or "")
    name = str(item.get("name") or "")
    first = f"{manufacturer} {part}".strip() if part else name
    return first, tuple(a for a in (part, name) if a and a != first)


def is_gpu_module(module: dict[str, Any], snapshot: Snapshot, matcher: Matcher) -> bool:
    name, aliases, memory, says_gpu = module_name(module, snapshot.module_types)
    return (
        says_gpu
        or matcher.match(
            GpuRecord(name=name, index=0, aliases=aliases, memory_mib=memory, name_kind=INVENTORY_NAME)
        ).item
        is not None
    )


def servers_of(snapshot: Snapshot, matcher: Matcher) -> list[dict[str, Any]]:
    """The devices that are servers: those holding GPUs, or all of the role asked for."""
    if snapshot.role:
        return snapshot.devices
    return [
        d
        for d in snapshot.devices
        if any(is_gpu_item(i) for i in snapshot.items.get(d["id"], []))
        or any(is_gpu_module(m, snapshot, matcher) for m in snapshot.modules.get(d["id"], []))
    ]
