"""Every inventory and capacity route under /api/v1/ keeps the API's contract (``config.api_contracts``): anonymous
401, viewers read and never write, another organization's row 404 for every method, list queries flat."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from config.api_contracts import Contract, contract_tests
from inventory import services
from inventory.models import AcceleratorType, ModelProfile, Site

from .factories import (
    CloudCapacityFactory,
    NetworkFabricFactory,
    ServerFactory,
    SiteFactory,
    StorageSystemFactory,
    WorkloadFactory,
)
from .telemetry_factories import telemetry_rows

WRITE = ("post",)
ROW_WRITE = ("put", "patch", "delete")


def _site(organization: Any) -> Site:
    return Site.objects.filter(organization=organization).first() or SiteFactory(organization=organization)


def _grow(make: Any) -> Any:
    def grow(organization: Any, user: Any, n: int) -> None:
        for _ in range(n):
            make(organization)

    return grow


def _pk(make: Any) -> Any:
    return lambda organization, user: {"pk": make(organization).pk}


MAKERS: dict[str, Any] = {
    "site": lambda org: SiteFactory(organization=org),
    "server": lambda org: ServerFactory(organization=org, site=_site(org)),
    "storage": lambda org: StorageSystemFactory(organization=org, site=_site(org)),
    "network": lambda org: NetworkFabricFactory(organization=org, site=_site(org)),
    "cloud": lambda org: CloudCapacityFactory(organization=org),
    "workload": lambda org: WorkloadFactory(organization=org),
    "acceleratortype": lambda org: _own_copy(AcceleratorType, org, model=f"X{AcceleratorType.objects.count()}"),
    "modelprofile": lambda org: _own_copy(ModelProfile, org, name=f"Model {ModelProfile.objects.count()}"),
    "bmcendpoint": lambda org: telemetry_rows(org, MAKERS["server"](org), with_prometheus=False)["bmc"],
}


def _own_copy(catalog: Any, organization: Any, **names: Any) -> Any:
    """An organization's own catalog row: a copy of the first shared one under a new name."""
    row = catalog.objects.filter(organization=None).order_by("pk").first()
    row.pk = None
    row.organization = organization
    for name, value in names.items():
        setattr(row, name, value)
    row.save()
    return row


def _own_rows(basename: str) -> Any:
    """A list's own rows: catalog lists also carry the shared catalog, whose size is fixed."""
    catalog = {"acceleratortype": AcceleratorType, "modelprofile": ModelProfile}.get(basename)
    if catalog is None:
        return lambda body: body["count"]
    return lambda body: body["count"] - catalog.objects.filter(organization=None).count()


def _import_job(organization: Any, user: Any) -> dict[str, Any]:
    upload = SimpleUploadedFile("sites.csv", b"name,country\nLab,FR\n")
    job = services.import_job_create(organization=organization, user=user, upload=upload)
    return {"pk": job.pk}


def _prometheus(organization: Any, user: Any) -> dict[str, Any]:
    telemetry_rows(organization, MAKERS["server"](organization))
    return {}


def _server_with_telemetry(organization: Any, user: Any) -> dict[str, Any]:
    server = MAKERS["server"](organization)
    telemetry_rows(organization, server, with_prometheus=False)
    return {"pk": server.pk}


HISTORY = {name: MAKERS[name] for name in ("site", "server", "storage", "network", "cloud", "workload")} | {
    name: MAKERS[name] for name in ("acceleratortype", "modelprofile")
}


def _rate_override(organization: Any, user: Any) -> dict[str, Any]:
    from inventory.exchange.services import rate_override_set

    rate_override_set(organization=organization, currency="USD", rate_per_eur="1.10", user=user)
    return {"currency": "USD"}


CONTRACTS = [
    *(
        contract
        for basename, maker in MAKERS.items()
        for contract in (
            Contract(f"api:inventory:{basename}-list", write=WRITE, grow=_grow(maker), count=_own_rows(basename)),
            Contract(f"api:inventory:{basename}-detail", write=ROW_WRITE, row=_pk(maker)),
        )
    ),
    Contract("api:inventory:gridregion-list"),
    Contract("api:inventory:gridregion-detail", given=lambda organization, user: {"pk": _grid_region()}),
    Contract("api:inventory:telemetry-upload", read=(), write=WRITE),
    Contract("api:inventory:server-telemetry", row=_server_with_telemetry),
    Contract("api:inventory:prometheus", write=("put", "patch", "delete"), given=_prometheus),
    Contract("api:inventory:prometheus-pull", read=(), write=WRITE, given=_prometheus),
    Contract("api:inventory:prometheus-pull-retry", read=(), write=WRITE, given=_prometheus),
    Contract("api:inventory:bmc-read", read=(), write=WRITE),
    Contract("api:inventory:import", read=(), write=WRITE),
    Contract("api:inventory:import-detail", row=_import_job),
    Contract("api:inventory:import-status", row=_import_job),
    Contract("api:inventory:import-confirm", read=(), write=WRITE, row=_import_job),
    Contract("api:inventory:import-retry", read=(), write=WRITE, row=_import_job),
    Contract("api:inventory:export", query="format=json"),
    Contract("api:inventory:discover", read=(), write=WRITE),
    Contract("api:inventory:discover-nvidia-smi", read=(), write=WRITE),
    *(Contract(f"api:inventory:{basename}-history", row=_pk(maker)) for basename, maker in HISTORY.items()),
    Contract("api:capacity:exchange-rates", write=WRITE),
    Contract("api:capacity:exchange-rate", read=(), write=("delete",), given=_rate_override),
    Contract("api:capacity:summary"),
    Contract("api:capacity:estimate", read=("post",)),
]


def _grid_region() -> int:
    from inventory.models import GridRegion

    return GridRegion.objects.values_list("pk", flat=True).first()


globals().update(contract_tests(CONTRACTS))
