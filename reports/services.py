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

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from plotly import io as pio
from weasyprint import CSS, HTML

from accounts.models import Organization
from assessments.models import Assessment, AssessmentStatus

from . import chart_export, pdf, report_data
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
    """A new report of a scored assessment of ``organization``, queued for rendering. Raises ValidationError
    for another organization's assessment, one not scored, or an unknown page size. Regenerating is asking again:
    each request makes a new report."""
    if assessment.organization_id != organization.pk:
        raise ValidationError("No such assessment in this organization.")
    if assessment.status != AssessmentStatus.SCORED:
        raise ValidationError(
            f"“{assessment.title}” is not scored yet ({assessment.get_status_display().lower()}): "
            "submit it and wait for its results."
        )
    if page_size not in PageSize.values:
        raise ValidationError(f"Unknown page size {page_size!r}: choose {' or '.join(PageSize.values)}.")
    report = Report.objects.create(
        organization=organization,
        assessment=assessment,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        page_size=page_size,
    )
    report_queue(report=report)
    report.refresh_from_db()
    return report


def report_queue(*, report: Report) -> str:
    """Send the report to a worker (in process without a broker); returns the task id."""
    from .tasks import render_report_task

    result = render_report_task.delay(report.pk)
    Report.objects.filter(pk=report.pk).update(task_id=result.id or "")
    return result.id or ""


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


def chart_blocks(
    charts: Mapping[str, Chart], *, exporter: Exporter | None = None, timeout: float = CHART_EXPORT_TIMEOUT
) -> tuple[dict[str, ChartBlock], bool]:
    """Every chart of `PDF_CHARTS` present in ``charts`` as a `ChartBlock`, and whether every figure was drawn.

    Figures are exported to SVG in one ``exporter`` call per distinct size, all within ``timeout`` seconds. With
    the default exporter (the warm browser of `chart_export`) images are cached by the figure's content and size
    for `SVG_CACHE_SECONDS`, so a report generated again of unchanged data exports nothing."""
    export = exporter or chart_export.export_many
    wanted = [(key, section, charts[key]) for base, section in PDF_CHARTS for key in _keys(base, charts)]
    drawable = [(key, chart) for key, _, chart in wanted if chart.figure is not None]
    images: dict[str, bytes | None] = {}
    deadline = time.monotonic() + timeout
    # The real exporter's images are cached by content: a report made again of unchanged data exports nothing.
    cache_keys = {key: _svg_cache_key(chart.figure, *_size(key, chart)) for key, chart in drawable}
    cached = cache.get_many(list(cache_keys.values())) if exporter is None else {}
    by_size: dict[tuple[int, int], list[tuple[str, Chart]]] = {}
    for key, chart in drawable:
        if cache_keys[key] in cached:
            images[key] = cached[cache_keys[key]]
        else:
            by_size.setdefault(_size(key, chart), []).append((key, chart))
    for (width, height), group in by_size.items():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            results: Sequence[bytes | None] = [None] * len(group)
        else:
            results = export(
                [chart.figure for _, chart in group], fmt="svg", width=width, height=height, timeout=remaining
            )
        for (key, _), image in zip(group, results, strict=True):
            images[key] = image
    if exporter is None:
        fresh = {cache_keys[key]: image for key, image in images.items() if image and cache_keys[key] not in cached}
        cache.set_many(fresh, SVG_CACHE_SECONDS)
    blocks = {}
    for key, section, chart in wanted:
        image = images.get(key)
        blocks[key] = ChartBlock(
            key=key,
            section=section,
            name=chart.name,
            title=chart.title,
            how_to_read=chart.how_to_read,
            image=chart_export.as_data_uri(image, "svg") if image else "",
            table=chart.table,
            empty=chart.empty if chart.figure is None else "",
            not_drawn=chart.figure is not None and not image,
        )
    return blocks, all(images.values())


def render_pdf_with_pages(html: str, *, page_size: str) -> tuple[bytes, int]:
    """`pdf.render_pdf`, also giving the number of pages: the same fetcher, base URL and page size rule."""
    try:
        size = pdf.PAGE_SIZES[page_size]
    except (KeyError, TypeError):
        raise ValueError(f"unknown page size {page_size!r}: expected one of {', '.join(pdf.PAGE_SIZES)}") from None
    fetcher = pdf.SafeURLFetcher()
    page = CSS(string=f"@page {{ size: {size} !important; }}", base_url=pdf.BASE_URL, url_fetcher=fetcher)
    document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher).render(stylesheets=[page])
    return document.write_pdf(), len(document.pages)


def report_html(
    *, content: report_data.ReportContent, blocks: Mapping[str, ChartBlock], charts_drawn: bool, page_size: str
) -> str:
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
    """The PDF of a scored assessment (nothing stored). ``charts`` defaults to the dashboards' charts."""
    began = time.monotonic()
    content = report_data.report_content(assessment=assessment, now=now)
    if charts is None:
        charts = report_data.report_charts(assessment=assessment)
    blocks, drawn = chart_blocks(charts, exporter=exporter)
    html = report_html(content=content, blocks=blocks, charts_drawn=drawn, page_size=page_size)
    data, pages = render_pdf_with_pages(html, page_size=page_size)
    return RenderedReport(pdf=data, pages=pages, charts_drawn=drawn, seconds=time.monotonic() - began, html=html)


def _claim(report_id: int) -> Report | None:
    """QUEUED (or RENDERING again, after a lost worker) -> RENDERING; None when there is nothing to render."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update()
            .filter(pk=report_id, status__in=(ReportStatus.QUEUED, ReportStatus.RENDERING))
            .first()
        )
        if report is None:
            return None
        report.status = ReportStatus.RENDERING
        report.started = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "started", "error"])
    return Report.objects.select_related("organization", "assessment__framework", "assessment__organization").get(
        pk=report.pk
    )


def report_render(*, report_id: int) -> Report | None:
    """Render a queued report and store its file; a report already rendered (or failed) is left as it is.

    Domain problems (the assessment is no longer scored) and unexpected errors mark it failed; the Celery time
    limit (`SoftTimeLimitExceeded`) and database outages propagate to the task, which records them."""
    report = _claim(report_id)
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
    logger.info(
        "report %s rendered: %d pages, %.2f s, charts %s",
        report.pk,
        rendered.pages,
        rendered.seconds,
        "drawn" if rendered.charts_drawn else "as tables",
    )
    return report


def report_mark_failed(*, report_id: int, error: str) -> None:
    """Record a failure (short, for people: no stack trace)."""
    Report.objects.filter(pk=report_id).exclude(status=ReportStatus.READY).update(
        status=ReportStatus.FAILED, error=error[:2000], finished=timezone.now()
    )
