"""The integrations in Django's admin: scoped to the staff user's organizations (accounts.admin_scoping), no
secret or token shown, deliveries re-sent by an action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.integrations import trackers
from accounts.integrations.webhooks import webhook_endpoint_create
from accounts.models import WebhookDelivery
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "admin-secret-0123456789"


@pytest.fixture
def staff_owner(owner):
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return owner


@pytest.fixture
def rows(organization, other_organization, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    made = {}
    for org, prefix in ((organization, "acme"), (other_organization, "other")):
        endpoint, _ = webhook_endpoint_create(
            organization=org, url=f"http://127.0.0.1:9/{prefix}", events=["report.ready"], secret=SECRET
        )
        delivery = WebhookDelivery.objects.create(
            organization=org, endpoint=endpoint, event="report.ready", body="{}", status="failed"
        )
        tracker = trackers.tracker_create(
            organization=org,
            name=f"{prefix}-tracker",
            kind="github",
            base_url="http://127.0.0.1:9",
            project="o/r",
            token=f"{prefix}-token-value",
        )
        made[prefix] = {"webhookendpoint": endpoint, "webhookdelivery": delivery, "issuetracker": tracker}
    return made


@pytest.mark.parametrize("model", ["webhookendpoint", "webhookdelivery", "issuetracker"])
def test_staff_see_only_their_organizations_rows(client, staff_owner, rows, model):
    client.force_login(staff_owner)
    listing = client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    mine, theirs = rows["acme"][model], rows["other"][model]
    assert client.get(reverse(f"admin:accounts_{model}_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse(f"admin:accounts_{model}_change", args=[theirs.pk])).status_code == 302  # not found


def test_no_secret_or_token_is_shown(client, staff_owner, rows):
    client.force_login(staff_owner)
    endpoint = client.get(reverse("admin:accounts_webhookendpoint_change", args=[rows["acme"]["webhookendpoint"].pk]))
    tracker = client.get(reverse("admin:accounts_issuetracker_change", args=[rows["acme"]["issuetracker"].pk]))
    for page in (endpoint, tracker):
        assert b"secret_encrypted" not in page.content
        assert b"token_encrypted" not in page.content
    assert SECRET.encode() not in endpoint.content
    assert b"acme-token-value" not in tracker.content


def test_the_resend_action_sends_the_selected_deliveries_again(
    client, staff_owner, rows, django_capture_on_commit_callbacks
):
    client.force_login(staff_owner)
    delivery = rows["acme"]["webhookdelivery"]
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("admin:accounts_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [delivery.pk]},
        )
    assert WebhookDelivery.objects.filter(resend_of=delivery).count() == 1


def test_a_superuser_sees_every_organizations_rows(client, rows):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:accounts_webhookendpoint_changelist")).context["cl"].result_count == 2
