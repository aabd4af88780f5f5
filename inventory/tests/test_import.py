"""Bulk import: good files of every kind and format, bad files of many kinds (every problem with row, column and
message, and nothing written), update in place by natural key, all or nothing, chunking, and the command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import DomainError, ErrorItem, TooLarge
from inventory import services
from inventory.models import (
    AcceleratorType,
    CloudCapacity,
    ImportJob,
    ImportStatus,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)
from inventory.services.import_writer import StagedWriter

DATA = Path(__file__).parent / "data" / "import"
SERVER_COLUMNS = (
    "hostname, site, serial, status, vendor, model, cpu_cores, ram_gb, accelerator_type, accelerator_count, "
    "power_w, power_measured, purchase_date, purchase_cost, purchase_currency, depreciation_years, "
    "gpu_driver_version, cuda_version, os"
)

pytestmark = pytest.mark.django_db


def run_import(organization: Any, content: bytes | str, filename: str, **options: Any) -> services.ImportResult:
    data = content.encode() if isinstance(content, str) else content
    return services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename=filename, size=len(data), **options
    )


def placed(item: ErrorItem) -> dict[str, Any]:
    """Where a problem is and what it says, as the import page's table shows it."""
    return {"row": item.row, "column": item.column, "message": item.message}


def problem_items(organization: Any, content: bytes | str, filename: str, **options: Any) -> list[ErrorItem]:
    """The problems an import reports (the items of the one error contract); asserts that it wrote nothing."""
    before = inventory_snapshot(organization)
    try:
        result = run_import(organization, content, filename, **options)
    except DomainError as exc:
        found = list(exc.errors)
    else:
        assert not result.ok, "expected problems"
        assert not result.written
        found = result.errors
    assert inventory_snapshot(organization) == before, "something was written"
    return found


def problems(organization: Any, content: bytes | str, filename: str, **options: Any) -> list[dict[str, Any]]:
    """The problems an import reports, by row, column and message; asserts that it wrote nothing."""
    return [placed(item) for item in problem_items(organization, content, filename, **options)]


def inventory_snapshot(organization: Any) -> dict[str, list[Any]]:
    return {
        model.__name__: sorted(map(str, model.objects.filter(organization=organization).values_list()))
        for model in (Site, Server, StorageSystem, NetworkFabric, CloudCapacity, Workload)
    }


def h100() -> AcceleratorType:
    return AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM")


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


@pytest.fixture
def dublin(organization):
    return Site.objects.create(organization=organization, name="Dublin", country="IE")


# --- good files -----------------------------------------------------------------------------------------------


