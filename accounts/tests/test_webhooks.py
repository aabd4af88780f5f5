"""Webhooks: registering (address policy, events, secret), signing, sending after commit, retries with backoff,
the address checked again at send time, re-sending; the API in the one error shape, owners only; the app pages."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.integrations import webhooks
from accounts.integrations.webhooks import (
    EVENT_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    backoff_seconds,
    sign,
    verify_signature,
    webhook_attempt,
    webhook_delivery_resend,
    webhook_emit,
    webhook_endpoint_create,
)
from accounts.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from config import encryption, outbound
from config.errors import Invalid
from config.testing import api_errors

SECRET = "s3cret-of-sixteen-chars"
ALL_EVENTS = [
    "assessment.submitted",
    "assessment.scored",
    "roadmap.item.changed",
    "report.ready",
    "inventory.imported",
]


@pytest.fixture
def private_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def fast_backoff(settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 4


def public_dns(monkeypatch, address: str = "93.184.215.14") -> None:
    """The system resolver answers ``address`` for every name (no network in the tests)."""
    monkeypatch.setattr(outbound, "_system_resolver", lambda host, port: [address])


def endpoint_at(organization, url, events=ALL_EVENTS, secret=SECRET):
    endpoint, _ = webhook_endpoint_create(organization=organization, url=url, events=events, secret=secret)
    return endpoint


class TestSigning:
    def test_the_signature_is_hmac_sha256_of_the_raw_body_in_hex(self):
        body = b'{"id":"1","type":"report.ready"}'
        # openssl dgst -sha256 -hmac key <<< the body (no newline), computed once by hand
        import hashlib
        import hmac

        expected = "sha256=" + hmac.new(b"key", body, hashlib.sha256).hexdigest()
        assert sign("key", body) == expected
        assert verify_signature("key", body, expected)
        assert not verify_signature("key", body + b" ", expected)
        assert not verify_signature("other", body, expected)
        assert not verify_signature("key", body, None)

    def test_backoff_doubles_from_thirty_seconds_and_stops_at_ten_minutes(self):
        assert [backoff_seconds(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]


class TestRegistering:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:9/hook",
            "http://localhost/hook",
            "http://[::1]/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.20/hook",
            "http://172.16.0.5/hook",
            "http://[::ffff:127.0.0.1]/hook",
        ],
    )
    def test_loopback_and_private_targets_are_refused_by_default(self, organization, url):
        with pytest.raises(Invalid) as caught:
            endpoint_at(organization, url)
        assert [(e.code, e.field) for e in caught.value.errors] == [("target_refused", "url")]
        assert "WEBHOOKS_ALLOW_PRIVATE_TARGETS is off" in caught.value.errors[0].message
        assert not WebhookEndpoint.objects.exists()

    @pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook"])
    def test_link_local_and_metadata_are_refused_even_when_private_targets_are_allowed(
        self, organization, private_allowed, url
    ):
        with pytest.raises(Invalid) as caught:
            endpoint_at(organization, url)
        assert caught.value.errors[0].code == "target_refused"

    def test_a_name_resolving_to_a_private_address_is_refused(self, organization, monkeypatch):
        public_dns(monkeypatch, "10.0.0.8")
        with pytest.raises(Invalid) as caught:
            endpoint_at(organization, "https://hooks.example.com/in")
        assert "hooks.example.com resolves to 10.0.0.8" in caught.value.errors[0].message

    def test_private_targets_are_allowed_when_the_installation_says_so(self, organization, private_allowed):
        assert endpoint_at(organization, "http://127.0.0.1:9/hook").url == "http://127.0.0.1:9/hook"

    def test_a_public_endpoint_keeps_its_secret_encrypted_and_its_events_in_order(self, organization, monkeypatch):
        public_dns(monkeypatch)
        endpoint, secret = webhook_endpoint_create(
            organization=organization, url="https://hooks.example.com/in", events=["report.ready", "assessment.scored"]
        )
        assert len(secret) >= 32
        assert secret not in endpoint.secret_encrypted
        assert encryption.decrypt(endpoint.secret_encrypted) == secret
        assert endpoint.events == ["assessment.scored", "report.ready"]

    def test_events_must_be_known_and_a_secret_long_enough(self, organization, monkeypatch):
        public_dns(monkeypatch)
        with pytest.raises(Invalid) as caught:
            endpoint_at(organization, "https://hooks.example.com/in", events=["report.done"], secret="short")
        assert [(e.code, e.field) for e in caught.value.errors] == [
            ("invalid_choice", "events"),
            ("too_short", "secret"),
        ]


class TestSending:
    def test_an_event_is_sent_once_the_transaction_commits(
        self, organization, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_at(organization, http_stub.url + "/hook", events=["report.ready"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            [delivery] = webhook_emit(organization_id=organization.pk, event="report.ready", data={"n": 1})
            webhook_emit(organization_id=organization.pk, event="assessment.scored", data={})  # not subscribed
        assert http_stub.requests == []
        assert len(callbacks) == 1
        callbacks[0]()
        [received] = http_stub.requests
        payload = received.json()
        assert payload["id"] == str(delivery.event_id)
        assert payload["type"] == "report.ready"
        assert payload["data"] == {"n": 1}
        assert payload["organization"] == {"name": "Acme AI", "slug": "acme-ai"}
        assert received.headers[SIGNATURE_HEADER] == sign(SECRET, received.body)
        assert received.headers[EVENT_HEADER] == "report.ready"
        assert received.headers[EVENT_ID_HEADER] == str(delivery.event_id)
        assert received.headers[TIMESTAMP_HEADER] == payload["created"]
        assert received.headers["Content-Type"] == "application/json"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 200)
        [attempt] = delivery.attempt_rows.all()
        assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 200, '{"ok": true}')
        assert attempt.duration_ms >= 0
        assert endpoint.deliveries.count() == 1

    def test_nothing_is_sent_for_a_rolled_back_transaction(self, organization, private_allowed, http_stub):
        endpoint_at(organization, http_stub.url + "/hook")
        from django.db import transaction

        def emit_then_fail() -> None:
            with transaction.atomic():
                webhook_emit(organization_id=organization.pk, event="report.ready", data={})
                raise RuntimeError

        with pytest.raises(RuntimeError):
            emit_then_fail()
        assert not WebhookDelivery.objects.exists()
        assert http_stub.requests == []

    def test_failures_are_retried_with_exponential_backoff_then_delivered(
        self, organization, private_allowed, http_stub, django_capture_on_commit_callbacks, monkeypatch
    ):
        endpoint_at(organization, http_stub.url + "/hook")
        for status in (503, 429, 500, 204):
            http_stub.answer("POST", "/hook", status, {"status": status})
        with django_capture_on_commit_callbacks(execute=False):  # the attempts are made by hand below
            [delivery] = webhook_emit(organization_id=organization.pk, event="report.ready", data={})
        waits = [webhook_attempt(delivery_id=delivery.pk, task_id=delivery.task_id) for _ in range(4)]
        assert waits == [30, 60, 120, None]
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.SUCCEEDED, 4, None)
        attempts = list(delivery.attempt_rows.values_list("number", "status_code", "error"))
        assert attempts == [
            (1, 503, "the receiver answered 503"),
            (2, 429, "the receiver answered 429"),
            (3, 500, "the receiver answered 500"),
            (4, 204, ""),
        ]
        assert len({r.body for r in http_stub.requests}) == 1  # the same body every time

    def test_the_celery_task_retries_until_delivered(
        self, organization, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        """Eager tasks retry at once (no countdown): the attempts are all logged under the same message."""
        endpoint_at(organization, http_stub.url + "/hook")
        http_stub.answer("POST", "/hook", 502, "bad gateway")
        http_stub.answer("POST", "/hook", 200, "thanks")
        with django_capture_on_commit_callbacks(execute=True):
            [delivery] = webhook_emit(organization_id=organization.pk, event="report.ready", data={})
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
        assert [a.response_excerpt for a in delivery.attempt_rows.all()] == ["bad gateway", "thanks"]

    def test_after_the_last_attempt_the_delivery_fails(self, organization, private_allowed, http_stub, fast_backoff):
        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        http_stub.answer("POST", "/hook", 500, "down")
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", task_id="t"
        )
        waits = [webhook_attempt(delivery_id=delivery.pk, task_id="t") for _ in range(5)]
        assert waits == [30, 60, 120, None, None]  # the fifth call finds nothing to do
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == (
            DeliveryStatus.FAILED,
            4,
            "the receiver answered 500",
        )
        assert len(http_stub.requests) == 4

    def test_a_client_error_is_not_retried(self, organization, private_allowed, http_stub):
        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        http_stub.answer("POST", "/hook", 401, {"error": "bad signature"})
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", task_id="t"
        )
        assert webhook_attempt(delivery_id=delivery.pk, task_id="t") is None
        delivery.refresh_from_db()
        assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 401)
        assert delivery.attempt_rows.get().response_excerpt == '{"error": "bad signature"}'

    def test_a_stale_message_does_nothing(self, organization, private_allowed, http_stub):
        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", task_id="current"
        )
        assert webhook_attempt(delivery_id=delivery.pk, task_id="stale") is None
        assert http_stub.requests == []
        assert WebhookDelivery.objects.get().attempts == 0

    def test_the_address_is_resolved_and_checked_again_at_send_time(self, organization, monkeypatch, http_stub):
        """DNS rebinding: the name resolved to a public address when registered, to loopback when sent."""
        public_dns(monkeypatch)
        endpoint = endpoint_at(organization, f"http://hooks.example.com:{http_stub.url.rsplit(':', 1)[1]}/hook")
        public_dns(monkeypatch, "127.0.0.1")
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", task_id="t"
        )
        assert webhook_attempt(delivery_id=delivery.pk, task_id="t") is None  # a policy refusal is not retried
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert http_stub.requests == []
        assert "hooks.example.com resolves to 127.0.0.1" in delivery.last_error
        assert "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in delivery.last_error

    def test_no_redirect_is_followed(self, organization, private_allowed, http_stub):
        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        http_stub.answer("POST", "/hook", 307, "")
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", task_id="t"
        )
        assert webhook_attempt(delivery_id=delivery.pk, task_id="t") is None
        assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED

    def test_a_resend_is_a_new_delivery_of_the_same_event_and_body(
        self, organization, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        endpoint_at(organization, http_stub.url + "/hook")
        with django_capture_on_commit_callbacks(execute=True):
            [first] = webhook_emit(organization_id=organization.pk, event="inventory.imported", data={"rows": 3})
        with django_capture_on_commit_callbacks(execute=True):
            again = webhook_delivery_resend(delivery=first)
        assert (again.event_id, again.body, again.resend_of_id) == (first.event_id, first.body, first.pk)
        assert [r.body for r in http_stub.requests] == [first.body.encode()] * 2
        assert WebhookDelivery.objects.get(pk=again.pk).status == DeliveryStatus.SUCCEEDED

    def test_the_sweep_publishes_again_what_waited_too_long(
        self, organization, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        from datetime import timedelta

        from django.utils import timezone

        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        late = WebhookDelivery.objects.create(
            organization=organization,
            endpoint=endpoint,
            event="report.ready",
            body="{}",
            task_id="lost",
            next_attempt_at=timezone.now() - timedelta(minutes=10),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert webhooks.webhook_deliveries_sweep() == 1
        late.refresh_from_db()
        assert late.status == DeliveryStatus.SUCCEEDED
        assert late.task_id != "lost"
        assert len(http_stub.requests) == 1

    def test_without_endpoints_emitting_is_one_query(self, organization, django_assert_num_queries):
        with django_assert_num_queries(1):
            assert webhook_emit(organization_id=organization.pk, event="report.ready", data={}) == []


class TestApi:
    URL = "/api/v1/webhooks/"

    def test_owners_register_an_endpoint_and_see_the_secret_once(
        self, owner, organization, api_client_for, private_allowed
    ):
        client = api_client_for(owner, organization)
        response = client.post(
            self.URL, {"url": "http://127.0.0.1:9/in", "events": ["report.ready"], "secret": SECRET}, format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["secret"] == SECRET
        assert body["events"] == ["report.ready"]
        assert body["active"] is True
        listed = client.get(self.URL).json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert [row["url"] for row in rows] == ["http://127.0.0.1:9/in"]
        assert "secret" not in rows[0]
        detail = client.get(f"{self.URL}{body['id']}/").json()
        assert "secret" not in detail
        assert "secret_encrypted" not in detail

    def test_a_private_target_is_a_400_in_the_one_error_shape(self, owner, organization, api_client_for):
        response = api_client_for(owner, organization).post(
            self.URL, {"url": "http://127.0.0.1:9/in", "events": ["report.ready"]}, format="json"
        )
        assert response.status_code == 400
        [error] = api_errors(response)
        assert (error["code"], error["field"]) == ("target_refused", "url")

    def test_an_unknown_event_is_a_400_on_events(self, owner, organization, api_client_for, private_allowed):
        response = api_client_for(owner, organization).post(
            self.URL, {"url": "http://127.0.0.1:9/in", "events": ["report.done"]}, format="json"
        )
        assert response.status_code == 400
        assert {e.get("field", "").split("[")[0] for e in api_errors(response)} == {"events"}

    def test_assessors_may_not_read_or_register(self, assessor, organization, api_client_for):
        client = api_client_for(assessor, organization)
        assert client.get(self.URL).status_code == 403
        assert client.post(self.URL, {"url": "https://x.example/", "events": ["report.ready"]}).status_code == 403

    def test_another_organizations_endpoint_is_not_found(
        self, owner, organization, outsider, other_organization, api_client_for, private_allowed
    ):
        theirs = endpoint_at(other_organization, "http://127.0.0.1:9/theirs")
        client = api_client_for(owner, organization)
        assert client.get(f"{self.URL}{theirs.pk}/").status_code == 404
        assert client.delete(f"{self.URL}{theirs.pk}/").status_code == 404

    def test_update_and_delete(self, owner, organization, api_client_for, private_allowed):
        endpoint = endpoint_at(organization, "http://127.0.0.1:9/in")
        client = api_client_for(owner, organization)
        response = client.patch(f"{self.URL}{endpoint.pk}/", {"events": ["assessment.scored"]}, format="json")
        assert response.status_code == 200
        assert response.json()["events"] == ["assessment.scored"]
        response = client.patch(f"{self.URL}{endpoint.pk}/", {"url": "http://169.254.169.254/"}, format="json")
        assert response.status_code == 400
        assert api_errors(response)[0]["code"] == "target_refused"
        assert client.delete(f"{self.URL}{endpoint.pk}/").status_code == 204
        assert not WebhookEndpoint.objects.exists()

    def test_deliveries_are_listed_with_their_attempts_and_can_be_resent(
        self, owner, organization, api_client_for, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_at(organization, http_stub.url + "/hook")
        http_stub.answer("POST", "/hook", 400, "nope")
        http_stub.answer("POST", "/hook", 200, "ok")
        with django_capture_on_commit_callbacks(execute=True):
            [delivery] = webhook_emit(organization_id=organization.pk, event="report.ready", data={})
        client = api_client_for(owner, organization)
        listed = client.get(f"{self.URL}{endpoint.pk}/deliveries/").json()
        [row] = listed["results"]
        assert (row["status"], row["attempt_count"], row["event_id"]) == ("failed", 1, str(delivery.event_id))
        assert row["attempts"][0]["status_code"] == 400
        assert row["attempts"][0]["response_excerpt"] == "nope"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{self.URL}{endpoint.pk}/deliveries/{delivery.pk}/resend/")
        assert response.status_code == 202
        assert response.json()["resend_of"] == delivery.pk
        again = WebhookDelivery.objects.get(pk=response.json()["id"])
        assert again.status == DeliveryStatus.SUCCEEDED
        assert again.event_id == delivery.event_id

    def test_resending_to_an_endpoint_switched_off_is_a_409(self, owner, organization, api_client_for, private_allowed):
        endpoint = endpoint_at(organization, "http://127.0.0.1:9/in")
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", status="failed"
        )
        endpoint.active = False
        endpoint.save()
        response = api_client_for(owner, organization).post(f"{self.URL}{endpoint.pk}/deliveries/{delivery.pk}/resend/")
        assert response.status_code == 409
        assert api_errors(response)[0]["code"] == "endpoint_inactive"

    @pytest.mark.parametrize("count", [1, 12])
    def test_the_list_runs_a_constant_number_of_queries(
        self, owner, organization, api_client_for, private_allowed, count, django_assert_num_queries
    ):
        for n in range(count):
            endpoint_at(organization, f"http://127.0.0.1:9/in/{n}")
        client = api_client_for(owner, organization)
        # the token, the membership check, the token's last use, the membership, the count, the page
        with django_assert_num_queries(6):
            assert client.get(self.URL).status_code == 200

    @pytest.mark.parametrize("count", [1, 8])
    def test_the_deliveries_list_runs_a_constant_number_of_queries(
        self, owner, organization, api_client_for, private_allowed, count, django_assert_num_queries
    ):
        endpoint = endpoint_at(organization, "http://127.0.0.1:9/in")
        for n in range(count):
            delivery = WebhookDelivery.objects.create(
                organization=organization, endpoint=endpoint, event="report.ready", body="{}", status="failed"
            )
            delivery.attempt_rows.create(number=1, started=delivery.created, duration_ms=n, status_code=500)
        client = api_client_for(owner, organization)
        # the token, the membership check, the token's last use, the membership, the endpoint, the count, the page,
        # the attempts of the page
        with django_assert_num_queries(8):
            assert client.get(f"{self.URL}{endpoint.pk}/deliveries/").status_code == 200


class TestPages:
    def test_owner_registers_an_endpoint_and_resends_a_delivery(
        self, client, owner, organization, private_allowed, http_stub, django_capture_on_commit_callbacks
    ):
        client.force_login(owner)
        page = client.get(reverse("accounts:webhooks"))
        assert page.status_code == 200
        response = client.post(
            reverse("accounts:webhooks"),
            {"url": http_stub.url + "/hook", "events": ["report.ready", "assessment.scored"], "active": "on"},
        )
        assert response.status_code == 200
        endpoint = WebhookEndpoint.objects.get()
        secret = response.context["new_secret"]
        assert secret
        assert secret.encode() in response.content
        with django_capture_on_commit_callbacks(execute=True):
            [delivery] = webhook_emit(organization_id=organization.pk, event="report.ready", data={})
        detail = client.get(reverse("accounts:webhook_detail", args=[endpoint.pk]))
        assert b"report.ready" in detail.content
        assert b"delivered" in detail.content
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:webhook_detail", args=[endpoint.pk]), {"resend": delivery.pk})
        assert WebhookDelivery.objects.count() == 2
        assert all(verify_signature(secret, r.body, r.headers[SIGNATURE_HEADER]) for r in http_stub.requests)

    def test_a_refused_address_is_shown_on_the_form(self, client, owner, organization):
        client.force_login(owner)
        response = client.post(
            reverse("accounts:webhooks"), {"url": "http://10.0.0.1/hook", "events": ["report.ready"]}
        )
        assert response.status_code == 200
        assert not WebhookEndpoint.objects.exists()
        assert "cannot receive webhooks" in str(response.context["form"].errors["url"])

    def test_assessors_cannot_open_the_page(self, client, assessor):
        client.force_login(assessor)
        assert client.get(reverse("accounts:webhooks")).status_code == 403


def test_the_body_is_compact_json_with_id_type_created_organization_data(organization, private_allowed):
    endpoint_at(organization, "http://127.0.0.1:9/in")
    [delivery] = webhook_emit(organization_id=organization.pk, event="inventory.imported", data={"rows": 2})
    payload = json.loads(delivery.body)
    assert list(payload) == ["id", "type", "created", "organization", "data"]
    assert payload["created"].endswith("Z")
    assert ", " not in delivery.body


def test_deleting_an_endpoint_asks_for_confirmation_first(client, owner, organization, private_allowed):
    endpoint = endpoint_at(organization, "http://127.0.0.1:9/in")
    client.force_login(owner)
    url = reverse("accounts:webhook_detail", args=[endpoint.pk])
    asked = client.post(url, {"delete": "1"})
    assert asked.status_code == 200
    assert b"Delete endpoint" in asked.content
    assert WebhookEndpoint.objects.exists()
    done = client.post(url, {"delete": "1", "confirm": "yes"})
    assert done.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_resending_what_is_not_a_deliverys_id_is_not_found(client, owner, organization, private_allowed):
    """A word where the delivery's id goes was a ValueError, a 500."""
    endpoint = endpoint_at(organization, "http://127.0.0.1:9/in")
    client.force_login(owner)
    url = reverse("accounts:webhook_detail", args=[endpoint.pk])
    assert client.post(url, {"resend": "abc"}).status_code == 404
    assert not WebhookDelivery.objects.exists()
