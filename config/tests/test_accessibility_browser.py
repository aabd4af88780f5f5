"""Every page of the demo, read by axe-core in Chromium at a desktop (1440 px) and a phone (390 px) width: no
serious or critical violation. On the phone, wide tables scroll inside their own labelled, focusable region and the
page itself never scrolls sideways.

axe-core is vendored (`data/axe-core/`, its version and licence there) and injected by Playwright; the browser
context bypasses the Content-Security-Policy for that injection only (the policy has its own browser test).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from accounts.demo import seed_demo
from assessments.models import Assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-for-tests"
AXE = Path(__file__).parent / "data" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
GRAVE = ("serious", "critical")
# A folder to keep a full-page screenshot of every page at each width in (to look at them), else none.
SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(
      n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n").slice(1, 2).join(""))
  }));
}"""


@pytest.fixture
def demo(transactional_db) -> Any:
    from django.contrib.auth import get_user_model

    from accounts import services

    result = seed_demo(password=PASSWORD)
    owner = get_user_model().objects.get(username=result.username)
    services.api_token_issue(user=owner, organization=result.organization, name="ci laptop")
    return result


def demo_pages(organization: Any) -> list[str]:
    """Every page a member of the demo reads, by URL."""
    from inventory.models import Server, Site, Workload
    from reports.models import Report

    scored = Assessment.objects.filter(organization=organization, result__isnull=False).order_by("-pk").first()
    site = Site.objects.filter(organization=organization).order_by("pk").first()
    server = Server.objects.filter(organization=organization).order_by("pk").first()
    workload = Workload.objects.filter(organization=organization).order_by("pk").first()
    area = scored.framework.definition["areas"][0]["id"]
    pages = [
        reverse("home"),
        reverse("inventory:overview"),
        reverse("inventory:capacity"),
        reverse("inventory:telemetry"),
        reverse("inventory:discover"),
        reverse("inventory:netbox"),
        reverse("inventory:import"),
        reverse("inventory:export"),
        *(reverse(f"inventory:{kind}_list") for kind in ("site", "server", "storage", "network", "cloud", "workload")),
        *(reverse(f"inventory:{kind}_create") for kind in ("site", "server", "workload")),
        reverse("inventory:site_detail", args=[site.pk]),
        reverse("inventory:server_detail", args=[server.pk]),
        reverse("inventory:server_update", args=[server.pk]),
        reverse("inventory:server_delete", args=[server.pk]),
        reverse("inventory:workload_detail", args=[workload.pk]),
        reverse("assessments:list"),
        reverse("assessments:create"),
        reverse("assessments:detail", args=[scored.pk]),
        reverse("assessments:area", args=[scored.pk, area]),
        reverse("assessments:review", args=[scored.pk]),
        reverse("assessments:roadmap", args=[scored.pk]),
        reverse("reports:dashboard_inventory"),
        reverse("reports:dashboard_energy"),
        reverse("reports:dashboard_trend"),
        reverse("reports:dashboard_assessment", args=[scored.pk]),
        reverse("reports:report_list"),
        reverse("reports:report_exports"),
        reverse("accounts:members"),
        reverse("accounts:api_tokens"),
        reverse("accounts:password_change"),
        reverse("accounts:organization_settings"),
        reverse("accounts:webhooks"),
        reverse("accounts:issue_trackers"),
        reverse("accounts:organization_create"),
    ]
    report = Report.objects.filter(organization=organization).order_by("-pk").first()
    if report is not None:
        pages.append(reverse("reports:report_detail", args=[report.pk]))
    return pages


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in GRAVE]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1")