class TestGoodFiles:
    def test_sites_csv(self, organization):
        result = run_import(organization, (DATA / "sites.csv").read_bytes(), "sites.csv")
        assert (result.ok, result.created, result.updated, result.total_rows) == (True, 2, 0, 2)
        fra = Site.objects.get(organization=organization, name="Frankfurt")
        assert (fra.country, fra.pue, fra.electricity_price_per_kwh, fra.cooling) == (
            "DE",
            1.35,
            Decimal("0.21"),
            "liquid",
        )
        assert (fra.renewable_share_pct, fra.power_capacity_kw, fra.grid_intensity_override) == (60, 1200, None)
        dub = Site.objects.get(organization=organization, name="Dublin")
        assert (dub.grid_intensity_override, dub.power_capacity_kw, dub.cooling) == (300, None, "air")

    def test_servers_csv_names_related_rows_by_name(self, organization, frankfurt, dublin):
        result = run_import(organization, (DATA / "servers.csv").read_bytes(), "servers.csv")
        assert (result.ok, result.created) == (True, 4)
        first = Server.objects.get(organization=organization, hostname="gpu-fra-01")
        assert first.site == frankfurt
        assert first.accelerator_type == h100()
        assert (first.accelerator_count, first.power_w, first.power_measured) == (8, 10200, False)
        assert str(first.purchase_date) == "2024-03-01"
        assert first.purchase_cost == Decimal("310000.00")
        assert (first.gpu_driver_version, first.cuda_version, first.os) == ("550.54.15", "12.4", "Ubuntu 22.04")
        # "NVIDIA H100 SXM" (vendor and model) and what nvidia-smi prints resolve too.
        assert Server.objects.get(hostname="gpu-fra-02").accelerator_type == h100()
        assert Server.objects.get(hostname="gpu-fra-03").accelerator_type.model == "A100 SXM 80GB"
        cpu = Server.objects.get(hostname="cpu-dub-01")
        assert (cpu.site, cpu.accelerator_type, cpu.status, cpu.power_measured) == (dublin, None, "retired", True)
        # Empty cells: blank text, null numbers, defaults.
        third = Server.objects.get(hostname="gpu-fra-03")
        assert (third.serial, third.cpu_cores, third.power_w, third.power_measured) == ("", None, None, False)

    def test_storage_networks_cloud_and_workloads_csv(self, organization, frankfurt, dublin):
        for name in ("storage.csv", "networks.csv", "cloud.csv", "workloads.csv"):
            result = run_import(organization, (DATA / name).read_bytes(), name)
            assert result.ok, (name, result.errors_json())
        lustre = StorageSystem.objects.get(organization=organization, name="lustre")
        assert (lustre.site, lustre.kind, lustre.usable_tb, lustre.read_throughput_gbps) == (
            frankfurt,
            "parallel_fs",
            2000,
            150,
        )
        eth = NetworkFabric.objects.get(organization=organization, name="eth")
        assert (eth.site, eth.kind, eth.link_speed_gbps, eth.topology, eth.oversubscription_ratio) == (
            dublin,
            "ethernet",
            100,
            "",
            2.5,
        )
        cloud = CloudCapacity.objects.get(organization=organization)
        assert (cloud.accelerator_type, cloud.instances, cloud.hourly_price) == (h100(), 2, Decimal("98.32"))
        chat = Workload.objects.get(organization=organization, name="chat-assistant")
        assert (chat.kind, chat.model_profile.name, chat.precision, chat.requests_per_second) == (
            "inference",
            "Llama-3.1-70B",
            "fp8",
            25,
        )
        tune = Workload.objects.get(organization=organization, name="domain-finetune")
        assert (tune.training_tokens, tune.assumed_mfu, tune.requests_per_second) == (2e9, 0.4, None)

    @pytest.mark.parametrize("name", ["servers.json", "servers.yaml"])
    def test_servers_json_and_yaml(self, organization, frankfurt, name):
        result = run_import(organization, (DATA / name).read_bytes(), name)
        assert (result.ok, result.created) == (True, 2), result.errors_json()
        l4 = Server.objects.get(organization=organization, hostname="gpu-fra-04")
        assert (l4.accelerator_type.model, l4.accelerator_count) == ("L4", 2)
        assert str(Server.objects.get(hostname="gpu-fra-01").purchase_date) == "2024-03-01"

    @pytest.mark.parametrize("name", ["inventory.yaml", "inventory.json"])
    def test_a_whole_inventory_mapping_is_imported_in_dependency_order(self, organization, name):
        result = run_import(organization, (DATA / name).read_bytes(), name)
        assert result.ok, result.errors_json()
        munich = Site.objects.get(organization=organization, name="Munich")
        assert Server.objects.get(organization=organization, hostname="gpu-muc-01").site == munich
        assert set(result.by_kind) <= {"sites", "servers", "storage", "networks", "workloads"}
        assert list(result.by_kind)[0] == "sites"

    def test_kind_comes_from_a_parameter_when_the_name_does_not_say(self, organization, frankfurt):
        result = run_import(organization, "hostname,site\nn1,Frankfurt\n", "upload.csv", kind="servers")
        assert (result.ok, result.created) == (True, 1)

    def test_headers_are_case_and_space_insensitive(self, organization, frankfurt):
        result = run_import(
            organization, "Hostname , Site,Accelerator Type,accelerator-count\nn1,Frankfurt,L4,1\n", "servers.csv"
        )
        assert result.ok, result.errors_json()
        assert Server.objects.get(hostname="n1").accelerator_count == 1

    def test_semicolon_separated_csv_from_european_excel(self, organization, frankfurt):
        result = run_import(organization, "hostname;site;cpu_cores\nn1;Frankfurt;16\n", "servers.csv")
        assert result.ok, result.errors_json()

    def test_bom_imports_fine(self, organization, frankfurt):
        content = "\ufeffhostname,site\nn1,Frankfurt\n".encode()
        result = run_import(organization, content, "servers.csv")
        assert (result.ok, result.created) == (True, 1)
        assert Server.objects.filter(hostname="n1").exists()

    def test_crlf_blank_lines_and_quoted_newlines(self, organization, frankfurt):
        content = 'hostname,site,os\r\n\r\nn1,Frankfurt,"two\r\nlines"\r\nn2,Frankfurt,x\r\n'
        result = run_import(organization, content, "servers.csv")
        # The quoted line break is one cell of its row (which the name rule of `os` then refuses: no line breaks).
        assert [(e.row, e.column, e.code) for e in result.errors] == [(3, "os", "invalid_characters")]
        content = 'hostname,site,os\r\n\r\nn1,Frankfurt,"two, quoted"\r\nn2,Frankfurt,x\r\n'
        result = run_import(organization, content, "servers.csv")
        assert (result.ok, result.created) == (True, 2), result.errors_json()
        assert Server.objects.get(hostname="n1").os == "two, quoted"

    def test_a_private_accelerator_type_resolves_and_wins(self, organization, other_organization, frankfurt):
        shared = h100()
        private = AcceleratorType.objects.get(pk=shared.pk)
        private.pk, private.organization, private.vendor = None, organization, "Acme"
        private.save()
        result = run_import(
            organization, "hostname,site,accelerator_type,accelerator_count\nn1,Frankfurt,H100 SXM,8\n", "servers.csv"
        )
        assert result.ok
        assert Server.objects.get(hostname="n1").accelerator_type == private
        # ... but only for its organization.
        theirs = Site.objects.create(organization=other_organization, name="Frankfurt", country="DE")
        run_import(
            other_organization,
            "hostname,site,accelerator_type,accelerator_count\nn1,Frankfurt,H100 SXM,8\n",
            "servers.csv",
        )
        assert Server.objects.get(organization=other_organization).accelerator_type == shared
        assert theirs.servers.count() == 1


