"""The capacity analysis of the demo inventory, and the inventory facts the assessment uses."""

from datetime import date

import pytest
from django.core.management import call_command

from accounts.models import Organization
from inventory.analysis import WhatIf, analyse
from inventory.facts import compute_facts
from inventory.models import AcceleratorType, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch) -> Organization:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    return Organization.objects.get(slug="demo-corp")


def test_site_footprints_of_the_demo(demo):
    summary = analyse(organization=demo)
    frankfurt = next(f for f in summary.sites if f.site.name == "Frankfurt DC")
    # 16 DGX H100 at 10.2 kW rated; the demo's week of telemetry (inventory/telemetry/demo.py) measures 8 of them:
    # 5 over Redfish, 3 by DCGM + the non-accelerator share, 56.719 kW together against their rated 81.6 kW.
    assert frankfurt.rated_it_power_kw == pytest.approx(163.2)
    assert frankfurt.power_sources == {"measured_server": 5, "measured_accelerators": 3, "recorded": 8}
    assert frankfurt.measured_it_power_kw == pytest.approx(56.719)
    it_kw = 163.2 - 81.6 + 56.719
    assert frankfurt.it_power_kw == pytest.approx(it_kw)
    # PUE 1.35, 0.19 EUR/kWh, Germany 381 gCO2e/kWh, 730 h
    assert frankfurt.footprint.facility_power_kw == pytest.approx(it_kw * 1.35)
    assert frankfurt.footprint.energy_kwh_per_month == pytest.approx(it_kw * 1.35 * 730)
    assert frankfurt.footprint.cost_per_month == pytest.approx(it_kw * 1.35 * 730 * 0.19)
    assert frankfurt.footprint.tco2_per_month == pytest.approx(it_kw * 1.35 * 730 * 381 / 1e6)
    assert frankfurt.currency == "EUR"
    ashburn = next(f for f in summary.sites if f.site.name == "Ashburn Colo")
    assert ashburn.power_sources == {"measured_accelerators": 4, "recorded": 18}
    assert ashburn.rated_it_power_kw == pytest.approx(106.0)
    # Rated 163.2 + 106.0 + 102.0 (Munich Lab, main's third demo site, not measured); measured where the demo's week
    # of telemetry gives it: Frankfurt's measured total above, Ashburn 102.61 kW.
    assert summary.total.it_power_kw == pytest.approx(it_kw + 102.61 + 102.0)


def test_every_demo_workload_fits_with_its_numbers(demo):
    verdicts = {v.workload.name: v for v in analyse(organization=demo).verdicts}
    serving = verdicts["Customer assistant"]
    assert serving.fits
    assert serving.pool.label == "128 x NVIDIA H100 SXM at Frankfurt DC"
    assert serving.fit.tensor_parallel == 2
    assert serving.fit.gpus_needed == serving.fit.replicas * 2
    assert serving.meets_latency is True
    assert serving.cost_per_million_tokens > 0
    tuning = verdicts["Maintenance-manual fine-tune"]
    assert tuning.fits
    assert tuning.fit.meets_deadline


def test_a_workload_the_fleet_cannot_hold(demo):
    from inventory.models import ModelProfile, Workload

    Workload.objects.create(
        organization=demo,
        name="405B chat",
        kind="inference",
        precision="bf16",
        model_profile=ModelProfile.objects.get(name="Llama-3.1-405B"),
        requests_per_second=2000,
        prompt_tokens=4000,
        output_tokens=1000,
    )
    verdict = next(v for v in analyse(organization=demo).verdicts if v.workload.name == "405B chat")
    assert not verdict.fits
    assert verdict.bottleneck in {"count", "memory", "site_power"}
    assert verdict.reasons


def test_what_if_changes_nothing_stored(demo):
    b200 = AcceleratorType.objects.get(model="B200")
    frankfurt = Site.objects.get(organization=demo, name="Frankfurt DC")
    base = analyse(organization=demo)
    changed = analyse(
        organization=demo,
        what_if=WhatIf(accelerator_type=b200, accelerator_count=16, site=frankfurt, pue=1.6, price_per_kwh=0.25),
    )
    assert changed.total.energy_kwh_per_month > base.total.energy_kwh_per_month
    assert changed.accelerators == base.accelerators + 16
    assert any("B200" in info.label for v in changed.verdicts for info, _ in v.alternatives + [(v.pool, None)])
    assert Site.objects.get(pk=frankfurt.pk).pue == 1.35


