import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership, Organization, Role
from inventory.models import AcceleratorType, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_client(client, monkeypatch, viewer):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    demo = Organization.objects.get(slug="demo-corp")
    Membership.objects.filter(user=viewer).delete()
    Membership.objects.create(user=viewer, organization=demo, role=Role.VIEWER)
    client.force_login(viewer)
    return client


def test_the_capacity_page_shows_verdicts_and_site_footprints(demo_client):
    page = demo_client.get(reverse("inventory:capacity")).content.decode()
    assert "Customer assistant" in page
    assert "fits" in page
    assert "Frankfurt DC" in page
    assert "138.3" in page  # Frankfurt IT kW: 8 of its 16 servers measured (the demo's week of telemetry)
    assert "5 servers measured (Redfish), 7-day p95; 3 servers measured accelerators (DCGM)" in page
    assert 'id="measured-vs-rated"' in page
    assert "163.2" in page  # Frankfurt's rated kW beside it
    assert "70%" in page  # its measured servers draw 56.7 kW of their rated 81.6 kW
    assert "Every figure, with its formula, inputs and source" in page
    assert "show the calculation" in page


def test_what_if_shows_the_effect_without_storing_it(demo_client):
    b200 = AcceleratorType.objects.get(model="B200")
    site = Site.objects.get(name="Ashburn Colo")
    page = demo_client.get(
        reverse("inventory:capacity"), {"accelerator_type": b200.pk, "accelerator_count": 8, "site": site.pk, "pue": 2}
    ).content.decode()
    assert "Showing a hypothetical inventory" in page
    assert Site.objects.get(pk=site.pk).pue == 1.5


