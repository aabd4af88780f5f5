"""Writes of measured telemetry: the one function behind each entry point (command, API, page, tasks).

- :func:`telemetry_ingest_scrape`: a dcgm-exporter scrape (upload) folded into its day's summaries.
- :func:`store_day_summaries`: the shared write of daily summaries (fold or replace), one transaction.
- The Prometheus pull and the Redfish reading are in :mod:`.pulls`; configuration in :mod:`.configuration`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Organization
from accounts.services import organization_data_changed
from config.errors import Invalid, TooLarge

from ..importing import tool_output_text
from ..models import Server
from ..services.catalog_names import AMBIGUOUS, Catalog, accelerator_type_names, written_name
from . import dcgm
from .matching import candidate_names, first_match, match_hosts, unknown_host
from .models import ServerTelemetryDay, ServerTelemetryGpuDay, TelemetrySource
from .summaries import DaySummary, InstantValues, day_of, instant_values, mig_unmeasured_words

FIELDS = [
    "window_start",
    "window_end",
    "sample_count",
    "gpu_count",
    "gpu_models",
    "mig_profiles",
    "accelerator_power_p50_w",
    "accelerator_power_p95_w",
    "accelerator_power_max_w",
    "server_power_p50_w",
    "server_power_p95_w",
    "server_power_max_w",
    "utilization_mean_pct",
    "utilization_p95_pct",
    "tensor_active_mean_pct",
    "memory_used_mean_gb",
    "memory_used_max_gb",
    "memory_total_gb",
    "power_reading_path",
    "digest",
]
FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass
class MatchedServer:
    server_id: int
    hostname: str
    reported_as: str | None
    gpus: int | None
    days: list[date] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.server_id,
            "hostname": self.hostname,
            "reported_as": self.reported_as,
            "gpus": self.gpus,
            "days": [d.isoformat() for d in self.days],
            "notes": self.notes,
        }


@dataclass
class IngestResult:
    """What an ingestion wrote: the servers matched, the hosts the inventory does not know, the days written."""

    matched: list[MatchedServer] = field(default_factory=list)
    unknown_hosts: list[dict[str, str]] = field(default_factory=list)
    days_written: int = 0
    notes: list[str] = field(default_factory=list)
    observed_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched_servers": [m.as_dict() for m in self.matched],
            "unknown_hosts": self.unknown_hosts,
            "days_written": self.days_written,
            "observed_at": self.observed_at.isoformat() if self.observed_at else None,
            "notes": self.notes,
        }


# --- shared write -------------------------------------------------------------------------------------------------


def store_day_summaries(
    *,
    organization: Organization,
    source: str,
    summaries: dict[tuple[int, date], DaySummary],
    fold: bool,
) -> int:
    """Write each ``(server id, day)`` summary of ``source`` in one transaction: folded into the stored summary
    of that day (``fold``: scrapes, BMC readings) or replacing it (a Prometheus pull recomputes whole days).
    Returns the number of days written. A constant number of queries whatever the number of days.

    A replacing summary that starts later than the stored day and has fewer instants does not replace it: a
    Prometheus whose retention is shorter than the pull's window no longer holds the first hours of its oldest day,
    and each pull would otherwise put a shrinking part of that day over the whole day pulled before. (The same
    hours at a coarser step, fewer instants over the same span, do replace it.)"""
    return store_day_summaries_counted(organization=organization, source=source, summaries=summaries, fold=fold)[0]


def store_day_summaries_counted(
    *,
    organization: Organization,
    source: str,
    summaries: dict[tuple[int, date], DaySummary],
    fold: bool,
) -> tuple[int, int]:
    """`store_day_summaries`, also returning how many stored days were kept over fewer instants: (written, kept)."""
    if not summaries:
        return 0, 0
    try:
        return _store(organization, source, summaries, fold)
    except IntegrityError:  # another upload created one of these days meanwhile: fold into it now
        return _store(organization, source, summaries, fold)


def _lost_its_start(summary: DaySummary, row: ServerTelemetryDay) -> bool:
    """Whether ``summary`` is the stored ``row``'s day with its first hours gone: it starts later, with fewer
    instants."""
    return (
        summary.instants < row.sample_count
        and summary.window_start is not None
        and summary.window_start > row.window_start
    )


def _store(
    organization: Organization, source: str, summaries: dict[tuple[int, date], DaySummary], fold: bool
) -> tuple[int, int]:
    server_ids = {server_id for server_id, _ in summaries}
    days = {day for _, day in summaries}
    with transaction.atomic():
        existing = {
            (row.server_id, row.day): row
            for row in ServerTelemetryDay.objects.select_for_update().filter(
                organization=organization, source=source, server_id__in=server_ids, day__in=days
            )
        }
        new, changed, gpus = [], [], []
        kept = 0
        for (server_id, day), summary in summaries.items():
            row = existing.get((server_id, day))
            if row is not None and not fold and _lost_its_start(summary, row):
                kept += 1  # a partial day (retention cut its first hours) does not replace a fuller one
                continue
            if row is not None and fold:
                stored = DaySummary.from_stored(
                    day=day,
                    digest=row.digest,
                    window_start=row.window_start,
                    window_end=row.window_end,
                    gpu_count=row.gpu_count,
                    gpu_models=row.gpu_models,
                    mig_profiles=row.mig_profiles,
                    power_reading_path=row.power_reading_path,
                )
                stored.merge(summary)
                summary = stored
            figures = summary.figures()
            if row is None:
                row = ServerTelemetryDay(
                    organization=organization, server_id=server_id, day=day, source=source, **figures
                )
                new.append(row)
            else:
                for name, value in figures.items():
                    setattr(row, name, value)
                changed.append(row)
            gpus.append((row, summary.gpu_means()))
        ServerTelemetryDay.objects.bulk_create(new)
        ServerTelemetryDay.objects.bulk_update(changed, FIELDS)
        gpu_days_store(gpus, replacing=changed)
        if new or changed:
            organization_data_changed(organization_id=organization.pk)
    return len(new) + len(changed), kept


def gpu_days_store(
    gpus: list[tuple[ServerTelemetryDay, dict[str, tuple[float, int]]]], *, replacing: list[ServerTelemetryDay]
) -> None:
    """Each day's GPUs, ``{gpu key: (mean utilization %, instants)}`` (`DaySummary.gpu_means`), written in two
    statements: the GPU rows of the days ``replacing`` names are deleted first."""
    if replacing:
        ServerTelemetryGpuDay.objects.filter(telemetry_day__in=replacing).delete()
    rows = [
        ServerTelemetryGpuDay(telemetry_day=day, gpu=key[:100], utilization_mean_pct=round(mean, 3), sample_count=n)
        for day, means in gpus
        for key, (mean, n) in means.items()
    ]
    if rows:
        ServerTelemetryGpuDay.objects.bulk_create(rows)


def servers_matching(*, organization: Organization, labels: Iterable[str]) -> tuple[dict[str, Any], dict[int, Server]]:
    """Match hostnames as telemetry reports them to the organization's servers (one query)."""
    labels = [label for label in dict.fromkeys(labels) if label]
    if not labels:
        return {}, {}
    names, shorts = candidate_names(labels)
    condition = Q(lname__in=names | shorts)
    for short in shorts:
        condition |= Q(lname__startswith=f"{short}.")
    servers = {
        s.pk: s
        for s in Server.objects.filter(organization=organization)
        .annotate(lname=Lower("hostname"))
        .filter(condition)
        .select_related("accelerator_type")
        .only(
            "pk",
            "hostname",
            "accelerator_count",
            "accelerator_type__vendor",
            "accelerator_type__model",
            "accelerator_type__nvidia_smi_names",
        )
    }
    matches = match_hosts(labels, [(pk, s.hostname) for pk, s in servers.items()])
    return matches, servers


