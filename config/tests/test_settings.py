"""Configuration from the environment: production passes `check --deploy`; DEBUG off needs a SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_results.models import TaskResult

from config.celery import ping

ROOT = Path(__file__).resolve().parents[2]
# The test run's own variables that must not leak into the settings under test.
INHERITED_SETTINGS = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_check_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k" * 10 + "Zq8#vW2!pL5@xR9$mN3^bT7&cY1*dF4(gH6)jK0-",
        ALLOWED_HOSTS="infraready.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.base", SECRET_KEY="", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_with_no_broker_tasks_run_eagerly():
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not os.environ.get("CELERY_BROKER_URL"))


@pytest.mark.django_db
@pytest.mark.skipif(bool(os.environ.get("CELERY_BROKER_URL")), reason="eager mode only")
def test_an_eager_task_runs_in_process_and_its_result_is_stored():
    result = ping.delay()
    assert result.get(timeout=5) == {"worker": "eager", "database": "sqlite"}
    assert TaskResult.objects.get(task_id=result.id).status == "SUCCESS"
