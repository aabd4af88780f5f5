"""Plotly figures to SVG or PNG for PDF reports, with kaleido 1.x driving Debian's Chromium.

One browser per process, started on first use and kept warm: the first export pays for the launch (~2 s), later
ones take a fraction of a second. A call's figures are drawn one after the other in one page of that browser,
which is reloaded once after the batch, not after each figure: kaleido's own ``calc_fig`` reloads the page (and
its 4.8 MB of plotly.js) after every figure, which was three quarters of the time (11 figures: 1.9 s -> 0.5 s).
The batch goes through kaleido's tab (``Kaleido._get_kaleido_tab``, ``_KaleidoTab._calc_fig``), which kaleido
1.5 (pinned) has; without it, ``calc_fig`` per figure is used. The images are the same but for plotly's random
element ids (``test_chart_export``). The exporter never raises for a browser problem and never blocks past its
deadline: a missing browser, a launch that fails twice, a crash or a timeout give ``None`` for the figures
concerned, and the report shows a table in their place.

kaleido's own sync server (``kaleido.start_sync_server``) is deliberately not used: its ``call_function`` waits
on a queue with no timeout, so a browser that fails to launch (or a hung render) blocks the caller forever. Here
the ``kaleido.Kaleido`` browser lives on an event loop in a daemon thread of ours, and every call into it goes
through ``asyncio.run_coroutine_threadsafe(...).result(timeout=...)``.

Settings: ``CHART_EXPORT_BROWSER`` (path to the Chromium executable; default ``shutil.which("chromium")`` else
``/usr/bin/chromium``; an empty string disables chart export).
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

MIME_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
DEFAULT_BROWSER = "/usr/bin/chromium"
DEFAULT_WIDTH = 900
DEFAULT_HEIGHT = 500
DEFAULT_TIMEOUT = 30.0
"""Seconds one ``export_many`` call may take in all, the browser launch included."""
START_TIMEOUT = 20.0
"""Seconds a browser launch may take."""
CLOSE_TIMEOUT = 5.0
"""Seconds a clean browser shutdown may take before the process group is killed."""
RETRY_AFTER = 60.0
"""After the browser failed to launch twice, seconds during which exports return ``None`` without trying."""

try:  # An Exception subclass, but it must reach the task: its time is up.
    from celery.exceptions import SoftTimeLimitExceeded
except ImportError:  # pragma: no cover - celery is a dependency, but this module does not need it
    SoftTimeLimitExceeded = KeyboardInterrupt  # a stand-in already in the tuple

INTERRUPTS: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit, SoftTimeLimitExceeded)
"""Exceptions the exporter cleans up after (the browser is torn down) and re-raises instead of swallowing."""


def browser_path() -> str | None:
    """The Chromium executable to use, or ``None`` when there is none (or chart export is disabled)."""
    configured = getattr(settings, "CHART_EXPORT_BROWSER", None)
    candidate = (shutil.which("chromium") or DEFAULT_BROWSER) if configured is None else str(configured)
    if not candidate:
        return None
    path = Path(candidate)
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    return None


def as_data_uri(image: bytes | str, fmt: str) -> str:
    """A ``data:`` URI for ``<img src="...">``: ``fmt`` is "svg" or "png"."""
    try:
        mime_type = MIME_TYPES[fmt]
    except KeyError:
        raise ValueError(f"unknown image format {fmt!r}: expected one of {sorted(MIME_TYPES)}") from None
    data = image.encode() if isinstance(image, str) else image
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def _kill_process_group(process: Any) -> None:
    """Kill the browser wrapper and Chromium's children (choreographer starts them in a session of their own)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    try:
        process.wait(timeout=2)
    except Exception:  # noqa: BLE001 - best effort; the process is gone or a zombie reaped later
        logger.warning("chart export: browser process %s did not exit after SIGKILL", process.pid)


