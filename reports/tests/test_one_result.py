"""Every reader of a stored result shows the same numbers: the result page, the dashboard, the PDF, the export and
the API all take their rows from the one typed result (`assessments.results`)."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from assessments import scoring
from assessments.selectors import result_for
from reports import report_data

from .report_fixtures import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


def shown(value: float | None) -> str:
    return "—" if value is None else str(scoring.round_score(value))


def test_the_page_the_dashboard_the_pdf_the_export_and_the_api_show_the_same_scores_and_risks(client, demo):
    result = result_for(assessment=demo)
    areas = {area.name: shown(area.score) for area in result.areas}
    risks = [(row.risk, row.question_id, shown(row.score)) for row in result.risks]
    assert len(areas) == 10
    assert risks
    assert result.contradicted
    client.force_login(demo.organization.memberships.get(role="owner").user)

    page = html.unescape(client.get(reverse("assessments:detail", args=[demo.pk])).content.decode())
    on_page = dict(
        re.findall(r'<th scope="row" class="fw-normal"><a href="[^"]+">([^<]+)</a></th>\s*<td[^>]*>([^<]+)<', page)
    )
    assert on_page == areas
    page_risks = re.findall(
        r'>(High|Medium) risk</span>\s*<a href="[^"]+" class="text-break">([^<]+)</a>\s*'
        r'<span class="small text-body-secondary">[^<]*· score ([^<]+)</span>',
        page,
    )
    assert [(risk.lower(), qid, score) for risk, qid, score in page_risks] == risks

    dashboard = client.get(reverse("reports:dashboard_assessment", args=[demo.pk]))
    radar = {row[0]: shown(row[1]) for row in dashboard.context["charts"]["radar"].table.rows}
    assert radar == areas
    board = html.unescape(dashboard.content.decode())
    board_risks = re.findall(
        r'<span class="badge [^"]+">(High|Medium)</span></td>.*?<a href="[^"]+">([^<]+)</a>.*?'
        r'data-label="Score">([^<]+)</td>',
        board,
        flags=re.S,
    )
    assert [(risk.lower(), qid, score) for risk, qid, score in board_risks] == risks

    content = report_data.report_content(assessment=demo)
    assert {area.name: area.score_text for area in content.areas} == {
        name: f"{float(score):.1f}" for name, score in areas.items()
    }
    pdf_risks = [(row.risk, row.question_id, row.score_text) for area in content.areas for row in area.risks]
    assert sorted(pdf_risks) == sorted((risk, qid, f"{float(score):.1f}") for risk, qid, score in risks)

    export = {
        row["name"]: shown(row["score"]) for row in report_data.score_rows(assessment=demo) if row["scope"] == "area"
    }
    assert export == areas

    api = client.get(reverse("api:assessments:assessment-results", args=[demo.pk])).json()
    names = {area.area_id: area.name for area in result.areas}
    assert {names[s["ref"]]: shown(s["score"]) for s in api["scores"] if s["scope"] == "area"} == areas
    assert sorted(
        (s["risk"], s["ref"], shown(s["score"])) for s in api["scores"] if s["risk"] in ("high", "medium")
    ) == sorted(risks)


def test_the_evidence_reads_the_same_on_the_page_and_in_the_pdf(client, demo):
    result = result_for(assessment=demo)
    area = result.contradicted[0]
    client.force_login(demo.organization.memberships.get(role="owner").user)
    page = html.unescape(client.get(reverse("assessments:detail", args=[demo.pk])).content.decode())
    pdf = report_data.report_content(assessment=demo)
    (section,) = [section for section in pdf.areas if section.area_id == area.area_id]
    assert section.evidence == area.evidence
    for fact in area.evidence:
        assert f'<strong title="{fact.fact}">{fact.label}: {fact.value_text}</strong>' in page
