"""reports.pdf: the fetcher serves our static files and data: images only, and render_pdf never reaches out."""

from __future__ import annotations

import base64
import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pypdf
import pytest
import weasyprint
from django.conf import settings as django_settings
from django.template import Context, Template
from django.templatetags.static import static

from reports.pdf import BASE_URL, PAGE_SIZES, SafeURLFetcher, URLRefused, render_pdf, safe_url_fetcher

# A 1×1 red PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
BOOTSTRAP = "vendor/bootstrap/bootstrap.min.css"


def absolute(url: str) -> str:
    """``url`` resolved as WeasyPrint resolves it for a document rendered by ``render_pdf``."""
    return urljoin(BASE_URL, url)


def pdf_pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


class RecordingHandler(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that serves a PNG for any path and records every request: (base URL, hits)."""
    hits: list[str] = []
    handler = type("Handler", (RecordingHandler,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the fetcher --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.png",
        "http://127.0.0.1:1/x.png",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "ftp://example.com/x.png",
        "gopher://example.com/x",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "infraready-static:/vendor/bootstrap/bootstrap.min.css",
        # Another host, or our host in the userinfo, serving a path that does exist under STATIC_URL.
        f"https://evil.example/static/{BOOTSTRAP}",
        f"https://infraready.invalid@evil.example/static/{BOOTSTRAP}",
        f"http://infraready.invalid/static/{BOOTSTRAP}",
        # Traversal, raw, percent-encoded or resolved by URL joining (which leaves STATIC_URL).
        "https://infraready.invalid/static/../../etc/passwd",
        "https://infraready.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://infraready.invalid/static/..%2f..%2fetc/passwd",
        "https://infraready.invalid/static/vendor/..%5c..%5cetc/passwd",
        "https://infraready.invalid/static//etc/passwd",
        absolute("/static/../../etc/passwd"),
        absolute("../../etc/passwd"),
        absolute("/etc/passwd"),
        absolute("/config/settings/base.py"),
        # Not a file under STATIC_URL.
        absolute("/static/"),
        absolute("/static/vendor/bootstrap"),
        absolute("/static/does-not-exist.css"),
        # Relative URLs never reach a fetcher unresolved, but refuse them anyway.
        f"/static/{BOOTSTRAP}",
        f"static/{BOOTSTRAP}",
        # data: URLs that are not images.
        "data:text/html,<script>alert(1)</script>",
        "data:text/css,body{background:url(http://example.com/x)}",
        "data:,plain",
        "data:application/octet-stream;base64,AAAA",
        "data:image/png;base64",
    ],
)
def test_fetcher_refuses(url):
    with pytest.raises(URLRefused):
        safe_url_fetcher(url)


def test_refusal_is_a_value_error_weasyprint_logs_and_skips():
    assert issubclass(URLRefused, ValueError)
    fetcher = SafeURLFetcher()
    assert fetcher._fail_on_errors is False  # noqa: SLF001 - what WeasyPrint reads to decide "skip, don't stop"
    with (
        pytest.raises(weasyprint.urls.URLFetchingError, match="URLRefused"),
        weasyprint.urls.fetch(fetcher, "file:///etc/passwd"),
    ):
        pass


def test_fetcher_serves_a_static_file():
    url = absolute(static(BOOTSTRAP))
    assert url == f"https://infraready.invalid/static/{BOOTSTRAP}"
    response = safe_url_fetcher(url)
    assert response.content_type == "text/css"
    assert response.read() == (Path(django_settings.BASE_DIR) / "static" / BOOTSTRAP).read_bytes()


def test_fetcher_ignores_query_and_fragment_and_serves_svg():
    response = safe_url_fetcher(absolute("/static/favicon.svg?v=2#icon"))
    assert response.content_type == "image/svg+xml"
    assert b"<svg" in response.read()


def test_fetcher_serves_collected_static_files(settings, tmp_path):
    """After collectstatic (hashed names included) the storage has files no finder knows."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "report.0123abcd.css").write_text("h1 { color: red }")
    settings.STATIC_ROOT = str(tmp_path)
    settings.STATICFILES_DIRS = []
    response = safe_url_fetcher(absolute("/static/css/report.0123abcd.css"))
    assert response.read() == b"h1 { color: red }"
    with pytest.raises(URLRefused):
        safe_url_fetcher(absolute(f"/static/{BOOTSTRAP}"))  # no longer found anywhere


def test_fetcher_maps_an_absolute_static_url_to_files_without_fetching(settings):
    settings.STATIC_URL = "https://cdn.example.com/assets/"
    response = safe_url_fetcher(f"https://cdn.example.com/assets/{BOOTSTRAP}")
    assert response.read().startswith(b"@charset")
    with pytest.raises(URLRefused):
        safe_url_fetcher(absolute(f"/static/{BOOTSTRAP}"))


def test_fetcher_serves_data_images():
    response = safe_url_fetcher(PNG_DATA_URL)
    assert (response.content_type, response.read()) == ("image/png", PNG)

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    response = safe_url_fetcher("data:image/svg+xml;charset=utf-8," + svg.replace("#", "%23"))
    assert (response.content_type, response.read()) == ("image/svg+xml", svg.encode())

    response = safe_url_fetcher("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())
    assert response.read() == svg.encode()


# --- render_pdf ---------------------------------------------------------------------------------------------


def test_render_pdf_fetches_nothing_outside(http_server, tmp_path, caplog):
    base, hits = http_server
    local_png = tmp_path / "secret.png"
    local_png.write_bytes(PNG)
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <style>
        @import url("{base}/import.css");
        @font-face {{ font-family: Remote; src: url("{base}/font.woff2"); }}
        body {{ background: url("{base}/background.png"); font-family: Remote, sans-serif; }}
      </style></head><body>
      <p>Report</p>
      <img src="http://127.0.0.1:1/x.png">
      <img src="{base}/img.png">
      <img src="file:///etc/passwd">
      <img src="file://{local_png}">
      <img src="../../etc/passwd">
      <img src="/static/../../etc/passwd">
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
        <image href="{base}/svg-image.png" width="10" height="10"/>
        <image xlink:href="file://{local_png}" width="10" height="10"/>
      </svg>
      <object data="{base}/object.png"></object>
      <embed src="{base}/embed.png">
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert hits == []
    (page,) = pdf_pages(pdf)
    assert list(page.images) == []  # the local PNG was not read either
    refused = caplog.text.count("URLRefused")
    assert refused >= 8, caplog.text
    assert "file:///etc/passwd" in caplog.text


def test_the_recording_server_does_see_the_default_fetcher(http_server):
    """Control for the test above: WeasyPrint's own fetcher would have fetched."""
    base, hits = http_server
    weasyprint.HTML(string=f'<img src="{base}/img.png">').write_pdf()
    assert hits == ["/img.png"]


def test_render_pdf_embeds_data_images_and_static_files(caplog):
    html = f"""<html><head><link rel="stylesheet" href="{static("css/app.css")}"></head><body>
      <img src="{PNG_DATA_URL}" style="width: 20px"><img src="{static("favicon.svg")}" style="width: 20px">
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html)
    assert "URLRefused" not in caplog.text
    assert "Failed to load" not in caplog.text
    (page,) = pdf_pages(pdf)
    assert len(page.images) == 1  # the PNG; the SVG is drawn as vector paths


@pytest.mark.parametrize(("page_size", "width", "height"), [("A4", 595, 842), ("Letter", 612, 792)])
def test_render_pdf_page_size(page_size, width, height):
    # The template's own @page size loses to the chosen one.
    html = "<style>@page { size: A5 landscape } @page :first { size: legal }</style>" + "<p>x</p>" * 200
    pages = pdf_pages(render_pdf(html, page_size=page_size))
    assert len(pages) > 1
    for page in pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (width, height)


def test_render_pdf_defaults_to_a4():
    (page,) = pdf_pages(render_pdf("<p>x</p>"))
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert set(PAGE_SIZES) == {"A4", "Letter"}


@pytest.mark.parametrize("page_size", ["A3", "a4", "letter", "", None, "A4; } body { color: red"])
def test_render_pdf_refuses_other_page_sizes(page_size):
    with pytest.raises(ValueError, match="page size"):
        render_pdf("<p>x</p>", page_size=page_size)


def test_escaped_user_text_stays_text():
    note = '<script>alert(1)</script><img src="http://127.0.0.1:1/x.png">'
    html = Template("<html><body><p>{{ note }}</p></body></html>").render(Context({"note": note}))
    (page,) = pdf_pages(render_pdf(html))
    text = page.extract_text()
    assert "<script>alert(1)</script>" in text
    assert '<img src="http://127.0.0.1:1/x.png">' in text
    assert list(page.images) == []
