"""reports.chart_export: one warm browser per process, and None (never an exception, never a hang) on trouble.

The fake-browser tests replace ``kaleido.Kaleido`` and run without Chromium; the ``browser`` tests drive
Debian's Chromium for real.
"""

from __future__ import annotations

import asyncio
import base64
import re
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kaleido
import plotly.graph_objects as go
import pytest
from celery.exceptions import SoftTimeLimitExceeded

from reports import chart_export
from reports.chart_export import ChartExporter, as_data_uri


def figures() -> list[go.Figure]:
    return [
        go.Figure(go.Bar(x=["compute", "power", "cooling"], y=[62, 48, 71]), layout={"title": "Readiness"}),
        go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], mode="lines+markers")),
    ]


@pytest.fixture
def exporter() -> Iterator[ChartExporter]:
    """A fresh exporter (not the process's), closed afterwards."""
    instance = ChartExporter()
    yield instance
    instance.close()


# --- no browser needed -------------------------------------------------------------------------------------


def test_as_data_uri():
    assert as_data_uri(b"<svg/>", "svg") == "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    assert as_data_uri("<svg/>", "svg") == as_data_uri(b"<svg/>", "svg")
    assert as_data_uri(b"\x89PNG", "png").startswith("data:image/png;base64,")
    with pytest.raises(ValueError):
        as_data_uri(b"x", "gif")


def test_missing_browser_gives_none_quickly(settings, exporter):
    settings.CHART_EXPORT_BROWSER = "/nonexistent/chromium"
    assert exporter.available() is False
    assert chart_export.available() is False
    began = time.monotonic()
    assert exporter.export_many(figures()) == [None, None]
    assert time.monotonic() - began < 1
    assert exporter.starts == 0


def test_empty_setting_disables_export(settings, exporter):
    settings.CHART_EXPORT_BROWSER = ""
    assert exporter.available() is False
    assert exporter.export_many(figures(), fmt="png") == [None, None]


def test_no_figures_and_bad_format(exporter):
    assert exporter.export_many([]) == []
    with pytest.raises(ValueError):
        exporter.export_many(figures(), fmt="pdf")


class FakeProcess:
    pid = -1

    def __init__(self) -> None:
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


class FakeKaleido:
    """Stands in for ``kaleido.Kaleido``; ``behaviour`` decides what ``calc_fig`` does."""

    instances: list[FakeKaleido] = []
    behaviour: Any = None
    fail_open = False

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.subprocess = FakeProcess()
        self.closed = False
        self.calls = 0
        FakeKaleido.instances.append(self)

    async def open(self) -> None:
        if FakeKaleido.fail_open:
            raise RuntimeError("The browser seemed to close immediately after starting.")

    async def calc_fig(self, fig: dict, opts: dict) -> bytes:
        self.calls += 1
        if FakeKaleido.behaviour is not None:
            return await FakeKaleido.behaviour(self, fig, opts)
        return f'<svg width="{opts["width"]}">{fig["data"][0]["type"]}</svg>'.encode()

    async def close(self) -> None:
        self.closed = True
        self.subprocess.returncode = 0


@pytest.fixture
def fake_browser(settings, tmp_path, monkeypatch) -> type[FakeKaleido]:
    executable = tmp_path / "chromium"
    executable.write_text("#!/bin/sh\nexit 1\n")
    executable.chmod(0o755)
    settings.CHART_EXPORT_BROWSER = str(executable)
    FakeKaleido.instances = []
    FakeKaleido.behaviour = None
    FakeKaleido.fail_open = False
    monkeypatch.setattr(kaleido, "Kaleido", FakeKaleido)
    monkeypatch.setattr(chart_export, "_kill_process_group", lambda process: None)
    return FakeKaleido


def test_fake_one_browser_for_several_exports(fake_browser, exporter):
    assert exporter.available() is True
    for _ in range(3):
        results = exporter.export_many(figures(), width=640)
        assert results == [b'<svg width="640">bar</svg>', b'<svg width="640">scatter</svg>']
    assert exporter.starts == 1
    (browser,) = fake_browser.instances
    assert browser.calls == 6
    assert browser.kwargs["mathjax"] is False  # no CDN fetch from the browser
    assert browser.kwargs["path"].endswith("/chromium")


