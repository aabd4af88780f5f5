"""The Redfish power reader against DMTF's public mockups (inventory/tests/data/redfish/, SOURCE.md there), served
on loopback by a minimal stand-in written here: GET answers a path's index.json, POST to the session collection
answers a token, DELETE ends the session; everything but the service root needs the token."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from config.testing import api_errors
from config.tests.loopback import Answer, serve
from inventory.models import BmcEndpoint, PullStatus, ServerTelemetryDay
from inventory.telemetry import configuration, pulls
from inventory.telemetry.redfish import RedfishError, base_url, read_server_power

from .factories import ServerFactory

MOCKUPS = Path(__file__).parent / "data" / "redfish"
TOKEN = "tok-1234"
USER, PASSWORD = "admin", "correct horse"


def bmc(mockup: str, *, hide: tuple[str, ...] = (), delay: float = 0.0):
    root = MOCKUPS / mockup

    def handler(request):
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/redfish/v1/SessionService/Sessions":
            body = json.loads(request.body or b"{}")
            if (body.get("UserName"), body.get("Password")) != (USER, PASSWORD):
                return Answer(401, '{"error": {"message": "Invalid credentials"}}')
            location = "/redfish/v1/SessionService/Sessions/1"
            return Answer(201, json.dumps({"Id": "1"}), {"X-Auth-Token": TOKEN, "Location": location})
        if request.method == "DELETE":
            return Answer(204)
        if path != "/redfish/v1" and request.headers.get("X-Auth-Token") != TOKEN:
            return Answer(401, '{"error": {"message": "no session"}}')
        relative = path.removeprefix("/redfish/v1").strip("/")
        file = root / relative / "index.json"
        if any(relative.endswith(hidden) for hidden in hide) or not file.is_file():
            return Answer(404, '{"error": {"message": "not found"}}')
        return Answer(body=file.read_bytes(), delay=delay)

    return serve(handler)


def read(url: str, **kwargs) -> object:
    options = {"username": USER, "password": PASSWORD, "verify": False, "allow_private": True, "timeout": (1, 2)}
    return read_server_power(address=url, **{**options, **kwargs})


def test_newer_environment_metrics_first():
    with bmc("public-rackmount1") as server:
        reading = read(server.url)
    assert reading.watts == 374
    assert reading.path == "/redfish/v1/Chassis/1U/EnvironmentMetrics PowerWatts"
    methods = [(r.method, r.path) for r in server.seen]
    assert ("POST", "/redfish/v1/SessionService/Sessions") in methods
    assert methods[-1] == ("DELETE", "/redfish/v1/SessionService/Sessions/1")  # logged out


def test_legacy_power_control():
    with bmc("public-localstorage") as server:
        reading = read(server.url)
    assert reading.watts == 344
    assert reading.path == "/redfish/v1/Chassis/1U/Power PowerControl[0].PowerConsumedWatts"


def test_power_subsystem_only():
    with bmc("public-liquid-cooled-server", hide=("EnvironmentMetrics",)) as server:
        reading = read(server.url)
    assert reading.watts == 937.4
    assert (
        reading.path == "/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies InputPowerWatts (sum of 1 power supplies)"
    )


def test_a_bmc_without_consumed_watts_says_so():
    with bmc("public-bladed") as server:
        reading = read(server.url)
    assert reading.watts is None
    assert reading.note.startswith("no power reading:")
    assert "(MultiBladeEncl, Blade1, Blade2, Blade3, Blade4)" in reading.note


def test_wrong_credentials():
    with bmc("public-rackmount1") as server, pytest.raises(RedfishError, match="refused the user name or password"):
        read(server.url, password="wrong")


def test_an_unreachable_bmc_and_one_that_redirects_elsewhere():
    with bmc("public-rackmount1") as server:
        url = server.url
    with pytest.raises(RedfishError, match="cannot be reached"):
        read(url)
    with serve(lambda r: Answer(body="{}")) as other:
        elsewhere = f"http://localhost:{other.port}/redfish/v1/"
        with (
            serve(lambda r: Answer(302, headers={"Location": elsewhere})) as server,
            pytest.raises(RedfishError, match="is not http://127.0.0.1"),
        ):
            read(server.url)
    assert other.seen == []


def test_a_slow_bmc_is_given_up_at_its_deadline():
    with bmc("public-rackmount1", delay=0.8) as server:
        started = time.monotonic()
        with pytest.raises(RedfishError, match="in time|time allowed"):
            read(server.url, timeout=(1, 5), deadline_seconds=2)
        assert time.monotonic() - started < 4


def test_metadata_addresses_are_never_contacted():
    with pytest.raises(RedfishError, match="metadata"):
        read("169.254.169.254")


def test_addresses_become_base_urls():
    assert base_url("10.0.0.5") == "https://10.0.0.5"
    assert base_url("http://bmc-7:8080/redfish/v1") == "http://bmc-7:8080"


@pytest.mark.parametrize("address", ["http://[::1", "https://[::1", "[fe80::1"])
def test_an_ipv6_address_without_its_bracket_is_a_400_naming_the_address(
    address, organization, assessor, api_client_for
):
    """It was a 500 (``urlsplit``'s ValueError), in the API and the admin alike: both read the one rule."""
    assert base_url(address).endswith(address)  # as written, for the URL rule to refuse
    server_row = ServerFactory(organization=organization)
    response = api_client_for(assessor, organization).post(
        reverse("api:inventory:bmcendpoint-list"),
        {"server": server_row.pk, "address": address, "username": USER, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert [(e["field"], e["message"]) for e in api_errors(response)] == [
        ("address", "Enter an http:// or https:// URL.")
    ]
    assert not BmcEndpoint.objects.exists()


# --- stored readings ----------------------------------------------------------------------------------------------


@pytest.fixture
def endpoint_for(organization):
    def make(url: str) -> BmcEndpoint:
        server = ServerFactory(organization=organization)
        return configuration.bmc_endpoint_save(
            organization=organization, server=server, address=url, username=USER, password=PASSWORD, verify_tls=False
        )

    return make


def test_readings_of_a_day_fold_into_its_server_power(organization, endpoint_for):
    noon = datetime(2026, 11, 30, 12, tzinfo=UTC)
    with bmc("public-localstorage") as server:
        endpoint = endpoint_for(server.url)
        pulls.bmc_read(endpoint=endpoint, now=noon)
        pulls.bmc_read(endpoint=endpoint, now=noon + timedelta(minutes=15))
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.last_power_w, endpoint.last_error) == (PullStatus.OK, 344, "")
    row = ServerTelemetryDay.objects.get(server=endpoint.server)
    assert (row.source, row.day, row.sample_count) == ("redfish", noon.date(), 2)
    assert row.server_power_p50_w == row.server_power_p95_w == row.server_power_max_w == 344
    assert row.power_reading_path.endswith("PowerControl[0].PowerConsumedWatts")
    assert row.accelerator_power_max_w is None


def test_no_reading_and_errors_are_stored_on_the_endpoint(organization, endpoint_for):
    with bmc("public-bladed") as server:
        endpoint = pulls.bmc_read(endpoint=endpoint_for(server.url))
    assert endpoint.status == PullStatus.FAILED
    assert endpoint.last_error.startswith("no power reading:")
    assert not ServerTelemetryDay.objects.exists()


def test_read_now_over_the_api_and_write_only_credentials(organization, assessor, api_client_for):
    server_row = ServerFactory(organization=organization, hostname="node-7")
    client = api_client_for(assessor, organization)
    with bmc("public-rackmount1") as server:
        response = client.post(
            reverse("api:inventory:bmcendpoint-list"),
            {
                "server": server_row.pk,
                "address": server.url,
                "username": USER,
                "password": PASSWORD,
                "verify_tls": False,
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["has_password"] is True
        assert "password" not in body
        assert "username" not in body
        assert PASSWORD not in response.content.decode()
        stored = BmcEndpoint.objects.get()
        assert PASSWORD not in stored.password_encrypted
        assert USER not in stored.username_encrypted
        assert client.post(reverse("api:inventory:bmc-read")).status_code == 202  # eager without a broker
    body = client.get(reverse("api:inventory:bmcendpoint-detail", args=[stored.pk])).json()
    assert (body["status"], body["last_power_w"]) == ("ok", 374)
    telemetry = client.get(reverse("api:inventory:server-telemetry", args=[server_row.pk])).json()
    assert telemetry["days"][0]["server_power_w"]["max"] == 374
    assert telemetry["days"][0]["server_power_w"]["read_from"] == "/redfish/v1/Chassis/1U/EnvironmentMetrics PowerWatts"
    # a second endpoint for the same server, a missing password, a metadata address: field errors
    response = client.post(
        reverse("api:inventory:bmcendpoint-list"),
        {"server": server_row.pk, "address": "169.254.169.254", "username": USER},
        format="json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in api_errors(response)} == {"server", "address", "password"}
    # changing the address keeps the stored credentials
    response = client.patch(
        reverse("api:inventory:bmcendpoint-detail", args=[stored.pk]), {"address": "bmc-7.example.net"}, format="json"
    )
    assert response.status_code == 200, response.content
    stored.refresh_from_db()
    assert (stored.address, stored.get_username(), stored.get_password()) == ("bmc-7.example.net", USER, PASSWORD)


def test_a_reading_that_cannot_be_stored_fails_its_bmc_and_the_others_are_read(organization, endpoint_for, monkeypatch):
    from django.db import OperationalError

    real = pulls.store_day_summaries
    calls: list[int] = []

    def locked_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(pulls, "store_day_summaries", locked_once)
    with bmc("public-localstorage") as server:
        first, second = endpoint_for(server.url), endpoint_for(server.url)
        assert pulls.bmc_read_all(organization=organization) == {"read": 1, "failed": 1}
    endpoints = BmcEndpoint.objects.filter(pk__in=[first.pk, second.pk])
    (failed,) = [e for e in endpoints if e.status == PullStatus.FAILED]  # the one read first, whichever it is
    (read,) = [e for e in endpoints if e.status == PullStatus.OK]
    assert failed.last_error == "the reading (344 W) could not be stored: database is locked"
    assert read.last_power_w == 344
    assert list(ServerTelemetryDay.objects.values_list("server_id", flat=True)) == [read.server_id]
