"""The reports API: request a report (202 with a status URL), poll it, download it; data exports; roles and scoping
(another organization's report is a 404); bad input is a 400, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from config.testing import api_errors, error_fields, error_text
from reports.models import Report, ReportStatus

from .report_fixtures import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_browser")]

LIST = "api:reports:report-list"
LIST_QUERIES = 5
"""A page of reports: the token, the membership (checked, then read), the count, the reports."""


def test_the_section_root_is_the_reports_list(api_client_for, organization, viewer):
    client = api_client_for(viewer, organization)
    root = client.get(reverse("api:root")).json()
    assert root["reports"].endswith("/api/v1/reports/")
    assert client.get(root["reports"]).json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_request_poll_and_download(api_client_for, organization, assessor, scored):
    client = api_client_for(assessor, organization)
    response = client.post(reverse(LIST), {"assessment": scored.pk, "page_size": "Letter"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["status_url"]
    assert (body["assessment"], body["page_size"], body["requested_by"]) == (scored.pk, "Letter", "arjun")
    status = client.get(body["status_url"]).json()
    assert (status["kind"], status["state"], status["progress"], status["error"]) == ("report", "succeeded", 100, None)
    assert status["message"] == f"Ready: {Report.objects.get().pages} pages."
    assert status["retry_url"] is None
    download = client.get(status["next_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert "Acme AI" in pdf_text(pdf)
    listed = client.get(reverse(LIST)).json()["results"]
    assert [(r["id"], r["status"], r["requested_by"]) for r in listed] == [(body["id"], "ready", "arjun")]
    assert listed[0]["download_url"] == status["next_url"]


def test_a_viewer_reads_and_downloads_but_cannot_request(api_client_for, organization, assessor, viewer, scored, quick):
    api_client_for(assessor, organization).post(reverse(LIST), {"assessment": scored.pk}, format="json")
    report = Report.objects.get()
    client = api_client_for(viewer, organization)
    assert client.get(reverse(LIST)).json()["count"] == 1
    assert client.get(reverse("api:reports:report-download", args=[report.pk])).status_code == 200
    assert client.post(reverse(LIST), {"assessment": scored.pk}, format="json").status_code == 403
    assert Report.objects.count() == 1


def test_another_organization_gets_404(
    api_client_for, organization, assessor, other_organization, outsider, scored, quick
):
    api_client_for(assessor, organization).post(reverse(LIST), {"assessment": scored.pk}, format="json")
    report = Report.objects.get()
    client = api_client_for(outsider, other_organization)
    for name in ("report-detail", "report-status", "report-download"):
        assert client.get(reverse(f"api:reports:{name}", args=[report.pk])).status_code == 404, name
    assert client.get(reverse(LIST)).json()["count"] == 0
    response = client.post(reverse(LIST), {"assessment": scored.pk}, format="json")
    assert response.status_code == 400
    assert error_fields(response) == {"assessment"}
    url = reverse("api:reports:export-assessment", args=[scored.pk, "scores"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [{}, {"assessment": "x"}, {"assessment": 999999}, {"page_size": "A3"}, {"assessment": None}, ["a", "list"]],
)
def test_bad_requests_are_400(api_client_for, organization, assessor, scored, payload):
    if isinstance(payload, dict) and "page_size" in payload:
        payload = {"assessment": scored.pk, **payload}
    response = api_client_for(assessor, organization).post(reverse(LIST), payload, format="json")
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_an_unknown_field_is_a_400_naming_it_and_queues_nothing(api_client_for, organization, assessor, scored):
    body = {"assessment": scored.pk, "bogus": 1}
    response = api_client_for(assessor, organization).post(reverse(LIST), body, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in api_errors(response)] == [("bogus", "unknown_field")]
    assert not Report.objects.exists()


def test_an_unscored_assessment_is_refused_with_the_reason(api_client_for, organization, assessor, scored):
    type(scored).objects.filter(pk=scored.pk).update(status="draft")
    response = api_client_for(assessor, organization).post(reverse(LIST), {"assessment": scored.pk}, format="json")
    assert response.status_code == 400
    assert "not scored yet" in error_text(response)


def test_a_report_not_ready_is_not_downloadable(api_client_for, organization, viewer, scored):
    report = Report.objects.create(organization=organization, assessment=scored)
    client = api_client_for(viewer, organization)
    status = client.get(reverse("api:reports:report-status", args=[report.pk])).json()
    assert status == {
        "kind": "report",
        "state": "queued",
        "progress": None,
        "message": "Queued: waiting for a worker…",
        "error": None,
        "next_url": None,
        "retry_url": None,
    }
    response = client.get(reverse("api:reports:report-download", args=[report.pk]))
    assert response.status_code == 404
    assert "Not ready" in error_text(response)


def test_reports_cannot_be_changed_or_deleted(api_client_for, organization, owner, scored, quick):
    api_client_for(owner, organization).post(reverse(LIST), {"assessment": scored.pk}, format="json")
    report = Report.objects.get()
    client = api_client_for(owner, organization)
    url = reverse("api:reports:report-detail", args=[report.pk])
    assert client.patch(url, {"status": "failed"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Report.objects.get().status == ReportStatus.READY


def test_the_list_runs_a_constant_number_of_queries(
    api_client_for, organization, assessor, scored, quick, django_assert_num_queries
):
    client = api_client_for(assessor, organization)
    client.post(reverse(LIST), {"assessment": scored.pk}, format="json")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse(LIST))
    report = Report.objects.get()
    Report.objects.bulk_create(
        [
            Report(
                organization=organization,
                assessment=scored,
                requested_by=assessor,
                status="ready",
                file=report.file.name,
            )
            for _ in range(25)
        ]
    )
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse(LIST)).json()["count"] == 26


def test_the_list_filters_by_status_and_assessment(
    api_client_for, organization, other_organization, assessor, outsider, scored, quick
):
    from .report_fixtures import scored_assessment

    theirs = scored_assessment(other_organization, outsider, title="Theirs")
    client = api_client_for(assessor, organization)
    client.post(reverse(LIST), {"assessment": scored.pk}, format="json")
    Report.objects.create(organization=organization, assessment=scored, status=ReportStatus.FAILED, error="x")
    statuses = lambda **query: [r["status"] for r in client.get(reverse(LIST), query).json()["results"]]  # noqa: E731
    assert sorted(statuses()) == ["failed", "ready"]
    assert statuses(status="failed") == ["failed"]
    assert sorted(statuses(assessment=scored.pk, page_size="A4")) == ["failed", "ready"]
    refused = client.get(reverse(LIST), {"assessment": theirs.pk})
    assert refused.status_code == 400
    assert error_fields(refused) == {"assessment"}  # another organization's assessment is not a choice


class TestExports:
    @pytest.mark.parametrize("dataset", ["scores", "answers", "roadmap"])
    def test_each_dataset_in_each_format(self, api_client_for, organization, viewer, scored, dataset):
        client = api_client_for(viewer, organization)
        url = reverse("api:reports:export-assessment", args=[scored.pk, dataset])
        csv = client.get(url)
        assert csv.status_code == 200
        assert csv["Content-Type"].startswith("text/csv")
        lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
        data = json.loads(b"".join(client.get(url + "?format=json").streaming_content))
        xlsx = client.get(url + "?format=xlsx")
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert len(lines) - 1 == len(data) == len(rows) - 1 > 5

    @pytest.mark.parametrize(("dataset", "query"), [("scores", "?format=exe"), ("secrets", ""), ("scores", "?format=")])
    def test_bad_input_is_400_or_the_default(self, api_client_for, organization, viewer, scored, dataset, query):
        response = api_client_for(viewer, organization).get(
            reverse("api:reports:export-assessment", args=[scored.pk, dataset]) + query
        )
        if query == "?format=":
            assert response.status_code == 200
            assert response["Content-Type"].startswith("text/csv")
        else:
            assert response.status_code == 400
            (error,) = api_errors(response)
            assert (error["code"], error["field"]) == ("unsupported_export", "format" if query else "dataset")

    def test_the_inventory_in_every_format(self, api_client_for, organization, viewer):
        from inventory.tests.factories import SiteFactory

        SiteFactory(organization=organization, name="@SUM(A1:A9)")
        client = api_client_for(viewer, organization)
        url = reverse("api:reports:export-inventory")
        workbook = load_workbook(io.BytesIO(client.get(url).content))
        assert workbook["sites"]["A2"].value == "'@SUM(A1:A9)"
        csv = b"".join(client.get(url + "?format=csv&kind=sites").streaming_content).decode("utf-8-sig")
        assert "'@SUM(A1:A9)" in csv
        data = json.loads(b"".join(client.get(url + "?format=json").streaming_content))
        assert data["sites"][0]["name"] == "@SUM(A1:A9)"
        bad = client.get(url + "?format=csv")  # CSV holds one kind
        assert bad.status_code == 400
        assert "one kind" in error_text(bad)
        assert client.get(url + "?kind=nope").status_code == 400


def test_the_exports_parameters_are_documented_with_their_values_and_defaults(api_client_for, organization, viewer):
    paths = api_client_for(viewer, organization).get("/api/schema/", {"format": "json"}).json()["paths"]
    by_name = {
        path: {p["name"]: p for p in paths[path]["get"]["parameters"]}
        for path in ("/api/v1/reports/exports/assessments/{id}/{dataset}/", "/api/v1/reports/exports/inventory/")
    }
    dataset = by_name["/api/v1/reports/exports/assessments/{id}/{dataset}/"]["dataset"]
    assert set(dataset["schema"]["enum"]) == {"scores", "answers", "roadmap"}
    inventory = by_name["/api/v1/reports/exports/inventory/"]
    assert inventory["format"]["description"].startswith("xlsx (default)")  # what the view does without one
    assert "servers" in inventory["kind"]["schema"]["enum"]
