"""Issue 15 (fidelity) through the database: the extended catalog (per-precision rates, T4 without BF16, MI250X per
GCD, new accelerators with sources), the workload's training assumptions and KV cache precision in the form, the
API and the import, the pool behind a workload carrying its servers' recorded power, and the quantized serving
answers of the estimate API and the capacity page."""

import io
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from inventory import services
from inventory.analysis import analyse
from inventory.catalog import _fits_model, accelerator_rows
from inventory.forms import WorkloadForm
from inventory.models import AcceleratorType, ModelProfile, Site, Workload
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory

pytestmark = pytest.mark.django_db


def _type(model: str) -> AcceleratorType:
    return AcceleratorType.objects.get(organization__isnull=True, model=model)


# ==================================================================================================
# Catalog
# ==================================================================================================


def test_catalog_carries_per_precision_rates() -> None:
    t4 = _type("T4")
    assert (t4.bf16_tflops, t4.fp16_tflops, t4.int8_tops, t4.fp8_tflops) == (None, 65, 130, None)
    a100 = _type("A100 SXM 80GB")
    assert (a100.bf16_tflops, a100.fp16_tflops, a100.int8_tops, a100.fp8_tflops) == (312, 312, 624, None)
    h100 = _type("H100 SXM")
    assert (h100.fp16_tflops, h100.int8_tops) == (989, 1979)


def test_mi250x_is_the_64_gb_device_the_runtime_sees() -> None:
    gcd = _type("MI250X")
    assert (gcd.memory_gb, gcd.mem_bandwidth_gbps, gcd.bf16_tflops, gcd.tdp_w) == (64, 1638.4, 191.5, 280)
    assert "GCD" in gcd.form_factor
    assert "divided by 2" in gcd.source


def test_k80_is_the_12_gb_gpu_nvidia_smi_sees() -> None:
    """Two GK210 GPUs per board, each its own device (as MI250X's GCDs): the row is one GPU, the board halved."""
    gpu = _type("K80")
    assert (gpu.memory_gb, gpu.mem_bandwidth_gbps, gpu.tdp_w, gpu.nvidia_smi_names) == (12, 240, 150, ["Tesla K80"])
    assert "one of 2" in gpu.form_factor
    assert "divided by 2" in gpu.source
    # Kepler: no tensor core, no FP16 arithmetic. Empty, not a guess; the capacity model refuses compute for it.
    assert (gpu.bf16_tflops, gpu.fp16_tflops, gpu.fp8_tflops, gpu.int8_tops) == (None,) * 4


def test_gb10_counts_its_unified_memory_and_says_so() -> None:
    gb10 = _type("GB10")
    assert (gb10.memory_gb, gb10.mem_bandwidth_gbps, gb10.tdp_w) == (128, 273, 140)
    assert gb10.nvidia_smi_names == ["NVIDIA GB10"]
    assert "unified" in gb10.form_factor
    assert "shared by the CPU" in gb10.source
    assert "UNVERIFIED" in gb10.source  # the 140 W is not in an NVIDIA datasheet
    # NVIDIA publishes FP4 only (1 PFLOP with sparsity), a precision the catalog has no column for.
    assert (gb10.bf16_tflops, gb10.fp16_tflops, gb10.fp8_tflops, gb10.int8_tops) == (None,) * 4


def test_catalog_additions_keep_sources_and_tool_names() -> None:
    names = {row["model"] for row in accelerator_rows()}
    expected = {"L4", "T4", "A10G", "A10", "A30", "A40", "RTX 6000 Ada", "RTX A6000", "L40", "H20", "H100 NVL"}
    expected |= {"B200", "GB200 (per GPU)", "MI100", "MI210", "MI250X", "MI300X", "MI325X", "Gaudi 2", "Gaudi 3"}
    expected |= {"GeForce RTX 3090", "GeForce RTX 4090", "GeForce RTX 4080 SUPER", "A100 PCIe 40GB", "GB10", "K80"}
    assert expected <= names
    assert AcceleratorType.objects.filter(organization__isnull=True).count() == len(names)
    for row in accelerator_rows():
        assert row["source"].strip(), row["model"]
    assert "UNVERIFIED" in _type("H20").source
    assert _type("A100 PCIe 40GB").nvidia_smi_names == ["NVIDIA A100-PCIE-40GB", "A100-PCIE-40GB"]
    assert _type("RTX 6000 Ada").nvidia_smi_names == ["NVIDIA RTX 6000 Ada Generation"]
    no_rates = _type("GeForce RTX 4080 SUPER")
    assert (no_rates.bf16_tflops, no_rates.fp16_tflops, no_rates.fp8_tflops, no_rates.int8_tops) == (None,) * 4


