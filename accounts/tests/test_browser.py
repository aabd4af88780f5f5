"""In a real browser: log in, see the organization, switch organization, log out."""

import pytest

from accounts.models import Role
from accounts.tests.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_organization_and_log_out(live_server, page, organization, other_organization, owner):
    MembershipFactory(user=owner, organization=other_organization, role=Role.VIEWER)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == "Acme AI"

    page.locator("#org-switcher").click()
    page.get_by_role("button", name="Other Corp (viewer)").click()
    page.wait_for_selector("text=Now working in Other Corp")
    assert page.locator("h1").inner_text() == "Other Corp"

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("text=Log in to InfraReady")


def test_the_dashboard_is_usable_at_phone_width(live_server, browser, organization, owner, client):
    client.force_login(owner)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Acme AI"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Toggle navigation").click()
    assert page.locator("#org-switcher").is_visible()
    context.close()
