"""In a real browser, on the demo data: every dashboard draws every chart with plotly.js from our static files, without
a console error, and fits a phone's width."""

import pytest

from accounts.demo import seed_demo
from assessments.tests.factories import ensure_default_framework
from reports.selectors import headline_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-for-tests"


@pytest.fixture
def demo(transactional_db):
    ensure_default_framework()
    return seed_demo(password=PASSWORD)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def dashboard_paths(organization) -> list[str]:
    latest = headline_assessment(organization=organization)
    return [
        "/",
        f"/reports/assessments/{latest.pk}/",
        "/reports/inventory/",
        "/reports/energy/",
        "/reports/trend/",
        f"/assessments/{latest.pk}/roadmap/",
    ]


def assert_every_chart_drawn(page, path):
    charts = page.locator(".chart[data-figure-id]")
    count = charts.count()
    assert count > 0, path
    page.wait_for_function(
        "n => document.querySelectorAll('.chart[data-figure-id] .main-svg').length >= n", arg=count, timeout=20_000
    )
    for index in range(count):
        chart = charts.nth(index)
        assert chart.locator(".main-svg").count() > 0, f"{path}: {chart.get_attribute('id')} not drawn"


def test_every_dashboard_draws_every_chart(live_server, page, demo):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server, demo.username)
    # the energy page: energy, cost and carbon, and the demo's measured utilization heatmap
    expected = {"/": 4, "/reports/inventory/": 3, "/reports/energy/": 2, "/reports/trend/": 1}
    for path in dashboard_paths(demo.organization):
        page.goto(f"{live_server.url}{path}")
        assert_every_chart_drawn(page, path)
        if path in expected:
            assert page.locator(".chart[data-figure-id]").count() == expected[path], path
    assessment_page = dashboard_paths(demo.organization)[1]
    page.goto(f"{live_server.url}{assessment_page}")
    assert page.locator(".chart[data-figure-id]").count() == 7  # every chart of the assessment
    # plotly.js came from our own static files, and nothing from anywhere else
    assert any(url.endswith("/static/vendor/plotly/plotly.min.js") for url in requested)
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), requested


def test_hovering_a_bar_shows_its_details(live_server, page, demo):
    log_in(page, live_server, demo.username)
    page.goto(f"{live_server.url}/reports/inventory/")
    assert_every_chart_drawn(page, "/reports/inventory/")
    box = page.locator("#chart-power-vs-capacity .bars .point path").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer is on top
    label = page.locator("#chart-power-vs-capacity .hoverlayer .hovertext").first
    label.wait_for(timeout=5_000)
    assert "Headroom" in label.text_content()


def test_the_data_table_opens_under_the_chart(live_server, page, demo):
    log_in(page, live_server, demo.username)
    page.goto(f"{live_server.url}/reports/energy/")
    card = page.locator("[data-chart=energy-cost-carbon]")
    table = card.get_by_role("table")
    assert not table.is_visible()
    card.get_by_text("Data table").click()
    assert table.is_visible()
    assert "Frankfurt DC" in table.inner_text()


def test_a_phone_needs_no_horizontal_scrolling(live_server, browser, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, live_server, demo.username)
        for path in dashboard_paths(demo.organization):
            page.goto(f"{live_server.url}{path}")
            assert_every_chart_drawn(page, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width}px wide"
    finally:
        context.close()
    assert not errors
