"""Reports printed to PDF by the warm Chromium that draws their charts (`chart_export`), WeasyPrint's stand-in.

Why: WeasyPrint lays a report out at 0.13-0.23 s a page on this project's hardware (a 45-page demo report: ~6 s of
layout and ~2.5 s of drawing, 1.1 s of it the SVG charts), and no stylesheet change gains more than 15 %
(docs/performance.md). Chromium prints the same document in ~0.6 s, and a worker that draws charts has it running
already. WeasyPrint stays the renderer wherever there is no browser (``CHART_EXPORT_BROWSER`` empty or missing) and
whenever a print fails (`reports.services.report_build` falls back to it).

What Chromium does not do that the report's stylesheet asks of WeasyPrint, and how this module does it:

- **Page numbers in the table of contents** (``target-counter()``, ``leader()``): the document is printed once,
  untagged (that print is only read), the page of every link target is read from the PDF's named destinations
  (Chromium writes one per ``id``), each link of ``page_refs`` gets ``data-page``, which
  `static/css/report-chromium.css` shows, and the document is printed again, tagged. The numbering cannot move
  pages: it only fills the leader's own line.
- **A tagged PDF** (``generateTaggedPDF``, asked for, not left to the browser's default): the printed report
  carries its structure for screen readers, as the web pages do (docs/architecture.md, "Accessibility").
- **The document's metadata** (author, subject, keywords, creator from the ``<meta>`` names, as WeasyPrint
  fills them): Chromium writes only the title; the rest is added to the printed PDF as an incremental update.
- **The section title in the running header** (``string-set``/``string()``): every ``section.chapter`` becomes a
  named page (CSS ``page``) whose ``@top-right`` box says its ``h2``, and the document's ``.doc-title`` goes in
  ``@top-left``, as the strings would. Each chapter starts a page and has one ``h2``, so the result is the same.

Safety: the HTML holds user text (escaped by the template). It is loaded into an ``about:blank`` tab with
``Page.setDocumentContent`` (no URL of ours to resolve against), its own scripts are disabled
(``Emulation.setScriptExecutionDisabled``; the two small fix-ups above run through DevTools' ``Runtime.evaluate``,
which that setting does not block), and its first element is a Content-Security-Policy that allows nothing but inline
styles and ``data:`` images: no request leaves the browser, as with `pdf.SafeURLFetcher`. The tab is closed after
each print.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from dataclasses import dataclass, replace
from typing import Any

import pypdf
from pypdf.generic import DictionaryObject, IndirectObject, NameObject, NumberObject, TextStringObject

from . import chart_export, pdf

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""What a printed document may load: its inline styles and ``data:`` images, nothing else."""

STYLESHEETS = ("css/report.css", "css/report-chromium.css")
"""The static files inlined into a document printed by Chromium, in order."""

PRINT_TIMEOUT = 60.0
"""Seconds a print may take in all (the browser's start, the load, both passes)."""

LOAD_TIMEOUT = 20.0
"""Seconds the document's load event may take (its ``data:`` images decoded)."""

TOC_LINKS = ".toc a[href^='#']"
"""The report's table of contents: the links that get the page of their target."""

_CHAPTER_HEADERS = r"""
(() => {
  const quote = (text) => '"' + text.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  const rules = [];
  const title = document.querySelector('.doc-title');
  if (title) rules.push('@page { @top-left { content: ' + quote(title.textContent) + '; } }');
  document.querySelectorAll('section.chapter').forEach((section, index) => {
    const heading = section.querySelector('h2');
    if (!heading) return;
    section.style.page = 'chapter-' + index;
    rules.push('@page chapter-' + index + ' { @top-right { content: ' + quote(heading.textContent) + '; } }');
  });
  const style = document.createElement('style');
  style.textContent = rules.join('\n');
  document.head.append(style);
  return rules.length;
})()
"""
"""Named pages for the running header (see the module's docstring); the rules are CSS strings, quoted here."""

