"""Writes of exported reports: request a PDF report (queued for a worker), render it, record the outcome.

Rendering (`report_render`, run by `tasks.render_report_task`):

1. `report_data.report_content`: the stored result, roadmap, answers and today's capacity analysis, as rows;
2. `report_data.report_charts`: the dashboards' `Chart`s, exported to SVG by the warm browser of
   `chart_export` (bounded by `CHART_EXPORT_TIMEOUT` in all; images cached by content); a chart that could not be
   drawn is printed as its table, and the report says so;
3. the template `reports/pdf/report.html` (autoescaped) to PDF by WeasyPrint with `pdf.SafeURLFetcher`, which
   fetches nothing but our static files and the embedded chart images.

The task's time limits bound the whole; a failure of any kind marks the report failed with a short reason and
never leaves it queued or rendering.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from plotly import io as pio

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from assessments.models import Assessment, AssessmentStatus
from config import jobs
from config.errors import Conflict, Invalid

from . import browser_pdf, chart_export, pdf, report_data
from .charts import Chart, Table
from .models import PageSize, Report, ReportStatus

logger = logging.getLogger(__name__)

CHART_EXPORT_TIMEOUT = 45.0
"""Seconds all of a report's charts may take to export, a browser launch included (the task allows 120)."""
CHART_WIDTH = 760
"""Export width of a chart in CSS pixels; the page scales it to the text width (A4: 174 mm, about 660 px)."""
CHART_HEIGHT = 400
"""Export height of a chart whose figure does not set one."""
MAX_CHART_HEIGHT = 1100
SVG_CACHE_SECONDS = 24 * 3600
"""How long an exported chart image is kept in the cache (keyed by the figure's content and size)."""

PDF_SIZES = {"indicator": (560, 300)}
"""(width, height) in px of charts exported at a size of their own."""
PDF_MAX_HEIGHTS = {"area_bars": 540, "heatmap": 560, "answers_by_source": 440}
"""Heights (px) some charts are capped at in a PDF, where a page is shorter than a screen is long."""

PDF_CHARTS = (
    # (key in report_charts, section)
    ("indicator", "summary"),
    ("radar", "scores"),
    ("area_bars", "scores"),
    ("heatmap", "scores"),
    ("self_vs_evidence", "scores"),
    ("answers_by_source", "method"),
    ("accelerators", "capacity"),
    ("capacity", "capacity"),
    ("power", "capacity"),
    ("energy", "capacity"),
    ("gantt", "roadmap"),
)
"""The charts a report prints, in order, and the section each appears in."""

Exporter = Callable[..., list[bytes | None]]
ChartsProvider = Callable[..., Mapping[str, Chart]]


# --- requesting ----------------------------------------------------------------------------------------------------


def report_request(
    *, organization: Organization, assessment: Assessment, user: AbstractBaseUser | None, page_size: str = PageSize.A4
) -> Report:
    """A new report of a scored assessment of ``organization``, queued for rendering. Raises `Invalid`
    for another organization's assessment, one not scored, or an unknown page size. Regenerating is asking again:
    each request makes a new report."""
    if assessment.organization_id != organization.pk:
        raise Invalid("No such assessment in this organization.", code="not_found", field="assessment")
    if assessment.status != AssessmentStatus.SCORED:
        raise Invalid(
            f"“{assessment.title}” is not scored yet ({assessment.get_status_display().lower()}): "
            "submit it and wait for its results.",
            code="not_scored",
            field="assessment",
        )
    if page_size not in PageSize.values:
        raise Invalid(
            f"Unknown page size {page_size!r}: choose {' or '.join(PageSize.values)}.",
            code="invalid_choice",
            field="page_size",
        )
    task_id = jobs.new_task_id()
    with transaction.atomic():
        report = Report.objects.create(
            organization=organization,
            assessment=assessment,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            page_size=page_size,
            task_id=task_id,
            queued=timezone.now(),
        )
    # The broker down: the report is deleted again (nothing was requested) and Unavailable raised.
    _queue(report_id=report.pk, task_id=task_id, undo=lambda: Report.objects.filter(pk=report.pk).delete())
    report.refresh_from_db()
    return report