def test_site_power_headroom_is_pooled_and_names_the_tightest_site(demo):
    fact = compute_facts(organization=demo, today=date(2026, 11, 26))["power_headroom_pct"]
    # Pooled 54.9 %, but Munich Lab draws 102 kW (rated) of its 110 kW: 7.3 % left. Frankfurt DC 138.319 of 400,
    # Ashburn 102.61 of 300.
    assert fact.value == pytest.approx(100 * (760 - 342.929) / 760)
    assert fact.inputs["sites"] == {"Ashburn Colo": 59.0, "Frankfurt DC": 65.4, "Munich Lab": 7.3}
    assert fact.explanation.endswith(
        "pooled over 3 sites with a capacity recorded; the tightest, Munich Lab, has 7.3 % left"
    )


def test_a_site_drawing_more_than_its_capacity_is_said_so(organization):
    from inventory.models import Server, Site

    for name, capacity in (("Small", 10), ("Large", 1000)):
        site = Site.objects.create(organization=organization, name=name, country="DE", power_capacity_kw=capacity)
        Server.objects.create(organization=organization, site=site, hostname=f"{name}-1", power_w=12_500)
    fact = compute_facts(organization=organization)["power_headroom_pct"]
    assert fact.inputs["sites"]["Small"] == -25.0
    assert fact.explanation.endswith("; Small draws 25 % more than its capacity")


def test_inventory_facts_of_the_demo(demo):
    facts = {name: fact.value for name, fact in compute_facts(organization=demo, today=date(2026, 11, 26)).items()}
    # PUE weighted by the draw in the model (measured where the demo's telemetry gives it): Ashburn 102.61 kW,
    # Frankfurt 138.319 kW, Munich Lab 102 kW (rated, not measured) = 342.929 kW (371.2 kW all rated)
    assert facts["average_pue"] == pytest.approx((102.61 * 1.5 + 138.319 * 1.35 + 102 * 1.4) / 342.929)
    assert facts["power_headroom_pct"] == pytest.approx(100 * (760 - 342.929) / 760)
    assert facts["measured_accelerators_pct"] == pytest.approx(100 * 80 / 344)  # Munich Lab's 80 not measured
    assert facts["telemetry_measurement"] == "sampled"  # some accelerators measured, under half
    assert facts["idle_accelerators_pct"] == pytest.approx(25.0)  # fra-h100-05, fra-h100-08, iad-l40s-03
    assert facts["measured_vs_rated_power_pct"] == pytest.approx(100 * (56.719 + 7.81) / (81.6 + 11.2))
    assert facts["distinct_driver_versions"] == 3
    assert facts["distinct_cuda_versions"] == 2
    assert facts["accelerators_older_than_3y_pct"] == pytest.approx(100 * 304 / 344)  # H100 (2022) and A100 (2020)
    assert facts["interconnect_kind"] == "infiniband"
    assert facts["workloads_fitting_pct"] == pytest.approx(200 / 3)  # the 70B training run misses its deadline
    assert facts["workloads_meeting_latency_pct"] == 100.0
    assert 0 < facts["fleet_memory_headroom_pct"] < 100


def _stored_before_the_rule(organization, name, **values):
    """A workload stored before its fields' rules (objects.create runs no validator), as older rows may be."""
    from inventory.models import ModelProfile, Workload

    fields = {"requests_per_second": 1, "prompt_tokens": 1000, "output_tokens": 200, **values}
    profile = ModelProfile.objects.get(name="Llama-3.1-8B")
    return Workload.objects.create(
        organization=organization, name=name, kind="inference", model_profile=profile, **fields
    )


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ({"prompt_tokens": 0}, "its “prompt tokens” value, 0, is not allowed (enter a value between 1 and 100,000,000"),
        ({"output_tokens": 0}, "its “output tokens” value, 0, is not allowed"),
        ({"ttft_target_ms": 0}, "its “time to first token target (ms)” value, 0, is not allowed"),
        ({"prompt_tokens": 200_000}, "its prompt and output tokens (200,200) exceed the context length of the model"),
    ],
)
def test_a_stored_workload_the_model_cannot_read_is_a_sentence_not_counted_nor_planned(demo, values, sentence):
    _stored_before_the_rule(demo, "zero wl", **values)
    verdict = next(v for v in analyse(organization=demo).verdicts if v.workload.name == "zero wl")
    assert verdict.problem.startswith("Workload “zero wl” cannot be estimated: ")
    assert sentence in verdict.problem
    assert verdict.reasons == (verdict.problem,)
    assert "must" not in verdict.problem
    assert "_" not in verdict.problem.replace("zero wl", "")
    facts = compute_facts(organization=demo, today=date(2026, 11, 26))
    assert facts["workloads_fitting_pct"].value == pytest.approx(200 / 3)  # as without it
    assert "not counted, their values need correcting: zero wl" in facts["workloads_fitting_pct"].explanation
