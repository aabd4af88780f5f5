"""Report pages: the list with its request form, a report's progress and download, the data export page and its
downloads; roles (viewers read and download, assessors request) and scoping (another organization's is a 404)."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Answer
from inventory.tests.factories import SiteFactory
from reports.models import Report, ReportStatus

from .report_fixtures import pdf_text, scored_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_browser")]

LIST_QUERIES = 9
"""The reports page: session, user, the memberships (the page's and the navigation's), the page's count and its
reports, and the request form's scored assessments."""


@pytest.fixture
def client_for(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


def list_url() -> str:
    return reverse("reports:report_list")


class TestRequestAReport:
    def test_an_assessor_requests_a_report_and_downloads_it(self, client_for, assessor, scored):
        client = client_for(assessor)
        page = client.get(list_url())
        assert page.status_code == 200
        assert b"Generate a PDF report" in page.content
        response = client.post(list_url(), {"assessment": scored.pk, "page_size": "Letter"})
        report = Report.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:report_detail", args=[report.pk])
        assert (report.status, report.page_size, report.requested_by) == (ReportStatus.READY, "Letter", assessor)
        assert report.pages >= 10
        assert report.render_seconds > 0
        assert not report.charts_exported
        detail = client.get(response["Location"])
        assert reverse("reports:report_download", args=[report.pk]).encode() in detail.content
        download = client.get(reverse("reports:report_download", args=[report.pk]))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert "attachment" in download["Content-Disposition"]
        assert report.filename in download["Content-Disposition"]
        body = b"".join(download.streaming_content)
        assert body.startswith(b"%PDF")
        assert "Acme AI" in pdf_text(body)

    def test_generating_again_makes_a_new_report(self, client_for, assessor, scored, quick):
        client = client_for(assessor)
        client.post(list_url(), {"assessment": scored.pk, "page_size": "A4"})
        client.post(list_url(), {"assessment": scored.pk, "page_size": "A4"})
        reports = list(Report.objects.order_by("pk"))
        assert len(reports) == 2
        assert reports[0].file.name != reports[1].file.name
        assert all(report.status == ReportStatus.READY for report in reports)

    def test_a_viewer_reads_and_downloads_but_cannot_request(self, client_for, viewer, assessor, scored, quick):
        client_for(assessor).post(list_url(), {"assessment": scored.pk, "page_size": "A4"})
        report = Report.objects.get()
        client = client_for(viewer)
        page = client.get(list_url())
        assert page.status_code == 200
        assert b"Generate a PDF report" not in page.content
        assert scored.title.encode() in page.content
        assert b"arjun" in page.content
        assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 200
        assert client.post(list_url(), {"assessment": scored.pk, "page_size": "A4"}).status_code == 403
        assert Report.objects.count() == 1

    @pytest.mark.parametrize(
        "data",
        [
            {"assessment": "", "page_size": "A4"},
            {"assessment": "abc", "page_size": "A4"},
            {"assessment": "999999", "page_size": "A4"},
            {"page_size": "A3"},
            {},
        ],
    )
    def test_bad_input_is_a_form_error(self, client_for, assessor, scored, data):
        data = {"assessment": scored.pk, **data}
        response = client_for(assessor).post(list_url(), data)
        assert response.status_code == 400
        assert b"invalid-feedback" in response.content
        assert not Report.objects.exists()

    def test_an_unscored_or_foreign_assessment_cannot_be_reported(
        self, client_for, assessor, scored, other_organization, outsider
    ):
        foreign = scored_assessment(other_organization, outsider, title="Theirs")
        type(scored).objects.filter(pk=scored.pk).update(status="draft")
        client = client_for(assessor)
        for assessment in (scored, foreign):
            assert client.post(list_url(), {"assessment": assessment.pk, "page_size": "A4"}).status_code == 400
        assert not Report.objects.exists()


class TestScoping:
    def test_another_organization_gets_404(self, client_for, assessor, outsider, scored, quick):
        client_for(assessor).post(list_url(), {"assessment": scored.pk, "page_size": "A4"})
        report = Report.objects.get()
        client = client_for(outsider)
        assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 404
        assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 404
        assert scored.title.encode() not in client.get(list_url()).content
        for dataset in ("scores", "answers", "roadmap"):
            url = reverse("reports:export_assessment", args=[scored.pk, dataset, "csv"])
            assert client.get(url).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, scored):
        response = client.get(list_url())
        assert response.status_code == 302
        assert "login" in response["Location"]


class TestProgress:
    def test_a_pending_report_polls_its_status_and_refreshes_without_javascript(self, client_for, viewer, scored):
        report = Report.objects.create(organization=scored.organization, assessment=scored, page_size="A4")
        page = client_for(viewer).get(reverse("reports:report_detail", args=[report.pk]))
        status_url = reverse("api:reports:report-status", args=[report.pk])
        assert f'data-job-status="{status_url}"'.encode() in page.content
        assert b'<noscript><meta http-equiv="refresh"' in page.content
        assert b"js/jobs.js" in page.content
        assert client_for(viewer).get(reverse("reports:report_download", args=[report.pk])).status_code == 404

    def test_a_failed_report_says_why(self, client_for, viewer, scored):
        report = Report.objects.create(
            organization=scored.organization, assessment=scored, status=ReportStatus.FAILED, error="It broke."
        )
        page = client_for(viewer).get(reverse("reports:report_detail", args=[report.pk]))
        assert b"It broke." in page.content
        assert b"refresh" not in page.content


