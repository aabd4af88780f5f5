"""Operators: `seed_demo` makes a staff account scoped to the demo organization, prints its log-in, and the Django
admin works for it from the demo (the demo's rows only, with human labels); the app links staff to the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_OPERATOR_USERNAME, DEMO_SLUG, OPERATORS_GROUP
from accounts.models import Membership, Organization, Role
from inventory.models import Server
from inventory.tests.factories import ServerFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

PASSWORD = "demo-password-123"


@pytest.fixture
def seeded(monkeypatch, capsys) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_creates_a_staff_operator_of_the_demo_only_and_prints_its_log_in(seeded):
    line = next(line for line in seeded.splitlines() if line.startswith("Operator"))
    assert f"{DEMO_OPERATOR_USERNAME}  password: {PASSWORD}" in line
    assert "/admin/" in line
    membership = Membership.objects.select_related("user", "organization").get(user__username=DEMO_OPERATOR_USERNAME)
    operator = membership.user
    assert (membership.organization.slug, membership.role) == (DEMO_SLUG, Role.ASSESSOR)
    assert operator.is_staff
    assert not operator.is_superuser
    assert operator.check_password(PASSWORD)
    assert list(operator.groups.values_list("name", flat=True)) == [OPERATORS_GROUP]
    for permission in ("inventory.change_server", "inventory.add_site", "assessments.view_assessment"):
        assert operator.has_perm(permission)
    assert not operator.has_perm("auth.change_user")  # not an administrator of the installation


def test_seed_demo_twice_keeps_one_operator(seeded, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo")
    assert Membership.objects.filter(user__username=DEMO_OPERATOR_USERNAME).count() == 1


def test_the_operator_works_in_the_admin_on_the_demos_rows_only(seeded, client, other_organization):
    theirs = ServerFactory(organization=other_organization, hostname="not-yours.example.net")
    client.force_login(User.objects.get(username=DEMO_OPERATOR_USERNAME))
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    servers = client.get(reverse("admin:inventory_server_changelist"))
    assert servers.status_code == 200
    demo = Organization.objects.get(slug=DEMO_SLUG)
    ours = Server.objects.filter(organization=demo).order_by("hostname").first()
    assert ours.hostname in servers.content.decode()
    assert theirs.hostname not in servers.content.decode()
    # Human labels with units, as on the app's forms.
    change = client.get(reverse("admin:inventory_server_change", args=[ours.pk]))
    assert change.status_code == 200
    for label in ("CPU cores", "RAM (GB)", "Power (W)", "Accelerator count"):
        assert f">{label}:</label>" in change.content.decode()
    assert client.get(reverse("admin:inventory_server_change", args=[theirs.pk])).status_code == 302  # not found
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_the_navigation_links_staff_to_the_admin(seeded, client):
    client.force_login(User.objects.get(username=DEMO_OPERATOR_USERNAME))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in page
    client.force_login(User.objects.get(username="demo"))
    assert f'href="{reverse("admin:index")}"' not in client.get(reverse("home")).content.decode()


def test_seed_demo_team_logs_in_with_the_demo_password_to_answer_beside_the_owner(seeded, client):
    """The demo's collaboration (owners per area, review by another member, conflicts) takes two people: its team
    logs in with the demo password, printed with their names."""
    line = next(line for line in seeded.splitlines() if line.startswith("Demo team"))
    assert "fatima (Facilities)" in line
    assert "sam (Security)" in line
    assert f"password: {PASSWORD}" in line
    for username in ("fatima", "sam"):
        assert User.objects.get(username=username).check_password(PASSWORD)
        logged_in = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
        assert logged_in.status_code == 302