class TestUpdateInPlace:
    def test_rows_with_an_existing_natural_key_are_updated(self, organization, frankfurt, dublin):
        run_import(organization, (DATA / "servers.csv").read_bytes(), "servers.csv")
        before = dict(Server.objects.filter(organization=organization).values_list("hostname", "pk"))
        content = "hostname,site,status,cpu_cores\ngpu-fra-01,Dublin,retired,96\nnew-01,Frankfurt,planned,\n"
        result = run_import(organization, content, "servers.csv")
        assert (result.created, result.updated) == (1, 1)
        server = Server.objects.get(hostname="gpu-fra-01")
        assert server.pk == before["gpu-fra-01"]
        assert (server.site, server.status, server.cpu_cores) == (dublin, "retired", 96)
        # Columns absent from the file are left as they were.
        assert (server.accelerator_count, server.os, server.power_w) == (8, "Ubuntu 22.04", 10200)
        assert Server.objects.filter(organization=organization).count() == 5

    def test_storage_and_networks_are_keyed_by_site_and_name(self, organization, frankfurt, dublin):
        run_import(organization, (DATA / "storage.csv").read_bytes(), "storage.csv")
        content = "site,name,kind,usable_tb\nFrankfurt,lustre,parallel_fs,2500\nDublin,lustre,nvme,10\n"
        result = run_import(organization, content, "storage.csv")
        assert (result.created, result.updated) == (1, 1)
        assert StorageSystem.objects.get(site=frankfurt, name="lustre").usable_tb == 2500
        assert StorageSystem.objects.get(site=dublin, name="lustre").kind == "nvme"

    def test_sites_and_workloads_are_keyed_by_name(self, organization, frankfurt):
        result = run_import(organization, "name,country,pue\nFrankfurt,DE,1.1\n", "sites.csv")
        assert (result.created, result.updated) == (0, 1)
        frankfurt.refresh_from_db()
        assert frankfurt.pue == 1.1
        run_import(organization, (DATA / "workloads.csv").read_bytes(), "workloads.csv")
        result = run_import(organization, (DATA / "workloads.csv").read_bytes(), "workloads.csv")
        assert (result.created, result.updated) == (0, 2)

    def test_hostnames_are_matched_within_the_organization_only(self, organization, other_organization, frankfurt):
        theirs = Site.objects.create(organization=other_organization, name="Frankfurt", country="DE")
        Server.objects.create(organization=other_organization, site=theirs, hostname="n1", cpu_cores=1)
        result = run_import(organization, "hostname,site,cpu_cores\nn1,Frankfurt,64\n", "servers.csv")
        assert (result.created, result.updated) == (1, 0)
        assert Server.objects.get(organization=other_organization, hostname="n1").cpu_cores == 1

    def test_a_workload_update_may_rely_on_the_stored_values(self, organization):
        run_import(organization, (DATA / "workloads.csv").read_bytes(), "workloads.csv")
        # An inference workload needs requests_per_second: absent from the file, it is the stored one.
        result = run_import(
            organization,
            "name,kind,model_profile,precision\nchat-assistant,inference,Llama-3.1-8B,bf16\n",
            "workloads.csv",
        )
        assert result.ok, result.errors_json()
        assert Workload.objects.get(name="chat-assistant").model_profile.name == "Llama-3.1-8B"


class TestFormulaGuard:
    def test_a_quote_before_a_formula_character_is_removed(self, organization, frankfurt):
        # (A hostname holds no formula character: the hostname rule refuses them; the vendor is free text.)
        content = "hostname,site,vendor,os,serial,model\nn1,Frankfurt,'=HYPERLINK(1),'+cmd,'@SUM(A1),'plain\n"
        result = run_import(organization, content, "servers.csv")
        assert result.ok, result.errors_json()
        server = Server.objects.get(organization=organization)
        assert (server.vendor, server.os, server.serial, server.model) == (
            "=HYPERLINK(1)",
            "+cmd",
            "@SUM(A1)",
            "'plain",
        )

    def test_json_values_are_taken_as_they_are(self, organization, frankfurt):
        content = json.dumps([{"hostname": "n1", "os": "'=x", "site": "Frankfurt"}])
        assert run_import(organization, content, "servers.json").ok
        assert Server.objects.get(organization=organization).os == "'=x"


# --- bad files ------------------------------------------------------------------------------------------------

UNKNOWN_KIND = "Unknown kind 'gpus': use one of sites, servers, storage, networks, cloud, workloads."
NOT_UTF8 = "(in Excel: CSV UTF-8) and upload it again."


