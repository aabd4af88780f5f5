"""Export: CSV per kind, JSON/YAML per kind or the whole inventory; export -> import is a lossless round trip;
CSV neutralizes spreadsheet formulas and import restores the text."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.urls import reverse

from inventory import services
from inventory.exporting import csv_cell
from inventory.importing import KINDS, SPECS, neutralize, unneutralize
from inventory.models import (
    AcceleratorType,
    CloudCapacity,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)

pytestmark = pytest.mark.django_db

TRICKY_TEXT = [
    '=HYPERLINK("http://evil.example","click")',
    "+1 555 0100",
    "-rf",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading CR",
    "'=already quoted",
    "''+two quotes",
    "'plain quote",
    'comma, "quotes" and\nnewline',
    "Ünïcødé ✓ 日本",
    "",
]


def export_text(organization: Any, kind: str | None, file_format: str) -> str:
    return "".join(services.inventory_export(organization=organization, kind=kind, file_format=file_format).chunks)


def import_text(organization: Any, text: str, filename: str, **options: Any) -> services.ImportResult:
    data = text.encode()
    result = services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename=filename, size=len(data), **options
    )
    assert result.ok, result.errors_json()
    return result


def rows_of(organization: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every field of every row except ids and the organization, related rows by natural key, in a stable order."""
    ignore = {"id", "organization"}

    def values(model: Any, related: dict[str, str], order: list[str]) -> list[tuple[Any, ...]]:
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ignore and f.name not in related]
        return list(
            model.objects.filter(organization=organization).order_by(*order).values_list(*fields, *related.values())
        )

    return {
        "sites": values(Site, {}, ["name"]),
        "servers": values(Server, {"site": "site__name", "accelerator_type": "accelerator_type_id"}, ["hostname"]),
        "storage": values(StorageSystem, {"site": "site__name"}, ["site__name", "name"]),
        "networks": values(NetworkFabric, {"site": "site__name"}, ["site__name", "name"]),
        "cloud": values(CloudCapacity, {"accelerator_type": "accelerator_type_id"}, ["provider"]),
        "workloads": values(Workload, {"model_profile": "model_profile_id"}, ["name"]),
    }


STORABLE_TEXT = [text for text in TRICKY_TEXT if not any(ch in text for ch in "\t\r\n")]
"""The tricky texts a name may hold: control characters are refused in names (`config.validators.validate_name`),
so an export holding them (written to the database directly) does not import back; the export's guards for them are
pinned by `TestFormats`."""


@pytest.fixture
def inventory(organization):
    return make_inventory(organization, TRICKY_TEXT)


def make_inventory(organization: Any, texts: list[str]) -> Any:
    """An inventory with every field used, nulls, and text that spreadsheets and CSV find tricky."""
    h100 = AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM")
    l4 = AcceleratorType.objects.get(organization__isnull=True, model="L4")
    llama = ModelProfile.objects.get(organization__isnull=True, name="Llama-3.1-70B")
    fra = Site.objects.create(
        organization=organization, name="Frankfurt, DE", country="DE", region="eu-central-1", pue=1.35,
        grid_intensity_override=0.1, electricity_price_per_kwh=Decimal("0.2134"), currency="EUR",
        renewable_share_pct=33.3, power_capacity_kw=1200.5, cooling="liquid",
    )  # fmt: skip
    formula_site = Site.objects.create(organization=organization, name="=CMD()", country="IE")
    for n, text in enumerate(texts):
        Server.objects.create(
            organization=organization, site=fra if n % 2 else formula_site, hostname=f"host-{n:02d}",
            serial=text[:80], model=text[:80], os=text[:80], status=("planned", "active", "retired")[n % 3],
            cpu_cores=n or None, ram_gb=None if n % 2 else 1024, accelerator_type=h100 if n % 2 else None,
            accelerator_count=8 if n % 2 else 0, power_w=10200 if n % 3 else None, power_measured=bool(n % 2),
            purchase_date=datetime.date(2024, 1, n + 1) if n % 2 else None,
            purchase_cost=Decimal("310000.10") if n % 2 else None, gpu_driver_version="550.54.15",
            cuda_version="12.4",
        )  # fmt: skip
    Server.objects.create(organization=organization, site=fra, hostname="l4", accelerator_type=l4, accelerator_count=2)
    StorageSystem.objects.create(
        organization=organization, site=fra, name="lustre", kind="parallel_fs", usable_tb=2000.25
    )
    StorageSystem.objects.create(
        organization=organization, site=formula_site, name="lustre", kind="nvme", usable_tb=1e-3, read_throughput_gbps=0
    )
    NetworkFabric.objects.create(
        organization=organization, site=fra, name="ib", kind="infiniband", link_speed_gbps=400, topology="-fat tree",
        oversubscription_ratio=1.0,
    )  # fmt: skip
    CloudCapacity.objects.create(
        organization=organization, provider="aws", region="us-east-1", instance_type="p5.48xlarge",
        accelerator_type=h100, accelerators_per_instance=8, instances=3, hourly_price=Decimal("98.3200"),
        currency="USD",
    )  # fmt: skip
    Workload.objects.create(
        organization=organization, name="chat", kind="inference", model_profile=llama, precision="fp8",
        requests_per_second=12.5, prompt_tokens=1500, output_tokens=300, ttft_target_ms=500, tpot_target_ms=50,
    )  # fmt: skip
    Workload.objects.create(
        organization=organization, name="@pretrain", kind="training", model_profile=llama, training_tokens=1.5e13,
        deadline_days=90.5, assumed_mfu=0.41, dataset_size_tb=44.0,
    )  # fmt: skip
    return organization