def _queue(*, report_id: int, task_id: str, undo: Callable[[], Any]) -> None:
    """Publish the rendering message ``task_id`` once committed; ``undo`` when the broker cannot be reached."""
    from .tasks import render_report_task

    def publish() -> None:
        render_report_task.apply_async((report_id,), task_id=task_id)

    jobs.enqueue(publish, undo=undo, what="the report")


JOB_FIELDS = ("status", "task_id", "queued", "started", "finished", "error", "attempts")


def _fresh_job(task_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "status": ReportStatus.QUEUED,
        "task_id": task_id,
        "queued": now or timezone.now(),
        "started": None,
        "finished": None,
        "error": "",
    }


def report_retry(*, report: Report) -> Report:
    """Render a failed report again (today's data, like a new request, under the same row). 409 unless it failed
    or when its assessment is no longer scored; 503 when the broker is down (it stays failed)."""
    task_id = jobs.new_task_id()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("assessment").get(pk=report.pk)
        if locked.status != ReportStatus.FAILED:
            raise Conflict(
                f"Only a failed report can be rendered again; this one is {locked.get_status_display().lower()}.",
                code="not_failed",
            )
        if locked.assessment.status != AssessmentStatus.SCORED:
            raise Conflict("Its assessment is no longer scored: request a report of a scored one.", code="not_scored")
        before = {name: getattr(locked, name) for name in JOB_FIELDS}
        Report.objects.filter(pk=locked.pk).update(**_fresh_job(task_id), attempts=0)
    _queue(
        report_id=report.pk,
        task_id=task_id,
        undo=lambda: Report.objects.filter(pk=report.pk, task_id=task_id).update(**before),
    )
    report.refresh_from_db()
    return report


def render_time_limit() -> int:
    from .tasks import render_report_task

    return int(render_report_task.time_limit or settings.CELERY_TASK_TIME_LIMIT)


def report_reap(*, now: datetime) -> jobs.Reaped:
    """Reports still queued or rendering after their deadline: queued once more, then failed with the reason."""
    stuck = Report.objects.filter(
        Q(status=ReportStatus.RENDERING, started__lt=jobs.run_deadline(render_time_limit(), now=now))
        | Q(status=ReportStatus.RENDERING, started__isnull=True, queued__lt=jobs.queue_deadline(now=now))
        | Q(status=ReportStatus.QUEUED, queued__lt=jobs.queue_deadline(now=now))
        | Q(status=ReportStatus.QUEUED, queued__isnull=True, created__lt=jobs.queue_deadline(now=now))
    )

    def requeue(report: Report) -> bool:
        task_id = jobs.new_task_id()
        before = {name: getattr(report, name) for name in JOB_FIELDS}
        changed = Report.objects.filter(pk=report.pk, status=report.status, task_id=report.task_id).update(
            **_fresh_job(task_id, now=now), attempts=F("attempts") + 1
        )
        if changed:
            _queue(
                report_id=report.pk,
                task_id=task_id,
                undo=lambda: Report.objects.filter(pk=report.pk, task_id=task_id).update(**before),
            )
        return bool(changed)

    def fail(report: Report) -> bool:
        reason = jobs.lost_reason(
            started=report.status == ReportStatus.RENDERING, doing="rendering this report", taking_up="this report"
        )
        return bool(
            Report.objects.filter(pk=report.pk, status=report.status, task_id=report.task_id).update(
                status=ReportStatus.FAILED, error=f"{reason} Try again.", finished=now
            )
        )

    return jobs.reap(stuck, attempts=lambda r: r.attempts, requeue=requeue, fail=fail)


# --- rendering -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBlock:
    """A chart as the PDF prints it: the image, or its table when there is no image."""

    key: str
    section: str
    name: str
    title: str
    how_to_read: str
    image: str
    """``data:`` URI of the exported SVG; "" when the chart has nothing to draw or could not be drawn."""
    table: Table
    empty: str
    """What the chart would show, when there is nothing to draw."""
    not_drawn: bool
    """There was a figure, but it could not be exported: the table stands in for it."""


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int
    charts_drawn: bool
    seconds: float
    html: str


