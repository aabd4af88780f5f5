"""When WeasyPrint renders a report (no browser prints it: `reports.browser_pdf`), its charts are drawn on a thread
of their own while WeasyPrint reads the document, which names them
``infraready-chart:KEY`` until they are there; a chart that could not be drawn still becomes its table."""

from __future__ import annotations

import threading

import pytest

from reports import pdf, services

from .report_fixtures import FAKE_CHART_TEXT, FakeExporter, pdf_text, seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


class ThreadRecordingExporter(FakeExporter):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.threads: list[threading.Thread] = []

    def __call__(self, figures, **kwargs):
        self.threads.append(threading.current_thread())
        return super().__call__(figures, **kwargs)


def test_the_charts_are_drawn_on_another_thread_and_the_pdf_holds_them(demo, monkeypatch, no_browser):
    asked: list[str] = []
    real_fetch = pdf.SafeURLFetcher.fetch

    def fetch(self, url, headers=None):
        if url.startswith(pdf.CHART_SCHEME):
            asked.append(url.removeprefix(pdf.CHART_SCHEME))
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.SafeURLFetcher, "fetch", fetch)
    exporter = ThreadRecordingExporter()
    rendered = services.report_build(assessment=demo, exporter=exporter)
    assert rendered.charts_drawn
    (thread,) = exporter.threads  # one call, one batch
    assert thread is not threading.main_thread()
    assert len(asked) == exporter.figures > 5  # WeasyPrint asked for each chart by its name
    assert pdf.CHART_SCHEME not in rendered.html  # the HTML kept is the final one, images inline
    assert rendered.html.count("data:image/svg+xml;base64,") == exporter.figures
    assert pdf_text(rendered.pdf).count(FAKE_CHART_TEXT) == exporter.figures


def test_a_chart_not_drawn_is_printed_as_its_table_after_all(demo):
    class SomeFail(FakeExporter):
        def __call__(self, figures, **kwargs):
            images = super().__call__(figures, **kwargs)
            return [None, *images[1:]]

    exporter = SomeFail()
    rendered = services.report_build(assessment=demo, exporter=exporter)
    assert not rendered.charts_drawn
    text = pdf_text(rendered.pdf)
    assert text.count("The chart could not be drawn; this table holds the same numbers.") == 1
    assert "Charts could not be drawn for this report" in text
    assert text.count(FAKE_CHART_TEXT) == exporter.figures - 1


def test_an_exporter_that_raises_gives_tables(demo):
    def broken(figures, **kwargs):
        raise RuntimeError("the browser fell over")

    rendered = services.report_build(assessment=demo, exporter=broken)
    assert not rendered.charts_drawn
    assert "The chart could not be drawn" in pdf_text(rendered.pdf)


def test_the_fetcher_refuses_a_chart_it_does_not_have():
    fetcher = pdf.SafeURLFetcher(charts={"radar": b"<svg/>"}.get)
    assert fetcher.fetch(pdf.CHART_SCHEME + "radar").read() == b"<svg/>"
    with pytest.raises(pdf.URLRefused):
        fetcher.fetch(pdf.CHART_SCHEME + "gantt")
    with pytest.raises(pdf.URLRefused):
        pdf.SafeURLFetcher().fetch(pdf.CHART_SCHEME + "radar")  # no charts: like any other URL
