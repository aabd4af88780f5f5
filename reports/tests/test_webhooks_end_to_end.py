"""A webhook receiver on loopback (``http.server`` in a thread) verifies the signature of every event the product
sends, end to end: each is emitted by the service where it happens and delivered after its transaction commits.

The receiver is written as docs/webhooks.md tells a receiver to be: it recomputes HMAC-SHA256 of the raw body with
the shared secret, compares it in constant time with ``X-InfraReady-Signature``, and answers 401 when it differs.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from accounts.models import DeliveryStatus, WebhookDelivery
from assessments import services as assessment_services
from assessments.selectors import roadmap_of
from assessments.tests.factories import answer_all, start_assessment, weak_value
from inventory import services as inventory_services
from reports import services as report_services

pytestmark = pytest.mark.django_db

SECRET = "whsec-end-to-end-0123456789"
EVENTS = ["assessment.submitted", "assessment.scored", "roadmap.item.changed", "report.ready", "inventory.imported"]
SITES = Path(__file__).resolve().parents[2] / "inventory" / "tests" / "data" / "import"


class Receiver:
    def __init__(self) -> None:
        self.verified: list[dict] = []
        self.refused: list[bytes] = []
        self.headers: list[dict[str, str]] = []


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, self.headers.get("X-InfraReady-Signature", "")):
                receiver.verified.append(json.loads(body))
                receiver.headers.append(dict(self.headers.items()))
                self.send_response(204)
            else:
                receiver.refused.append(body)
                self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found, f"http://127.0.0.1:{server.server_address[1]}/infraready"
    finally:
        server.shutdown()
        server.server_close()


def test_every_event_reaches_a_receiver_that_verifies_its_signature(
    settings, receiver, organization, owner, assessor, api_client_for, django_capture_on_commit_callbacks, quick
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    found, url = receiver
    response = api_client_for(owner, organization).post(
        "/api/v1/webhooks/", {"url": url, "events": EVENTS, "secret": SECRET}, format="json"
    )
    assert response.status_code == 201, response.json()

    # inventory.imported: an import's rows committed
    data = (SITES / "servers.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        sites = b"name,country,pue\nFrankfurt,DE,1.35\nDublin,IE,1.2\n"
        inventory_services.inventory_import(
            organization=organization, handle=io.BytesIO(sites), filename="sites.csv", size=len(sites)
        )
        inventory_services.inventory_import(
            organization=organization, handle=io.BytesIO(data), filename="servers.csv", size=len(data)
        )
    # assessment.submitted, then assessment.scored (eager tasks score at once)
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.assessment_submit(assessment=assessment, user=assessor)
    # roadmap.item.changed: someone tracks an item
    item = roadmap_of(assessment=assessment).first()
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.roadmap_item_update(
            item=item, changes={"status": "in_progress", "owner_id": assessor.pk}, user=assessor
        )
    # report.ready: a PDF rendered
    assessment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_request(organization=organization, assessment=assessment, user=assessor)

    assert found.refused == []
    received = {event["type"] for event in found.verified}
    assert received == set(EVENTS)
    assert WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).count() == 0
    by_type = {event["type"]: event for event in found.verified}
    assert by_type["inventory.imported"]["data"]["kind"] in ("servers", "sites")
    assert by_type["assessment.submitted"]["data"]["assessment"]["id"] == assessment.pk
    assert by_type["assessment.submitted"]["data"]["submitted_by"] == "arjun"
    scored = by_type["assessment.scored"]["data"]
    assert scored["assessment"]["status"] == "scored"
    assert scored["result"]["readiness_index"] is not None
    changed = by_type["roadmap.item.changed"]["data"]
    assert changed["item"]["item_id"] == item.item_id
    assert changed["changes"]["status"] == {"before": "proposed", "after": "in_progress"}
    assert changed["changes"]["owner"] == {"before": None, "after": "arjun"}
    assert by_type["report.ready"]["data"]["report"]["id"] == report.pk
    assert by_type["report.ready"]["data"]["report"]["download_path"] == f"/api/v1/reports/{report.pk}/download/"
    for event, headers in zip(found.verified, found.headers, strict=True):
        assert headers["X-InfraReady-Event"] == event["type"]
        assert headers["X-InfraReady-Event-Id"] == event["id"]
        assert headers["X-InfraReady-Timestamp"] == event["created"]
        assert event["organization"]["slug"] == organization.slug


def test_a_receiver_with_another_secret_refuses_and_the_delivery_fails_without_retry(
    settings, receiver, organization, owner, api_client_for, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    found, url = receiver
    api_client_for(owner, organization).post(
        "/api/v1/webhooks/", {"url": url, "events": EVENTS, "secret": "not-the-receivers-secret"}, format="json"
    )
    sites = b"name,country\nFrankfurt,DE\n"
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.inventory_import(
            organization=organization, handle=io.BytesIO(sites), filename="sites.csv", size=len(sites)
        )
    assert len(found.refused) == 1
    assert found.verified == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == (DeliveryStatus.FAILED, 401, 1)


def test_a_discovery_recorded_is_an_inventory_import_too(
    settings, receiver, organization, owner, api_client_for, django_capture_on_commit_callbacks
):
    from inventory.tests.factories import SiteFactory

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    found, url = receiver
    api_client_for(owner, organization).post(
        "/api/v1/webhooks/", {"url": url, "events": ["inventory.imported"], "secret": SECRET}, format="json"
    )
    SiteFactory(organization=organization, name="Frankfurt")
    nodes = "NodeName=node-001 Arch=x86_64\n   CPUTot=64 RealMemory=515000\n   Gres=gpu:l4:8(S:0-1)\n\n"
    with django_capture_on_commit_callbacks(execute=True):
        inventory_services.discover(organization=organization, text=nodes, site="Frankfurt")
    [event] = found.verified
    assert event["data"]["source"] == "discovery"
    assert (event["data"]["rows"], event["data"]["created"], event["data"]["updated"]) == (1, 1, 0)
