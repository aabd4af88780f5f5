"""Processes the integration suite starts and stops on purpose: a Redis server of its own (to stop and start it
without touching the machine's shared one) and Celery workers (to kill them mid-task)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], seconds: float, every: float = 0.2) -> Any:
    """``condition()`` once it is truthy, polled until ``seconds`` have passed; else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None


class RedisServer:
    """``redis-server`` on a free loopback port, keeping nothing on disk (``--save "" --appendonly no``)."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server not found: install Debian's redis-server package")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for(self._answers, 10):
            raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop it the hard way (as a crash would): whatever it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Worker:
    """``celery worker`` (solo pool) in a session of its own, on ``queue``, against ``database_url``."""

    def __init__(self, *, queue: str, database_url: str, log_dir: Path, **env: str) -> None:
        self.queue = queue
        self.node = f"{queue}-{uuid.uuid4().hex[:4]}@{socket.gethostname()}"
        self.log_path = log_dir / f"worker-{self.node.split('@')[0]}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_TASK_DEFAULT_QUEUE": queue,  # tasks the worker queues itself (scoring -> roadmap) stay on it
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, ready_within: float = 90) -> Worker:
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed command line)
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "-Q",
                    self.queue,
                    "-n",
                    self.node,
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes its browser for charts with it
            )
        if not wait_for(lambda: self.process.poll() is not None or " ready." in self.log(), ready_within):
            raise RuntimeError(f"celery worker not ready within {ready_within} s:\n{self.log()}")
        if self.process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{self.log()}")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """``kill -9`` the worker and everything it started: it acknowledges nothing, cleans up nothing."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