def test_the_vendored_axe_is_the_version_its_readme_names():
    text = AXE.read_bytes()
    assert hashlib.sha256(text).hexdigest() == AXE_SHA256
    assert text.startswith(f"/*! axe v{AXE_VERSION}".encode())
    assert f"axe-core {AXE_VERSION}" in (AXE.parent / "README.md").read_text()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_serious_or_critical_violation_on_any_page(live_server, browser, demo, width):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        # Logged out: the log-in page.
        page.goto(f"{live_server.url}{reverse('accounts:login')}")
        for violation in axe_violations(page):
            found.setdefault("/accounts/login/", []).append(f"{violation['id']}: {violation['nodes']}")
        log_in(page, live_server.url, demo.username)
        pages = demo_pages(demo.organization)
        assert len(pages) >= 35
        for url in pages:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
            if SCREENSHOTS:
                name = url.strip("/").replace("/", "_") or "home"
                page.screenshot(path=str(Path(SCREENSHOTS) / f"{width}-{name}.png"), full_page=True)
            for violation in axe_violations(page):
                found.setdefault(url, []).append(f"{violation['impact']} {violation['id']}: {violation['nodes']}")
        # A confirmation page (revoking a token asks first; no JavaScript involved).
        page.goto(f"{live_server.url}{reverse('accounts:api_tokens')}")
        page.get_by_role("button", name="Revoke").click()
        page.wait_for_selector("text=Revoke the token “ci laptop”?")
        for violation in axe_violations(page):
            found.setdefault("confirm", []).append(f"{violation['impact']} {violation['id']}: {violation['nodes']}")
        page.get_by_role("button", name="Revoke token").click()
        page.wait_for_selector("text=revoked.")
    finally:
        context.close()
    assert not found, "\n".join(f"{url}\n  " + "\n  ".join(items) for url, items in found.items())


@pytest.mark.parametrize("url_name", ["inventory:capacity", "inventory:server_list"])
def test_wide_tables_scroll_in_their_own_region_on_a_phone(live_server, browser, demo, url_name):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, demo.username)
        page.goto(f"{live_server.url}{reverse(url_name)}")
        # The page itself does not scroll sideways: nothing is cut off or pushed out of the viewport.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        regions = page.locator(".table-responsive:has(table)")
        assert regions.count() >= 1
        for i in range(regions.count()):
            region = regions.nth(i)
            # Every table wider than the phone scrolls inside a region a keyboard can reach, named by the table's
            # caption or by the heading above it (never by an empty or unrelated element).
            if region.evaluate("el => el.scrollWidth > el.clientWidth"):
                assert region.get_attribute("tabindex") == "0"
                assert region.get_attribute("role") == "region"
                label = region.get_attribute("aria-labelledby")
                assert label
                name = page.locator(f"#{label}")
                assert name.evaluate("el => el.tagName") in {"CAPTION", "H2", "H3", "H4", "H5", "H6"}
                assert name.inner_text().strip()
    finally:
        context.close()


# The longest name a site may have (Site.name's max_length), with no space to wrap at.
LONG_NAME = "Frankfurt" + "X" * 91

# The figures (one-word texts: "€84,667", "138.3") of a table's numeric cells that are broken across lines.
ONE_LINE_FIGURES = r"""table => Array.from(table.querySelectorAll("tbody td.text-end")).flatMap(cell => {
  const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const broken = [];
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    if (!/^\S+$/.test(node.textContent.trim())) continue;  // a figure is one word: "€84,667", "1.35"
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
    if (lines.size > 1) broken.push(node.textContent.trim());
  }
  return broken;
})"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_long_name_without_spaces_wraps_and_leaves_the_figures_in_view(live_server, browser, demo, width):
    from inventory.models import Site

    site = Site.objects.filter(organization=demo.organization).order_by("pk").first()
    assert len(LONG_NAME) == Site._meta.get_field("name").max_length
    site.name = LONG_NAME
    site.save()
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    try:
        log_in(page, live_server.url, demo.username)
        for url in (reverse("inventory:site_detail", args=[site.pk]), reverse("inventory:capacity")):
            page.goto(f"{live_server.url}{url}")
            # The page never scrolls sideways: the name wraps in the heading, the breadcrumb and the tables.
            assert page.evaluate("document.documentElement.scrollWidth") <= w, url
        for table in ("#capacity-table-1-caption", "#tco-table"):
            table = page.locator(table).locator("xpath=ancestor-or-self::table")
            # Figures are never broken across lines to make room for the name.
            assert table.evaluate(ONE_LINE_FIGURES) == [], table
            if width == "desktop":
                # On a desktop the whole table fits: the name's column does not push the figures out of view.
                assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    finally:
        context.close()
