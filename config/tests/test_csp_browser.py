"""In a real browser, under the Content-Security-Policy: the questionnaire saves answers, the dashboards draw their
Plotly charts, the Django admin and the API documentation (Swagger UI, Redoc) work, and the browser reports no
policy violation on any of them. A last test shows the check itself catches an inline script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.demo import seed_demo
from assessments.tests.factories import ensure_default_framework, start_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-for-tests"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# Every violation the page sees, sent to the test (an init script runs before the page's own scripts and is not
# subject to the page's policy).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation([event.effectiveDirective, event.blockedURI, event.sourceFile, event.lineNumber].join(" "));
});
"""


@pytest.fixture
def demo(transactional_db) -> Any:
    ensure_default_framework()
    result = seed_demo(password=PASSWORD)
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username=result.username).update(is_staff=True, is_superuser=True)
    return result


@pytest.fixture
def watched(browser) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page whose policy violations and console errors are collected: (page, violations, console errors)."""
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    errors: list[str] = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: errors.append(f"{message.text} {message.location['url']}") if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, violations, errors
    context.close()


def policy_of(response: Any) -> dict[str, list[str]]:
    header = response.headers["content-security-policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def test_questionnaire_dashboard_admin_and_api_docs_work_under_the_policy(live_server, watched, demo):
    page, violations, errors = watched
    draft = start_assessment(
        organization=demo.organization, user=demo.organization.memberships.get(user__username=demo.username).user
    )
    log_in(page, live_server, demo.username)

    # The questionnaire: an answer saves itself through the API.
    response = page.goto(f"{live_server.url}/assessments/{draft.pk}/areas/hardware/")
    policy = policy_of(response)
    assert policy["script-src"][:1] == ["'self'"]
    assert any(source.startswith("'nonce-") for source in policy["script-src"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    page.locator("#q-HW-PP-03").get_by_text("Level 2:").click()
    expect(page.locator("#q-HW-PP-03 [data-role=status]")).to_have_text("Saved")
    assert draft.answers.get(question_id="HW-PP-03").value == 2

    # A dashboard: plotly.js draws every chart (an svg appears in each).
    page.goto(f"{live_server.url}/")
    charts = page.locator(".chart[data-figure-id]")
    assert charts.count() > 0
    page.wait_for_function(
        "n => document.querySelectorAll('.chart[data-figure-id] svg.main-svg').length >= n",
        arg=charts.count(),
        timeout=20_000,
    )
    page.locator(".chart[data-figure-id]").first.hover()  # plotly's hover and modebar styles

    # The Django admin: a changelist, with its filters and actions, and a change form.
    page.goto(f"{live_server.url}/admin/accounts/organization/")
    expect(page.locator("#result_list")).to_contain_text("Demo Corp")
    page.locator("#action-toggle").check()  # admin's actions.js
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.goto(f"{live_server.url}/admin/inventory/server/")
    expect(page.locator("#result_list")).to_be_visible()

    # The API documentation: Swagger UI and Redoc render the schema.
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/accounts/invitations/")
    page.wait_for_timeout(300)  # reports arrive asynchronously
    assert violations == []
    assert errors == []

    # Redoc renders too. Its sidebar shows Redocly's logo from cdn.redoc.ly: the policy blocks that request (nothing
    # leaves for another origin) and Redoc hides the image; that is the one violation, and the only one allowed.
    page.goto(f"{live_server.url}/api/redoc/")
    # Redoc lays out the whole schema before its title shows: about 18 s on a loaded 2-core machine since the
    # collaboration endpoints joined it, hence the margin.
    expect(page.locator("redoc h1").first).to_contain_text("InfraReady API", timeout=45_000)
    expect(page.locator("redoc")).to_contain_text("/api/v1/accounts/invitations/")
    page.wait_for_timeout(500)
    assert set(violations) <= {f"img-src {REDOCLY_LOGO}  0"}, violations
    assert all(REDOCLY_LOGO in error for error in errors), errors


def test_the_check_catches_an_inline_script(live_server, watched, transactional_db):
    """The policy refuses a script without the nonce, and the test sees the violation: the check above can fail."""
    page, violations, errors = watched
    page.goto(f"{live_server.url}/accounts/login/")
    with pytest.raises(PlaywrightError, match="violates the following Content Security Policy directive"):
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("window.injected === undefined")
    for _ in range(50):  # the violation event and the console message arrive asynchronously
        if violations and errors:
            break
        page.wait_for_timeout(100)
    assert any(violation.startswith("script-src-elem inline") for violation in violations), violations
    assert any("Content Security Policy" in error for error in errors)
