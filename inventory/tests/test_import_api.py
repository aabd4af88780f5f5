"""The import API (`/api/v1/inventory/import/`) and the import pages of the app (upload, preview, confirm, done)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from config.errors import ErrorItem
from config.testing import api_errors
from inventory import services
from inventory.models import ImportJob, ImportStatus, Server, Site

DATA = Path(__file__).parent / "data" / "import"
URL = "/api/v1/inventory/import/"

UNKNOWN_KIND = "Unknown kind 'gpus': use one of sites, servers, storage, networks, cloud, workloads."
UTF32 = "The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."

pytestmark = pytest.mark.django_db


@pytest.fixture
def frankfurt(organization):
    return Site.objects.create(organization=organization, name="Frankfurt", country="DE")


@pytest.fixture
def dublin(organization):
    return Site.objects.create(organization=organization, name="Dublin", country="IE")


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def servers_csv(n: int, status: str = "active") -> str:
    return "hostname,site,status\n" + "".join(f"n{i},Frankfurt,{status}\n" for i in range(n))


class TestImportApi:
    def test_the_routes(self):
        assert reverse("api:inventory:import") == URL
        assert reverse("api:inventory:import-detail", args=["5f0c6b1e-2a6c-4f2a-9d37-0c2b8d7c1a10"]) == (
            f"{URL}5f0c6b1e-2a6c-4f2a-9d37-0c2b8d7c1a10/"
        )

    def test_post_answers_202_with_a_status_url(self, api_client_for, organization, assessor, frankfurt, dublin):
        client = api_client_for(assessor, organization)
        response = client.post(
            URL, {"file": upload("servers.csv", (DATA / "servers.csv").read_bytes())}, format="multipart"
        )
        assert response.status_code == 202, response.json()
        body = response.json()
        assert response["Location"] == body["status_url"]
        assert body["status_url"] == f"http://testserver{URL}{body['id']}/status/"
        assert (body["status"], body["kind"], body["file_format"], body["created_count"]) == (
            "done",
            "servers",
            "csv",
            4,
        )
        assert Server.objects.filter(organization=organization).count() == 4

        status = client.get(body["status_url"])
        assert status.status_code == 200
        assert status.json() == {
            "kind": "import",
            "state": "succeeded",
            "progress": 100,
            "message": "Imported 4 rows: 4 new, 0 updated.",
            "error": None,
            "next_url": f"http://testserver{URL}{body['id']}/",
            "retry_url": None,
        }
        job = client.get(status.json()["next_url"]).json()
        assert {k: job[k] for k in ("status", "total_rows", "processed_rows", "progress_pct", "created_count")} == {
            "status": "done",
            "total_rows": 4,
            "processed_rows": 4,
            "progress_pct": 100,
            "created_count": 4,
        }
        assert (job["updated_count"], job["error_count"], job["errors"], job["created_by"]) == (0, 0, [], "arjun")

    def test_a_large_file_runs_as_a_task_and_reports_progress(
        self, api_client_for, organization, assessor, frankfurt, settings
    ):
        settings.INVENTORY_IMPORT_ASYNC_ROWS = 10
        client = api_client_for(assessor, organization)
        response = client.post(URL, {"file": upload("servers.csv", servers_csv(50))}, format="multipart")
        assert response.status_code == 202
        job = ImportJob.objects.get(pk=response.json()["id"])
        assert job.task_id  # the Celery task's id (run eagerly here)
        status = client.get(response["Location"]).json()
        assert (status["state"], status["progress"]) == ("succeeded", 100)
        status = client.get(status["next_url"]).json()
        assert (status["status"], status["processed_rows"], status["total_rows"], status["created_count"]) == (
            "done",
            50,
            50,
            50,
        )

    def test_an_invalid_file_is_a_400_listing_every_problem_and_writes_nothing(
        self, api_client_for, organization, assessor, frankfurt
    ):
        content = "hostname,site,status\nn1,Nowhere,active\nn2,Frankfurt,broken\n"
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("servers.csv", content)}, format="multipart"
        )
        assert response.status_code == 400
        assert api_errors(response) == [  # the one error shape
            {"code": "unknown", "row": 2, "column": "site", "message": "unknown site 'Nowhere'."},
            {
                "code": "invalid_choice",
                "row": 3,
                "column": "status",
                "message": "'broken' is not one of planned, active, retired.",
            },
        ]
        assert response.json()["error_count"] == 2
        job = ImportJob.objects.get()
        assert (job.status, job.error_count) == (ImportStatus.INVALID, 2)
        assert not Server.objects.exists()

    def test_a_problem_in_a_document_of_several_lists_names_its_list(self, api_client_for, organization, assessor):
        # Rows are numbered in each list: "row 1" alone would be sites[0] and servers[0] alike.
        content = json.dumps(
            {
                "sites": [{"name": "J1", "country": "FR", "pue": "high"}],
                "servers": [{"hostname": "j-01", "site": "J1", "accelerator_count": "many"}, {"hostname": "j-02"}],
            }
        )
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("inventory.json", content)}, format="multipart"
        )
        assert response.status_code == 400
        where = [(e.get("section"), e.get("row"), e.get("column")) for e in api_errors(response)]
        assert ("sites", 1, "pue") in where
        assert ("servers", 1, "accelerator_count") in where
        assert all(section in ("sites", "servers") for section, _, _ in where)
        client = Client()
        client.force_login(assessor)
        job = ImportJob.objects.get()
        html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
        assert ">sites, 1</td>" in html
        assert ">servers, 1</td>" in html

    def test_more_problems_than_listed_are_counted(self, api_client_for, organization, assessor, frankfurt, settings):
        settings.INVENTORY_IMPORT_MAX_ERRORS = 3
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("servers.csv", servers_csv(10, status="x"))}, format="multipart"
        )
        assert response.status_code == 400
        assert (len(api_errors(response)), response.json()["error_count"]) == (3, 10)
        status = api_client_for(assessor, organization).get(f"{URL}{ImportJob.objects.get().pk}/").json()
        assert (len(status["errors"]), status["error_count"]) == (3, 10)  # the job's status says the same

    @pytest.mark.parametrize(
        ("name", "content", "data", "message"),
        [
            ("servers.csv", b"", {}, "The file is empty."),
            ("upload.csv", b"a,b\n1,2\n", {"kind": "gpus"}, UNKNOWN_KIND),
            ("servers.csv", "hostname,site\nné,x\n".encode("utf-32"), {}, UTF32),
            ("servers.json", b'{"servers": [', {}, "Malformed JSON: Expecting value (line 1, column 14)."),
            (
                "servers.bin",
                b"\x00\x01",
                {},
                "Unknown file type '.bin': upload a .csv, .json, .yaml or .xlsx file (or name the format).",
            ),
        ],
    )
    def test_unreadable_files_are_a_400(self, api_client_for, organization, assessor, name, content, data, message):
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload(name, content), **data}, format="multipart"
        )
        assert response.status_code == 400
        assert message in [e["message"] for e in api_errors(response)]
        assert not Server.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field", "code", "message"),
        [
            (
                {"kind": "gadgets"},
                "kind",
                "unknown_kind",
                "Unknown kind 'gadgets': use one of sites, servers, storage, networks, cloud, workloads.",
            ),
            (
                {"kind": "servers", "format": "pdf"},
                "format",
                "unknown_format",
                "Unknown format 'pdf': use csv, json, yaml or xlsx.",
            ),
        ],
    )
    def test_an_unknown_kind_or_format_is_a_problem_of_the_request_field_not_a_column(
        self, api_client_for, organization, assessor, data, field, code, message
    ):
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("upload.csv", b"hostname,site\nn1,x\n"), **data}, format="multipart"
        )
        assert response.status_code == 400
        assert response.json() == {"errors": [{"code": code, "message": message, "field": field}], "error_count": 1}
        assert not ImportJob.objects.exists()

    def test_a_files_cell_is_still_placed_by_row_and_column(self, api_client_for, organization, assessor, frankfurt):
        response = api_client_for(assessor, organization).post(
            URL, {"file": upload("servers.csv", "hostname,site,status\nn1,Frankfurt,sleeping\n")}, format="multipart"
        )
        assert response.status_code == 400
        (error,) = api_errors(response)
        assert (error["row"], error["column"], "field" in error) == (2, "status", False)

    def test_a_50_mb_upload_is_refused_with_a_size_error(self, api_client_for, organization, assessor):
        big = upload("servers.csv", b"hostname,site\n" + b"x" * (50 * 1024 * 1024))
        response = api_client_for(assessor, organization).post(URL, {"file": big}, format="multipart")
        assert response.status_code == 413
        assert response.json() == {
            "errors": [
                {
                    "code": "too_large",
                    "message": "The file is 50.0 MB; the limit is 25.0 MB. Split it into smaller files.",
                }
            ],
            "error_count": 1,
        }
        assert not ImportJob.objects.exists()

    def test_no_file_is_a_400_in_the_same_shape(self, api_client_for, organization, assessor):
        response = api_client_for(assessor, organization).post(URL, {"kind": "servers"}, format="multipart")
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"code": "required", "field": "file", "message": "No file was submitted."}],
            "error_count": 1,
        }

    def test_dry_run_then_confirm(self, api_client_for, organization, assessor, frankfurt):
        client = api_client_for(assessor, organization)
        response = client.post(
            URL, {"file": upload("servers.csv", servers_csv(3)), "dry_run": "true"}, format="multipart"
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["created_count"], body["updated_count"]) == ("ready", 3, 0)
        assert [row["values"]["hostname"] for row in body["preview"]] == ["n0", "n1", "n2"]
        assert not Server.objects.exists()
        confirmed = client.post(body["confirm_url"])
        assert confirmed.status_code == 202
        assert confirmed.json()["status"] == "done"
        assert Server.objects.filter(organization=organization).count() == 3
        again = client.post(body["confirm_url"])
        assert again.status_code == 409
        assert api_errors(again)[0]["message"].startswith("This import is imported;")
        assert api_errors(again)[0]["code"] == "conflict"

    def test_a_viewer_gets_403(self, api_client_for, organization, viewer, frankfurt):
        response = api_client_for(viewer, organization).post(
            URL, {"file": upload("servers.csv", servers_csv(1))}, format="multipart"
        )
        assert response.status_code == 403
        assert not ImportJob.objects.exists()

    def test_a_viewer_reads_the_status_and_the_list(self, api_client_for, organization, assessor, viewer, frankfurt):
        job_url = (
            api_client_for(assessor, organization)
            .post(URL, {"file": upload("servers.csv", servers_csv(1))}, format="multipart")
            .json()["status_url"]
        )
        client = api_client_for(viewer, organization)
        assert client.get(job_url).status_code == 200
        listed = client.get(URL).json()
        assert [job["filename"] for job in listed["results"]] == ["servers.csv"]

    def test_another_organizations_import_is_a_404(
        self, api_client_for, organization, other_organization, assessor, outsider, frankfurt
    ):
        job_url = (
            api_client_for(assessor, organization)
            .post(URL, {"file": upload("servers.csv", servers_csv(1)), "dry_run": "true"}, format="multipart")
            .json()["status_url"]
        )
        client = api_client_for(outsider, other_organization)
        assert client.get(job_url).status_code == 404
        assert client.post(job_url + "confirm/").status_code == 404
        assert client.get(URL).json()["results"] == []
        assert client.get(f"{URL}not-a-uuid/").status_code == 404

    def test_anonymous_is_401(self):
        assert APIClient().post(URL, {}, format="multipart").status_code == 401
        assert APIClient().get(URL).status_code == 401

    def test_the_schema_still_builds(self, client, organization, viewer):
        client.force_login(viewer)
        response = client.get(reverse("api-schema"))
        assert response.status_code == 200
        assert b"/api/v1/inventory/import/" in response.content
        assert b"/api/v1/inventory/discover/nvidia-smi/" in response.content


# --- the app -----------------------------------------------------------------------------------------------------


class TestImportPages:
    def test_upload_preview_confirm_done(self, client, organization, assessor, frankfurt):
        Server.objects.create(organization=organization, site=frankfurt, hostname="n1", cpu_cores=8)
        client.force_login(assessor)
        page = client.get(reverse("inventory:import"))
        assert page.status_code == 200
        assert b'enctype="multipart/form-data"' in page.content

        content = "hostname,site,cpu_cores\nn1,Frankfurt,64\nn2,Frankfurt,32\nn3,Frankfurt,\n"
        response = client.post(reverse("inventory:import"), {"file": upload("servers.csv", content)})
        job = ImportJob.objects.get(organization=organization)
        assert response.status_code == 302
        assert response["Location"] == reverse("inventory:import_job", args=[job.pk])

        preview = client.get(response["Location"])
        html = preview.content.decode()
        assert job.status == ImportStatus.READY
        assert '<strong id="count-new">2</strong>' in html
        assert '<strong id="count-updated">1</strong>' in html
        assert "Confirm the import" in html
        table = preview.context["preview_tables"][0]
        assert table["columns"] == ["hostname", "site", "cpu_cores"]
        assert [(r["row"], r["action"], r["cells"]) for r in table["rows"]] == [
            (2, "update", ["n1", "Frankfurt", "64"]),  # as people read them (`preview_cell`)
            (3, "create", ["n2", "Frankfurt", "32"]),
            (4, "create", ["n3", "Frankfurt", ""]),
        ]
        assert Server.objects.get(hostname="n1").cpu_cores == 8  # nothing written before confirming

        done = client.post(reverse("inventory:import_confirm", args=[job.pk]), follow=True)
        assert done.redirect_chain[-1][0] == reverse("inventory:import_job", args=[job.pk])
        assert "Imported: 2 new, 1 updated." in done.content.decode()
        assert Server.objects.get(hostname="n1").cpu_cores == 64
        assert Server.objects.filter(organization=organization).count() == 3
        status = client.get(reverse("inventory:import_status", args=[job.pk])).json()
        assert status == {
            "kind": "import",
            "state": "succeeded",
            "progress": 100,
            "message": "Imported 3 rows: 2 new, 1 updated.",
            "error": None,
            "next_url": reverse("inventory:import_job", args=[job.pk]),
            "retry_url": None,
        }

    def test_a_bad_file_shows_every_problem(self, client, organization, assessor, frankfurt):
        client.force_login(assessor)
        content = "hostname,site,status\nn1,Nowhere,active\nn2,Frankfurt,broken\n"
        response = client.post(reverse("inventory:import"), {"file": upload("servers.csv", content)}, follow=True)
        html = response.content.decode()
        assert "The file has 2 problems" in html
        assert "unknown site &#x27;Nowhere&#x27;." in html
        assert "Confirm the import" not in html
        assert response.context["errors"] == [
            ErrorItem("unknown site 'Nowhere'.", "unknown", row=2, column="site"),
            ErrorItem("'broken' is not one of planned, active, retired.", "invalid_choice", row=3, column="status"),
        ]
        assert not Server.objects.exists()

    def test_problems_of_a_file_with_excels_separator_line_are_numbered_as_its_lines(
        self, client, organization, assessor
    ):
        """Excel's "sep=;" line comes before the header: the header is line 2, and the page says lines are counted
        as the file has them, not that the header is line 1."""
        client.force_login(assessor)
        content = "sep=;\r\nName;Country;PUE\r\nA;DE;1,3\r\nB;FR;x\r\n"
        response = client.post(reverse("inventory:import"), {"file": upload("sites.csv", content)}, follow=True)
        html = response.content.decode()
        assert [(e.row, e.column) for e in response.context["errors"]] == [(4, "pue")]  # "B;FR;x" is line 4
        assert "the header is line 1" not in html
        assert "row is the line of a CSV file as a text editor counts them" in html

    def test_an_unreadable_file_is_a_form_error(self, client, organization, assessor):
        client.force_login(assessor)
        response = client.post(
            reverse("inventory:import"), {"file": upload("servers.csv", b"\xff\xfe\x00\x00h\x00\x00\x00")}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [
            "The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."
        ]
        assert not ImportJob.objects.exists()

    def test_the_kind_can_be_chosen(self, client, organization, assessor):
        client.force_login(assessor)
        response = client.post(
            reverse("inventory:import"), {"file": upload("export.csv", "name,country\nLab,FR\n"), "kind": "sites"}
        )
        job = ImportJob.objects.get()
        assert (job.kind, job.status) == ("sites", ImportStatus.READY)
        assert response.status_code == 302

    def test_a_large_file_shows_a_progress_bar_while_it_works(
        self, client, organization, assessor, frankfurt, settings
    ):
        settings.INVENTORY_IMPORT_ASYNC_ROWS = 5
        client.force_login(assessor)
        client.post(reverse("inventory:import"), {"file": upload("servers.csv", servers_csv(20))})
        job = ImportJob.objects.get()
        assert job.task_id
        # A worker would be running it: the page shows the progress bar that polls the status URL.
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed_rows=5, total_rows=20)
        html = client.get(reverse("inventory:import_job", args=[job.pk])).content.decode()
        assert 'id="import-progress"' in html
        assert f'data-job-status="{reverse("inventory:import_status", args=[job.pk])}"' in html
        assert 'aria-valuenow="25"' in html
        assert "js/jobs.js" in html
        status = client.get(reverse("inventory:import_status", args=[job.pk])).json()
        assert (status["state"], status["progress"], status["message"]) == (
            "running",
            25,
            "Importing: 5 of about 20 rows.",
        )

    def test_viewers_see_imports_but_cannot_upload_or_confirm(self, client, organization, assessor, viewer, frankfurt):
        job = services.import_job_create(
            organization=organization, user=assessor, upload=upload("servers.csv", servers_csv(2))
        )
        services.import_job_start(job=job)
        client.force_login(viewer)
        assert client.get(reverse("inventory:import")).status_code == 403
        assert (
            client.post(reverse("inventory:import"), {"file": upload("servers.csv", servers_csv(1))}).status_code == 403
        )
        page = client.get(reverse("inventory:import_job", args=[job.pk]))
        assert page.status_code == 200
        assert "Confirm the import" not in page.content.decode()
        assert client.post(reverse("inventory:import_confirm", args=[job.pk])).status_code == 403
        assert client.get(reverse("inventory:import_status", args=[job.pk])).status_code == 200
        assert not Server.objects.exists()

    def test_another_organizations_import_is_a_404(self, client, organization, assessor, outsider, frankfurt):
        job = services.import_job_create(
            organization=organization, user=assessor, upload=upload("servers.csv", servers_csv(2))
        )
        services.import_job_start(job=job)
        client.force_login(outsider)
        for name in ("inventory:import_job", "inventory:import_status"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse("inventory:import_confirm", args=[job.pk])).status_code == 404
        assert not Server.objects.exists()

    def test_anonymous_users_are_sent_to_log_in(self, client):
        response = client.get(reverse("inventory:import"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
