"""CSV files that are not UTF-8: what Excel's "CSV (Comma delimited)" saves on Windows is Windows-1252 ("ANSI")
text. A byte-order mark decides; else a file that is UTF-8 throughout is UTF-8; else delimited text (CSV, TSV)
whose every byte is a Windows-1252 character is read as Windows-1252, and the import says so (on the page, in the
API and on the command line); anything else is refused naming the byte and its line. JSON and YAML stay UTF-8."""

from __future__ import annotations

import codecs
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from config.testing import api_errors
from inventory import services
from inventory.importing import check_text, formats, text_lines
from inventory.models import ImportJob, ImportStatus, Server, Site

from .test_import import problems, run_import

DATA = Path(__file__).parent / "data" / "import"
URL = "/api/v1/inventory/import/"
NOTICE = "Read as Windows-1252 text: the file is not UTF-8."
SAVE_AS_UTF8 = "Save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."
# What a Windows user's Excel saves: `ü` is 0xfc, the en dash Excel's autocorrect puts in 0x96 and `’` 0x92 (the
# last two are where Windows-1252 differs from Latin-1), `×` 0xd7.
SERVERS = "hostname,site,model,os\nzrh-gpu-01,Zürich,PowerEdge XE9680 – 8×H100,Ubuntu 22.04 ‘Jammy’\n"
SERVERS_ANSI = SERVERS.encode("cp1252")

pytestmark = pytest.mark.django_db


@pytest.fixture
def zurich(organization):
    return Site.objects.create(organization=organization, name="Zürich", country="CH")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def assert_the_server_reads_as_written(organization):
    server = Server.objects.get(organization=organization, hostname="zrh-gpu-01")
    written = (server.site.name, server.model, server.os)
    assert written == ("Zürich", "PowerEdge XE9680 – 8×H100", "Ubuntu 22.04 ‘Jammy’")


class TestReading:
    def test_a_windows_1252_csv_is_read_and_the_result_says_so(self, organization, zurich):
        with pytest.raises(UnicodeDecodeError):
            SERVERS_ANSI.decode("utf-8")
        result = run_import(organization, SERVERS_ANSI, "servers.csv")
        assert (result.ok, result.created, result.notices) == (True, 1, [NOTICE]), result.errors_json()
        assert_the_server_reads_as_written(organization)

    def test_utf8_and_utf16_say_nothing(self, organization, zurich):
        assert run_import(organization, SERVERS.encode(), "servers.csv").notices == []
        assert run_import(organization, SERVERS.encode("utf-16"), "servers.csv").notices == []
        assert_the_server_reads_as_written(organization)

    def test_german_excels_ansi_csv_reads_as_its_utf8_twin(self, organization):
        content = (DATA / "spreadsheets" / "sites-excel-de-ansi.csv").read_bytes()
        assert not content.startswith(codecs.BOM_UTF8)
        assert b"Z\xfcrich" in content
        result = run_import(organization, content, "sites-excel-de-ansi.csv")
        assert (result.ok, result.created, result.notices) == (True, 3, [NOTICE]), result.errors_json()
        sites = {site.name: site for site in Site.objects.filter(organization=organization)}
        assert set(sites) == {"München", "Zürich", "Frankfurt"}
        assert (sites["Zürich"].electricity_price_per_kwh, sites["Zürich"].power_capacity_kw) == (
            Decimal("0.185"),
            pytest.approx(2500),
        )
        assert sites["Frankfurt"].grid_intensity_override is None  # a no-break space (0xa0) alone is an empty cell

    @pytest.mark.parametrize("filename", ["servers.tsv", "servers.txt"])
    def test_tab_separated_text_too(self, organization, zurich, filename):
        result = run_import(organization, SERVERS.replace(",", "\t").encode("cp1252"), filename)
        assert (result.ok, result.notices) == (True, [NOTICE]), result.errors_json()
        assert_the_server_reads_as_written(organization)

    def test_a_file_that_ends_on_a_windows_1252_letter(self, organization):
        # With no line break after it, the last byte alone would be a UTF-8 character cut short.
        result = run_import(organization, "country,name\nFR,Paris Cité".encode("cp1252"), "sites.csv")
        assert (result.ok, result.created, result.notices) == (True, 1, [NOTICE]), result.errors_json()
        assert Site.objects.get(organization=organization).name == "Paris Cité"

    def test_the_whole_file_decides_across_chunks(self, organization, zurich, monkeypatch):
        """Read in small chunks, a file UTF-8 for many chunks and Windows-1252 only near its end is Windows-1252
        throughout, and a UTF-8 character cut by a chunk's end is read whole in a UTF-8 file."""
        monkeypatch.setattr(formats, "_READ_CHUNK", 7)
        rows = "".join(f"n{i},Zürich\n" for i in range(40))
        utf8 = ("hostname,site\n" + rows).encode()
        result = run_import(organization, utf8, "servers.csv")
        assert (result.ok, result.created, result.notices) == (True, 40, []), result.errors_json()
        ansi = ("hostname,site,os\n" + rows.replace("\n", ",\n") + "n40,Zürich,Débian\n").encode("cp1252")
        facts = check_text(io.BytesIO(ansi), delimited=True)
        assert (facts.encoding, facts.lines) == ("cp1252", 42)
        assert "".join(text_lines(io.BytesIO(ansi), facts.encoding)) == ansi.decode("cp1252")
        result = run_import(organization, ansi, "servers.csv")
        assert (result.ok, result.updated, result.created, result.notices) == (True, 40, 1, [NOTICE])
        assert Server.objects.get(hostname="n40").os == "Débian"


