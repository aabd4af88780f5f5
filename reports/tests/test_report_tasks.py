"""The report task never leaves a report queued or rendering: failures are recorded in words, time limits are set,
a second run changes nothing; chart export is bounded and a chart it could not draw becomes its table."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from reports import chart_export, report_data, services, tasks
from reports.charts import AreaScore, area_bars, area_radar, readiness_indicator
from reports.models import Report, ReportStatus
from reports.pdf import render_pdf

from .report_fixtures import FakeExporter, scored_assessment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_browser")]


@pytest.fixture
def report(organization, assessor):
    assessment = scored_assessment(organization, assessor)
    return Report.objects.create(organization=organization, assessment=assessment, requested_by=assessor)


def rendered(pages: int = 1) -> services.RenderedReport:
    return services.RenderedReport(pdf=render_pdf("<p>x</p>"), pages=pages, charts_drawn=True, seconds=0.5, html="")


def test_the_task_has_time_limits_below_the_global_ones(settings):
    task = tasks.render_report_task
    assert (task.soft_time_limit, task.time_limit) == (120, 150)
    assert services.CHART_EXPORT_TIMEOUT < task.soft_time_limit < task.time_limit < settings.CELERY_TASK_SOFT_TIME_LIMIT


def test_a_rendered_report_is_stored_once(report, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "report_build", lambda **kwargs: calls.append(kwargs) or rendered(pages=3))
    assert tasks.render_report_task.delay(report.pk).get()["status"] == "ready"
    report.refresh_from_db()
    assert (report.status, report.pages, report.charts_exported) == (ReportStatus.READY, 3, True)
    assert report.file.read().startswith(b"%PDF")
    assert report.size_bytes == report.file.size
    assert report.started <= report.finished
    assert tasks.render_report_task.delay(report.pk).get()["status"] == "unchanged"
    assert len(calls) == 1


def test_an_unexpected_error_fails_the_report_in_words(report, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("/srv/secret/path exploded")

    monkeypatch.setattr(services, "report_build", broken)
    assert tasks.render_report_task.delay(report.pk).get()["status"] == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == tasks.UNEXPECTED
    assert "secret" not in report.error
    assert "Traceback" not in report.error
    assert "exploded" in caplog.text  # for the administrators


def test_the_soft_time_limit_fails_the_report(report, monkeypatch):
    def slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "report_build", slow)
    tasks.render_report_task.delay(report.pk).get()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "120 seconds" in report.error


def test_an_assessment_no_longer_scored_fails_the_report(report):
    type(report.assessment).objects.filter(pk=report.assessment_id).update(status="draft")
    tasks.render_report_task.delay(report.pk).get()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "has not been scored" in report.error


def test_a_missing_report_is_no_error():
    assert tasks.render_report_task.delay(987654).get() == {"report": 987654, "status": "unchanged"}


def test_a_deleted_report_takes_its_file(report, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "report_build", lambda **kwargs: rendered())
    tasks.render_report_task.delay(report.pk).get()
    report.refresh_from_db()
    storage, name = report.file.storage, report.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        report.delete()
    assert not storage.exists(name)


# --- chart export inside a report --------------------------------------------------------------------------------

AREAS = [AreaScore("a", "Alpha", 70.0, 60.0), AreaScore("b", "Beta", 40.0, 60.0)]


def charts():
    return {
        "indicator": readiness_indicator(55.0, 3, None),
        "radar": area_radar(AREAS),
        "area_bars": area_bars(AREAS),
        "heatmap": area_bars([]),  # empty: nothing to draw, no export
    }


def test_charts_are_exported_in_one_call_each_at_its_size_within_the_deadline():
    exporter = FakeExporter()
    given = charts()
    blocks, drawn = services.chart_blocks(given, exporter=exporter, timeout=40)
    assert drawn
    heights = {key: given[key].figure.layout.height for key in ("radar", "area_bars")}
    assert heights["radar"] != heights["area_bars"]
    (call,) = exporter.calls  # one batch in the browser
    assert call["count"] == 3
    assert sorted(call["sizes"]) == sorted(
        [(560, 300), (760, heights["radar"]), (760, heights["area_bars"])]  # the indicator's own size
    )
    assert call["fmt"] == "svg"
    assert 0 < call["timeout"] <= 40
    assert blocks["radar"].image.startswith("data:image/svg+xml;base64,")
    assert blocks["heatmap"].image == ""
    assert blocks["heatmap"].empty
    assert not blocks["heatmap"].not_drawn


def test_a_chart_not_drawn_becomes_its_table():
    def some(figures, **kwargs):
        return [
            None if height == 300 else b"<svg xmlns='http://www.w3.org/2000/svg'/>" for _, height in kwargs["sizes"]
        ]

    blocks, drawn = services.chart_blocks(charts(), exporter=some)
    assert not drawn
    assert blocks["indicator"].not_drawn
    assert blocks["indicator"].image == ""
    assert blocks["indicator"].table.rows  # what the PDF prints instead
    assert not blocks["radar"].not_drawn


def test_no_time_left_means_no_export():
    exporter = FakeExporter()
    blocks, drawn = services.chart_blocks(charts(), exporter=exporter, timeout=0)
    assert exporter.calls == []
    assert not drawn
    assert all(block.not_drawn for key, block in blocks.items() if key != "heatmap")


def test_a_long_roadmap_is_drawn_as_several_timelines(report):
    charts = report_data.report_charts(assessment=report.assessment)
    items = report.assessment.roadmap_items.filter(in_plan=True).count()
    parts = [charts[key] for key in services._keys("gantt", charts)]
    assert items > report_data.GANTT_ROWS_PER_CHART
    assert len(parts) == -(-items // report_data.GANTT_ROWS_PER_CHART)
    ranks = [row[0] for part in parts for row in part.table.rows]
    assert ranks == sorted(ranks)
    assert len(ranks) == items
    assert all(part.figure.layout.height <= services.MAX_CHART_HEIGHT for part in parts)
    assert parts[1].title == f"Roadmap timeline, items #{ranks[30]} to #{ranks[59]}"
    blocks, _ = services.chart_blocks(charts, exporter=FakeExporter())
    assert [key for key, block in blocks.items() if block.section == "roadmap"] == services._keys("gantt", charts)


def test_exported_images_are_reused_while_the_figure_is_the_same(monkeypatch):
    exporter = FakeExporter()
    monkeypatch.setattr(chart_export, "export_many", exporter)
    first, _ = services.chart_blocks(charts())
    assert exporter.figures == 3
    again, drawn = services.chart_blocks(charts())
    assert drawn
    assert exporter.figures == 3
    assert {key: block.image for key, block in again.items()} == {key: block.image for key, block in first.items()}
    changed = charts()
    changed["radar"] = area_radar([AreaScore("a", "Alpha", 75.0, 60.0), AreaScore("b", "Beta", 40.0, 60.0)])
    services.chart_blocks(changed)
    assert exporter.figures == 4  # only the changed figure


def test_failed_exports_are_not_remembered(monkeypatch):
    monkeypatch.setattr(chart_export, "export_many", FakeExporter(fail=True))
    assert not services.chart_blocks(charts())[1]
    monkeypatch.setattr(chart_export, "export_many", FakeExporter())
    assert services.chart_blocks(charts())[1]
