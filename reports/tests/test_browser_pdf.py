"""Reports printed by the warm Chromium (`reports.browser_pdf`): page numbers in the contents, section titles in the
running header, nothing fetched, no script run, and WeasyPrint whenever the browser cannot print."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from weasyprint import HTML

from reports import browser_pdf, chart_export, services
from reports.tests.report_fixtures import pdf_reader, pdf_text, seed_demo

pytestmark = pytest.mark.django_db


def page_texts(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf_reader(data).pages]


DOCUMENT = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style></head><body>
<p class="doc-title">Acme "quoted" \\ back &lt;/style&gt; &amp; Co</p>
<section class="chapter toc"><h2>Contents</h2><ol>
<li><a href="#one">Chapter one</a></li><li><a href="#two">Chapter two</a></li>
<li><a href="#three">Chapter three</a></li>
</ol></section>
<section class="chapter" id="one"><h2>First chapter</h2><p>Alpha text.</p></section>
<section class="chapter" id="two"><h2>Second chapter</h2>{filler}</section>
<section class="chapter" id="three"><h2>Third chapter</h2><p>Omega text.</p>{extra}</section>
</body></html>"""


def document(extra: str = "") -> str:
    filler = "".join(f"<p>Line {n} of a chapter that runs over two pages.</p>" for n in range(60))
    return DOCUMENT.format(css=browser_pdf.stylesheet("A4"), filler=filler, extra=extra)


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


@pytest.fixture
def browser_on(settings, chromium_path) -> None:
    settings.CHART_EXPORT_BROWSER = chromium_path
    return


# --- without a browser -------------------------------------------------------------------------------------------


def test_the_stylesheet_is_the_reports_own_then_chromiums_then_the_paper():
    css = browser_pdf.stylesheet("Letter")
    chromium_rule, paper = css.index(".toc a[data-page]::after"), css.index("@page { size: letter; }")
    assert css.index("table-layout: fixed") < chromium_rule < paper
    with pytest.raises(ValueError, match="unknown page size 'A3'"):
        browser_pdf.stylesheet("A3")


def test_the_security_policy_comes_first_in_the_head():
    secured = browser_pdf.secure('<html><head><meta charset="utf-8"><link href="x"></head></html>')
    assert secured.startswith(
        '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:;'
    )
    with pytest.raises(ValueError, match="no <head>"):
        browser_pdf.secure("<p>no head</p>")


def test_the_page_of_every_target_is_read_off_the_pdf():
    html = '<p id="a">A</p><p id="b" style="break-before: page">B</p><p id="c" style="break-before: page">C</p>'
    printed = browser_pdf.read_pdf(HTML(string=html).write_pdf())
    assert printed.pages == 3
    assert printed.targets == {"a": 1, "b": 2, "c": 3}


def test_without_a_browser_nothing_is_printed(settings):
    settings.CHART_EXPORT_BROWSER = ""
    assert not browser_pdf.available()
    assert browser_pdf.print_pdf(document()) is None


# --- with Debian's Chromium ----------------------------------------------------------------------------------------


def test_the_contents_give_the_page_of_each_chapter(browser_on):
    printed = browser_pdf.print_pdf(document())
    texts = page_texts(printed.pdf)
    assert printed.pages == len(texts) == 5  # contents, one, two (two pages), three
    assert "Chapter one 2" in texts[0]
    assert "Chapter two 3" in texts[0]
    assert "Chapter three 5" in texts[0]
    assert "Alpha text." in texts[1]
    assert "Omega text." in texts[4]
    assert printed.targets["three"] == 5


def test_the_printed_pdf_is_tagged_and_only_a_print_read_for_its_pages_is_not(browser_on, monkeypatch):
    """The report keeps its structure for screen readers (a tagged PDF: a structure tree, marked content); the
    first of two prints, only read for its pages, is printed untagged (the same pages in two thirds of the time)."""
    tags: list[bool] = []
    original = browser_pdf._print_once

    async def spy(tab, *, tagged):
        tags.append(tagged)
        return await original(tab, tagged=tagged)

    monkeypatch.setattr(browser_pdf, "_print_once", spy)
    for html, page_refs, printed_as in (
        (document(), browser_pdf.TOC_LINKS, [False, True]),  # numbered: read untagged, then printed tagged
        (document(), None, [True]),  # nothing to number: one print
        (document().replace('href="#', 'data-x="#'), browser_pdf.TOC_LINKS, [True]),  # no link to number: one
    ):
        tags.clear()
        catalog = pdf_reader(browser_pdf.print_pdf(html, page_refs=page_refs).pdf).trailer["/Root"]
        assert tags == printed_as
        assert "/StructTreeRoot" in catalog
        assert catalog["/MarkInfo"]["/Marked"]


