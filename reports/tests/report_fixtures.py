"""Helpers of the exported-report tests: scored assessments, a chart exporter without a browser, PDF text."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
from django.core.management import call_command

from accounts.models import Organization
from assessments import services
from assessments.models import Assessment
from assessments.tests.factories import answer_all, start_assessment, weak_value

FAKE_CHART_TEXT = "fake-chart-drawing"


def scored_assessment(organization: Organization, user: Any, *, title: str = "Readiness 2026") -> Assessment:
    """An assessment of the shipped framework, every question answered low (a roadmap with items), scored."""
    assessment = start_assessment(organization=organization, user=user, title=title)
    answer_all(assessment, user, weak_value)
    services.assessment_submit(assessment=assessment, user=user)
    assessment.refresh_from_db()
    assert assessment.status == "scored", assessment.scoring_error
    return assessment


def seed_demo(monkeypatch: Any) -> Assessment:
    """The demo organization (`seed_demo`) and its scored autumn assessment."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    return Assessment.objects.select_related("organization", "framework").get(
        organization__slug="demo-corp", title="Autumn readiness review"
    )


class FakeExporter:
    """Stands in for `chart_export.export_many`: an SVG with a rectangle and a text per figure (or ``None`` for
    every figure when ``fail``), and records the calls."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def __call__(self, figures: list[Any], **kwargs: Any) -> list[bytes | None]:
        self.calls.append({"count": len(figures), **kwargs})
        if self.fail:
            return [None] * len(figures)
        sizes = kwargs.get("sizes") or [(kwargs.get("width", 900), kwargs.get("height", 500))] * len(figures)
        return [
            (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
                f'<rect x="10" y="10" width="{width - 20}" height="{height - 20}" fill="#0072B2"/>'
                f'<text x="40" y="60" font-family="DejaVu Sans" font-size="24" fill="#fff">{FAKE_CHART_TEXT}</text>'
                "</svg>"
            ).encode()
            for width, height in sizes
        ]

    @property
    def figures(self) -> int:
        return sum(call["count"] for call in self.calls)


def pdf_reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace collapsed (lines wrap anywhere)."""
    text = " ".join(page.extract_text() or "" for page in pdf_reader(data).pages)
    return re.sub(r"\s+", " ", text)