def _size(key: str, chart: Chart) -> tuple[int, int]:
    """The size a chart is exported at: its own height (the figure's, capped), the page's width."""
    if key in PDF_SIZES:
        return PDF_SIZES[key]
    figure = chart.figure
    layout = figure.get("layout", {}) if isinstance(figure, dict) else figure.layout  # cached charts hold dicts
    height = (layout.get("height") if isinstance(layout, dict) else layout.height) or CHART_HEIGHT
    return CHART_WIDTH, max(200, min(PDF_MAX_HEIGHTS.get(key, MAX_CHART_HEIGHT), int(height)))


def _svg_cache_key(figure: Any, width: int, height: int) -> str:
    """A cache key naming the image of ``figure`` at this size: a digest of the figure's JSON."""
    spec = json.dumps(figure, sort_keys=True) if isinstance(figure, dict) else pio.to_json(figure, validate=False)
    digest = hashlib.sha256(f"{width}x{height}:{spec}".encode()).hexdigest()
    return f"reports:svg:{digest}"


def _keys(base: str, charts: Mapping[str, Chart]) -> list[str]:
    """``base`` and its continuations (``gantt``, ``gantt_2``, ``gantt_3``...) present in ``charts``, in order."""
    keys = [base] if base in charts else []
    n = 2
    while f"{base}_{n}" in charts:
        keys.append(f"{base}_{n}")
        n += 1
    return keys


class ChartImages:
    """The images of a report's charts (`PDF_CHARTS` present in ``charts``): those already drawn come from the
    cache, the others are drawn in one ``exporter`` call (each at its own size, within ``timeout`` seconds) on a
    thread of their own, so that WeasyPrint reads and styles the document meanwhile (`report_build`).

    With the default exporter (the warm browser of `chart_export`) images are cached by the figure's content and
    size for `SVG_CACHE_SECONDS`, so a report generated again of unchanged data exports nothing."""

    def __init__(
        self, charts: Mapping[str, Chart], *, exporter: Exporter | None = None, timeout: float = CHART_EXPORT_TIMEOUT
    ) -> None:
        self.wanted = [(key, section, charts[key]) for base, section in PDF_CHARTS for key in _keys(base, charts)]
        drawable = [(key, chart) for key, _, chart in self.wanted if chart.figure is not None]
        self._caching = exporter is None
        self._timeout = timeout
        self.images: dict[str, bytes | None] = {}
        self._cache_keys = {key: _svg_cache_key(chart.figure, *_size(key, chart)) for key, chart in drawable}
        self._cached = cache.get_many(list(self._cache_keys.values())) if self._caching else {}
        self._missing = [(key, chart) for key, chart in drawable if self._cache_keys[key] not in self._cached]
        for key, _ in drawable:
            if self._cache_keys[key] in self._cached:
                self.images[key] = self._cached[self._cache_keys[key]]
        self._future: concurrent.futures.Future[Sequence[bytes | None]] | None = None
        self._done = not self._missing
        if self._missing and timeout > 0:
            export = exporter or chart_export.export_many
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts")
            self._future = pool.submit(
                export,
                [chart.figure for _, chart in self._missing],
                fmt="svg",
                sizes=[_size(key, chart) for key, chart in self._missing],
                timeout=timeout,
            )
            pool.shutdown(wait=False)

    def _wait(self) -> None:
        """Wait for the drawing (never past the exporter's own deadline, plus a margin) and keep its images."""
        if self._done:
            return
        self._done = True
        results: Sequence[bytes | None] = [None] * len(self._missing)
        if self._future is not None:
            try:
                results = self._future.result(timeout=self._timeout + 15)
            except chart_export.INTERRUPTS:
                raise
            except Exception:
                logger.exception("report charts: the export failed; tables stand in for the charts")
        for (key, _), image in zip(self._missing, results, strict=True):
            self.images[key] = image

    def get(self, key: str) -> bytes | None:
        """The SVG of chart ``key`` (waiting for the drawing if needed), ``None`` when it could not be drawn."""
        self._wait()
        return self.images.get(key)

    def blocks(self, *, pending: bool = False) -> dict[str, ChartBlock]:
        """Every chart as a `ChartBlock`; with ``pending``, the images are ``infraready-chart:KEY`` URLs that
        `pdf.SafeURLFetcher` serves from `get` (the document can be read before the charts are drawn)."""
        if not pending:
            self._wait()
        blocks = {}
        for key, section, chart in self.wanted:
            image = self.images.get(key)
            if chart.figure is None:
                uri = ""
            elif pending:
                uri = pdf.CHART_SCHEME + key
            else:
                uri = chart_export.as_data_uri(image, "svg") if image else ""
            blocks[key] = ChartBlock(
                key=key,
                section=section,
                name=chart.name,
                title=chart.title,
                how_to_read=report_data.for_print(chart.how_to_read),
                image=uri,
                table=chart.table,
                empty=chart.empty if chart.figure is None else "",
                not_drawn=chart.figure is not None and not uri,
            )
        return blocks

    def finish(self) -> tuple[dict[str, ChartBlock], bool]:
        """The final blocks (images as ``data:`` URIs, tables where a chart was not drawn), whether every figure
        was drawn; the images drawn now go to the cache."""
        self._wait()
        if self._caching:
            fresh = {
                self._cache_keys[key]: image
                for key, image in self.images.items()
                if image and self._cache_keys[key] not in self._cached
            }
            cache.set_many(fresh, SVG_CACHE_SECONDS)
        return self.blocks(), all(self.images.values())


