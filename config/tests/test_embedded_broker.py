"""The embedded default runs tasks like production does: through a broker (a SQLite file, no server) to a real
`celery worker`, so a request never waits for a long task. Eager mode stays for the test suite. Also: the Celery
reliability settings, /readyz on the embedded broker, and `make demo`'s pair of processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def project_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of `make demo` (base settings, nothing configured), with its files in `tmp_path`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="embedded-broker-test-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_FILE=str(tmp_path / "celery-broker.sqlite3"),
        **extra,
    )
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "broker": settings.CELERY_BROKER_URL, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "options": settings.CELERY_BROKER_TRANSPORT_OPTIONS, "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "acks_late": settings.CELERY_TASK_ACKS_LATE, "reject": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
}))
"""


def test_with_nothing_configured_tasks_go_to_the_embedded_broker_not_eager(tmp_path):
    probe = json.loads(run_python(SETTINGS_PROBE, project_env(tmp_path)))
    assert probe["broker"] == f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    assert probe["eager"] is False
    # Eager mode remains available by choice, and is what the test suite runs with.
    assert json.loads(run_python(SETTINGS_PROBE, project_env(tmp_path, CELERY_TASK_ALWAYS_EAGER="true")))["eager"]
    if not os.environ.get("CELERY_BROKER_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER is True


def test_redis_redelivers_only_after_the_longest_task_could_have_finished(tmp_path):
    probe = json.loads(run_python(SETTINGS_PROBE, project_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/11")))
    assert probe["broker"] == "redis://127.0.0.1:1/11"
    assert probe["eager"] is False
    assert (probe["acks_late"], probe["reject"], probe["prefetch"]) == (True, True, 1)
    app.loader.import_default_modules()
    limits = [probe["time_limit"]] + [task.time_limit for task in app.tasks.values() if task.time_limit]
    longest_retry_countdown = max(getattr(task, "retry_backoff_max", 0) or 0 for task in app.tasks.values())
    assert probe["options"]["visibility_timeout"] > max(limits + [longest_retry_countdown])


WORKER = [
    sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-gossip", "--without-mingle",
    "--without-heartbeat", "--loglevel=INFO",
]  # fmt: skip

SEND_BEFORE_THE_WORKER = """
import django
django.setup()
from config.celery import ping
print(ping.delay().id)
"""

WAIT_FOR_RESULT = """
import json, sys, django
django.setup()
from celery.result import AsyncResult
from config.health import check_broker
print(json.dumps({"result": AsyncResult(sys.argv[1]).get(timeout=60), "broker": check_broker()}))
"""


def test_a_real_worker_runs_the_tasks_of_the_embedded_broker(tmp_path):
    env = project_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "django_celery_results", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    # A task sent while no worker runs waits in the broker's file...
    task_id = run_python(SEND_BEFORE_THE_WORKER, env)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(WORKER, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # ...and the worker, once started, runs it: the result is the worker's, not an in-process run's.
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(WAIT_FOR_RESULT), task_id],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:] + (tmp_path / "worker.log").read_text()[-3000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["result"]["worker"].startswith("celery@")
        assert report["result"]["database"] == "sqlite"
        assert report["broker"] is None  # /readyz's broker check passes on the embedded broker
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


@pytest.mark.django_db
def test_readyz_checks_the_embedded_broker(client, settings, monkeypatch, tmp_path):
    settings.INFRAREADY_BROKER_CONFIGURED = True
    settings.INFRAREADY_EMBEDDED_BROKER = True
    monkeypatch.setitem(app.conf, "broker_transport_options", {})
    monkeypatch.setattr(app.conf, "broker_url", f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")
    response = client.get(reverse("readyz"))
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    monkeypatch.setattr(app.conf, "broker_url", f"sqla+sqlite:///{tmp_path / 'no-such-folder' / 'broker.sqlite3'}")
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}
    assert "unable to open database file" in response.json()["errors"]["broker"]


# --- make demo: web server and worker side by side ---------------------------------------------------------------

STUB = """#!/usr/bin/env bash
echo "$$" > "{folder}/$(basename "$0").pid"
trap 'echo stopped > "{folder}/$(basename "$0").stopped"; exit 0' TERM INT
{body}
"""


def stubs(tmp_path: Path, *, worker_body: str = "while true; do sleep 0.1; done") -> Path:
    """Stand-ins for .venv/bin/gunicorn and .venv/bin/celery that record their pid and how they ended."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in (("gunicorn", "while true; do sleep 0.1; done"), ("celery", worker_body)):
        path = folder / name
        path.write_text(STUB.format(folder=folder, body=body))
        path.chmod(0o755)
    return folder


def start_demo(folder: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "serve-demo.sh")],
        env={**os.environ, "BIN": str(folder), "PORT": "8999", "STOP_GRACE_SECONDS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 10
    while not all((folder / f"{name}.pid").exists() for name in ("gunicorn", "celery")):
        assert time.monotonic() < deadline, "serve-demo did not start both processes"
        time.sleep(0.05)
    return process


def test_make_demo_stops_the_web_server_and_the_worker_together(tmp_path):
    folder = stubs(tmp_path)
    process = start_demo(folder)
    process.send_signal(signal.SIGTERM)  # as Ctrl-C or newcomer-check's kill would
    process.wait(timeout=10)
    assert (folder / "gunicorn.stopped").exists()
    assert (folder / "celery.stopped").exists()


def test_when_the_worker_dies_the_web_server_is_stopped_too(tmp_path):
    folder = stubs(tmp_path, worker_body="sleep 0.5; exit 3")
    process = start_demo(folder)
    assert process.wait(timeout=10) == 3
    assert (folder / "gunicorn.stopped").exists()
    assert "the worker stopped (exit 3)" in process.stdout.read()


def test_a_worker_that_hangs_in_its_shutdown_is_killed(tmp_path):
    folder = stubs(tmp_path, worker_body="trap '' TERM INT; while true; do sleep 0.1; done")
    process = start_demo(folder)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    worker_pid = int((folder / "celery.pid").read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{worker_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{worker_pid}").exists() or "Z" in Path(f"/proc/{worker_pid}/stat").read_text().split()[2]