_NUMBER_LINKS = """
((selector, pages) => {
  let numbered = 0;
  for (const link of document.querySelectorAll(selector)) {
    const page = pages[decodeURIComponent(link.hash.slice(1))];
    if (page) { link.dataset.page = String(page); numbered += 1; }
  }
  return numbered;
})(%s, %s)
"""


_HAS_LINKS = "document.querySelector(%s) !== null"
"""Whether the document has links to number (else it is printed once)."""


class PrintFailed(RuntimeError):
    """A DevTools command answered with an error."""


@dataclass(frozen=True)
class PrintedPdf:
    """A document printed by Chromium: the PDF, its pages, and the page of each named destination (``id``)."""

    pdf: bytes
    pages: int
    targets: dict[str, int]


def stylesheet(page_size: str) -> str:
    """The CSS inlined into a document for Chromium: `STYLESHEETS`, then the paper (``@page { size }``, which
    ``preferCSSPageSize`` makes the print's). ``ValueError`` for an unknown ``page_size``."""
    size = pdf.paper(page_size)
    parts = [pdf.static_file(name).read_text(encoding="utf-8") for name in STYLESHEETS]
    parts.append(f"@page {{ size: {size}; }}")
    css = "\n".join(parts)
    if "</" in css:  # it is written into a <style> element
        raise ValueError("a report stylesheet may not contain '</'")
    return css


def read_pdf(data: bytes) -> PrintedPdf:
    """The page count and the 1-based page of every named destination of ``data`` (a PDF)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    targets: dict[str, int] = {}
    for name, destination in reader.named_destinations.items():
        try:
            targets[str(name).removeprefix("/")] = reader.get_destination_page_number(destination) + 1
        except (KeyError, ValueError, TypeError):  # a destination without a page: nothing to number
            continue
    return PrintedPdf(pdf=data, pages=len(reader.pages), targets=targets)


async def _command(tab: Any, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await tab.send_command(method, params or {})
    if "error" in response:
        raise PrintFailed(f"{method}: {response['error']}")
    return response.get("result", {})


async def _evaluate(tab: Any, expression: str) -> Any:
    result = await _command(tab, "Runtime.evaluate", {"expression": expression, "returnByValue": True})
    if "exceptionDetails" in result:
        raise PrintFailed(f"Runtime.evaluate: {result['exceptionDetails'].get('text', 'exception')}")
    return result.get("result", {}).get("value")


async def _print_once(tab: Any, *, tagged: bool) -> bytes:
    """The tab printed; ``tagged``: with the document's structure (headings, lists, tables, the images' text
    alternatives) for screen readers, which the report keeps. A print only read for its pages is not tagged: the
    pages are the same, and it takes two thirds of the time (a 28-page report: 0.40-0.43 s instead of 0.61-0.74 s)."""
    params = {"preferCSSPageSize": True, "printBackground": True, "generateTaggedPDF": tagged}
    result = await _command(tab, "Page.printToPDF", params)
    return base64.b64decode(result["data"])


_DOCUMENT_INFO = r"""
(() => {
  const meta = (name) => { const tag = document.querySelector(`meta[name="${name}"]`); return tag ? tag.content : ""; };
  return {"/Title": document.title, "/Author": meta("author"), "/Subject": meta("description"),
          "/Keywords": meta("keywords"), "/Creator": meta("generator")};
})()
"""
"""The document's title and ``<meta>`` names as PDF metadata, the fields WeasyPrint fills from the same tags."""