def model_mismatch_note(server: Server, models: list[str], catalog: Any) -> str | None:
    """A note when the GPUs a scrape reports are, by the catalog, another accelerator type than the server's (an
    H100 scrape uploaded onto an L40S server: the hostname given is probably not theirs); None when they are its
    type, or names the catalog does not know. ``catalog``: a callable giving the organization's `Catalog`, built
    only when a name is not one of the server's type's."""
    kind = server.accelerator_type
    if kind is None or not models:
        return None
    own = {written_name(name).lower() for name in accelerator_type_names(kind)}
    others = [model for model in models if written_name(model).lower() not in own]
    if not others:
        return None
    found = {catalog().resolve("accelerator_type", model) for model in others}
    if not any(pk not in (None, AMBIGUOUS, kind.pk) for pk in found):
        return None
    return (
        f"The scrape's GPUs are {', '.join(models)}, but the inventory records {kind.vendor} {kind.model} for this "
        "server: check that the scrape is this server's."
    )


# --- dcgm-exporter scrape ------------------------------------------------------------------------------------------


def upload_limit() -> int:
    """The most bytes a scrape may be, as sent and decompressed (``TELEMETRY_UPLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "TELEMETRY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def scrape_text(data: bytes | str, *, field_name: str = "file") -> str:
    """An uploaded scrape as text, the one reading of every channel (page, API, command): at most
    ``TELEMETRY_UPLOAD_MAX_BYTES`` as sent and, gzip-compressed (``.prom.gz``, known by its first bytes whatever its
    name), at most as many once decompressed (`importing.tool_output_text`); UTF-8 or UTF-16 with its mark."""
    limit = upload_limit()
    size = len(data.encode() if isinstance(data, str) else data)
    if size > limit:  # callers reading a stream stop one byte past the limit: the size is "more than"
        raise TooLarge(
            f"the scrape is more than the {limit:,} bytes accepted: send one scrape of one node at a time.",
            field=field_name,
        )
    if isinstance(data, str):
        return data
    try:
        return tool_output_text(data, limit=limit, field=field_name)
    except UnicodeDecodeError:
        raise Invalid("not UTF-8 text: send what dcgm-exporter's /metrics answers.", field=field_name) from None


def mig_notes(values: InstantValues) -> list[str]:
    """What a scrape says of its GPUs in MIG mode: utilization read from graphics-engine activity, or not measured."""
    notes = []
    if values.mig_from_activity:
        count = len(values.mig_from_activity)
        notes.append(
            f"Utilization of {count} GPU{'s' if count != 1 else ''} in MIG mode read from "
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE (each instance's graphics-engine activity, weighted by its compute "
            "slices): dcgm-exporter reports no usable DCGM_FI_DEV_GPU_UTIL in MIG mode."
        )
    if values.mig_unmeasured:
        words = mig_unmeasured_words(len(values.mig_unmeasured))
        notes.append(words[0].upper() + words[1:])
    return notes


def _observed_at(observed_at: datetime | None, scrape: dcgm.Scrape) -> datetime:
    now = timezone.now()
    if observed_at is None:
        stamps = [r.timestamp for r in scrape.readings if r.timestamp is not None]
        observed_at = datetime.fromtimestamp(max(stamps), tz=UTC) if stamps else now
    elif timezone.is_naive(observed_at):
        observed_at = observed_at.replace(tzinfo=UTC)
    if observed_at > now + FUTURE_TOLERANCE:
        raise Invalid("the scrape's time is in the future.", field="observed_at")
    return observed_at


def telemetry_ingest_scrape(
    *,
    organization: Organization,
    text: str,
    hostname: str | None = None,
    observed_at: datetime | None = None,
    field_name: str = "file",
) -> IngestResult:
    """Fold one dcgm-exporter scrape (one instant) into its day's summary for every server it names.

    Series are attributed to servers by their ``Hostname``/``hostname`` label, or all to ``hostname`` when given
    (dcgm-exporter run with ``--no-hostname``, or in Kubernetes where the label is the exporter pod's name).
    Unknown hosts are listed, never created. All or nothing: a malformed scrape raises :class:`Invalid` (naming
    the line in ``row``, ``field_name`` being where the text came from) and writes nothing."""
    try:
        scrape = dcgm.parse(text)
    except dcgm.ExpositionError as exc:
        raise Invalid(exc.message, code="malformed", field=field_name, row=exc.line) from None
    hostname = (hostname or "").strip() or None
    readings = scrape.readings
    reported = {hostname: ", ".join(sorted({r.host for r in readings if r.host}))} if hostname is not None else {}
    if hostname is not None:
        readings = [dcgm.Reading(**{**r.__dict__, "host": hostname, "node": None}) for r in readings]
    # Series are grouped by the names they give their host: the Hostname label, then the Kubernetes node a
    # Prometheus added (a scrape of its /federate), which names the server when Hostname is the exporter pod's.
    by_host: dict[tuple[str, ...], list[dcgm.Reading]] = {}
    for reading in readings:
        names = tuple(dict.fromkeys(name for name in (reading.host, reading.node) if name))
        by_host.setdefault(names, []).append(reading)
    result = IngestResult(notes=list(scrape.notes))
    if () in by_host:
        if len(by_host) == 1:
            raise Invalid(
                "the scrape's series carry no Hostname label (dcgm-exporter run with --no-hostname?): "
                "give the server's hostname.",
                code="required",
                field="hostname",
            )
        result.notes.append(f"{len(by_host.pop(()))} series without a Hostname label ignored.")
    moment = _observed_at(observed_at, scrape)
    result.observed_at = moment
    matches, servers = servers_matching(organization=organization, labels=[n for names in by_host for n in names])
    per_server: dict[int, tuple[str, list[dcgm.Reading]]] = {}
    for names, host_readings in by_host.items():
        found = first_match(names, matches.__getitem__)
        if found is None:
            result.unknown_hosts.append(unknown_host(names, matches.__getitem__))
            continue
        label = names[0] if found.label == names[0] else f"{names[0]} on Kubernetes node {found.label}"
        per_server.setdefault(found.server_id, (label, []))[1].extend(host_readings)
    summaries: dict[tuple[int, date], DaySummary] = {}
    day = day_of(moment)
    catalog = functools.cache(lambda: Catalog(organization))  # read only if a GPU name is not the server's type's
    for server_id, (label, server_readings) in per_server.items():
        server = servers[server_id]
        values = instant_values(server_readings)
        summary = summaries.setdefault((server.pk, day), DaySummary(day=day))
        summary.add(moment, values)
        matched = MatchedServer(server.pk, server.hostname, reported.get(label) or label, values.gpu_count, days=[day])
        matched.notes.extend(mig_notes(values))
        if note := model_mismatch_note(server, values.gpu_models, catalog):
            matched.notes.append(note)
        count = values.gpu_count
        if count is not None and server.accelerator_count and count != server.accelerator_count:
            matched.notes.append(
                f"{count} GPU{'s' if count != 1 else ''} in the scrape, "
                f"{server.accelerator_count} recorded in the inventory."
            )
        result.matched.append(matched)
    result.days_written = store_day_summaries(
        organization=organization, source=TelemetrySource.DCGM_SCRAPE, summaries=summaries, fold=True
    )
    if not result.matched:
        if not scrape.readings and scrape.absent_examples:  # every value was absent: no series was left to match
            result.notes.append("No value was left to store once those were ignored: nothing was written.")
        else:
            result.notes.append("No series named a server of the inventory: nothing was written.")
    return result
