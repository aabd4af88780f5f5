#!/usr/bin/env python
"""Benchmark of the PDF report of the demo assessment ("Autumn readiness review" of `seed_demo`).

    .venv/bin/python scripts/bench_report.py                 # SQLite (a file in a temporary folder)
    .venv/bin/python scripts/bench_report.py --repeat 5

It creates a throw-away test database, seeds the demo organization, then renders the report the way the Celery
task does (`reports.tasks.render_report_task`, eagerly in this process): first with a cold chart exporter (the
browser starts), then `--repeat` times per paper size with the browser warm, and prints each render's time, split
into reading the data, exporting the charts, the template and WeasyPrint, with the page count. The first render
also builds the dashboards' charts (then cached, as in a worker); the warm renders export every chart again, the
last ones take the images from the cache (a report made again of unchanged data). A benchmark, not a test.
Results go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchmarking import scratch_database  # first: the project on sys.path, test settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with scratch_database():
        run(args.repeat)


def run(repeat: int) -> None:
    import io

    from django.core.management import call_command

    from assessments.models import Assessment
    from reports import chart_export, report_data, services
    from reports.models import Report

    os.environ.setdefault("DEMO_PASSWORD", "bench-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get(organization__slug="demo-corp", title="Autumn readiness review")
    print(f"chart export browser: {chart_export.browser_path() or 'none (tables instead of charts)'}")

    def timed(page_size: str, *, reuse_images: bool = False) -> dict[str, float]:
        began = time.perf_counter()
        content = report_data.report_content(assessment=assessment)
        read = time.perf_counter()
        charts = report_data.report_charts(assessment=assessment)
        # An explicit exporter bypasses the image cache: every chart is exported by the (warm) browser.
        blocks, drawn = services.chart_blocks(charts, exporter=None if reuse_images else chart_export.export_many)
        exported = time.perf_counter()
        html = services.report_html(content=content, blocks=blocks, charts_drawn=drawn, page_size=page_size)
        templated = time.perf_counter()
        pdf, pages = services.render_pdf_with_pages(html, page_size=page_size)
        done = time.perf_counter()
        return {
            "data": read - began,
            "charts": exported - read,
            "template": templated - exported,
            "pdf": done - templated,
            "total": done - began,
            "pages": pages,
            "drawn": drawn,
            "kb": len(pdf) / 1024,
        }

    def show(label: str, t: dict[str, float]) -> None:
        print(
            f"{label}: {t['total']:.2f} s (data {t['data']:.2f}, charts {t['charts']:.2f}, template "
            f"{t['template']:.2f}, WeasyPrint {t['pdf']:.2f}); {t['pages']} pages, {t['kb']:.0f} KB, "
            f"charts {'drawn' if t['drawn'] else 'as tables'}"
        )

    show("A4, cold (browser starts, dashboards' charts built)", timed("A4"))
    for page_size in ("A4", "Letter"):
        runs = [timed(page_size) for _ in range(repeat)]
        for n, t in enumerate(runs, start=1):
            show(f"{page_size}, warm browser #{n}", t)
        print(f"{page_size}, warm browser median: {statistics.median(t['total'] for t in runs):.2f} s")
    timed("A4", reuse_images=True)  # fills the image cache
    runs = [timed("A4", reuse_images=True) for _ in range(repeat)]
    print(f"A4, images from the cache (same data again) median: {statistics.median(t['total'] for t in runs):.2f} s")

    started = time.perf_counter()
    report = services.report_request(organization=assessment.organization, assessment=assessment, user=None)
    print(
        f"through the task (eager): {time.perf_counter() - started:.2f} s, status {report.status}, "
        f"{report.pages} pages, render_seconds {report.render_seconds}"
    )
    assert Report.objects.filter(pk=report.pk).exists()


if __name__ == "__main__":
    main()