def with_metadata(data: bytes, info: dict[str, str]) -> bytes:
    """``data`` (a PDF) with ``info``'s non-empty fields added to its document information, as an incremental
    update (PDF 32000-1, 7.5.6): a new information dictionary, a one-entry cross-reference section and a trailer
    pointing back to the previous one, appended; the printed bytes are not touched. (pypdf's own incremental writer
    re-reads every object: 1 s for a 28-page report; this takes milliseconds.)"""
    fields = {key: value for key, value in info.items() if value}
    if not fields:
        return data
    reader = pypdf.PdfReader(io.BytesIO(data))
    trailer = reader.trailer
    previous = data.rfind(b"startxref")
    if previous < 0 or "/Root" not in trailer or "/Size" not in trailer:
        raise ValueError("not a PDF with a cross-reference table")
    prev_xref = int(data[previous + len(b"startxref") :].split()[0])
    merged = DictionaryObject()
    if "/Info" in trailer:
        merged.update(trailer["/Info"].get_object())
    for key, value in fields.items():
        merged[NameObject(key)] = TextStringObject(value)
    number = int(trailer["/Size"])
    if not data.endswith(b"\n"):
        data += b"\n"
    base = len(data)
    update = io.BytesIO()
    update.write(f"{number} 0 obj\n".encode())
    merged.write_to_stream(update)
    update.write(b"\nendobj\n")
    xref = base + update.tell()
    update.write(f"xref\n{number} 1\n{base:010d} 00000 n \ntrailer\n".encode())
    tail = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(number + 1),
            NameObject("/Root"): trailer.raw_get("/Root"),
            NameObject("/Info"): IndirectObject(number, 0, reader),
            NameObject("/Prev"): NumberObject(prev_xref),
        }
    )
    if "/ID" in trailer:
        tail[NameObject("/ID")] = trailer.raw_get("/ID")
    tail.write_to_stream(update)
    update.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return data + update.getvalue()


async def _print(browser: Any, html: str, page_refs: str | None) -> tuple[PrintedPdf, dict[str, str]]:
    """The printed document, and its information for `with_metadata` (applied outside the browser's lock)."""
    tab = await browser.create_tab("about:blank")
    try:
        await _command(tab, "Emulation.setScriptExecutionDisabled", {"value": True})
        await _command(tab, "Page.enable")
        frame = (await _command(tab, "Page.getFrameTree"))["frameTree"]["frame"]["id"]
        loaded = tab.subscribe_once("Page.loadEventFired")
        await _command(tab, "Page.setDocumentContent", {"frameId": frame, "html": html})
        await asyncio.wait_for(loaded, LOAD_TIMEOUT)
        await _evaluate(tab, _CHAPTER_HEADERS)
        numbering = bool(page_refs) and bool(await _evaluate(tab, _HAS_LINKS % json.dumps(page_refs)))
        printed = read_pdf(await _print_once(tab, tagged=not numbering))  # numbering: only read for its pages
        if numbering:
            if printed.targets:  # the same pages: the numbers only fill their leaders' lines (tested)
                await _evaluate(tab, _NUMBER_LINKS % (json.dumps(page_refs), json.dumps(printed.targets)))
            printed = PrintedPdf(pdf=await _print_once(tab, tagged=True), pages=printed.pages, targets=printed.targets)
        return printed, await _evaluate(tab, _DOCUMENT_INFO) or {}
    finally:
        await browser.close_tab(tab.target_id)


def secure(html: str) -> str:
    """``html`` with the Content-Security-Policy as the first element of its ``<head>`` (``ValueError`` when it
    has none: a policy placed later would not cover what comes before it)."""
    head = html.find("<head>")
    if head < 0:
        raise ValueError("the document has no <head> to put its Content-Security-Policy in")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    return html[: head + len("<head>")] + meta + html[head + len("<head>") :]


def available() -> bool:
    """Whether a print can be attempted (the chart browser is configured and did not just fail to start)."""
    return chart_export.available()


def print_pdf(html: str, *, page_refs: str | None = TOC_LINKS, timeout: float = PRINT_TIMEOUT) -> PrintedPdf | None:
    """``html`` (a whole document, its CSS inline: `stylesheet`) printed by the warm Chromium, with the page of
    their targets on the ``page_refs`` links; ``None`` when there is no browser or the print failed (logged)."""
    document = secure(html)
    done = chart_export.exporter.run(
        lambda browser: _print(browser, document, page_refs), timeout=timeout, what="PDF print"
    )
    if done is None:
        return None
    printed, info = done
    return replace(printed, pdf=with_metadata(printed.pdf, info))
