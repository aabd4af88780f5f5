"""Reads of the hardware records: a server's GPUs and MIG devices for its page, and the two figures the power ladder
can take from discovery and NetBox (`inventory.selectors.server_power_ladder` reads the first as its
``server_model`` rung):

- `server_model_draw_w`: the server model's usable maximum draw, W (`ServerModel.max_draw_w`: the largest power
  port's maximum draw times the ports carrying the load; N+N redundancy unless the model says otherwise, see
  `inventory.discovery.devicetypes.usable_maximum_draw`). A server without recorded power should take it before any
  TDP-based estimate, and say so.
- `rated_accelerator_power_w`: the sum of the power limits its GPUs reported (`ServerGpu.power_limit_w`), the
  server's rated accelerator power; null when a GPU reported none.

Both are SQL expressions, so a page of servers or a fleet aggregate reads them in the same query.
"""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization

from ..models import MigInstance, Server, ServerGpu, ServerModel


def server_models_for(*, organization: Organization | None) -> QuerySet[ServerModel]:
    """The shared server model catalog plus the organization's private entries."""
    return ServerModel.objects.filter(Q(organization__isnull=True) | Q(organization=organization))


def server_model_draw_w(prefix: str = "") -> F:
    """A server's model's usable maximum draw in W (null without a model or without port figures). ``prefix``
    reaches servers through a relation (``"servers__"`` from a site)."""
    return F(f"{prefix}server_model__max_draw_w")


def rated_accelerator_power_w(outer: str = "pk") -> Subquery:
    """The sum of the reported GPU power limits of the server ``OuterRef(outer)``, W; null when a GPU of it reported
    none (or it has no GPU records)."""
    gpus = ServerGpu.objects.filter(server=OuterRef(outer)).order_by().values("server")
    total = (
        gpus.annotate(total=Sum("power_limit_w"), gpus=Count("pk"), limits=Count("power_limit_w"))
        .filter(gpus=F("limits"))
        .values("total")
    )
    return Subquery(total, output_field=IntegerField())


def server_gpus(*, server: Server) -> QuerySet[ServerGpu]:
    """A server's GPU records with their accelerator types and MIG devices (two queries)."""
    return (
        ServerGpu.objects.filter(organization_id=server.organization_id, server=server)
        .select_related("accelerator_type")
        .prefetch_related(
            Prefetch(
                "mig_instances", queryset=MigInstance.objects.order_by("gpu_instance_id", "compute_instance_id", "pk")
            )
        )
        .order_by("position")
    )


def servers_with_power_figures(queryset: QuerySet[Server]) -> QuerySet[Server]:
    """Servers annotated with ``model_draw_w`` and ``rated_accelerator_w`` (see the module docstring)."""
    return queryset.annotate(
        model_draw_w=server_model_draw_w(), rated_accelerator_w=Coalesce(rated_accelerator_power_w(), None)
    )
