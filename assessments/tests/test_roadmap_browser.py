"""In a real browser: an assessor works the roadmap (tracks an item, dismisses one with a reason) and asks what the
scores would be if some items were done; on a phone-wide screen nothing needs horizontal scrolling."""

import pytest

from assessments import services
from assessments.models import RoadmapItem
from assessments.selectors import roadmap_of
from assessments.tests.factories import answer_all, ensure_default_framework, start_assessment, weak_value
from assessments.tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(transactional_db, organization, assessor):
    ensure_default_framework()
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    services.assessment_submit(assessment=assessment, user=assessor)
    return assessment


def test_track_dismiss_and_what_if(live_server, page, scored, assessor):
    first, second, third = roadmap_of(assessment=scored)[:3]
    log_in(page, live_server, assessor, f"/assessments/{scored.pk}/roadmap/")
    assert page.locator("h1").inner_text().startswith("Roadmap")

    card = page.locator(f"#item-{first.item_id}")
    card.get_by_text("Track this item").click()
    card.get_by_label("Status").select_option("in_progress")
    card.get_by_label("Owner").select_option(label=assessor.username)
    card.get_by_label("Due date").fill("2099-04-30")
    card.get_by_role("button", name="Save").click()
    page.wait_for_selector(".alert-success")
    first.refresh_from_db()
    assert (first.status, first.owner, str(first.due_date)) == ("in_progress", assessor, "2099-04-30")

    card = page.locator(f"#item-{second.item_id}")
    card.get_by_text("Track this item").click()
    card.get_by_label("Status").select_option("dismissed")
    card.get_by_role("button", name="Save").click()
    assert "Say why the item is dismissed." in page.locator(".alert-danger").inner_text()
    assert RoadmapItem.objects.get(pk=second.pk).status == "proposed"

    page.locator(f"#done-{second.item_id}").check()
    page.locator(f"#done-{third.item_id}").check()
    page.get_by_role("button", name="Show the projected scores").click()
    page.wait_for_selector("#projection-table")
    assert "projected after the roadmap" in page.locator("#projected-index").inner_text()
    before = float(page.locator("#index-as-scored").inner_text())
    after = float(page.locator("#index-projected").inner_text())
    assert after >= before
    assert page.locator(f"#done-{third.item_id}").is_checked()


def test_the_roadmap_fits_a_phone(browser, client, live_server, scored, assessor):
    from assessments.tests.test_browser import session_page

    context, phone = session_page(browser, client, live_server, assessor, viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/assessments/{scored.pk}/roadmap/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()