def test_fake_timeout_returns_none_and_restarts_next_time(fake_browser, exporter):
    async def slow(browser, fig, opts):
        if fig["data"][0]["type"] == "scatter":
            await asyncio.sleep(60)
        return b"<svg/>"

    fake_browser.behaviour = slow
    began = time.monotonic()
    assert exporter.export_many(figures(), timeout=0.5) == [b"<svg/>", None]  # what finished in time is kept
    assert time.monotonic() - began < 3
    assert fake_browser.instances[0].closed  # torn down: its tab may be stuck

    fake_browser.behaviour = None
    assert exporter.export_many(figures()) == [b'<svg width="900">bar</svg>', b'<svg width="900">scatter</svg>']
    assert exporter.starts == 2


def test_fake_crash_restarts_once(fake_browser, exporter):
    async def crash_first_browser(browser, fig, opts):
        if browser is fake_browser.instances[0]:
            browser.subprocess.returncode = -9
            raise ConnectionError("browser closed")
        return b"<svg/>"

    fake_browser.behaviour = crash_first_browser
    assert exporter.export_many(figures()) == [b"<svg/>", b"<svg/>"]
    assert exporter.starts == 2


def test_fake_crash_twice_gives_none(fake_browser, exporter):
    async def always_crash(browser, fig, opts):
        browser.subprocess.returncode = -9
        raise ConnectionError("browser closed")

    fake_browser.behaviour = always_crash
    assert exporter.export_many(figures()) == [None, None]
    assert exporter.starts == 2


def test_fake_bad_figure_gives_none_without_restart(fake_browser, exporter):
    async def reject_scatter(browser, fig, opts):
        if fig["data"][0]["type"] == "scatter":
            raise ValueError("bad figure")
        return b"<svg/>"

    fake_browser.behaviour = reject_scatter
    assert exporter.export_many(figures()) == [b"<svg/>", None]
    assert exporter.starts == 1


def test_fake_start_failing_twice_backs_off(fake_browser, exporter):
    fake_browser.fail_open = True
    assert exporter.export_many(figures()) == [None, None]
    assert exporter.starts == 2
    assert exporter.available() is False  # for RETRY_AFTER seconds
    assert exporter.export_many(figures()) == [None, None]
    assert exporter.starts == 2


def test_fake_a_job_shares_the_exports_lock_and_back_off(fake_browser, exporter, caplog):
    """`run` (the PDF's print) and `export_many` hold the same lock and honour the same back-off."""

    async def job(browser):
        return type(browser).__name__

    assert exporter.run(job, what="a print") == "FakeKaleido"
    exporter._lock.acquire()  # another thread's export
    try:
        began = time.monotonic()
        assert exporter.run(job, timeout=0.2, what="a print") is None
        assert exporter.export_many(figures(), timeout=0.2) == [None, None]
        assert time.monotonic() - began < 2
    finally:
        exporter._lock.release()
    assert "busy for 0.2 s; a print not run" in caplog.text
    assert "busy for 0.2 s; 2 chart(s) left out" in caplog.text
    exporter.close()
    fake_browser.fail_open = True
    assert exporter.export_many(figures()) == [None, None]  # two launches fail: back-off
    starts = exporter.starts
    assert exporter.run(job, what="a print") is None
    assert exporter.starts == starts  # no launch tried during the back-off
    assert "browser failed to start recently; a print not run" in caplog.text


def test_fake_hung_start_times_out(fake_browser, exporter, monkeypatch):
    async def hang(self):
        await asyncio.sleep(60)

    monkeypatch.setattr(FakeKaleido, "open", hang)
    began = time.monotonic()
    assert exporter.export_many(figures(), timeout=0.5) == [None, None]
    assert time.monotonic() - began < 3
    assert exporter.starts == 1  # no time left for a second launch
    assert fake_browser.instances[0].closed
    assert exporter.available() is True  # a slow launch is not a missing browser: no back-off


def test_soft_time_limit_propagates_and_tears_down(fake_browser, exporter):
    """Celery's soft time limit arrives as an exception raised by a signal handler in the waiting thread: the
    exporter must not swallow it, and must leave no half-used browser behind."""

    async def slow(browser, fig, opts):
        await asyncio.sleep(60)

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded

    fake_browser.behaviour = slow
    previous = signal.signal(signal.SIGALRM, soft_limit)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(SoftTimeLimitExceeded):
            exporter.export_many(figures(), timeout=10)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fake_browser.instances[0].closed

    fake_browser.behaviour = None
    assert exporter.export_many(figures())[0] is not None  # the lock was released
    assert exporter.starts == 2


