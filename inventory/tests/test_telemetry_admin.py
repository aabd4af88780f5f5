"""Telemetry in the admin: scoped to the staff member's organizations; secrets write-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.demo import DEMO_OPERATOR_USERNAME, seed_operator
from config.encryption import decrypt
from inventory.models import BmcEndpoint, PrometheusConfig, ServerTelemetryDay

from .factories import ServerFactory
from .telemetry_factories import BMC_PASSWORD, BMC_USER, TOKEN, telemetry_rows
from .test_admin import make_staff

pytestmark = pytest.mark.django_db


def url(model, action, *args):
    return reverse(f"admin:inventory_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def both(organization, other_organization):
    return {
        org.slug: telemetry_rows(org, ServerFactory(organization=org, hostname=f"{org.slug}-gpu1"))
        for org in (organization, other_organization)
    }


@pytest.mark.parametrize("model", [ServerTelemetryDay, PrometheusConfig, BmcEndpoint])
def test_staff_see_only_their_organizations_rows_and_never_a_secret(client, owner, both, model):
    client.force_login(make_staff(owner))
    page = client.get(url(model, "changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [both["acme-ai"][_key(model)]]
    mine, theirs = both["acme-ai"][_key(model)], both["other-corp"][_key(model)]
    change = client.get(url(model, "change", mine.pk))
    assert change.status_code == 200
    html = change.content.decode()
    for secret in (TOKEN, BMC_USER, BMC_PASSWORD, mine.__dict__.get("bearer_token_encrypted") or "zz-none"):
        assert secret not in html
    assert client.get(url(model, "change", theirs.pk)).status_code == 302  # "not found": back to the admin index


def _key(model):
    return {ServerTelemetryDay: "telemetry_day", PrometheusConfig: "prometheus", BmcEndpoint: "bmc"}[model]


def test_changing_a_bmc_keeps_credentials_unless_new_ones_are_given(client, owner, both):
    client.force_login(make_staff(owner))
    bmc = both["acme-ai"]["bmc"]
    data = {"organization": bmc.organization_id, "server": bmc.server_id, "address": "bmc-9.example.net",
            "verify_tls": "", "enabled": "on", "username": "", "password": ""}  # fmt: skip
    response = client.post(url(BmcEndpoint, "change", bmc.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    bmc.refresh_from_db()
    assert (bmc.address, bmc.get_username(), bmc.get_password()) == ("bmc-9.example.net", BMC_USER, BMC_PASSWORD)
    response = client.post(
        url(BmcEndpoint, "change", bmc.pk), {**data, "password": "new-one", "address": "169.254.1.1"}
    )
    assert "link-local" in str(response.context["adminform"].form.errors["address"])
    response = client.post(url(BmcEndpoint, "change", bmc.pk), {**data, "password": "new-one"})
    bmc.refresh_from_db()
    assert bmc.get_password() == "new-one"
    assert "new-one" not in bmc.password_encrypted


def test_a_prometheus_token_is_replaced_or_removed(client, owner, both):
    client.force_login(make_staff(owner))
    config = both["acme-ai"]["prometheus"]
    data = {"organization": config.organization_id, "url": "http://prom.acme:9090/", "enabled": "on",
            "verify_tls": "on", "window_days": 7, "step_seconds": 300, "token": ""}  # fmt: skip
    assert client.post(url(PrometheusConfig, "change", config.pk), data).status_code == 302
    config.refresh_from_db()
    assert (config.url, decrypt(config.bearer_token_encrypted)) == ("http://prom.acme:9090", TOKEN)
    client.post(url(PrometheusConfig, "change", config.pk), {**data, "clear_token": "on"})
    config.refresh_from_db()
    assert config.has_token is False


def test_a_days_figures_read_as_the_telemetry_page_writes_them(client, organization, both):
    """Watts whole, percentages and GB with one decimal, in the list and on the (read-only) page of a day."""
    seed_operator(organization, "operator-password-123")
    client.force_login(get_user_model().objects.get(username=DEMO_OPERATOR_USERNAME))
    day = both["acme-ai"]["telemetry_day"]
    ServerTelemetryDay.objects.filter(pk=day.pk).update(
        accelerator_power_p95_w=5612.333, utilization_mean_pct=47.125, memory_used_max_gb=301.875
    )
    listed = client.get(url(ServerTelemetryDay, "changelist")).content.decode()
    assert '<td class="field-accelerator_power_p95_w">5612</td>' in listed
    assert '<td class="field-utilization_mean_pct">47.1</td>' in listed
    page = client.get(url(ServerTelemetryDay, "change", day.pk)).content.decode()
    assert "Accelerator power, 95th percentile (W):" in page
    for text in ("5612", "47.1", "301.9"):
        assert text in page
    for raw_text in ("5612.333", "47.125", "301.875"):
        assert raw_text not in page