class TestRoundTrip:
    @pytest.fixture
    def inventory(self, organization):
        return make_inventory(organization, STORABLE_TEXT)

    @pytest.mark.parametrize("file_format", ["csv", "json", "yaml"])
    def test_every_kind_round_trips_into_another_organization(self, inventory, other_organization, file_format):
        for kind in KINDS:
            text = export_text(inventory, kind, file_format)
            import_text(other_organization, text, f"{kind}.{file_format}")
            assert export_text(other_organization, kind, file_format) == text, kind
        assert rows_of(other_organization) == rows_of(inventory)

    @pytest.mark.parametrize("file_format", ["json", "yaml"])
    def test_the_whole_inventory_round_trips_as_one_document(self, inventory, other_organization, file_format):
        text = export_text(inventory, None, file_format)
        result = import_text(other_organization, text, f"inventory.{file_format}")
        assert list(result.by_kind) == list(KINDS)
        assert rows_of(other_organization) == rows_of(inventory)
        assert export_text(other_organization, None, file_format) == text

    @pytest.mark.parametrize("file_format", ["csv", "json", "yaml"])
    def test_importing_an_export_into_the_same_organization_changes_nothing(self, inventory, file_format):
        before = rows_of(inventory)
        ids = sorted(Server.objects.filter(organization=inventory).values_list("pk", flat=True))
        result = import_text(inventory, export_text(inventory, "servers", file_format), f"servers.{file_format}")
        assert (result.created, result.updated) == (0, Server.objects.filter(organization=inventory).count())
        assert rows_of(inventory) == before
        assert sorted(Server.objects.filter(organization=inventory).values_list("pk", flat=True)) == ids

    def test_an_exported_name_resolves_back_to_the_same_catalog_entry(self, inventory, other_organization):
        """A private entry named like a shared one wins on import; the shared one is exported by vendor and model."""
        shared = AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM")
        private = AcceleratorType.objects.get(pk=shared.pk)
        private.pk, private.organization, private.vendor = None, inventory, "Acme"
        private.save()
        text = export_text(inventory, "servers", "csv")
        assert ",NVIDIA H100 SXM," in text
        server = Server.objects.filter(organization=inventory, accelerator_type=shared).first()
        server.accelerator_type = private
        server.save()
        text = export_text(inventory, "servers", "csv")
        assert ",H100 SXM," in text
        assert ",NVIDIA H100 SXM," in text
        before = rows_of(inventory)
        import_text(inventory, text, "servers.csv")
        assert rows_of(inventory) == before
        assert Server.objects.filter(organization=inventory, accelerator_type=private).count() == 1


