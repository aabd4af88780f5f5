"""Which inventory server a telemetry hostname names. Pure Python: no Django.

The inventory records no per-GPU UUIDs (nvidia-smi discovery reads them but keeps the server's accelerator type
and count only), so series are matched to servers by **hostname** alone:

1. the same name, ignoring case and a trailing dot (``GPU001.example.net.`` is ``gpu001.example.net``);
2. else short name against full name: a label ``gpu001`` names the server ``gpu001.example.net`` and a label
   ``gpu001.example.net`` the server ``gpu001``, when exactly one server fits (two servers ``gpu001.a`` and
   ``gpu001.b`` make ``gpu001`` ambiguous: it is listed, not guessed). Two different full names never match, and
   an IP address matches only itself.

A name that matches nothing (dcgm-exporter in Kubernetes often reports its pod's name) is listed as unknown:
servers are never created from telemetry.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


def normalize(hostname: str) -> str:
    return hostname.strip().rstrip(".").lower()


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def short_name(hostname: str) -> str:
    name = normalize(hostname)
    return name if _is_address(name) else name.split(".", 1)[0]


@dataclass(frozen=True)
class Match:
    label: str
    server_id: int | None
    reason: str = ""


class HostIndex:
    """``servers`` (``(id, hostname)`` pairs) by full and short name, built once to match any number of labels."""

    def __init__(self, servers: Iterable[tuple[int, str]]) -> None:
        self.by_name: dict[str, int] = {}
        self.by_short: dict[str, list[tuple[int, str]]] = {}
        for server_id, hostname in servers:
            name = normalize(hostname)
            self.by_name[name] = server_id
            self.by_short.setdefault(short_name(name), []).append((server_id, name))

    def match(self, label: str) -> Match:
        """The server ``label`` (a hostname as telemetry reports it) names, or why none."""
        name = normalize(label)
        if name in self.by_name:
            return Match(label, self.by_name[name])
        if _is_address(name):
            return Match(label, None, "no server has this hostname")
        is_short = "." not in name
        candidates = [
            (server_id, hostname)
            for server_id, hostname in self.by_short.get(short_name(name), [])
            if is_short or "." not in hostname
        ]
        if len(candidates) == 1:
            return Match(label, candidates[0][0])
        if candidates:
            names = ", ".join(sorted(hostname for _, hostname in candidates))
            return Match(label, None, f"matches several servers ({names}): name the server in full")
        return Match(label, None, "no server has this hostname")


def match_hosts(labels: Iterable[str], servers: Iterable[tuple[int, str]]) -> dict[str, Match]:
    """``labels`` (hostnames as telemetry reports them) against ``servers`` (``(id, hostname)`` pairs)."""
    index = HostIndex(servers)
    return {label: index.match(label) for label in labels}


def first_match(names: Sequence[str], match: Callable[[str], Match]) -> Match | None:
    """The first of a host's ``names`` (its hostname label, then the Kubernetes node a Prometheus added) that
    ``match`` finds a server for; None when none does."""
    for name in names:
        found = match(name)
        if found.server_id is not None:
            return found
    return None


def unknown_host(names: Sequence[str], match: Callable[[str], Match]) -> dict[str, str]:
    """A host none of whose ``names`` names a server, as listed: its hostname and why (`first_match`)."""
    reason = match(names[0]).reason
    if len(names) > 1:
        reason += f" (nor its Kubernetes node, {', '.join(names[1:])})"
    return {"hostname": names[0], "reason": reason}


def candidate_names(labels: Iterable[str]) -> tuple[set[str], set[str]]:
    """Full names and short names to look the servers up by (for one query)."""
    names = {normalize(label) for label in labels}
    return names, {short_name(name) for name in names}