class TestBadFiles:
    def test_missing_required_columns(self, organization, frankfurt):
        assert problems(organization, "hostname,status\nn1,active\n", "servers.csv") == [
            {"row": 1, "column": "site", "message": "required column is missing."}
        ]
        assert problems(organization, "site,name\nFrankfurt,x\n", "storage.csv") == [
            {"row": 1, "column": "kind", "message": "required column is missing."},
            {"row": 1, "column": "usable_tb", "message": "required column is missing."},
        ]

    def test_unknown_columns_are_errors(self, organization, frankfurt):
        assert problems(organization, "hostname,site,colour\nn1,Frankfurt,red\n", "servers.csv") == [
            {"row": 1, "column": "colour", "message": f"unknown column; the columns of servers are {SERVER_COLUMNS}."}
        ]

    def test_a_repeated_column(self, organization, frankfurt):
        assert problems(organization, "hostname,site,site\nn1,Frankfurt,Frankfurt\n", "servers.csv") == [
            {"row": 1, "column": "site", "message": "this column appears twice."}
        ]

    def test_wrong_types(self, organization, frankfurt):
        content = (
            "hostname,site,cpu_cores,power_measured,purchase_date,purchase_cost,ram_gb\n"
            "n1,Frankfurt,lots,maybe,2024-13-01,cheap,1.5\n"
        )
        assert problems(organization, content, "servers.csv") == [
            {"row": 2, "column": "cpu_cores", "message": "'lots' is not a whole number."},
            {"row": 2, "column": "power_measured", "message": "'maybe' is not true or false."},
            {"row": 2, "column": "purchase_date", "message": "'2024-13-01' is not a date (YYYY-MM-DD)."},
            {"row": 2, "column": "purchase_cost", "message": "'cheap' is not a number."},
            {"row": 2, "column": "ram_gb", "message": "'1.5' is not a whole number."},
        ]

    def test_negative_counts(self, organization, frankfurt):
        content = "hostname,site,accelerator_type,accelerator_count,cpu_cores\nn1,Frankfurt,L4,-1,-8\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 2, "column": "accelerator_count", "message": "Ensure this value is greater than or equal to 0."},
            {"row": 2, "column": "cpu_cores", "message": "Ensure this value is greater than or equal to 0."},
        ]

    def test_numbers_beyond_the_database_columns(self, organization, frankfurt):
        content = "hostname,site,accelerator_type,accelerator_count,purchase_cost\nn1,Frankfurt,L4,40000,1e12\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 2, "column": "accelerator_count", "message": "Enter a value between 0 and 1,024."},
            # the column's 12 digits read as the field's range, as every entry point says it
            {"row": 2, "column": "purchase_cost", "message": "Enter a value between 0 and 9,999,999,999.99."},
        ]

    def test_pue_below_1_and_other_site_rules(self, organization):
        content = "name,country,pue,renewable_share_pct,power_capacity_kw\nLab,Germany,0.9,120,0\n"
        assert problems(organization, content, "sites.csv") == [
            {"row": 2, "column": "country", "message": "Enter the two-letter ISO country code, e.g. DE."},
            {
                "row": 2,
                "column": "pue",
                "message": "Enter a PUE between 1.0 (all power reaches the IT equipment) and 3.0.",
            },
            {"row": 2, "column": "renewable_share_pct", "message": "Enter a percentage between 0 and 100."},
            {"row": 2, "column": "power_capacity_kw", "message": "Enter a value above 0 and at most 5,000,000 kW."},
        ]

    def test_invalid_choice(self, organization, frankfurt):
        assert problems(organization, "hostname,site,status\nn1,Frankfurt,broken\n", "servers.csv") == [
            {"row": 2, "column": "status", "message": "'broken' is not one of planned, active, retired."}
        ]

    def test_unknown_accelerator(self, organization, frankfurt):
        content = "hostname,site,accelerator_type,accelerator_count\nn1,Frankfurt,Z100,8\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 2, "column": "accelerator_type", "message": "unknown accelerator type 'Z100'."}
        ]

    def test_another_organizations_private_accelerator_is_unknown(self, organization, other_organization, frankfurt):
        AcceleratorType.objects.create(
            organization=other_organization, vendor="Other", model="Secret X", memory_gb=1, mem_bandwidth_gbps=1,
            bf16_tflops=1, release_year=2024, source="test",
        )  # fmt: skip
        content = "hostname,site,accelerator_type,accelerator_count\nn1,Frankfurt,Secret X,8\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 2, "column": "accelerator_type", "message": "unknown accelerator type 'Secret X'."}
        ]

    def test_unknown_site_and_unknown_model_profile(self, organization):
        assert problems(organization, "hostname,site\nn1,Atlantis\n", "servers.csv") == [
            {"row": 2, "column": "site", "message": "unknown site 'Atlantis'."}
        ]
        content = "name,kind,model_profile,training_tokens\nw,training,GPT-9,1e9\n"
        assert problems(organization, content, "workloads.csv") == [
            {"row": 2, "column": "model_profile", "message": "unknown model profile 'GPT-9'."}
        ]

    def test_another_organizations_site_name_is_unknown(self, organization, other_organization):
        Site.objects.create(organization=other_organization, name="Their Site", country="FR")
        assert problems(organization, "hostname,site\nn1,Their Site\n", "servers.csv") == [
            {"row": 2, "column": "site", "message": "unknown site 'Their Site'."}
        ]

    def test_duplicate_hostnames_inside_the_file(self, organization, frankfurt):
        content = "hostname,site\ngpu-1,Frankfurt\ngpu-2,Frankfurt\ngpu-1,Frankfurt\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 4, "column": "hostname", "message": "'gpu-1' appears more than once in the file (first on row 2)."}
        ]

    def test_duplicate_storage_keys_inside_a_json_file(self, organization, frankfurt):
        rows = [{"site": "Frankfurt", "name": "a", "kind": "nvme", "usable_tb": 1}] * 2
        assert problems(organization, json.dumps(rows), "storage.json") == [
            {
                "row": 2,
                "column": "name",
                "message": "'Frankfurt / a' appears more than once in the file (first on row 1).",
            }
        ]

    def test_rules_across_columns(self, organization, frankfurt):
        assert problems(organization, "hostname,site,accelerator_count\nn1,Frankfurt,4\n", "servers.csv") == [
            {
                "row": 2,
                "column": "accelerator_type",
                "message": "Choose the type of the accelerators (or set their count to 0).",
            }
        ]
        content = "name,kind,model_profile,requests_per_second\nchat,inference,Llama-3.1-8B,5\n"
        assert problems(organization, content, "workloads.csv") == [
            {"row": 2, "column": "prompt_tokens", "message": "Required for inference workloads."},
            {"row": 2, "column": "output_tokens", "message": "Required for inference workloads."},
        ]

    def test_an_empty_required_cell(self, organization, frankfurt):
        assert problems(organization, "hostname,site\n,Frankfurt\nn2,\n", "servers.csv") == [
            {"row": 2, "column": "hostname", "message": "This field is required."},
            {"row": 3, "column": "site", "message": "This field is required."},
        ]

    def test_a_row_with_too_many_cells(self, organization, frankfurt):
        assert problems(organization, "hostname,site\nn1,Frankfurt,extra\n", "servers.csv") == [
            {"row": 2, "column": None, "message": "this row has 3 cells; the header has 2."}
        ]

    @pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
    def test_empty_file(self, organization, content):
        assert problems(organization, content, "servers.csv") == [
            {"row": None, "column": None, "message": "The file is empty."}
        ]

    def test_header_only(self, organization):
        assert problems(organization, "hostname,site\n\n", "servers.csv") == [
            {"row": None, "column": None, "message": "The file has a header but no rows."}
        ]

    def test_utf16_with_its_byte_order_mark_is_read(self, organization, frankfurt):
        content = "hostname,site,os\nn1,Frankfurt,Débian\n".encode("utf-16")
        result = run_import(organization, content, "servers.csv")
        assert (result.ok, result.created) == (True, 1), result.errors_json()
        assert Server.objects.get(hostname="n1").os == "Débian"

    def test_utf32_is_refused(self, organization, frankfurt):
        content = "hostname,site\nn1,Frankfurt\n".encode("utf-32")
        assert problems(organization, content, "servers.csv") == [
            {"row": None, "column": None, "message": f"The file is UTF-32 text; save it as UTF-8 {NOT_UTF8}"}
        ]

    def test_latin1_json_is_refused_not_guessed(self, organization, frankfurt):
        # (A CSV file that is not UTF-8 is read as Windows-1252, when it is: test_import_encodings.py.)
        content = '[{"hostname": "n1", "site": "Frankfurt",\n "os": "Débian"}]\n'.encode("latin-1")
        assert problems(organization, content, "servers.json") == [
            {
                "row": None,
                "column": None,
                "message": f"The file is not UTF-8 text (byte 0xe9 on line 2). Save it as UTF-8 {NOT_UTF8}",
            }
        ]

    def test_binary_garbage(self, organization):
        garbage = bytes(range(256)) * 40
        assert problems(organization, garbage, "servers.csv") == [
            {
                "row": None,
                "column": None,
                "message": "The file is not text (it contains NUL bytes: a binary file, or UTF-16 without a "
                "byte-order mark). Upload CSV, JSON or YAML saved as UTF-8.",
            }
        ]
        png = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 4
        assert problems(organization, png, "servers.csv")[0]["message"].startswith("The file is not UTF-8 text")

    def test_malformed_json(self, organization):
        assert problems(organization, '[{"hostname": "n1" "site": "x"}]', "servers.json") == [
            {"row": None, "column": None, "message": "Malformed JSON: Expecting ',' delimiter (line 1, column 20)."}
        ]

    def test_malformed_yaml(self, organization):
        (found,) = problems(organization, "- hostname: n1\n  site: [x\n", "servers.yaml")
        assert (found["row"], found["column"]) == (None, None)
        # The wording is libyaml's or PyYAML's; the place is the same.
        assert found["message"].startswith("Malformed YAML: ")
        assert found["message"].endswith(" (line 3, column 1).")

    @pytest.mark.parametrize(
        ("content", "shape"), [("just a string\n", "str"), ("42\n", "int"), ("- - nested\n", None)]
    )
    def test_yaml_that_is_not_a_list_or_mapping(self, organization, content, shape):
        found = problems(organization, content, "servers.yaml")
        if shape:
            assert found == [
                {
                    "row": None,
                    "column": None,
                    "message": "The YAML document must be a list of rows or a mapping of kinds to lists "
                    f"(e.g. servers: [...]), not {shape}.",
                }
            ]
        else:
            assert found == [
                {"row": 1, "column": None, "message": "each row must be a mapping of column names to values."}
            ]

    def test_a_mapping_with_an_unknown_kind(self, organization):
        assert problems(organization, "gpus:\n  - name: x\n", "inventory.yaml") == [
            {
                "row": None,
                "column": None,
                "message": "Unknown kind 'gpus' in the document: use sites, servers, storage, networks, cloud, "
                "workloads.",
            }
        ]

    def test_unknown_kind_parameter(self, organization):
        """The kind the file was uploaded with is the request's field, not one of the file's columns."""
        (item,) = problem_items(organization, "hostname,site\nn1,x\n", "upload.csv", kind="gpus")
        assert (item.field, item.row, item.column, item.code, item.message) == (
            "kind",
            None,
            None,
            "unknown_kind",
            UNKNOWN_KIND,
        )
        assert str(item) == f"kind: {UNKNOWN_KIND}"

    def test_a_csv_whose_kind_cannot_be_told(self, organization):
        assert problems(organization, "hostname,site\nn1,x\n", "upload.csv") == [
            {
                "row": None,
                "column": None,
                "message": "Which kind of rows is this? Name the file after the kind (e.g. servers.csv) or choose "
                "the kind.",
            }
        ]

    def test_unknown_file_type(self, organization):
        assert problems(organization, b"%PDF-1.7", "servers.pdf") == [
            {
                "row": None,
                "column": None,
                "message": "Unknown file type '.pdf': upload a .csv, .json, .yaml or .xlsx file (or name the format).",
            }
        ]

    def test_a_50_mb_file_is_refused_before_parsing(self, organization, tmp_path, monkeypatch):
        big = tmp_path / "servers.csv"
        with open(big, "wb") as handle:
            handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes, which parsing would refuse otherwise
        monkeypatch.setattr(services.import_files, "check_text", lambda handle: pytest.fail("the file was read"))
        with open(big, "rb") as handle, pytest.raises(TooLarge) as caught:
            services.inventory_import(
                organization=organization, handle=handle, filename="servers.csv", size=big.stat().st_size
            )
        assert [item.as_dict() for item in caught.value.errors] == [
            {
                "code": "too_large",
                "message": "The file is 50.0 MB; the limit is 25.0 MB. Split it into smaller files.",
            }
        ]

    def test_json_items_that_are_not_mappings_or_have_unknown_keys(self, organization, frankfurt):
        content = json.dumps(
            [{"hostname": "n1", "site": "Frankfurt", "Colour": "red"}, ["n2", "Frankfurt"], {"hostname": "n3"}]
        )
        assert problems(organization, content, "servers.json") == [
            {"row": 1, "column": "colour", "message": f"unknown column; the columns of servers are {SERVER_COLUMNS}."},
            {"row": 2, "column": None, "message": "each row must be a mapping of column names to values."},
            {"row": 3, "column": "site", "message": "required column is missing."},
        ]

    def test_json_values_of_the_wrong_type(self, organization, frankfurt):
        content = json.dumps([{"hostname": "n1", "site": "Frankfurt", "cpu_cores": True, "os": {"name": "x"}}])
        assert problems(organization, content, "servers.json") == [
            {"row": 1, "column": "cpu_cores", "message": "'true' is not a number."},
            {"row": 1, "column": "os", "message": "a mapping is not text."},
        ]

    def test_a_list_without_a_kind(self, organization):
        assert problems(organization, "[]", "upload.json") == [
            {
                "row": None,
                "column": None,
                "message": "Which kind of rows is this? Name the file after the kind (e.g. servers.json), choose the "
                "kind, or write a mapping such as {servers: [...]}.",
            }
        ]

    def test_every_problem_of_every_row_is_listed(self, organization, frankfurt):
        content = "hostname,site,status\nok-1,Frankfurt,active\nn2,Nowhere,active\nn3,Frankfurt,sleeping\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 3, "column": "site", "message": "unknown site 'Nowhere'."},
            {"row": 4, "column": "status", "message": "'sleeping' is not one of planned, active, retired."},
        ]

    def test_problems_are_capped_and_counted(self, organization, frankfurt, settings):
        settings.INVENTORY_IMPORT_MAX_ERRORS = 500
        content = "hostname,site,cpu_cores\n" + "".join(f"n{i},Frankfurt,x\n" for i in range(600))
        result = run_import(organization, content, "servers.csv")
        assert (len(result.errors), result.error_count) == (500, 600)  # the count, not a summary pseudo-entry
        assert result.errors[0] == ErrorItem("'x' is not a whole number.", "invalid", row=2, column="cpu_cores")
        assert result.errors[-1].row == 501
        error = result.as_error()
        assert (len(error.errors), error.total) == (500, 600)
        assert not Server.objects.exists()

    def test_a_site_defined_in_the_same_mapping_counts_but_not_in_a_servers_file(self, organization):
        content = json.dumps({"servers": [{"hostname": "n1", "site": "New"}]})
        assert problems(organization, content, "inventory.json") == [
            {"row": 1, "column": "site", "message": "unknown site 'New'."}
        ]


