"""Fixtures shared by the report tests."""

from __future__ import annotations

import pytest

from accounts.tests.http_stub import http_stub  # noqa: F401  (a loopback webhook receiver)
from reports import services
from reports.pdf import render_pdf

from .report_fixtures import scored_assessment


@pytest.fixture
def no_browser(settings):
    """Reports render with tables in place of charts (fast); the PDF tests draw them."""
    settings.CHART_EXPORT_BROWSER = ""


@pytest.fixture
def scored(organization, assessor):
    return scored_assessment(organization, assessor)


@pytest.fixture
def quick(monkeypatch):
    """Reports rendered as a one-page PDF: for the tests about the API, pages, roles and scoping, not the document."""

    def build(*, assessment, page_size="A4", **kwargs):
        data = render_pdf(f"<p>{assessment.title}</p>", page_size=page_size)
        return services.RenderedReport(pdf=data, pages=1, charts_drawn=False, seconds=0.01, html="")

    monkeypatch.setattr(services, "report_build", build)