class TestFormats:
    def test_csv_has_a_bom_a_header_and_guards_formulas(self, inventory):
        text = export_text(inventory, "servers", "csv")
        assert text.startswith("\ufeffhostname,site,serial,")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        assert [r["hostname"] for r in rows][:3] == ["host-00", "host-01", "host-02"]
        by_serial = {r["os"] for r in rows}
        for dangerous in ('\'=HYPERLINK("http://evil.example","click")', "'+1 555 0100", "'-rf", "'@SUM(A1:A2)"):
            assert dangerous in by_serial
        assert "'\tleading tab" in by_serial
        assert "'\rleading CR" in by_serial
        assert "''=already quoted" in by_serial  # so that import, removing one quote, gives the text back
        assert "'''+two quotes" in by_serial
        assert "'plain quote" in by_serial  # not before a formula character: left alone
        sites = list(csv.DictReader(io.StringIO(export_text(inventory, "sites", "csv").lstrip("\ufeff"))))
        assert [s["name"] for s in sites] == ["'=CMD()", "Frankfurt, DE"]
        # No cell of any export starts with a formula character.
        for kind in KINDS:
            for row in csv.reader(io.StringIO(export_text(inventory, kind, "csv").lstrip("\ufeff"), newline="")):
                assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), (kind, row)

    def test_the_guard_and_its_undoing(self):
        for text in TRICKY_TEXT:
            assert unneutralize(neutralize(text)) == text
        assert csv_cell(None) == ""
        assert (csv_cell(True), csv_cell(False)) == ("true", "false")
        assert csv_cell(1.5e13) == "15000000000000.0"
        assert csv_cell(-1.5) == "-1.5"  # a number, not text: not guarded

    def test_json_per_kind_is_a_list_and_the_inventory_a_mapping(self, inventory):
        servers = json.loads(export_text(inventory, "servers", "json"))
        assert isinstance(servers, list)
        first = next(s for s in servers if s["hostname"] == "host-01")
        assert first["site"] == "Frankfurt, DE"
        assert first["accelerator_type"] == "H100 SXM"
        assert first["purchase_cost"] == "310000.10"
        assert first["purchase_date"] == "2024-01-02"
        assert first["os"] == "+1 555 0100"  # JSON is not guarded
        assert list(first) == list(SPECS["servers"].column_names)
        whole = json.loads(export_text(inventory, None, "json"))
        assert list(whole) == list(KINDS)
        assert [w["name"] for w in whole["workloads"]] == ["@pretrain", "chat"]

    def test_yaml_per_kind_and_whole(self, inventory, organization):
        sites = yaml.safe_load(export_text(inventory, "sites", "yaml"))
        assert sites[1]["electricity_price_per_kwh"] == "0.2134"
        whole = yaml.safe_load(export_text(inventory, None, "yaml"))
        assert list(whole) == list(KINDS)
        assert whole["cloud"][0]["hourly_price"] == "98.3200"

    def test_an_empty_inventory(self, other_organization):
        assert (
            export_text(other_organization, "servers", "csv")
            == "\ufeff" + ",".join(SPECS["servers"].column_names) + "\r\n"
        )
        assert json.loads(export_text(other_organization, "servers", "json")) == []
        assert yaml.safe_load(export_text(other_organization, None, "yaml")) == {k: [] for k in KINDS}
        assert json.loads(export_text(other_organization, None, "json")) == {k: [] for k in KINDS}

    def test_only_the_organizations_rows_are_exported(self, inventory, other_organization):
        theirs = Site.objects.create(organization=other_organization, name="Secret", country="FR")
        Server.objects.create(organization=other_organization, site=theirs, hostname="secret-host")
        text = export_text(inventory, None, "json")
        assert "Secret" not in text
        assert "secret-host" not in text


class TestExportEndpoints:
    def test_api_export_csv(self, api_client_for, inventory, viewer):
        client = api_client_for(viewer, inventory)
        response = client.get("/api/v1/inventory/export/", {"kind": "servers", "format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="acme-ai-servers.csv"'
        assert b"".join(response.streaming_content).decode().startswith("\ufeffhostname,site")

    def test_api_export_whole_inventory_yaml(self, api_client_for, inventory, viewer):
        response = api_client_for(viewer, inventory).get(reverse("api:inventory:export"), {"format": "yaml"})
        assert response.status_code == 200
        assert set(yaml.safe_load(b"".join(response.streaming_content))) == set(KINDS)

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            (
                {"format": "csv"},
                None,
                "CSV holds one kind per file: choose sites, servers, storage, networks, cloud or workloads.",
            ),
            (
                {"kind": "gpus"},
                "kind",
                "Unknown kind 'gpus': use one of sites, servers, storage, networks, cloud, workloads.",
            ),
            ({"kind": "sites", "format": "xlsx"}, "format", "Unknown format 'xlsx': use csv, json or yaml."),
        ],
    )
    def test_api_export_problems_are_400(self, api_client_for, inventory, viewer, params, field, message):
        response = api_client_for(viewer, inventory).get(reverse("api:inventory:export"), params)
        assert response.status_code == 400
        (error,) = response.json()["errors"]
        assert (error["message"], error.get("field")) == (message, field)
        assert "column" not in error  # a request's parameter, not a file's column

    def test_api_export_needs_a_member(self, organization, outsider):
        from rest_framework.test import APIClient

        assert APIClient().get(reverse("api:inventory:export")).status_code == 401

    def test_app_export_page_and_download(self, client, inventory, viewer):
        client.force_login(viewer)
        page = client.get(reverse("inventory:export"), {"kind": "servers"})
        assert page.status_code == 200
        assert f"{reverse('inventory:export_download')}?kind=servers&amp;format=csv" in page.content.decode()
        response = client.get(reverse("inventory:export_download"), {"kind": "workloads", "format": "json"})
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="acme-ai-workloads.json"'
        assert {w["name"] for w in json.loads(b"".join(response.streaming_content))} == {"chat", "@pretrain"}

    def test_app_export_problem_goes_back_with_a_message(self, client, inventory, viewer):
        client.force_login(viewer)
        response = client.get(reverse("inventory:export_download"), {"format": "csv"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("inventory:export")
        assert "CSV holds one kind per file" in response.content.decode()

    def test_app_export_needs_a_login(self, client):
        response = client.get(reverse("inventory:export_download"), {"kind": "sites"})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