def test_the_running_header_names_the_document_and_the_chapter(browser_on):
    texts = page_texts(browser_pdf.print_pdf(document()).pdf)
    assert 'Acme "quoted" \\ back </style> & Co' in texts[1]
    assert "Second chapter" in texts[2]
    assert "Second chapter" in texts[3]
    assert texts[3].count("Second chapter") == 1  # the header only: the heading is on the page before
    assert "Third chapter" in texts[4]


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red }")

    def log_message(self, *args) -> None:
        pass


def test_the_document_fetches_nothing_and_runs_no_script(browser_on):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    Recorder.requests = []
    extra = (
        f'<img src="{base}/image.png"><link rel="stylesheet" href="{base}/style.css">'
        f'<iframe src="{base}/frame"></iframe><object data="{base}/object"></object>'
        f'<style>@import url("{base}/import.css"); p {{ background: url("{base}/background.png") }}</style>'
        f'<div style="background-image: url({base}/inline.png)">styled</div>'
        '<script>document.body.append("A script ran")</script>'
        '<img src="x" onerror="document.body.append(\'A handler ran\')">'
    )
    try:
        printed = browser_pdf.print_pdf(document(extra))
    finally:
        server.shutdown()
    text = pdf_text(printed.pdf)
    assert "Omega text." in text
    assert "styled" in text
    assert "A script ran" not in text
    assert "A handler ran" not in text
    assert Recorder.requests == []


def test_a_failed_job_is_none_and_the_browser_serves_the_next(browser_on):
    async def failing(browser):
        raise browser_pdf.PrintFailed("Page.printToPDF: no")

    assert chart_export.exporter.run(failing, what="a failing job") is None
    assert browser_pdf.print_pdf(document()).pages == 5


def test_a_report_printed_by_the_browser_numbers_its_contents(demo, browser_on):
    rendered = services.report_build(assessment=demo)
    printed = browser_pdf.read_pdf(rendered.pdf)
    texts = page_texts(rendered.pdf)
    assert rendered.charts_drawn
    assert rendered.pages == printed.pages == len(texts)
    assert "<style>" in rendered.html
    assert 'rel="stylesheet"' not in rendered.html
    metadata = pdf_reader(rendered.pdf).metadata
    assert "Skia" in metadata.producer  # Chromium's, not WeasyPrint's
    # The same document information WeasyPrint writes from the <title> and <meta> names.
    assert metadata.title == f"Readiness report: {demo.organization}, {demo.title}"
    assert metadata.author == "InfraReady"
    assert metadata.subject == f"How ready the infrastructure of {demo.organization} is for generative AI"
    assert metadata.creator == "InfraReady"
    contents = texts[1]
    for anchor, title in (("summary", "Executive summary"), ("roadmap", "Roadmap"), ("method", "Method: how")):
        page = printed.targets[anchor]
        assert re.search(rf"{re.escape(title)}[^0-9]*? {page}\b", contents), (title, page, contents)
        assert title in texts[page - 1]
    assert "Months from now" in pdf_text(rendered.pdf)  # the charts are drawn


def test_metadata_is_appended_without_rewriting_the_pages():
    original = HTML(
        string='<html><head><title>T</title><meta name="description" content="About it"></head><p>x</p></html>'
    ).write_pdf()
    updated = browser_pdf.with_metadata(original, {"/Author": "Ops team", "/Subject": "", "/Title": "Q4 ü"})
    assert updated.startswith(original)  # an incremental update: the printed bytes stay as they were
    metadata = pdf_reader(updated).metadata
    assert (metadata.author, metadata.title) == ("Ops team", "Q4 ü")
    assert metadata.subject != ""  # an empty field is not written over what is there
    assert browser_pdf.with_metadata(original, {"/Author": ""}) is original


def test_when_the_browser_cannot_print_weasyprint_renders(demo, browser_on, monkeypatch):
    monkeypatch.setattr(browser_pdf, "print_pdf", lambda html, **kwargs: None)
    rendered = services.report_build(assessment=demo)
    assert rendered.charts_drawn
    assert 'rel="stylesheet"' in rendered.html  # WeasyPrint's document links its stylesheet
    assert pdf_reader(rendered.pdf).metadata.producer.startswith("WeasyPrint")
    assert rendered.pages == len(pdf_reader(rendered.pdf).pages)
