"""The PDF report: what it says (organization, index, every area's score, the top actions), its charts (drawn,
or tables when no browser can draw them), its paper, its page count, and user text kept as text."""

from __future__ import annotations

import re

import pytest

from assessments.models import AssessmentResult, RoadmapStatus, ScoreScope
from reports import report_data, services
from reports.report_data import ActionRow, AreaSection, executive_summary

from .report_fixtures import FAKE_CHART_TEXT, FakeExporter, pdf_reader, pdf_text, scored_assessment, seed_demo

pytestmark = pytest.mark.django_db

A4 = (595, 842)
LETTER = (612, 792)
NO_BROWSER_NOTICE = "Charts could not be drawn for this report; the tables show the same data."


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


def page_size_of(data: bytes) -> tuple[int, int]:
    box = pdf_reader(data).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def area_scores(assessment) -> dict[str, str]:
    """The stored area scores as the report prints them (one decimal)."""
    result = AssessmentResult.objects.get(assessment=assessment)
    return {s.ref: report_data.score_text(s.score) for s in result.scores.filter(scope=ScoreScope.AREA)}


class TestTheDemoReport:
    def test_holds_the_organization_the_index_every_area_score_and_the_top_actions(self, demo):
        exporter = FakeExporter()
        rendered = services.report_build(assessment=demo, exporter=exporter)
        text = pdf_text(rendered.pdf)
        content = report_data.report_content(assessment=demo)

        assert "Demo Corp" in text
        assert content.index_text == f"{demo.result.readiness_index:.1f}" == "76.9"
        assert f"{content.index_text} / 100" in text
        assert content.level in text
        scores = area_scores(demo)
        assert len(scores) == 10
        table = text[text.index("Area Score Level Target Gap") :]
        sections = text[text.index("The challenge areas Hardware Limitations") :]
        for area in content.areas:
            assert area.score_text == scores[area.area_id]
            assert f"{area.name} {area.score_text} {area.level} " in table, area.name
            assert re.search(rf"{re.escape(area.name)} .{{0,400}}SCORE {re.escape(area.score_text)} ", sections)
        assert len(content.summary.actions) == 5
        top = text[text.index("Top 5 actions") :]
        for action in content.summary.actions:
            assert action.title in top

    def test_draws_every_chart_in_the_document(self, demo):
        exporter = FakeExporter()
        rendered = services.report_build(assessment=demo, exporter=exporter)
        charts = report_data.report_charts(assessment=demo)
        drawable = [key for key, _ in services.PDF_CHARTS if key in charts and charts[key].figure is not None]
        assert len(drawable) >= 9  # the demo has scores, evidence, a fleet, workloads and a roadmap
        assert exporter.figures == len(drawable)
        assert rendered.charts_drawn
        assert pdf_text(rendered.pdf).count(FAKE_CHART_TEXT) == len(drawable)
        assert NO_BROWSER_NOTICE not in pdf_text(rendered.pdf)

    def test_a4_and_letter_paper_with_a_page_count_in_bounds(self, demo):
        a4 = services.report_build(assessment=demo, page_size="A4", exporter=FakeExporter())
        letter = services.report_build(assessment=demo, page_size="Letter", exporter=FakeExporter())
        assert page_size_of(a4.pdf) == A4
        assert page_size_of(letter.pdf) == LETTER
        for rendered in (a4, letter):
            assert 15 <= rendered.pages <= 45
            assert len(pdf_reader(rendered.pdf).pages) == rendered.pages
        text = pdf_text(a4.pdf)
        assert f"Page 1 of {a4.pages}" not in text  # the cover has no footer
        assert f"Page 2 of {a4.pages}" in text

    def test_contents_point_at_the_sections_and_capacity_findings_have_their_sources(self, demo):
        rendered = services.report_build(assessment=demo, exporter=FakeExporter())
        pages = [re.sub(r"\s+", " ", page.extract_text()) for page in pdf_reader(rendered.pdf).pages]
        contents = pages[1]
        for title in ("Executive summary", "Capacity, energy, cost and carbon", "Roadmap", "Method"):
            number = int(re.search(rf"{re.escape(title)}[^.]*\.+\s*(\d+)", contents).group(1))
            assert pages[number - 1].startswith(title), (title, number)
        text = " ".join(pages)
        section = text[text.index("Capacity, energy, cost and carbon The inventory as it stands") :]
        for expected in ("Frankfurt DC", "30,558.38 EUR", "Assumptions and sources", "DGX H100", "Customer assistant"):
            assert expected in section, expected