def test_the_loader_fits_the_historical_model_of_an_older_migration() -> None:
    """Migration 0002 loads the catalog with its own historical model: columns added later are dropped and rows
    it cannot hold (T4 without BF16) wait for the migration that reloads the catalog."""
    state = MigrationExecutor(connection).loader.project_state(("inventory", "0002_load_catalog"))
    old = state.apps.get_model("inventory", "AcceleratorType")
    rows = {row["model"]: row for row in accelerator_rows()}
    assert _fits_model(old, dict(rows["T4"])) is None
    h100 = _fits_model(old, dict(rows["H100 SXM"]))
    assert h100 is not None
    assert "fp16_tflops" not in h100
    assert "int8_tops" not in h100
    assert _fits_model(AcceleratorType, dict(rows["T4"]))["fp16_tflops"] == 65


# ==================================================================================================
# Workload assumptions: model, form, API, import
# ==================================================================================================


def _form_data(**values: Any) -> dict[str, Any]:
    data = {
        "name": "Fine-tune",
        "kind": "fine_tuning",
        "model_profile": ModelProfile.objects.get(name="Llama-3.1-8B").pk,
        "precision": "bf16",
        "training_tokens": "1e9",
        "deadline_days": "5",
    }
    return data | values


def test_the_form_takes_recomputation_and_goodput_with_a_default(organization) -> None:
    form = WorkloadForm(_form_data(), organization=organization)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["goodput"] == 0.9
    assert form.cleaned_data["activation_recompute"] is False
    form = WorkloadForm(_form_data(activation_recompute="on", goodput="0.85"), organization=organization)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["activation_recompute"], form.cleaned_data["goodput"]) == (True, 0.85)
    bad = WorkloadForm(_form_data(goodput="1.5"), organization=organization)
    assert not bad.is_valid()
    assert "goodput" in bad.errors