class ChartExporter:
    """Exports figures through one warm headless Chromium, thread-safe; use the module's ``exporter``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._failed_until = 0.0
        self.starts = 0
        """Browser launches attempted by this process (for logs and tests)."""

    # --- public ------------------------------------------------------------------------------------------------

    def available(self) -> bool:
        """Whether an export can be attempted now: a browser executable exists and has not just failed to start."""
        return browser_path() is not None and time.monotonic() >= self._failed_until

    def export_many(
        self,
        figures: Sequence[Any],
        *,
        fmt: str = "svg",
        width: int = DEFAULT_WIDTH,
        height: int = DEFAULT_HEIGHT,
        scale: float = 1,
        timeout: float = DEFAULT_TIMEOUT,
        sizes: Sequence[tuple[int, int]] | None = None,
    ) -> list[bytes | None]:
        """Each figure as SVG or PNG bytes, or ``None`` where it could not be exported in time.

        ``sizes`` gives each figure its own (width, height) instead of ``width`` and ``height``. ``timeout`` bounds
        the whole call (waiting for another thread's export, the browser launch and every render). Raises only
        ``ValueError`` for an unknown ``fmt`` or a ``sizes`` of another length than ``figures``.
        """
        if fmt not in MIME_TYPES:
            raise ValueError(f"unknown image format {fmt!r}: expected one of {sorted(MIME_TYPES)}")
        if sizes is not None and len(sizes) != len(figures):
            raise ValueError(f"{len(sizes)} sizes for {len(figures)} figures")
        results: list[bytes | None] = [None] * len(figures)
        if not figures:
            return results
        with self._held(timeout, f"{len(figures)} chart(s) left out") as held:
            if held is None:
                return results
            path, deadline = held
            each = sizes or [(width, height)] * len(figures)
            opts = [{"format": fmt, "width": w, "height": h, "scale": scale} for w, h in each]
            try:
                self._export_locked(figures, results, path=path, deadline=deadline, opts=opts)
            except INTERRUPTS:
                raise
            except Exception:
                logger.exception("chart export failed")
        return list(results)

    def run(
        self, job: Callable[[Any], Awaitable[T]], *, timeout: float = DEFAULT_TIMEOUT, what: str = "job"
    ) -> T | None:
        """``await job(browser)`` on the warm browser (kaleido's, a choreographer ``Browser``), started if needed;
        its result, or ``None`` when there is no browser, it would not start, or the job failed or ran out of
        ``timeout`` seconds (each logged, naming ``what``). A job that timed out, or whose browser died, leaves
        the browser torn down for the next call; interrupts (a soft time limit) do too, and are re-raised.
        `browser_pdf` prints reports this way."""
        with self._held(timeout, f"{what} not run") as held:
            if held is None:
                return None
            path, deadline = held
            if self._kaleido is None and not self._start(path, deadline):
                self._failed_until = time.monotonic() + RETRY_AFTER
                return None
            try:
                return self._call(job(self._kaleido), deadline - time.monotonic())
            except TimeoutError:
                logger.warning("chart export: %s timed out after %.0f s; the browser restarts next time", what, timeout)
                self._discard_browser()
            except INTERRUPTS:
                self._discard_browser()
                raise
            except Exception:
                logger.exception("chart export: %s failed", what)
                if not self._browser_alive():
                    self._discard_browser()
            return None

    def close(self, *, timeout: float = CLOSE_TIMEOUT + 3) -> None:
        """Stop the browser and the event loop thread (at exit, at worker shutdown); safe to call twice."""
        if not self._lock.acquire(timeout=timeout):
            logger.warning("chart export: busy at shutdown; killing the browser")
            _kill_process_group(getattr(self._kaleido, "subprocess", None))
            return
        try:
            self._discard_browser()
            self._stop_loop()
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def _held(self, timeout: float, skipped: str) -> Iterator[tuple[str, float] | None]:
        """The browser's path and the call's deadline (``timeout`` seconds from now, waiting for the lock
        included), with the lock held until the block ends; ``None`` (logged, ending with ``skipped``) when there
        is no browser, the lock stayed taken for ``timeout`` seconds, or the browser failed to start recently."""
        path = browser_path()
        if path is None:
            logger.warning("chart export: no browser (CHART_EXPORT_BROWSER); %s", skipped)
            yield None
            return
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            logger.warning("chart export: busy for %.1f s; %s", timeout, skipped)
            yield None
            return
        try:
            if time.monotonic() < self._failed_until:
                logger.warning("chart export: browser failed to start recently; %s", skipped)
                yield None
            else:
                yield path, deadline
        finally:
            self._lock.release()

    # --- internals (called with the lock held) ---------------------------------------------------------------

    def _export_locked(
        self,
        figures: Sequence[Any],
        results: list[bytes | None],
        *,
        path: str,
        deadline: float,
        opts: list[dict[str, Any]],
    ) -> None:
        # Plain dicts cross into the loop thread, so that nothing the caller holds is read concurrently.
        specs = [figure.to_dict() if hasattr(figure, "to_dict") else figure for figure in figures]
        pending = list(range(len(specs)))
        for attempt in (1, 2):
            if self._kaleido is None:
                if time.monotonic() >= deadline:
                    break  # out of time, which says nothing about the browser: no back-off
                if not self._start(path, deadline):
                    if attempt == 2:
                        self._failed_until = time.monotonic() + RETRY_AFTER
                    continue
            errors = self._render(specs, pending, results, opts, deadline)
            if errors is None:  # timed out: the browser was torn down, no time left for a retry
                return
            pending = [index for index in pending if results[index] is None]
            if not pending:
                return
            if self._browser_alive():
                # The browser is fine, so these figures themselves failed (bad data): no point in retrying.
                for index in pending:
                    logger.warning("chart export: figure %d failed: %r", index, errors.get(index))
                return
            logger.warning("chart export: browser died (%r); restarting it once", next(iter(errors.values()), None))
            self._discard_browser()
        if pending:
            logger.warning("chart export: %d chart(s) left out after a restart", len(pending))

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=self._run_loop, args=(loop,), name="chart-export", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _call(self, coroutine: Any, timeout: float) -> Any:
        """Run ``coroutine`` on the loop thread; on timeout cancel it and raise ``TimeoutError``. Whatever
        interrupts the wait (a soft time limit) cancels the coroutine too."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure_loop())
        try:
            return future.result(timeout=max(0.0, timeout))
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None
        except BaseException:
            future.cancel()
            raise

    def _start(self, path: str, deadline: float) -> bool:
        try:
            from kaleido import Kaleido
        except ImportError:
            logger.exception("chart export: kaleido is not installed")
            return False
        self.starts += 1
        remaining = min(START_TIMEOUT, deadline - time.monotonic())
        holder: dict[str, Any] = {}

        async def launch() -> Any:
            # mathjax=False: otherwise the page loads MathJax from a CDN. plotly.js comes from the plotly package.
            browser = Kaleido(n=1, timeout=DEFAULT_TIMEOUT, mathjax=False, path=path)
            holder["browser"] = browser
            await browser.open()
            return browser

        began = time.monotonic()
        try:
            self._kaleido = self._call(launch(), remaining)
        except BaseException as error:  # TimeoutError, ChromeNotFoundError, BrowserFailedError, INTERRUPTS
            self._kaleido = holder.get("browser")
            self._discard_browser()
            if isinstance(error, INTERRUPTS) or not isinstance(error, Exception):
                raise
            logger.warning("chart export: browser %s failed to start: %r", path, error)
            return False
        logger.info("chart export: browser %s started in %.2f s", path, time.monotonic() - began)
        return True

    def _render(
        self,
        specs: list[Any],
        pending: list[int],
        results: list[bytes | None],
        opts: list[dict[str, Any]],
        deadline: float,
    ) -> dict[int, BaseException] | None:
        """Fill ``results`` for the ``pending`` figures; the errors by index, or ``None`` on timeout."""
        browser = self._kaleido
        errors: dict[int, BaseException] = {}

        async def render_all() -> None:
            if _batch_render is not None and hasattr(browser, "_get_kaleido_tab"):
                await _batch_render(browser, [(index, specs[index], opts[index]) for index in pending], results, errors)
                return
            for index in pending:
                try:
                    results[index] = await browser.calc_fig(specs[index], opts=dict(opts[index]))
                except Exception as error:  # noqa: BLE001 - reported per figure
                    errors[index] = error

        try:
            self._call(render_all(), deadline - time.monotonic())
        except TimeoutError:
            left = sum(1 for index in pending if results[index] is None)
            logger.warning("chart export: timed out; %d chart(s) left out, restarting the browser next time", left)
            self._discard_browser()
            return None
        except BaseException:
            self._discard_browser()  # interrupted mid-render: the tab's state is unknown
            raise
        return errors

    def _browser_alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return process is not None and process.poll() is None

    def _discard_browser(self) -> None:
        browser, self._kaleido = self._kaleido, None
        if browser is None:
            return
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            try:
                self._call(browser.close(), CLOSE_TIMEOUT)
            except TimeoutError:
                # The loop may be wedged: abandon it (a daemon thread) and start a fresh one next time.
                logger.warning("chart export: browser did not close within %.0f s; killing it", CLOSE_TIMEOUT)
                self._stop_loop(join=False)
            except INTERRUPTS:
                _kill_process_group(getattr(browser, "subprocess", None))
                raise
            except Exception as error:  # noqa: BLE001 - fall through to the kill
                logger.warning("chart export: browser did not close cleanly: %r", error)
        _kill_process_group(getattr(browser, "subprocess", None))

    def _stop_loop(self, *, join: bool = True) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            if join:
                thread.join(timeout=2)

    def _after_fork_in_child(self) -> None:
        """A forked child (Celery prefork) inherits no thread and must not touch its parent's browser."""
        self._lock = threading.Lock()
        self._loop = self._thread = self._kaleido = None
        self._failed_until = 0.0
        self.starts = 0


async def _kaleido_batch(
    browser: Any,
    items: Sequence[tuple[int, Any, dict[str, Any]]],
    results: list[bytes | None],
    errors: dict[int, BaseException],
) -> None:
    """Draw ``(index, figure, opts)`` one after the other in one page of kaleido's browser; reload it once at the
    end (and after a figure that failed, whose page state is unknown), not after every figure."""
    from kaleido import _profiler
    from kaleido._utils import fig_tools

    tab = await browser._get_kaleido_tab()  # noqa: SLF001
    try:
        for index, figure, opts in items:
            try:
                spec = fig_tools.coerce_for_js(figure, None, dict(opts))
                profile = _profiler.RenderTaskProfile(spec, None, tab.tab.target_id)
                render = tab._calc_fig(spec, topojson=None, render_prof=profile, stepper=False)  # noqa: SLF001
                results[index] = await asyncio.wait_for(render, DEFAULT_TIMEOUT)
            except Exception as error:  # noqa: BLE001 - reported per figure
                errors[index] = error
                await tab.reload()
    finally:
        await browser._return_kaleido_tab(tab)  # noqa: SLF001 - reloads the page for the next call


def _batch_supported() -> bool:
    """Whether the installed kaleido has the tab API the batch uses (1.5 has)."""
    try:
        from kaleido import Kaleido, _profiler  # noqa: F401
        from kaleido._kaleido_tab._tab import _KaleidoTab
        from kaleido._utils import fig_tools
    except ImportError:
        return False
    return all(
        (
            hasattr(Kaleido, "_get_kaleido_tab"),
            hasattr(Kaleido, "_return_kaleido_tab"),
            hasattr(_KaleidoTab, "_calc_fig"),
            hasattr(fig_tools, "coerce_for_js"),
        )
    )


_batch_render = _kaleido_batch if _batch_supported() else None
"""The batch in one page, or ``None`` (then ``calc_fig`` per figure) when kaleido lacks the tab API."""

exporter = ChartExporter()
"""The process's exporter: one browser per process (per Celery worker child)."""


def export_many(figures: Sequence[Any], **kwargs: Any) -> list[bytes | None]:
    """``exporter.export_many``."""
    return exporter.export_many(figures, **kwargs)


def available() -> bool:
    """``exporter.available``."""
    return exporter.available()


def shutdown(**_: Any) -> None:
    """Stop the process's browser; connected to ``atexit`` and Celery's ``worker_process_shutdown``."""
    exporter.close()


atexit.register(shutdown)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=exporter._after_fork_in_child)  # noqa: SLF001

try:  # Prefork children leave through os._exit, so atexit does not run there; this signal does.
    from celery.signals import worker_process_shutdown
except ImportError:  # pragma: no cover - celery is a dependency, but this module does not need it
    pass
else:
    worker_process_shutdown.connect(shutdown, weak=False, dispatch_uid="reports.chart_export.shutdown")
