import pytest
from django.urls import reverse

from config import health
from config.celery import app

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_only_when_no_broker_is_configured(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_names_a_failing_database(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: "OperationalError: connection refused")
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "failed"
    assert "connection refused" in body["errors"]["database"]


def test_readyz_names_an_unreachable_broker(client, settings, monkeypatch):
    settings.INFRAREADY_BROKER_CONFIGURED = True
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}