def chart_blocks(
    charts: Mapping[str, Chart], *, exporter: Exporter | None = None, timeout: float = CHART_EXPORT_TIMEOUT
) -> tuple[dict[str, ChartBlock], bool]:
    """Every chart of `PDF_CHARTS` present in ``charts`` as a `ChartBlock`, and whether every figure was drawn
    (`ChartImages`, waited for)."""
    return ChartImages(charts, exporter=exporter, timeout=timeout).finish()


def render_pdf_with_pages(
    html: str, *, page_size: str, charts: Callable[[str], bytes | None] | None = None
) -> tuple[bytes, int]:
    """`pdf.render_pdf`, also giving the number of pages. ``charts`` serves the ``infraready-chart:KEY`` images
    (`ChartImages.get`)."""
    document = pdf.render_document(html, page_size=page_size, charts=charts)
    return document.write_pdf(), len(document.pages)


def report_html(
    *,
    content: report_data.ReportContent,
    blocks: Mapping[str, ChartBlock],
    charts_drawn: bool,
    page_size: str,
    inline_css: str = "",
) -> str:
    """The report's HTML: its stylesheet linked (WeasyPrint fetches it), or ``inline_css`` in a ``<style>``
    (`browser_pdf.stylesheet`: Chromium fetches nothing)."""
    by_section: dict[str, list[ChartBlock]] = {}
    for block in blocks.values():
        by_section.setdefault(block.section, []).append(block)
    return render_to_string(
        "reports/pdf/report.html",
        {
            "report": content,
            "charts": blocks,
            "charts_by_section": by_section,
            "charts_drawn": charts_drawn,
            "page_size": page_size,
            "inline_css": inline_css,
        },
    )


def report_build(
    *,
    assessment: Assessment,
    page_size: str = PageSize.A4,
    charts: Mapping[str, Chart] | None = None,
    exporter: Exporter | None = None,
    now: Any = None,
) -> RenderedReport:
    """The PDF of a scored assessment (nothing stored). ``charts`` defaults to the dashboards' charts.

    Where the chart browser runs, it draws the charts not in the cache and then prints the document
    (`browser_pdf`, ~10x faster than WeasyPrint on a long report). Otherwise, or if that print fails, WeasyPrint
    renders it: the charts not in the cache are drawn meanwhile while it parses and styles the document, which
    names them ``infraready-chart:KEY`` and waits for each when it lays it out. Any chart that could not be drawn
    has its table in its place (and the notice that says so)."""
    began = time.monotonic()
    content = report_data.report_content(assessment=assessment, now=now)
    if charts is None:
        charts = report_data.report_charts(assessment=assessment)
    images = ChartImages(charts, exporter=exporter)
    printed: bytes | None = None
    if browser_pdf.available():
        blocks, drawn = images.finish()
        css = browser_pdf.stylesheet(page_size)
        html = report_html(content=content, blocks=blocks, charts_drawn=drawn, page_size=page_size, inline_css=css)
        by_browser = browser_pdf.print_pdf(html)
        if by_browser is not None:
            return RenderedReport(
                pdf=by_browser.pdf,
                pages=by_browser.pages,
                charts_drawn=drawn,
                seconds=time.monotonic() - began,
                html=html,
            )
        logger.warning("report: the browser could not print it; WeasyPrint renders it")
    else:
        pending = report_html(
            content=content, blocks=images.blocks(pending=True), charts_drawn=True, page_size=page_size
        )
        printed, pages = render_pdf_with_pages(pending, page_size=page_size, charts=images.get)
        blocks, drawn = images.finish()
    html = report_html(content=content, blocks=blocks, charts_drawn=drawn, page_size=page_size)
    if printed is None or not drawn:  # not printed yet, or a table instead of each chart not drawn
        printed, pages = render_pdf_with_pages(html, page_size=page_size)
    return RenderedReport(pdf=printed, pages=pages, charts_drawn=drawn, seconds=time.monotonic() - began, html=html)


