"""HTML to PDF with WeasyPrint, fetching nothing but our own static files and embedded images.

A report's HTML holds user text (organization, asset and answer names, notes). Escaped by the template it stays
text, but whatever it may still reach (a ``src``, an ``href``, a CSS ``url()``) must never make the server open a
connection or read a local file. So WeasyPrint gets ``SafeURLFetcher``, which serves only

- our static files: URLs under ``settings.STATIC_URL``, resolved through the staticfiles finders (development,
  tests) or the staticfiles storage (after ``collectstatic``), read from disk and never over the network;
- ``data:`` URLs of images (the charts are embedded as ``data:image/svg+xml`` or ``data:image/png``).

Everything else raises ``URLRefused`` (a ``ValueError``), which WeasyPrint logs as a warning and skips.

Documents are rendered with ``base_url=BASE_URL``, a host under the reserved ``.invalid`` top-level domain, so
relative URLs such as ``/static/css/report.css`` resolve (``..`` segments included) by the ordinary URL rules to
``https://infraready.invalid/static/css/report.css`` before the fetcher maps them to files.
"""

from __future__ import annotations

import base64
import contextlib
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousOperation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
"""Accepted ``page_size`` values and their CSS ``@page { size }`` keywords (A4 595×842 pt, Letter 612×792 pt)."""

BASE_URL = "https://infraready.invalid/"
"""The base URL documents are rendered with; never fetched (``.invalid`` cannot resolve, RFC 2606)."""

DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
MAX_DATA_URL_LENGTH = 20 * 1024 * 1024


class URLRefused(ValueError):
    """A URL the PDF renderer will not fetch."""


def _static_relative_path(url: str) -> str:
    """The path of ``url`` relative to ``STATIC_URL``, or ``URLRefused``."""
    prefix = urlsplit(urljoin(BASE_URL, settings.STATIC_URL))
    parts = urlsplit(url)
    if (parts.scheme.lower(), parts.netloc.lower()) != (prefix.scheme.lower(), prefix.netloc.lower()):
        raise URLRefused(f"not a static file URL: {url}")
    if not parts.path.startswith(prefix.path):
        raise URLRefused(f"not under STATIC_URL: {url}")
    relative = unquote(parts.path[len(prefix.path) :])
    segments = relative.split("/")
    if not relative or "\\" in relative or "\x00" in relative or any(s in ("", ".", "..") for s in segments):
        raise URLRefused(f"not a plain static file path: {url}")
    return relative


def static_file(relative: str) -> Path:
    """The file behind a static path: the finders first (source tree), then the storage (``collectstatic``)."""
    candidates: list[str] = []
    try:
        if found := finders.find(relative):
            candidates.append(found)
    except SuspiciousOperation:
        raise URLRefused(f"suspicious static path: {relative}") from None
    # NotImplementedError: a remote storage; the others: a path the storage refuses.
    with contextlib.suppress(NotImplementedError, SuspiciousOperation, ValueError):
        candidates.append(staticfiles_storage.path(relative))
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    raise URLRefused(f"no such static file: {relative}")


def _static_response(url: str) -> URLFetcherResponse:
    path = static_file(_static_relative_path(url))
    mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    content_type = f"{mime_type}; charset=utf-8" if mime_type.startswith("text/") else mime_type
    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _data_image_response(url: str) -> URLFetcherResponse:
    if len(url) > MAX_DATA_URL_LENGTH:
        raise URLRefused(f"data: URL over {MAX_DATA_URL_LENGTH} characters")
    header, comma, payload = url.removeprefix("data:").partition(",")
    if not comma:
        raise URLRefused("malformed data: URL")
    params = [param.strip().lower() for param in header.split(";")]
    mime_type = params[0]
    if mime_type not in DATA_IMAGE_TYPES:
        raise URLRefused(f"data: URL of type {mime_type or 'text/plain'!r}, not an image")
    raw = unquote_to_bytes(payload)
    body = base64.b64decode(raw) if "base64" in params[1:] else raw
    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime_type})


CHART_SCHEME = "infraready-chart:"
"""``<img src="infraready-chart:KEY">``: a chart image the renderer asks its ``charts`` callable for (see
`reports.services.report_build`, which draws the charts while WeasyPrint reads the document)."""


class SafeURLFetcher(URLFetcher):
    """WeasyPrint 70's URL fetcher (a ``URLFetcher`` subclass, as v70 requires) for our static files and
    ``data:`` images only. ``timeout`` and ``ssl_context`` are accepted for signature compatibility; no network
    access ever happens, and the base class is configured to allow no protocol at all as a second guard.

    ``charts`` (optional) serves ``infraready-chart:KEY`` URLs: ``charts(KEY)`` gives the SVG bytes of that chart
    (waiting for it to be drawn), or ``None``, which is refused like any other URL."""

    def __init__(
        self,
        timeout: float = 10,
        ssl_context: Any = None,
        charts: Callable[[str], bytes | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            timeout=timeout,
            ssl_context=ssl_context,
            allowed_protocols=(),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.charts = charts

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return _data_image_response(url)
        if self.charts is not None and url.startswith(CHART_SCHEME):
            image = self.charts(url.removeprefix(CHART_SCHEME))
            if image is None:
                raise URLRefused(f"chart not drawn: {url}")
            return URLFetcherResponse(url, body=image, headers={"Content-Type": "image/svg+xml"})
        return _static_response(url)


def safe_url_fetcher(url: str, timeout: float = 10, ssl_context: Any = None, **kwargs: Any) -> URLFetcherResponse:
    """Fetch ``url`` the way the PDF renderer does: a ``URLFetcherResponse`` or ``URLRefused``.

    WeasyPrint 70 takes a ``URLFetcher`` instance, not a function: give it ``SafeURLFetcher()``.
    """
    return SafeURLFetcher(timeout=timeout, ssl_context=ssl_context, **kwargs).fetch(url)


def paper(page_size: str) -> str:
    """The CSS ``size`` of ``page_size`` ("A4" or "Letter"); ``ValueError`` for another."""
    try:
        return PAGE_SIZES[page_size]
    except (KeyError, TypeError):
        raise ValueError(f"unknown page size {page_size!r}: expected one of {', '.join(PAGE_SIZES)}") from None


def render_document(html: str, *, page_size: str = "A4", charts: Callable[[str], bytes | None] | None = None) -> Any:
    """``html`` laid out by WeasyPrint on ``page_size`` paper (a ``weasyprint.Document``: its ``pages``, its
    ``write_pdf()``), fetching only what ``SafeURLFetcher`` serves (``charts``: the ``infraready-chart:KEY``
    images). Relative URLs resolve against ``BASE_URL``, so ``{% static %}`` URLs work as they do in pages."""
    size = paper(page_size)
    fetcher = SafeURLFetcher(charts=charts)
    # Sheets given to the layout have the "user" origin, which the document's (author) rules beat unless the user
    # rule is !important: so the chosen size wins over any @page size a template sets.
    page = CSS(string=f"@page {{ size: {size} !important; }}", base_url=BASE_URL, url_fetcher=fetcher)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(stylesheets=[page])


def render_pdf(html: str, *, page_size: str = "A4") -> bytes:
    """The PDF of ``html`` on ``page_size`` paper (`render_document`)."""
    return render_document(html, page_size=page_size).write_pdf()