class TestAllOrNothing:
    def test_a_problem_in_a_later_chunk_writes_nothing(self, organization, frankfurt, settings):
        settings.INVENTORY_IMPORT_CHUNK_SIZE = 100
        rows = [f"n{i},Frankfurt,active" for i in range(250)]
        rows[230] = "n230,Frankfurt,exploded"
        content = "hostname,site,status\n" + "\n".join(rows) + "\n"
        assert problems(organization, content, "servers.csv") == [
            {"row": 232, "column": "status", "message": "'exploded' is not one of planned, active, retired."}
        ]

    def test_a_problem_found_only_when_writing_rolls_everything_back(self, organization, frankfurt, assessor):
        """The data changed between validation and confirmation: the write pass finds it and writes nothing."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        content = "hostname,site\n" + "".join(f"n{i},Frankfurt\n" for i in range(30)) + "late,Dublin\n"
        dublin = Site.objects.create(organization=organization, name="Dublin", country="IE")
        upload = SimpleUploadedFile("servers.csv", content.encode())
        job = services.import_job_create(organization=organization, user=assessor, upload=upload)
        services.import_job_start(job=job)
        assert job.status == ImportStatus.READY
        dublin.delete()
        services.import_job_confirm(job=job)
        job.refresh_from_db()
        assert job.status == ImportStatus.INVALID
        assert job.errors == [{"code": "unknown", "row": 32, "column": "site", "message": "unknown site 'Dublin'."}]
        assert job.error_count == 1
        assert not Server.objects.filter(organization=organization).exists()

    def test_a_database_error_while_writing_fails_the_job_cleanly(self, organization, frankfurt, assessor, monkeypatch):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import IntegrityError

        job = services.import_job_create(
            organization=organization,
            user=assessor,
            upload=SimpleUploadedFile("servers.csv", b"hostname,site\nn1,Frankfurt\n"),
        )
        services.import_job_start(job=job)

        def explode(*args: Any, **kwargs: Any) -> None:
            raise IntegrityError("duplicate key value violates unique constraint")

        monkeypatch.setattr(StagedWriter, "merge", explode)
        services.import_job_confirm(job=job)
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED
        assert job.errors[0]["message"].startswith("The database refused the rows")
        assert "constraint" not in job.errors[0]["message"]


class TestChunks:
    # Queries of a command-line import that passes (one pass, in a transaction): the catalog (accelerator types,
    # model profiles: 2), the transaction's savepoint and its release (2), the data version bump in a savepoint of its
    # own (3), and the kind's staging table made and merged (create; insert; update; drop: 4); whether the
    # organization has rows of the kind (1); per chunk, the sites it names, the existing rows (not when it had none)
    # and one statement staging its checked rows (3, or 2); the organization's webhook endpoints (1, for
    # inventory.imported). Never one query per row.
    # The change history of the merged rows (issue 18): the highest id before the INSERT, the new rows' history and
    # the changed rows' history, one INSERT ... SELECT each (3), whatever the number of rows.
    FIXED = 13 + 3

    def test_writes_come_in_chunks_with_a_constant_number_of_queries(
        self, organization, frankfurt, settings, django_assert_num_queries, monkeypatch
    ):
        from django.db import connection

        # PostgreSQL stages with COPY, which Django's query log does not see (one COPY per chunk: the spy counts it).
        per_chunk = 3 if connection.vendor == "sqlite" else 2
        staged: list[int] = []  # rows per staging statement: new rows column by column (stage_new), updates by row
        original = StagedWriter._write

        def spy(self: StagedWriter, given: Any, count: int, updates: list[Any]) -> None:
            staged.append(count + len(updates))
            original(self, given, count, updates)

        monkeypatch.setattr(StagedWriter, "_write", spy)
        settings.INVENTORY_IMPORT_CHUNK_SIZE = 500
        content = "hostname,site,accelerator_type,accelerator_count\n" + "".join(
            f"n{i},Frankfurt,H100 SXM,8\n" for i in range(2000)
        )
        with django_assert_num_queries(self.FIXED + 4 * (per_chunk - 1)):  # 2000 new rows, 4 chunks: none existed
            result = run_import(organization, content, "servers.csv")
        assert (result.created, result.updated) == (2000, 0)
        assert staged == [500, 500, 500, 500]
        changed = "hostname,site,accelerator_type,accelerator_count\n" + "".join(
            f"n{i},Frankfurt,H100 SXM,{100 + i % 16}\n" for i in range(2000)
        )
        with django_assert_num_queries(self.FIXED + 4 * per_chunk):  # every row an update
            result = run_import(organization, changed, "servers.csv")
        assert (result.created, result.updated) == (0, 2000)
        counts = Server.objects.filter(organization=organization).values_list("hostname", "accelerator_count")
        assert all(count == 100 + int(hostname[1:]) % 16 for hostname, count in counts)
        assert len(counts) == 2000

    def test_an_update_keeps_the_columns_the_file_does_not_have(self, organization, frankfurt):
        run_import(organization, "hostname,site,serial,status\nn1,Frankfurt,SN1,planned\n", "servers.csv")
        run_import(organization, "hostname,site,status\nn1,Frankfurt,retired\n", "servers.csv")
        server = Server.objects.get(organization=organization, hostname="n1")
        assert (server.serial, server.status) == ("SN1", "retired")

    def test_unchanged_rows_are_not_rewritten(self, organization, frankfurt, monkeypatch):
        merged: list[tuple[int, int]] = []
        original = StagedWriter.merge

        def spy(self: StagedWriter) -> tuple[int, int]:
            merged.append(original(self))
            return merged[-1]

        monkeypatch.setattr(StagedWriter, "merge", spy)
        run_import(organization, (DATA / "sites.csv").read_bytes(), "sites.csv")
        result = run_import(organization, (DATA / "sites.csv").read_bytes(), "sites.csv")
        assert (result.created, result.updated) == (0, 2)  # both rows matched...
        assert merged == [(1, 1), (0, 0)]  # the first time one new and one changed, then neither written again

    def test_a_csv_chunk_staged_by_column_stores_what_the_same_rows_staged_by_row_store(self, frankfurt, monkeypatch):
        """A CSV chunk of new rows is staged as its columns (`StagedWriter.stage_new`); a JSON file's rows one by
        one (`StagedWriter.stage`): the stored rows are the same, relations, defaults and prepared values alike."""
        from accounts.models import Organization

        other = Organization.objects.create(name="Other", slug="other")
        Site.objects.create(organization=other, name="Frankfurt", country="DE")
        header = (
            "hostname,site,status,accelerator_type,accelerator_count,power_w,power_measured,purchase_date,purchase_cost"
        )
        lines = [
            "a1,Frankfurt,active,H100 SXM,8,10200,true,2024-01-10,310000.50",
            "a2,Frankfurt,planned,,0,,false,,",
        ]
        documents = [dict(zip(header.split(","), line.split(","), strict=True)) for line in lines]
        ways: list[str] = []
        for name in ("stage", "stage_new"):
            original = getattr(StagedWriter, name)
            monkeypatch.setattr(
                StagedWriter, name, lambda self, *a, _o=original, _n=name: (ways.append(_n), _o(self, *a))[1]
            )
        run_import(frankfurt.organization, "\n".join([header, *lines]) + "\n", "servers.csv")
        run_import(other, json.dumps({"servers": documents}), "inventory.json")
        assert ways == ["stage_new", "stage"]
        skipped = ("id", "organization_id", "site_id")
        fields = [f.attname for f in Server._meta.concrete_fields if f.attname not in skipped]

        def stored(organization: Any) -> list[tuple[Any, ...]]:
            rows = Server.objects.filter(organization=organization).order_by("hostname")
            return [(row.site.name, *(getattr(row, name) for name in fields)) for row in rows]

        assert stored(frankfurt.organization) == stored(other)
        assert stored(other)[0][fields.index("purchase_cost") + 1] == Decimal("310000.50")

    def test_new_rows_get_the_models_defaults(self, organization, frankfurt):
        run_import(organization, "hostname,site\nn1,Frankfurt\n", "servers.csv")
        server = Server.objects.get(organization=organization, hostname="n1")
        made = Server(organization=organization, site=frankfurt, hostname="n1")
        for field in Server._meta.concrete_fields:
            if not field.primary_key:
                assert getattr(server, field.attname) == getattr(made, field.attname), field.name


class TestJobs:
    def test_a_large_file_goes_to_celery_tasks(self, organization, frankfurt, assessor, settings):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.INVENTORY_IMPORT_ASYNC_ROWS = 5
        content = "hostname,site\n" + "".join(f"n{i},Frankfurt\n" for i in range(20))
        job = services.import_job_create(
            organization=organization, user=assessor, upload=SimpleUploadedFile("servers.csv", content.encode())
        )
        assert job.total_rows == 20
        services.import_job_start(job=job)
        assert job.task_id
        assert (job.status, job.created_count, job.processed_rows) == (ImportStatus.READY, 20, 20)
        services.import_job_confirm(job=job)
        job.refresh_from_db()
        assert (job.status, job.created_count, job.processed_rows, job.progress_pct) == (ImportStatus.DONE, 20, 20, 100)
        assert Server.objects.filter(organization=organization).count() == 20
        assert not job.payload  # the upload is deleted once the import ends

    def test_confirming_twice_imports_once(self, organization, frankfurt, assessor):
        from django.core.files.uploadedfile import SimpleUploadedFile

        job = services.import_job_create(
            organization=organization, user=assessor, upload=SimpleUploadedFile("sites.csv", b"name,country\nX,DE\n")
        )
        services.import_job_start(job=job)
        services.import_job_confirm(job=job)
        again = ImportJob.objects.get(pk=job.pk)
        services.import_job_confirm(job=again)
        assert again.status == ImportStatus.DONE
        assert Site.objects.filter(organization=organization, name="X").count() == 1


# --- the command --------------------------------------------------------------------------------------------------


class TestCommand:
    def test_imports_a_good_file(self, organization, frankfurt, dublin, capsys):
        call_command("import_inventory", str(DATA / "servers.csv"), "--org", organization.slug)
        assert Server.objects.filter(organization=organization).count() == 4
        assert "Imported 4 rows into acme-ai (servers: 4 new, 0 updated)." in capsys.readouterr().out

    def test_dry_run_writes_nothing(self, organization, frankfurt, dublin, capsys):
        call_command("import_inventory", str(DATA / "servers.csv"), "--org", organization.slug, "--dry-run")
        assert not Server.objects.filter(organization=organization).exists()
        assert "Dry run: nothing was written." in capsys.readouterr().out

    def test_kind_option_and_yaml_mapping(self, organization, tmp_path):
        upload = tmp_path / "export.csv"
        upload.write_text("name,country\nLab,FR\n")
        call_command("import_inventory", str(upload), "--org", organization.slug, "--kind", "sites")
        call_command("import_inventory", str(DATA / "inventory.yaml"), "--org", organization.slug)
        assert Server.objects.get(organization=organization).site.name == "Munich"

    def test_a_bad_file_exits_non_zero_listing_every_problem(self, organization, frankfurt, tmp_path, capsys):
        bad = tmp_path / "servers.csv"
        bad.write_text("hostname,site,status\nn1,Nowhere,active\nn2,Frankfurt,sleeping\n")
        with pytest.raises(CommandError, match="2 problem"):
            call_command("import_inventory", str(bad), "--org", organization.slug)
        err = capsys.readouterr().err
        assert "row 2, column site: unknown site 'Nowhere'." in err
        assert "row 3, column status: 'sleeping' is not one of planned, active, retired." in err
        assert not Server.objects.exists()

    def test_an_unreadable_file_and_a_missing_organization(self, organization, other_organization, tmp_path, capsys):
        bad = tmp_path / "servers.csv"
        bad.write_bytes(b"hostname,site\nn\x81,x\n")  # 0x81 is neither UTF-8 nor Windows-1252
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_inventory", str(bad), "--org", organization.slug)
        assert "not UTF-8" in capsys.readouterr().err
        with pytest.raises(CommandError, match="--org"):
            call_command("import_inventory", str(bad))
        with pytest.raises(CommandError, match="No organization"):
            call_command("import_inventory", str(bad), "--org", "nope")
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_inventory", str(tmp_path / "missing.csv"), "--org", organization.slug)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(organization, assessor, settings, monkeypatch):
    """On PostgreSQL a second connection records progress, so that status requests see it during the write pass."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: progress is written between the passes only")
    settings.INVENTORY_IMPORT_CHUNK_SIZE = 100
    Site.objects.create(organization=organization, name="Frankfurt", country="DE")
    content = "hostname,site\n" + "".join(f"n{i},Frankfurt\n" for i in range(300))
    job = services.import_job_create(
        organization=organization, user=assessor, upload=SimpleUploadedFile("servers.csv", content.encode())
    )
    services.import_job_start(job=job)
    observer = connections.create_connection("default")
    seen: list[tuple[str, int]] = []
    from inventory.services.import_writer import StagedWriter

    original = StagedWriter._write  # what staging a chunk comes to, by rows or by columns

    def spy(writer: StagedWriter, given: Any, count: int, updates: Any) -> Any:
        # Each chunk of checked rows goes into the staging table (COPY); the observer looks from outside.
        with observer.cursor() as cursor:
            cursor.execute("SELECT status, processed_rows FROM inventory_importjob WHERE id = %s", [job.pk])
            seen.append(cursor.fetchone())
            cursor.execute("SELECT count(*) FROM inventory_server")
            seen.append(("servers visible", cursor.fetchone()[0]))
        return original(writer, given, count, updates)

    monkeypatch.setattr(StagedWriter, "_write", spy)
    try:
        services.import_job_confirm(job=job)
    finally:
        observer.close()
    assert seen == [
        ("running", 0),
        ("servers visible", 0),
        ("running", 100),
        ("servers visible", 0),  # nothing is committed before the end
        ("running", 200),
        ("servers visible", 0),
    ]
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportStatus.DONE, 300, 300)