class TestRefused:
    @pytest.mark.parametrize("byte", [0x81, 0x8D, 0x8F, 0x90, 0x9D])
    def test_a_byte_windows_1252_leaves_undefined_names_the_byte_and_its_line(self, organization, zurich, byte):
        content = b"hostname,site\nn1,Z\xfcrich\nn2" + bytes([byte]) + b",Z\xfcrich\n"
        assert problems(organization, content, "servers.csv") == [
            {
                "row": None,
                "column": None,
                "message": f"The file is not UTF-8 text (byte 0xfc on line 2), nor Windows-1252 (byte 0x{byte:02x} "
                f"on line 3). {SAVE_AS_UTF8}",
            }
        ]

    def test_when_that_byte_comes_first(self, organization, zurich, monkeypatch):
        content = b"hostname,site\nn1,Zurich\nn\x81,Z\xfcrich\n"
        message = f"The file is not UTF-8 or Windows-1252 text (byte 0x81 on line 3). {SAVE_AS_UTF8}"
        assert [p["message"] for p in problems(organization, content, "servers.csv")] == [message]
        monkeypatch.setattr(formats, "_READ_CHUNK", 5)  # the same, read in chunks
        assert [p["message"] for p in problems(organization, content, "servers.csv")] == [message]

    def test_a_byte_order_mark_decides(self, organization, zurich):
        content = codecs.BOM_UTF8 + SERVERS_ANSI
        message = f"The file is not UTF-8 text (byte 0xfc on line 2). {SAVE_AS_UTF8}"
        assert problems(organization, content, "servers.csv") == [{"row": None, "column": None, "message": message}]

    @pytest.mark.parametrize(
        ("filename", "content"),
        [
            ("servers.json", json.dumps([{"hostname": "zrh-gpu-01", "site": "Zürich"}], ensure_ascii=False)),
            ("servers.yaml", "- hostname: zrh-gpu-01\n  site: Zürich\n"),
        ],
    )
    def test_json_and_yaml_stay_utf8(self, organization, zurich, filename, content):
        found = problems(organization, content.encode("cp1252"), filename)
        line = 1 if filename.endswith(".json") else 2
        message = f"The file is not UTF-8 text (byte 0xfc on line {line}). {SAVE_AS_UTF8}"
        assert found == [{"row": None, "column": None, "message": message}]

    def test_nul_bytes_are_still_not_text(self, organization, zurich):
        assert problems(organization, SERVERS_ANSI + b"n2\x00,x\n", "servers.csv")[0]["message"].startswith(
            "The file is not text (it contains NUL bytes"
        )


class TestAPublishedWindows1252Csv:
    """A region table as a laboratory instrument's Windows software exports it (`data/import/encodings/`, its
    source beside it): read as Windows-1252 (the `µ` of its header is 0xb5), so its problems are its columns."""

    FILE = DATA / "encodings" / "tapestation-region-table.windows-1252.csv"

    def test_it_is_read_as_windows_1252(self):
        content = self.FILE.read_bytes()
        facts = check_text(io.BytesIO(content), delimited=True)
        assert (facts.encoding, facts.lines) == ("cp1252", 6)
        header = next(text_lines(io.BytesIO(content), facts.encoding))
        assert "Conc. [ng/µl]" in header

    def test_importing_it_names_its_columns_not_its_encoding(self, organization):
        found = problems(organization, self.FILE.read_bytes(), "region-table.csv", kind="sites")
        assert "conc._ng/µl" in {p["column"] for p in found}  # the header's `µ`, read as written
        assert all(p["message"].startswith(("unknown column", "required column")) for p in found)