def test_what_if_input_errors_are_shown_not_raised(demo_client):
    response = demo_client.get(reverse("inventory:capacity"), {"accelerator_count": 8, "pue": "0.2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the type of the accelerators to add." in page
    assert "Showing a hypothetical inventory" not in page


def test_an_empty_organization_is_told_what_to_do(client, organization, viewer):
    client.force_login(viewer)
    page = client.get(reverse("inventory:capacity")).content.decode()
    assert "Declare what you want to run" in page
    assert "Add a site" in page
    # the cost of ownership's heading is not left standing over nothing
    tco = page[page.index('id="tco"') :]
    assert 'id="tco-empty">Nothing to total yet:' in tco[: tco.index("Assumptions and sources")]


def _row(page: str, site: str) -> str:
    start = page.index(f'<tr data-site="{site}">')
    return page[start : page.index("</tr>", start)]


def test_the_demo_shows_its_findings_training_late_and_a_site_near_its_power_limit(demo_client):
    page = demo_client.get(reverse("inventory:capacity")).content.decode()
    assert "Domain model training (70B)" in page
    assert "misses its deadline" in page
    assert 'does not fit: <span title="compute">compute</span>' in page  # the bottleneck in words, its id a tooltip
    assert "site_power" not in page.replace('title="site_power"', "")
    munich = _row(page, "Munich Lab")
    assert "8.0<br>" in munich
    assert "110 kW capacity - 102.0 kW current draw" in munich
    frankfurt = _row(page, "Frankfurt DC")
    # 138.3 kW in the model (163.2 kW rated): 8 of its 16 servers measured by the demo's week of telemetry
    assert "261.7<br>" in frankfurt
    assert "400 kW capacity - 138.3 kW current draw" in frankfurt
    assert "Frankfurt DC has 400.0 kW headroom" not in page


def test_the_what_if_updates_every_column_and_the_headroom(demo_client):
    b200 = AcceleratorType.objects.get(model="B200")
    frankfurt = Site.objects.get(name="Frankfurt DC")
    page = demo_client.get(
        reverse("inventory:capacity"), {"accelerator_type": b200.pk, "accelerator_count": 64, "site": frankfurt.pk}
    ).content.decode()
    row = _row(page, "Frankfurt DC")
    from inventory.capacity import DEFAULT_SERVER_OVERHEAD_FACTOR

    added_kw = 64 * b200.tdp_w * DEFAULT_SERVER_OVERHEAD_FACTOR / 1000
    assert '<td class="text-end">192</td>' in row  # 128 H100 + the 64 B200 of the what-if
    assert f"{138.319 + added_kw:.1f}" in row  # Frankfurt's draw in the model, measured in part (163.2 kW rated)
    assert f"400 kW capacity - 138.3 kW current draw - {added_kw:,.1f} kW the what-if adds" in row
    assert f"{400 - 138.319 - added_kw:.1f}<br>" in row
    assert "Frankfurt DC has 400.0 kW headroom" not in page


def test_plural_forms_are_right():
    from inventory.capacity.training import _gpus

    assert _gpus(1) == "1 GPU"
    assert _gpus(2) == "2 GPUs"


def test_one_gpu_is_one_gpu_in_the_memory_sizing(demo_client):
    """An 8B model's full context fits one H100: the sizing says "1 GPU", not "1 GPUs"."""
    from inventory.models import ModelProfile, Workload

    assistant = Workload.objects.get(name="Customer assistant")
    assistant.model_profile = ModelProfile.objects.get(name="Llama-3.1-8B")
    assistant.save()
    page = " ".join(demo_client.get(reverse("inventory:capacity")).content.decode().split())
    assert "the model needs 1 GPU = 1 node of 8." in page
    assert "1 GPUs" not in page


def test_a_stored_workload_with_zero_tokens_is_named_in_a_sentence(demo_client):
    """A row stored before the field's rule (objects.create runs no validator): the page names the workload and
    the field, and never shows the capacity model's own message."""
    from inventory.models import ModelProfile, Workload

    Workload.objects.create(
        organization=Organization.objects.get(slug="demo-corp"),
        name="zero wl",
        kind="inference",
        model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"),
        requests_per_second=1,
        prompt_tokens=0,
        output_tokens=200,
    )
    response = demo_client.get(reverse("inventory:capacity"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Workload “zero wl” cannot be estimated: its “prompt tokens” value, 0, is not allowed" in page
    assert "cannot be estimated</span>" in page
    assert "must be &gt;=" not in page
    assert "prompt_tokens" not in page


def test_a_what_if_of_a_type_with_no_tdp_says_their_power_is_not_counted(demo_client):
    tpu = AcceleratorType.objects.get(model="TPU v5p")
    assert tpu.tdp_w is None
    frankfurt = Site.objects.get(name="Frankfurt DC")
    page = demo_client.get(
        reverse("inventory:capacity"), {"accelerator_type": tpu.pk, "accelerator_count": 16, "site": frankfurt.pk}
    ).content.decode()
    assert (
        "TPU v5p has no published TDP, so the power of the 16 added is not counted (0 W) in the figures below"
    ) in " ".join(page.split())
    assert "16 added Google TPU v5p: no published TDP, not counted" in page  # the IT power's input
    assert "16 added Google TPU v5p at TDP x 1.821" not in page
    row = _row(page, "Frankfurt DC")
    assert "138.3<br>" in row  # the draw as recorded: nothing added
    assert "kW the what-if adds" not in row


def test_a_fit_on_part_of_one_server_does_not_switch_the_rest_of_it_off(demo_client):
    """Munich over its capacity with one more 8-GPU server: serving on 6 of its 8 H200 cannot give back the other
    2 GPUs' power (the server stays on), so the site does not take the workload."""
    from inventory.models import Server

    munich = Site.objects.get(name="Munich Lab")
    h200 = AcceleratorType.objects.get(model="H200 SXM")
    Server.objects.create(
        organization=munich.organization, site=munich, hostname="muc-h200-01", status="active",
        accelerator_type=h200, accelerator_count=8, power_w=10200,
    )  # fmt: skip
    page = demo_client.get(reverse("inventory:capacity")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    verdict = text[text.index("Customer assistant fits") :]
    verdict = verdict[: verdict.index("Memory on")]
    assert "on 128 x NVIDIA H100 SXM at Frankfurt DC" in verdict  # not on the H200 of the over-capacity Munich
    assert "leaves unused" not in page


def test_a_site_over_its_capacity_reads_over_and_a_capacity_as_recorded(demo_client):
    """The capacity table never shows a negative headroom (docs/capacity.md), and a capacity of 95.5 kW reads 95.5
    beside its headroom, not 96 (96 - 0.0 is not 95.5)."""
    from inventory.models import Server

    munich = Site.objects.get(name="Munich Lab")
    Server.objects.create(
        organization=munich.organization, site=munich, hostname="muc-h200-01", status="active",
        accelerator_type=AcceleratorType.objects.get(model="H200 SXM"), accelerator_count=8, power_w=10200,
    )  # fmt: skip
    Site.objects.create(organization=munich.organization, name="Zurich Lab", country="CH", power_capacity_kw=95.5)
    page = demo_client.get(reverse("inventory:capacity")).content.decode()
    row = re.sub(r"\s+", " ", _row(page, "Munich Lab"))
    assert "2.2 over<br>" in row
    assert "-2.2" not in row
    zurich = re.sub(r"\s+", " ", _row(page, "Zurich Lab"))
    assert '<td class="text-end">95.5</td>' in zurich
    assert "95.5 kW capacity - 0.0 kW current draw" in zurich


def test_the_headroom_and_capacity_filters():
    from inventory.templatetags.power import capacity_kw, headroom

    assert [headroom(kw) for kw in (261.66, 8.0, -2.2, -0.04, None)] == ["261.7", "8.0", "2.2 over", "0.0", "–"]
    assert [capacity_kw(kw) for kw in (400, 95.5, "95.50", 1234567.25, None)] == [
        "400", "95.5", "95.5", "1,234,567.25", "–"
    ]  # fmt: skip


def test_a_what_if_price_is_in_the_reporting_currency_and_converted_for_each_site(demo_client):
    """0.10 per kWh meant $0.10 at Ashburn and €0.10 at Frankfurt: one number in two currencies. The price is in
    the organization's reporting currency (EUR) and converted at its rates for a site priced in USD."""
    from inventory.analysis import WhatIf, analyse
    from inventory.exchange.selectors import rate_table_for

    organization = Organization.objects.get(slug="demo-corp")
    summary = analyse(organization=organization, what_if=WhatIf(price_per_kwh=0.10))
    sites = {f.site.name: f for f in summary.sites}
    rate = float(rate_table_for(organization=organization).get("USD").per_eur)
    assert sites["Frankfurt DC"].price_per_kwh == pytest.approx(0.10)
    assert sites["Ashburn Colo"].price_per_kwh == pytest.approx(0.10 * rate)
    assert sites["Ashburn Colo"].price_per_kwh != pytest.approx(0.10)
    page = demo_client.get(reverse("inventory:capacity"), {"price_per_kwh": "0.10"}).content.decode()
    assert "Electricity price per kWh (EUR)" in page
    assert f"{0.10 * rate:.4g} USD/kWh, the what-if&#x27;s 0.1 EUR/kWh at 1 EUR = " in page


def test_a_site_with_no_server_adds_no_zero_amount_in_its_currency(demo_client):
    """A site priced in Swiss francs with no server yet: the totals read "€51,127 and $9,056", not "0.00 CHF and
    €51,127 and $9,056"."""
    demo = Organization.objects.get(slug="demo-corp")
    Site.objects.create(
        organization=demo, name="Zurich Lab", country="CH", currency="CHF", electricity_price_per_kwh="0.15"
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", demo_client.get(reverse("inventory:capacity")).content.decode()))
    total = text[text.index("Zurich Lab 0 0.0") :]
    total = total[total.index(" Total ") :][:200]
    assert "CHF" not in total, total
    assert "Energy cost in EUR: €48,833 and $9,056 = €56,939" in text