class TestWithoutABrowser:
    def test_the_report_renders_with_tables_and_says_so(self, demo):
        exporter = FakeExporter(fail=True)
        rendered = services.report_build(assessment=demo, exporter=exporter)
        text = pdf_text(rendered.pdf)
        assert not rendered.charts_drawn
        assert NO_BROWSER_NOTICE in text
        assert FAKE_CHART_TEXT not in text
        assert text.count("The chart could not be drawn; this table holds the same numbers.") == exporter.figures
        assert "Months from now" not in text  # axis titles only exist in drawn charts

    def test_with_chart_export_switched_off(self, demo, settings):
        settings.CHART_EXPORT_BROWSER = ""
        rendered = services.report_build(assessment=demo)
        assert not rendered.charts_drawn
        assert NO_BROWSER_NOTICE in pdf_text(rendered.pdf)


def test_a_real_browser_draws_the_charts_as_vectors(demo, chromium_path, settings):
    settings.CHART_EXPORT_BROWSER = chromium_path
    rendered = services.report_build(assessment=demo)
    assert rendered.charts_drawn
    text = pdf_text(rendered.pdf)
    # Axis and chart titles are drawn only inside the exported SVG figures, never in the HTML around them.
    for drawn in ("Months from now", "Area scores against target", "Self-assessment against inventory evidence"):
        assert drawn in text
    assert NO_BROWSER_NOTICE not in text


def test_user_text_stays_text(organization, assessor):
    organization.name = 'Acme <img src="http://127.0.0.1:9/x.png"> & <b>Co</b>'
    organization.save()
    assessment = scored_assessment(organization, assessor, title="<script>alert(1)</script> review")
    answer = assessment.answers.order_by("question_id").first()
    type(answer).objects.filter(pk=answer.pk).update(
        note='=HYPERLINK("http://evil.example") <a href="file:///etc/passwd">x</a>',
        evidence_url="javascript:alert(1)",
    )
    rendered = services.report_build(assessment=assessment, exporter=FakeExporter())
    assert "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;" in rendered.html
    assert '<img src="http' not in rendered.html
    assert "<script>" not in rendered.html
    assert 'href="javascript:' not in rendered.html
    assert 'href="file:' not in rendered.html
    text = pdf_text(rendered.pdf)
    assert 'Acme <img src="http://127.0.0.1:9/x.png"> & <b>Co</b>' in text
    assert "<script>alert(1)</script> review" in text
    assert "javascript:alert(1)" in text  # shown, not linked


def test_a_safe_evidence_link_is_a_link(organization, assessor):
    assessment = scored_assessment(organization, assessor)
    answer = assessment.answers.order_by("question_id").first()
    type(answer).objects.filter(pk=answer.pk).update(evidence_url="https://wiki.example.com/power?x=1&y=2")
    html = services.report_build(assessment=assessment, exporter=FakeExporter()).html
    assert '<a href="https://wiki.example.com/power?x=1&amp;y=2">' in html


def test_an_assessment_that_is_not_scored_has_no_report(organization, assessor):
    assessment = scored_assessment(organization, assessor)
    type(assessment).objects.filter(pk=assessment.pk).update(status="draft")
    assessment.refresh_from_db()
    with pytest.raises(report_data.NotScored):
        services.report_build(assessment=assessment, exporter=FakeExporter())


# --- the executive summary --------------------------------------------------------------------------------------


