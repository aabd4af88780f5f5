"""A Prometheus HTTP API client for dcgm-exporter series, through `config.outbound` (timeouts, address policy,
no redirect to another host). No Django models.

Prometheus answers ``{"status": "success", "data": {"resultType": "matrix", "result": [...]}}`` with numbers as
strings; errors are ``{"status": "error", "errorType": "bad_data" | "execution" | "timeout" | ..., "error": "..."}``
(HTTP 400, 422, 503...), and some errors are not JSON at all (an unknown path answers ``404 page not found`` as
text/plain; a proxy in front answers HTML). Every failure becomes a :class:`PrometheusError` with a sentence that
says what to check.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from config import outbound

from .dcgm import METRICS, NODE_LABELS, Reading
from .matching import normalize, short_name

MAX_POINTS = 11_000  # Prometheus refuses a query_range of more points per series
METRIC_NAMES = "|".join(METRICS)


class PrometheusError(Exception):
    """The pull failed; ``str()`` says why, for a person."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: list[tuple[float, float]]


def step_for(window_seconds: float, step_seconds: int) -> int:
    """The configured step, raised when the window would need more than Prometheus' 11,000 points per series."""
    return max(int(step_seconds), math.ceil(window_seconds / MAX_POINTS))


def _promql_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def host_regex(hostname: str) -> str:
    """An RE2 regex (anchored by Prometheus) for the label values that may name ``hostname``: its full name and its
    short name, any case; a short inventory name also matches any full name that starts with it."""
    name = normalize(hostname)
    short = short_name(name)
    if short == name:
        return f"(?i){re.escape(name)}(\\..+)?"
    return f"(?i)({re.escape(name)}|{re.escape(short)})"


def host_query(hostname: str) -> str:
    """Every dcgm-exporter series read here of one host, under either hostname label or a node label."""
    regex = _promql_string(host_regex(hostname))
    names = _promql_string(METRIC_NAMES)
    return " or ".join(f"{{__name__=~{names}, {label}=~{regex}}}" for label in ("Hostname", "hostname", *NODE_LABELS))


HOSTS_QUERY = f'group by (Hostname, hostname, {", ".join(NODE_LABELS)}) ({{__name__=~"{METRIC_NAMES}"}})'


class PrometheusClient:
    def __init__(
        self,
        *,
        url: str,
        token: str = "",
        verify: bool = True,
        allow_private: bool,
        timeout: tuple[float, float] = outbound.DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.verify = verify
        self.allow_private = allow_private
        self.timeout = timeout

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        where = f"Prometheus at {self.url}"
        try:
            response = outbound.request(
                "GET",
                self.url + path,
                params=params,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
                allow_private=self.allow_private,
            )
        except outbound.OutboundTimeout as exc:
            raise PrometheusError(f"{where} did not answer in time: {exc}.") from None
        except outbound.OutboundError as exc:
            raise PrometheusError(f"{where} cannot be reached: {exc}.") from None
        status = response.status_code
        if status in (401, 403):
            raise PrometheusError(f"{where} refused the request (HTTP {status}): check the bearer token.")
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            text = " ".join(response.text.split())[:120]
            hint = " Is the URL Prometheus' base URL (without /api/v1)?" if status == 404 else ""
            raise PrometheusError(
                f"{where} answered HTTP {status} that is not Prometheus' JSON: {text!r}.{hint}"
            ) from None
        if not isinstance(body, dict) or body.get("status") != "success":
            kind = body.get("errorType", "unknown") if isinstance(body, dict) else "unknown"
            error = body.get("error", "") if isinstance(body, dict) else ""
            raise PrometheusError(f"{where} refused the query ({kind}, HTTP {status}): {error}")
        return body.get("data") or {}

    def query_range(self, query: str, *, start: float, end: float, step: int) -> list[Series]:
        data = self._get(
            "/api/v1/query_range", {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": step}
        )
        if data.get("resultType") != "matrix":
            raise PrometheusError(f"Prometheus at {self.url} answered a {data.get('resultType')}, not a matrix.")
        return [
            Series(dict(item.get("metric", {})), [(float(t), _number(v)) for t, v in item.get("values", [])])
            for item in data.get("result", [])
        ]

    def hosts(self, *, at: float) -> list[tuple[str, ...]]:
        """The hosts Prometheus has dcgm-exporter series of, each as the names its series give it (`host_names`)."""
        data = self._get("/api/v1/query", {"query": HOSTS_QUERY, "time": f"{at:.3f}"})
        hosts = []
        for item in data.get("result", []) if isinstance(data.get("result"), list) else []:
            names = host_names(item.get("metric", {}))
            if names:
                hosts.append(names)
        return sorted(set(hosts))


def host_label(labels: dict[str, str]) -> str:
    """The host a series names: dcgm-exporter's ``Hostname`` label, else a ``hostname`` one; "" for neither."""
    return labels.get("Hostname") or labels.get("hostname") or ""


def host_names(labels: dict[str, str]) -> tuple[str, ...]:
    """The names a series gives its host, in the order they are tried: the exporter's hostname label, then the
    Kubernetes node labels Prometheus added (`NODE_LABELS`)."""
    names = [host_label(labels), *(labels.get(label) or "" for label in NODE_LABELS)]
    return tuple(dict.fromkeys(name for name in names if name))


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def readings_by_time(series: list[Series]) -> dict[float, list[Reading]]:
    """The series' points as dcgm readings grouped by evaluation time (query_range aligns them on its steps)."""
    from .dcgm import HOST_LABELS, UUID_LABELS, is_absent

    instants: dict[float, list[Reading]] = {}
    for s in series:
        metric = METRICS.get(s.labels.get("__name__", ""))
        if metric is None:
            continue
        labels = s.labels
        gpu = next((labels[n] for n in UUID_LABELS if labels.get(n)), None)
        if gpu is None and labels.get("gpu"):
            gpu = f"gpu {labels['gpu']}"
        if gpu is None:
            continue
        host = next((labels[n] for n in HOST_LABELS if labels.get(n)), None)
        for timestamp, value in s.points:
            if is_absent(value):
                continue
            instants.setdefault(timestamp, []).append(
                Reading(
                    metric=metric,
                    host=host,
                    gpu=gpu,
                    value=value,
                    model=labels.get("modelName", ""),
                    instance=labels.get("GPU_I_ID") or None,
                    profile=labels.get("GPU_I_PROFILE") or None,
                    timestamp=timestamp,
                )
            )
    return instants
