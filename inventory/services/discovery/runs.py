"""Discovery for the command line, the API and the app: one function each way in.

- `discover`: read, check and (unless ``dry_run``) record an output at once (`manage.py discover`, the API);
- `discovery_run_create` / `discovery_run_confirm`: the app's paste-or-upload box, with the same preview and
  confirmation as imports: the run keeps the output and its preview; confirming builds the plan again (the inventory
  may have changed) and records it, all or nothing;
- `accelerator_type_from_discovery`: the private accelerator type a preview offers for an unknown GPU, pre-filled
  from what the output says (name, memory, power limit).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from config.errors import DomainError, ErrorItem, Invalid

from ...models import AcceleratorType, DiscoveryRun, RunStatus
from .apply import Recorded, discovery_apply
from .plan import DiscoveryPlan, discovery_plan

MAX_LISTED = 500


def discover(
    *, organization: Organization, text: str, site: str, hostname: str = "", dry_run: bool = False
) -> Recorded:
    """Read a tool's output and record its servers (with ``dry_run``, only say what would change). Raises `Invalid`
    with every problem (nothing written) or `TooLarge`."""
    plan = discovery_plan(organization=organization, text=text, site=site, hostname=hostname)
    if not plan.ok:
        raise Invalid(plan.errors[:MAX_LISTED], total=len(plan.errors))
    if dry_run:
        return Recorded(plan=plan)
    return discovery_apply(organization=organization, plan=plan)


def _store(run: DiscoveryRun, plan: DiscoveryPlan) -> None:
    run.format = plan.format
    run.plan = plan.as_json()
    run.errors = [item.as_dict() for item in plan.errors[:MAX_LISTED]]
    run.error_count = len(plan.errors)
    run.status = RunStatus.READY if plan.ok else RunStatus.INVALID


def discovery_run_create(
    *, organization: Organization, user: Any, text: str, site: str, hostname: str = "", filename: str = ""
) -> DiscoveryRun:
    """Check an output and keep it with its preview (READY) or its problems (INVALID). Raises `TooLarge` (from
    `discovery_plan`, before anything is kept)."""
    plan = discovery_plan(organization=organization, text=text, site=site, hostname=hostname)
    run = DiscoveryRun(
        organization=organization,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        filename=filename[:255],
        site_name=site.strip()[:100],
        hostname=hostname.strip()[:253],
        text=text,
    )
    _store(run, plan)
    run.save()
    return run


def discovery_run_recheck(*, run: DiscoveryRun) -> DiscoveryRun:
    """Build the preview again (after a private accelerator type was added, for instance)."""
    if run.status in (RunStatus.DONE,):
        return run
    plan = discovery_plan(organization=run.organization, text=run.text, site=run.site_name, hostname=run.hostname)
    _store(run, plan)
    run.save(update_fields=["format", "plan", "errors", "error_count", "status"])
    return run


def discovery_run_confirm(*, run: DiscoveryRun) -> DiscoveryRun:
    """Record a READY run, all or nothing; a second confirmation finds it DONE and does nothing."""
    with transaction.atomic():
        locked = DiscoveryRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.READY:
            return locked
        plan = discovery_plan(
            organization=locked.organization, text=locked.text, site=locked.site_name, hostname=locked.hostname
        )
        try:
            recorded = discovery_apply(organization=locked.organization, plan=plan)
        except DomainError as exc:
            _store(locked, plan)
            locked.status = RunStatus.INVALID
            locked.errors = [item.as_dict() for item in exc.errors]
            locked.error_count = exc.total
            locked.save()
            return locked
        locked.plan = recorded.as_json()
        locked.status = RunStatus.DONE
        locked.finished = timezone.now()
        locked.text = ""  # the output is only needed until it is recorded
        locked.errors, locked.error_count = [], 0
        locked.save()
    return locked


def run_errors(run: DiscoveryRun) -> tuple[list[ErrorItem], int]:
    items = [ErrorItem.from_dict(item) for item in run.errors or []]
    return items, max(run.error_count, len(items))


def accelerator_type_from_discovery(
    *,
    organization: Organization,
    name: str,
    vendor: str,
    model: str,
    memory_gb: float,
    mem_bandwidth_gbps: float,
    tdp_w: int | None,
    release_year: int,
    bf16_tflops: float | None = None,
    format_label: str = "",
) -> AcceleratorType:
    """A private accelerator type listing `name` among the names tools print, figures as the output gave them (and
    the bandwidth the person entered). The model's rules apply (`full_clean`); raises `Invalid` by field."""
    entry = AcceleratorType(
        organization=organization,
        vendor=vendor.strip()[:40],
        model=model.strip()[:80],
        memory_gb=memory_gb,
        mem_bandwidth_gbps=mem_bandwidth_gbps,
        bf16_tflops=bf16_tflops,
        tdp_w=tdp_w,
        release_year=release_year,
        nvidia_smi_names=[name.strip()],
        source=(
            f"Added from {format_label or 'a GPU tool'}'s output on {datetime.date.today().isoformat()}: memory and "
            "power limit as the tool reported them; memory bandwidth as entered."
        ),
    )
    try:
        entry.full_clean()
    except Exception as exc:  # Django's ValidationError, by field
        from django.core.exceptions import ValidationError

        from config.errors import items_from_django

        if isinstance(exc, ValidationError):
            raise Invalid(items_from_django(exc)) from None
        raise
    entry.save()
    return entry