def area(area_id: str, score: float | None, gap: int | None = 0, **extra) -> AreaSection:
    return AreaSection(
        area_id=area_id,
        name=area_id.title(),
        description="",
        score=score,
        score_text=report_data.score_text(score),
        level=report_data.level_label(None if score is None else min(5, int(score // 20) + 1)),
        target="4 Managed",
        gap=gap,
        self_score="",
        evidence_score=None,
        contradiction=extra.get("contradiction", False),
        answered_pct=100,
        evidence_pct=0,
        high_risks=extra.get("high", 0),
        medium_risks=extra.get("medium", 0),
        position=extra.get("position", 0),
    )


def action(rank: int, *, status: str = RoadmapStatus.PROPOSED, in_plan: bool = True) -> ActionRow:
    return ActionRow(
        rank=rank,
        item_id=f"R{rank}",
        title=f"Action {rank}",
        action="",
        why="Because.",
        why_short="Because.",
        phase="Now (0-3 months)",
        phase_key="now",
        kind="Close a gap",
        area_id="a",
        area="A",
        effort="S",
        risk="medium",
        status=status,
        status_key=status,
        owner="",
        due_date="",
        in_plan=in_plan,
    )


def stored(**fields) -> AssessmentResult:
    defaults = {
        "readiness_index": 61.25,
        "level": 4,
        "answered": 70,
        "total": 74,
        "high_risks": 2,
        "medium_risks": 5,
        "contradictions": 1,
    }
    return AssessmentResult(**{**defaults, **fields})


class TestExecutiveSummary:
    def test_strengths_are_the_three_highest_scores_and_gaps_the_largest_gaps(self):
        areas = [
            area("alpha", 90.0, position=0),
            area("beta", 35.0, gap=2, position=1),
            area("gamma", 85.0, position=2),
            area("delta", 55.0, gap=1, position=3),
            area("epsilon", 95.0, position=4),
            area("zeta", 50.0, gap=1, position=5, high=1),
        ]
        summary = executive_summary(organization="Acme", result=stored(), areas=areas, roadmap=[])
        assert [line.title for line in summary.strengths] == ["Epsilon", "Alpha", "Gamma"]
        assert [line.title for line in summary.gaps] == ["Beta", "Zeta", "Delta"]  # 2 levels, then 1 (lower first)
        assert summary.gaps[0].text.startswith("scores 35.0, level 2 Developing: 2 levels below its target 4 Managed.")
        assert "1 high risk" in summary.gaps[1].text
        assert summary.strengths[0].text == "scores 95.0 of 100, level 5 Optimized; meets its target 4 Managed."

    def test_without_three_gaps_the_lowest_scores_fill_in(self):
        areas = [
            area(name, score, position=i)
            for i, (name, score) in enumerate([("a", 90.0), ("b", 80.0), ("c", 70.0), ("d", 60.0), ("e", 65.0)])
        ]
        areas.append(area("f", None, gap=None, position=9))  # not scored: never a strength nor a gap
        summary = executive_summary(organization="Acme", result=stored(), areas=areas, roadmap=[])
        assert [line.title for line in summary.gaps] == ["D", "E", "C"]
        assert all("among the lowest areas" in line.text for line in summary.gaps)

    def test_the_headline_states_the_stored_numbers(self):
        summary = executive_summary(organization="Acme", result=stored(), areas=[], roadmap=[])
        assert summary.headline.startswith("Acme's readiness index is 61.3 out of 100: maturity level 4 Managed.")
        assert "70 of 74 questions" in summary.headline
        assert "2 high risks and 5 medium risks" in summary.headline
        assert "In 1 area the self-assessment" in summary.headline
        assert summary.strengths == summary.gaps == ()

    def test_top_actions_are_the_first_five_open_items_in_plan_order(self):
        roadmap = [
            action(1, status=RoadmapStatus.DONE),
            action(2),
            action(3, status=RoadmapStatus.DISMISSED),
            action(4, status=RoadmapStatus.IN_PROGRESS),
            action(5),
            action(6),
            action(7),
            action(8),
            action(9, in_plan=False),
        ]
        summary = executive_summary(organization="Acme", result=stored(), areas=[], roadmap=roadmap)
        assert [item.rank for item in summary.actions] == [2, 4, 5, 6, 7]


def test_shorten_cuts_at_a_word():
    assert report_data.shorten("one two three", 100) == "one two three"
    assert report_data.shorten("alpha beta gamma delta", 14) == "alpha beta…"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(128, "128"), (30558.38, "30,558.38"), (35.27734, "35.277"), (2.1725e20, "2.17e+20"), (0.00012, "0.00012")],
)
def test_model_figures_read_well(value, shown):
    assert report_data.number_text(value) == shown
