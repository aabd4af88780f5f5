import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.demo import DEMO_SLUG, DEMO_USERNAME
from accounts.models import Membership, Organization, Role
from accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_issue_token_prints_a_working_token(capsys, organization, assessor):
    call_command("issue_token", assessor.username)
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("api:accounts:organization")).json()["role"] == "assessor"


def test_issue_token_needs_org_when_the_user_is_in_several(capsys, organization, other_organization, owner):
    MembershipFactory(user=owner, organization=other_organization)
    with pytest.raises(CommandError, match="--org"):
        call_command("issue_token", owner.username)
    call_command("issue_token", owner.username, org=other_organization.slug)
    assert capsys.readouterr().out.startswith("irt_")


@pytest.mark.parametrize(
    ("username", "org", "message"),
    [("nobody", None, "No user named"), ("olivia", "other-corp", "not a member")],
)
def test_issue_token_errors(owner, other_organization, username, org, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_token", username, org=org)


def test_seed_demo_is_safe_to_run_twice(capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo-password-123" in out
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    membership = Membership.objects.get(user__username=DEMO_USERNAME)
    assert (membership.organization.name, membership.role) == ("Demo Corp", Role.OWNER)
    assert membership.user.check_password("demo-password-123")


def test_seed_demo_generates_and_prints_a_password_when_none_is_given(capsys, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Log in as"))
    password = line.split("password: ")[1].split()[0]
    assert Membership.objects.get(user__username=DEMO_USERNAME).user.check_password(password)


def test_seed_demo_sends_no_email(monkeypatch, settings, django_capture_on_commit_callbacks):
    """The demo's team is assigned areas and asked for reviews while seeding; those emails are not sent (with the
    console backend they were printed into the command's output)."""
    from django.core import mail

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo")
    assert callbacks  # the demo's notifications were made...
    assert mail.outbox == []  # ...and none was sent