class TestAnyInput:
    """No input makes the import fail otherwise than with a list of problems (no 500s, no stack traces)."""

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        content=st.one_of(
            st.binary(max_size=400),
            st.text(max_size=400).map(str.encode),
            st.lists(st.lists(st.text(alphabet=",;\"'\n\r= \tab1.-", max_size=8), max_size=6), max_size=6).map(
                lambda rows: b"hostname,site,cpu_cores,status\n" + "\n".join(",".join(r) for r in rows).encode()
            ),
        ),
        filename=st.sampled_from(["servers.csv", "sites.csv", "servers.json", "inventory.yaml", "workloads.yml"]),
    )
    def test_random_files(self, organization, content, filename):
        try:
            result = run_import(organization, content, filename)
        except DomainError as exc:
            found = exc.errors
        else:
            found = result.errors
            assert result.ok or found
        assert all(isinstance(p.message, str) and p.message for p in found)

    def test_a_yaml_alias_bomb_is_not_expanded(self, organization):
        """Aliases nest nine lists of nine, eleven deep (9**12 leaves if walked): the value is named, not walked."""
        value = "&x0 [a, a, a, a, a, a, a, a, a]"
        for n in range(1, 12):
            value = f"&x{n} [{value}, " + ", ".join([f"*x{n - 1}"] * 8) + "]"
        document = f"servers:\n  - hostname: n1\n    site: {value}\n    os: *x11\n"
        assert len(document) < 2000
        assert problems(organization, document, "inventory.yaml") == [
            {"row": 1, "column": "site", "message": "a list is not text."},
            {"row": 1, "column": "os", "message": "a list is not text."},
        ]