def test_the_api_validates_goodput(api_client_for, organization, owner) -> None:
    client = api_client_for(owner, organization)
    payload = _form_data(training_tokens=1e9, deadline_days=5, goodput=0, activation_recompute=True)
    response = client.post(reverse("api:inventory:workload-list"), payload, format="json")
    assert response.status_code == 400
    assert "goodput" in str(response.json())
    payload["goodput"] = 0.8
    response = client.post(reverse("api:inventory:workload-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["goodput"], response.json()["activation_recompute"]) == (0.8, True)


def _import(organization, content: str) -> services.ImportResult:
    data = content.encode()
    return services.inventory_import(
        organization=organization, handle=io.BytesIO(data), filename="workloads.csv", size=len(data)
    )


def test_the_import_reads_the_new_columns(organization) -> None:
    result = _import(
        organization,
        "name,kind,model_profile,precision,training_tokens,assumed_mfu,activation_recompute,goodput\n"
        "opt-like,training,Llama-3.1-8B,bf16,3e11,0.47,true,0.95\n",
    )
    assert result.ok, result.errors_json()
    stored = Workload.objects.get(organization=organization, name="opt-like")
    assert (stored.activation_recompute, stored.goodput, stored.assumed_mfu) == (True, 0.95, 0.47)
    result = _import(
        organization,
        "name,kind,model_profile,precision,requests_per_second,prompt_tokens,output_tokens,kv_cache_precision\n"
        "chat,inference,Llama-3.1-8B,int4,1,500,100,fp8\n",
    )
    assert result.ok, result.errors_json()
    assert Workload.objects.get(organization=organization, name="chat").kv_cache_precision == "fp8"
    rejected = _import(organization, "name,kind,model_profile,training_tokens,goodput\nx,training,Llama-3.1-8B,1e9,2\n")
    assert not rejected.ok
    assert [e["column"] for e in rejected.errors_json()] == ["goodput"]


def test_analysis_passes_the_assumptions_to_the_model(organization) -> None:
    site = SiteFactory(organization=organization, name="Lab")
    ServerFactory(organization=organization, site=site)
    profile = ModelProfile.objects.get(name="Llama-3.1-8B")
    common = {"organization": organization, "model_profile": profile, "kind": "training", "training_tokens": 1e10}
    WorkloadFactory(name="plain", goodput=1.0, **common)
    WorkloadFactory(name="recompute", activation_recompute=True, goodput=0.8, **common)
    verdicts = {v.workload.name: v for v in analyse(organization=organization).verdicts}
    plain, slow = verdicts["plain"].fit, verdicts["recompute"].fit
    assert slow.training_days == pytest.approx(plain.training_days * 8 / 6 / 0.8)
    assert slow.activation_recompute
    assert slow.goodput == 0.8


# ==================================================================================================
# The pool behind a workload carries its servers' recorded power
# ==================================================================================================


def _a100_lab(organization, *powers: int | None) -> Site:
    site = SiteFactory(organization=organization, name="Lab", pue=1.5, electricity_price_per_kwh="0.10")
    for power in powers:
        ServerFactory(organization=organization, site=site, accelerator_type=_type("A100 SXM 80GB"), power_w=power)
    return site


def test_workload_power_uses_recorded_server_power(organization) -> None:
    _a100_lab(organization, 6500)  # 8 x A100 measured at 6.5 kW: 812.5 W per GPU, not 400 W x 1.82 = 728.6 W
    WorkloadFactory(organization=organization, model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"))
    (verdict,) = analyse(organization=organization).verdicts
    assert verdict.fits, verdict.reasons
    gpus = verdict.fit.gpus_needed
    assert verdict.pool.pool.server_power_w_per_accelerator == 812.5
    assert verdict.fit.it_power_kw == pytest.approx(gpus * 0.8125)
    assert verdict.fit.power_basis == "recorded server power (1 of 1 servers)"
    assert verdict.monthly_energy_cost == pytest.approx(gpus * 0.8125 * 1.5 * 730 * 0.10)
    assert any("recorded server power" in reason for reason in verdict.reasons)


def test_a_training_run_is_priced_per_run_not_per_month(organization) -> None:
    # 16 x A100 at a recorded 6.5 kW per 8 (812.5 W per GPU), PUE 1.5, 0.10 EUR/kWh: one run's energy is its
    # GPU-hours (16 GPUs x the days it takes on them x 24) x 0.8125 kW x 1.5 x 0.10, whatever the GPUs needed.
    site = _a100_lab(organization, 6500, 6500)
    profile = ModelProfile.objects.get(name="Llama-3.1-8B")
    WorkloadFactory(
        organization=organization, model_profile=profile, kind="training", training_tokens=1e10, deadline_days=30
    )
    (verdict,) = analyse(organization=organization).verdicts
    assert verdict.fits, verdict.reasons
    days = verdict.fit.training_days
    expected = 16 * days * 24 * 0.8125 * 1.5 * 0.10
    assert verdict.run_energy_cost == pytest.approx(expected)
    assert verdict.monthly_energy_cost is None  # a month of the GPUs needed is not what a run costs
    (run,) = [f for f in verdict.figures if f.name == "run_energy_cost"]
    assert (run.unit, run.value) == (f"{site.currency}/run", pytest.approx(expected))
    assert [i.name for i in run.inputs][:3] == [
        "GPU-hours of the run",
        "training time on the whole pool",
        "whole-server watts per GPU",
    ]
    assert not any(f.name == "monthly_energy_cost" for f in verdict.figures)
    assert verdict.fit.gpus_needed < 16
    assert any(r.endswith("of IT load and finishes sooner, for the same energy.") for r in verdict.reasons)


def test_a_pool_mixing_recorded_and_estimated_power(organization) -> None:
    _a100_lab(organization, 6500, None)
    WorkloadFactory(organization=organization, model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"))
    (verdict,) = analyse(organization=organization).verdicts
    per_gpu = (6500 + 8 * 400 * 10200 / 5600) / 16  # the same watts as the site footprint, per accelerator
    assert verdict.pool.pool.server_power_w_per_accelerator == pytest.approx(per_gpu)
    assert verdict.fit.power_basis == "recorded server power (1 of 2 servers; TDP x 1.821 for the other 1)"
    (site,) = analyse(organization=organization).sites
    assert site.it_power_kw == pytest.approx(16 * per_gpu / 1000)


def test_accelerators_a_what_if_adds_are_rated_and_said_so(organization) -> None:
    """Beside a recorded server, the what-if's 8 A100s count at TDP x overhead, in the words the roadmap uses."""
    from inventory.analysis import WhatIf

    site = _a100_lab(organization, 6500)
    WorkloadFactory(organization=organization, model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"))
    what_if = WhatIf(accelerator_type=_type("A100 SXM 80GB"), accelerator_count=8, site=site)
    (verdict,) = analyse(organization=organization, what_if=what_if).verdicts
    assert verdict.fit.power_basis == (
        "recorded server power (1 of 1 servers); the 8 added at the type's estimate (TDP 400 W x server overhead 1.821)"
    )
    per_gpu = (6500 + 8 * 400 * 10200 / 5600) / 16
    assert verdict.pool.pool.server_power_w_per_accelerator == pytest.approx(per_gpu)


def test_without_recorded_power_the_pool_keeps_tdp_times_overhead(organization) -> None:
    _a100_lab(organization, None)
    WorkloadFactory(organization=organization, model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"))
    (verdict,) = analyse(organization=organization).verdicts
    assert verdict.pool.pool.server_power_w_per_accelerator is None
    assert verdict.fit.it_power_kw == pytest.approx(verdict.fit.gpus_needed * 400 * 10200 / 5600 / 1000)
    assert verdict.fit.power_basis == "TDP x server overhead 1.821"


# ==================================================================================================
# Quantized serving answers: estimate API and capacity page
# ==================================================================================================


@pytest.fixture
def lab(organization) -> Site:
    site = SiteFactory(organization=organization, name="Lab")
    ServerFactory(organization=organization, site=site)  # 8 x H100 SXM
    return site


def test_the_estimate_answers_the_quantized_serving_questions(api_client_for, organization, viewer, lab) -> None:
    payload = {
        "workload_spec": {
            "kind": "inference",
            "model_profile": ModelProfile.objects.get(name="Llama-3.1-70B").pk,
            "precision": "int4",
            "requests_per_second": 1,
            "prompt_tokens": 1000,
            "output_tokens": 200,
        },
        "change": {"kv_cache_precision": "fp8"},
        "serving_batch": 16,
    }
    response = api_client_for(viewer, organization).post(reverse("api:capacity:estimate"), payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["estimate"]["workload"] == "estimate"  # the described workload, not a stored one
    sizing = body["serving_memory"]
    assert sizing["weights_gb"] == pytest.approx(70.553706496 * 0.5)
    assert sizing["kv_cache_precision"] == "fp8"
    assert sizing["kv_cache_mb_per_token"] == pytest.approx(0.16384)  # 2 x 80 x 8 x 128 x 1 B
    assert sizing["batch"] == 16
    assert sizing["gpus"] == 8
    assert sizing["largest_context_tokens_batch1"] == 131072
    assert sizing["nodes_needed_full_context"] == 1


def test_the_estimate_schema_documents_serving_memory(client) -> None:
    schema = client.get(reverse("api-schema")).content.decode()
    assert "ServingMemory" in schema
    assert "largest_context_tokens" in schema
    assert "kv_cache_precision" in schema


def test_training_estimates_have_no_serving_answers(api_client_for, organization, viewer, lab) -> None:
    payload = {
        "workload_spec": {
            "kind": "training",
            "model_profile": ModelProfile.objects.get(name="Llama-3.1-8B").pk,
            "training_tokens": 1e9,
            "activation_recompute": True,
            "goodput": 0.9,
        }
    }
    body = api_client_for(viewer, organization).post(reverse("api:capacity:estimate"), payload, format="json").json()
    assert body["serving_memory"] is None
    figures = {f["name"]: f for f in body["estimate"]["figures"]}
    assert figures["computed_flops"]["value"] == pytest.approx(8 * 8030261248 * 1e9)
    assert figures["goodput"]["value"] == 0.9


def test_the_capacity_page_shows_the_memory_answers(client, organization, viewer, lab) -> None:
    WorkloadFactory(organization=organization, precision="fp8")
    client.force_login(viewer)
    page = client.get(reverse("inventory:capacity"), {"kv_cache_precision": "fp8", "serving_batch": "4"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Largest context that fits" in text
    assert "fp8 KV cache" in text
    assert "for 4 at once" in text
    assert "Showing a hypothetical inventory" in text  # the KV precision is a what-if
    page = client.get(reverse("inventory:capacity"), {"serving_batch": "4"})
    assert "Showing a hypothetical inventory" not in page.content.decode()  # a batch alone changes nothing stored


def test_a_fleet_without_any_published_rate_gets_a_clear_verdict(organization) -> None:
    from inventory.facts import compute_facts

    site = SiteFactory(organization=organization, name="Desk")
    ServerFactory(organization=organization, site=site, accelerator_type=_type("GeForce RTX 4080 SUPER"), power_w=600)
    WorkloadFactory(organization=organization, model_profile=ModelProfile.objects.get(name="Llama-3.1-8B"))
    (verdict,) = analyse(organization=organization).verdicts
    assert not verdict.fits
    assert verdict.reasons[0].startswith(
        "accelerator NVIDIA GeForce RTX 4080 SUPER has no published dense rate for bf16"
    )
    facts = compute_facts(organization=organization)
    assert "fleet_compute_headroom_pct" not in facts  # no 16-bit rate to divide by