def test_the_list_runs_a_constant_number_of_queries(client_for, assessor, scored, quick, django_assert_num_queries):
    client = client_for(assessor)
    client.post(list_url(), {"assessment": scored.pk, "page_size": "A4"})
    client.get(list_url())  # warm the session and the membership
    with django_assert_num_queries(LIST_QUERIES):
        client.get(list_url())
    report = Report.objects.get()
    Report.objects.bulk_create(
        [
            Report(
                organization=report.organization,
                assessment=scored,
                requested_by=assessor,
                status="ready",
                file=report.file.name,
                pages=20,
            )
            for _ in range(30)
        ]
    )
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(list_url())
    assert response.content.count(b"reports/pdf/") >= 31


# --- data exports ---------------------------------------------------------------------------------------------


class TestDataExports:
    def test_the_page_links_every_dataset_and_format(self, client_for, viewer, scored):
        page = client_for(viewer).get(reverse("reports:report_exports"))
        assert page.status_code == 200
        for dataset in ("scores", "answers", "roadmap"):
            for fmt in ("csv", "json", "xlsx"):
                assert reverse("reports:export_assessment", args=[scored.pk, dataset, fmt]).encode() in page.content
        assert reverse("reports:export_inventory").encode() in page.content
        assert reverse("inventory:export_download").encode() in page.content

    @pytest.mark.parametrize("dataset", ["scores", "answers", "roadmap"])
    def test_every_dataset_in_every_format(self, client_for, viewer, scored, dataset):
        client = client_for(viewer)
        csv = client.get(reverse("reports:export_assessment", args=[scored.pk, dataset, "csv"]))
        assert csv.status_code == 200
        assert csv["Content-Type"].startswith("text/csv")
        lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
        data = json.loads(
            b"".join(
                client.get(reverse("reports:export_assessment", args=[scored.pk, dataset, "json"])).streaming_content
            )
        )
        xlsx = client.get(reverse("reports:export_assessment", args=[scored.pk, dataset, "xlsx"]))
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert len(lines) - 1 == len(data) == len(rows) - 1 > 5
        assert lines[0].split(",") == list(rows[0]) == list(data[0])
        assert f"{dataset}.xlsx" in xlsx["Content-Disposition"]

    def test_formulas_are_neutralized_in_csv_and_xlsx(self, client_for, viewer, scored):
        answer = scored.answers.order_by("question_id").first()
        Answer.objects.filter(pk=answer.pk).update(note='=HYPERLINK("http://evil.example","x")')
        client = client_for(viewer)
        csv = b"".join(
            client.get(reverse("reports:export_assessment", args=[scored.pk, "answers", "csv"])).streaming_content
        ).decode("utf-8-sig")
        assert """'=HYPERLINK(""http://evil.example"",""x"")""" in csv
        xlsx = client.get(reverse("reports:export_assessment", args=[scored.pk, "answers", "xlsx"]))
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        notes = [row[rows[0].index("note")] for row in rows[1:]]
        assert '\'=HYPERLINK("http://evil.example","x")' in notes
        data = json.loads(
            b"".join(
                client.get(reverse("reports:export_assessment", args=[scored.pk, "answers", "json"])).streaming_content
            )
        )
        assert '=HYPERLINK("http://evil.example","x")' in [row["note"] for row in data]  # JSON is data, kept as is

    @pytest.mark.parametrize(("dataset", "fmt"), [("secrets", "csv"), ("scores", "exe"), ("scores", "pdf")])
    def test_unknown_datasets_and_formats_are_404(self, client_for, viewer, scored, dataset, fmt):
        url = reverse("reports:export_assessment", args=[scored.pk, dataset, fmt])
        assert client_for(viewer).get(url).status_code == 404

    def test_the_inventory_as_a_workbook(self, client_for, viewer, organization, other_organization):
        SiteFactory(organization=organization, name="=cmd|' /C calc'!A0")
        SiteFactory(organization=other_organization, name="Their site")
        client = client_for(viewer)
        response = client.get(reverse("reports:export_inventory"))
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["sites", "servers", "storage", "networks", "cloud", "workloads"]
        names = [row[0] for row in workbook["sites"].iter_rows(min_row=2, values_only=True)]
        assert names == ["'=cmd|' /C calc'!A0"]
        assert workbook["sites"]["A2"].data_type == "s"
        one = load_workbook(io.BytesIO(client.get(reverse("reports:export_inventory") + "?kind=servers").content))
        assert one.sheetnames == ["servers"]

    def test_an_unknown_inventory_kind_goes_back_with_a_message(self, client_for, viewer):
        response = client_for(viewer).get(reverse("reports:export_inventory") + "?kind=passwords", follow=True)
        assert response.redirect_chain[-1][0] == reverse("reports:report_exports")
        assert b"Unknown kind" in response.content