class TestEveryChannelSaysSo:
    def test_the_upload_page_shows_it_before_and_after_confirming(self, client, organization, assessor, zurich):
        client.force_login(assessor)
        response = client.post(reverse("inventory:import"), {"file": upload("servers.csv", SERVERS_ANSI)})
        job = ImportJob.objects.get(organization=organization)
        assert (response.status_code, job.status, job.encoding) == (302, ImportStatus.READY, "cp1252")
        page = client.get(response["Location"])
        html = page.content.decode()
        assert page.context["notices"] == [NOTICE]
        assert 'id="import-notices"' in html
        assert NOTICE in html
        assert page.context["preview_tables"][0]["rows"][0]["cells"][2] == "PowerEdge XE9680 – 8×H100"
        done = client.post(reverse("inventory:import_confirm", args=[job.pk]), follow=True)
        assert "Imported: 1 new, 0 updated." in done.content.decode()
        assert NOTICE in done.content.decode()
        assert_the_server_reads_as_written(organization)

    def test_a_utf8_upload_shows_no_notice(self, client, organization, assessor, zurich):
        client.force_login(assessor)
        response = client.post(reverse("inventory:import"), {"file": upload("servers.csv", SERVERS.encode())})
        html = client.get(response["Location"]).content.decode()
        assert 'id="import-notices"' not in html
        assert NOTICE not in html

    def test_the_api_answers_it_with_the_job(self, api_client_for, organization, assessor, zurich):
        client = api_client_for(assessor, organization)
        response = client.post(URL, {"file": upload("servers.csv", SERVERS_ANSI)}, format="multipart")
        assert response.status_code == 202, response.json()
        assert (response.json()["status"], response.json()["notices"]) == ("done", [NOTICE])
        assert client.get(f"{URL}{response.json()['id']}/").json()["notices"] == [NOTICE]
        assert_the_server_reads_as_written(organization)
        utf8 = client.post(URL, {"file": upload("servers.csv", SERVERS.encode())}, format="multipart")
        assert utf8.json()["notices"] == []

    def test_a_large_file_is_read_the_same_way_by_the_worker(
        self, api_client_for, organization, assessor, zurich, settings
    ):
        settings.INVENTORY_IMPORT_ASYNC_ROWS = 10
        content = ("hostname,site,os\n" + "".join(f"n{i},Zürich,Débian\n" for i in range(30))).encode("cp1252")
        client = api_client_for(assessor, organization)
        response = client.post(URL, {"file": upload("servers.csv", content), "dry_run": "true"}, format="multipart")
        job = ImportJob.objects.get(pk=response.json()["id"])
        assert job.task_id  # validated by the task (eager here), from the stored upload
        body = client.get(f"{URL}{job.pk}/").json()
        assert (body["status"], body["created_count"], body["notices"]) == ("ready", 30, [NOTICE])
        assert client.post(body["confirm_url"]).status_code == 202
        assert set(Server.objects.filter(organization=organization).values_list("os", flat=True)) == {"Débian"}

    def test_the_api_refuses_a_file_that_is_neither_naming_the_byte(self, api_client_for, organization, assessor):
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("servers.csv", b"hostname,site\nn\x81,x\n")}, format="multipart"
        )
        assert response.status_code == 400
        assert api_errors(response) == [
            {
                "code": "encoding",
                "message": f"The file is not UTF-8 or Windows-1252 text (byte 0x81 on line 2). {SAVE_AS_UTF8}",
            }
        ]
        assert not ImportJob.objects.exists()

    def test_the_api_refuses_json_in_windows_1252(self, api_client_for, organization, assessor):
        content = '[{"hostname": "n1", "site": "Zürich"}]'.encode("cp1252")
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("servers.json", content)}, format="multipart"
        )
        assert response.status_code == 400
        assert [e["message"] for e in api_errors(response)] == [
            f"The file is not UTF-8 text (byte 0xfc on line 1). {SAVE_AS_UTF8}"
        ]

    def test_the_command_prints_it(self, organization, zurich, tmp_path, capsys):
        path = tmp_path / "servers.csv"
        path.write_bytes(SERVERS_ANSI)
        call_command("import_inventory", str(path), "--org", organization.slug, "--dry-run")
        out = capsys.readouterr().out
        assert NOTICE in out
        assert "is valid (1 rows" in out
        call_command("import_inventory", str(path), "--org", organization.slug)
        assert NOTICE in capsys.readouterr().out
        assert_the_server_reads_as_written(organization)

    def test_the_command_refuses_a_file_that_is_neither(self, organization, tmp_path, capsys):
        path = tmp_path / "servers.csv"
        path.write_bytes(b"hostname,site\nn1,Z\xfcrich\nn2,Z\x9drich\n")
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_inventory", str(path), "--org", organization.slug)
        captured = capsys.readouterr()
        assert "The file is not UTF-8 text (byte 0xfc on line 2), nor Windows-1252 (byte 0x9d on line 3)." in (
            captured.err
        )
        assert NOTICE not in captured.out

    def test_a_job_from_before_the_encoding_was_recorded_reads_as_before(self, organization, assessor, zurich):
        job = services.import_job_create(
            organization=organization, user=assessor, upload=upload("servers.csv", SERVERS.encode("utf-16"))
        )
        assert job.encoding == "utf-16"
        ImportJob.objects.filter(pk=job.pk).update(encoding="")
        job.refresh_from_db()
        services.import_job_start(job=job, confirm=True)
        job.refresh_from_db()
        assert (job.status, services.import_job_notices(job)) == (ImportStatus.DONE, [])
        assert_the_server_reads_as_written(organization)