def test_fork_child_starts_afresh(fake_browser, exporter):
    exporter.export_many(figures())
    parent_browser = exporter._kaleido  # noqa: SLF001
    exporter._after_fork_in_child()  # noqa: SLF001 - what os.register_at_fork runs in a child
    assert exporter._kaleido is None  # noqa: SLF001
    assert exporter.starts == 0
    assert parent_browser.closed is False  # the parent's browser is the parent's
    assert exporter.export_many(figures())[0] is not None
    assert len(fake_browser.instances) == 2


# --- Debian's Chromium ---------------------------------------------------------------------------------------


@pytest.fixture
def real_browser(settings, chromium_path) -> str:
    # chromium_path skips (or fails on CI) without a browser; it may name CHROMIUM_PATH while PATH has the one.
    path = chromium_path if Path(chromium_path).is_file() else shutil.which("chromium")
    settings.CHART_EXPORT_BROWSER = path
    return path


@pytest.mark.browser
def test_exports_svg_and_png_with_one_browser(real_browser, exporter, monkeypatch):
    opened = []
    real_open = kaleido.Kaleido.open

    async def counting_open(self):
        opened.append(self)
        await real_open(self)

    monkeypatch.setattr(kaleido.Kaleido, "open", counting_open)
    assert exporter.available() is True

    svgs = exporter.export_many(figures())
    assert len(svgs) == 2
    for svg in svgs:
        assert svg is not None
        assert svg.lstrip().startswith(b"<svg")
    assert b"Readiness" in svgs[0]

    began = time.monotonic()
    pngs = exporter.export_many(figures(), fmt="png", width=400, height=300)
    warm = time.monotonic() - began
    for png in pngs:
        assert png is not None
        assert png.startswith(b"\x89PNG")

    assert len(opened) == 1
    assert exporter.starts == 1
    assert warm < 10


@pytest.mark.browser
def test_real_timeout_returns_none_then_recovers(real_browser, exporter, monkeypatch):
    from kaleido._kaleido_tab._tab import _KaleidoTab

    assert exporter.export_many(figures()[:1])[0] is not None  # warm
    real_calc = _KaleidoTab._calc_fig

    async def slow_calc(self, *args, **kwargs):
        await asyncio.sleep(60)

    monkeypatch.setattr(_KaleidoTab, "_calc_fig", slow_calc)  # what both the batch and calc_fig draw with
    began = time.monotonic()
    assert exporter.export_many(figures(), timeout=1) == [None, None]
    assert time.monotonic() - began < 10

    monkeypatch.setattr(_KaleidoTab, "_calc_fig", real_calc)
    results = exporter.export_many(figures())
    assert all(result is not None and b"<svg" in result for result in results)
    assert exporter.starts == 2


def _without_random_ids(svg: bytes) -> str:
    """An SVG with plotly's random ids (a new six-hex-digit one per drawing) replaced by a fixed word."""
    text = svg.decode()
    for uid in set(re.findall(r'(?:defs-|trace|class="cb|id="g[0-9a-f]{6}-cb)([0-9a-f]{6,8})\b', text)):
        text = text.replace(uid, "UID")
    return text


@pytest.mark.browser
def test_a_batch_draws_what_calc_fig_draws_at_each_figures_size_with_one_reload(real_browser, exporter, monkeypatch):
    from kaleido._kaleido_tab._tab import _KaleidoTab

    assert chart_export._batch_render is not None  # kaleido 1.5 (pinned) has the tab API the batch uses
    sizes = [(640, 360), (480, 300)]
    reloads = []
    real_reload = _KaleidoTab.reload

    async def counting_reload(self):
        reloads.append(1)
        await real_reload(self)

    exporter.export_many(figures()[:1])  # warm
    monkeypatch.setattr(_KaleidoTab, "reload", counting_reload)
    batch = exporter.export_many(figures(), sizes=sizes)
    assert len(reloads) == 1  # once after the batch, not once per figure
    monkeypatch.setattr(chart_export, "_batch_render", None)  # kaleido's own calc_fig, one figure at a time
    one_by_one = [
        exporter.export_many([figure], width=w, height=h)[0] for figure, (w, h) in zip(figures(), sizes, strict=True)
    ]
    assert [_without_random_ids(svg) for svg in batch] == [_without_random_ids(svg) for svg in one_by_one]
    assert b'width="640" height="360"' in batch[0]
    assert b'width="480" height="300"' in batch[1]


def test_sizes_must_match_the_figures(exporter):
    with pytest.raises(ValueError, match="2 figures"):
        exporter.export_many(figures(), sizes=[(100, 100)])