def _claim(report_id: int, task_id: str | None = None) -> Report | None:
    """QUEUED -> RENDERING; None when there is nothing to render. With the task's ``task_id``, only the report's
    current message claims it, and takes it up again while RENDERING (a redelivery after its worker was lost); a
    stale message (the reaper queued the report afresh) does nothing."""
    with transaction.atomic():
        found = Report.objects.select_for_update().filter(pk=report_id)
        if task_id is None:
            found = found.filter(status__in=(ReportStatus.QUEUED, ReportStatus.RENDERING))
        else:
            found = found.filter(
                Q(status=ReportStatus.QUEUED, task_id__in=(task_id, ""))
                | Q(status=ReportStatus.RENDERING, task_id=task_id)
            )
        report = found.first()
        if report is None:
            return None
        report.status = ReportStatus.RENDERING
        report.started = timezone.now()
        report.error = ""
        report.task_id = task_id or report.task_id  # a message from before task ids were stored adopts the job
        report.save(update_fields=["status", "started", "error", "task_id"])
    return Report.objects.select_related("organization", "assessment__framework", "assessment__organization").get(
        pk=report.pk
    )


def report_render(*, report_id: int, task_id: str | None = None) -> Report | None:
    """Render a queued report and store its file; a report already rendered (or failed) is left as it is, and so
    is one another message renders (`_claim`).

    Domain problems (the assessment is no longer scored) and unexpected errors mark it failed; the Celery time
    limit (`SoftTimeLimitExceeded`) and database outages propagate to the task, which records them."""
    report = _claim(report_id, task_id)
    if report is None:
        return None
    try:
        rendered = report_build(assessment=report.assessment, page_size=report.page_size)
    except report_data.NotScored as error:
        report_mark_failed(report_id=report.pk, error=str(error))
        return Report.objects.get(pk=report.pk)
    report.file.save(report.filename, ContentFile(rendered.pdf), save=False)
    report.status = ReportStatus.READY
    report.finished = timezone.now()
    report.pages = rendered.pages
    report.size_bytes = len(rendered.pdf)
    report.render_seconds = round(rendered.seconds, 3)
    report.charts_exported = rendered.charts_drawn
    report.save(
        update_fields=[
            "file",
            "status",
            "finished",
            "pages",
            "size_bytes",
            "render_seconds",
            "charts_exported",
        ]
    )
    webhook_emit(
        organization_id=report.organization_id,
        event=WebhookEvent.REPORT_READY,
        data={
            "report": {
                "id": report.pk,
                "filename": report.filename,
                "pages": report.pages,
                "size_bytes": report.size_bytes,
                "page_size": report.page_size,
                "download_path": reverse("api:reports:report-download", args=[report.pk]),
            },
            "assessment": {"id": report.assessment_id, "title": report.assessment.title},
        },
    )
    logger.info(
        "report %s rendered: %d pages, %.2f s, charts %s",
        report.pk,
        rendered.pages,
        rendered.seconds,
        "drawn" if rendered.charts_drawn else "as tables",
    )
    return report


def report_mark_failed(*, report_id: int, error: str, task_id: str | None = None) -> None:
    """Record a failure (short, for people: no stack trace); only the job of ``task_id`` when given."""
    found = Report.objects.filter(pk=report_id).exclude(status=ReportStatus.READY)
    if task_id is not None:
        found = found.filter(task_id=task_id)
    found.update(status=ReportStatus.FAILED, error=error[:2000], finished=timezone.now())
