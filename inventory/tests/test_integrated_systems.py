"""Integrated systems (a DGX Spark's NVIDIA GB10: CPU and GPU in one package, 128 GB of unified memory, a 240 W
power supply): the server's power comes from the accelerator type's system power, not TDP x 1.821 (which gave
255 W, more than the power supply), and only the memory the host leaves is counted for models. Worked examples on
the pure model, then the database: the migration's figures, the power ladder in SQL against the pure functions,
and the words on the capacity page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from inventory import capacity, selectors
from inventory.analysis import analyse
from inventory.models import AcceleratorType, ModelProfile, Server, ServerTelemetryDay, TelemetrySource
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory

WORDS = "NVIDIA GB10: 128 GB unified, of which ~112 GB counted for models (16 GB kept for the operating system and CPU)"

# NVIDIA GB10 as the catalog describes it (no published dense rate), and with a rate an owner measured (the fits
# need one; 100 TFLOPS is a made-up figure for the tests, not a datasheet's).
GB10 = capacity.AcceleratorSpec("NVIDIA GB10", 128, 273, None, tdp_w=140, system_power_w=240, host_reserved_gb=16)
GB10_RATED = capacity.AcceleratorSpec(
    "NVIDIA GB10", 128, 273, 100.0, tdp_w=140, system_power_w=240, host_reserved_gb=16
)
H100 = capacity.AcceleratorSpec("NVIDIA H100 SXM", 80, 3350, 989, 1979, tdp_w=700)
# Llama-3.1-70B (arXiv:2407.21783, Table 3), as llm_models.csv describes it.
LLAMA_70B = capacity.ModelSpec("Llama-3.1-70B", 70_553_706_496, None, 80, 8192, 64, 8, 128, 131_072)


# ---------------------------------------------------------------------------------------------------------------
# Power: the pure rule
# ---------------------------------------------------------------------------------------------------------------


def test_a_dgx_spark_is_estimated_at_its_power_supply_not_above_it():
    old_estimate = 140 * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
    assert old_estimate == pytest.approx(255, abs=0.1)  # above the 240 W power supply
    assert capacity.rated_server_watts(1, 140, 240) == 240
    assert capacity.rated_server_watts(2, 140, 240) == 480  # two Sparks recorded as one server


def test_a_server_of_discrete_gpus_keeps_the_dgx_h100_ratio():
    assert capacity.rated_server_watts(8, 700) == pytest.approx(10_200)  # NVIDIA DGX H100 datasheet: ~10.2 kW
    assert capacity.rated_server_watts(8, None) is None  # no TDP: unknown
    assert capacity.rated_server_watts(0, 700) == 0.0  # a server without accelerators


def test_the_rated_estimate_is_said_in_words():
    """What the capacity page's what-if additions and the roadmap's accelerators to buy are rated at, in words."""
    assert capacity.rated_server_words(700) == "TDP 700 W x server overhead 1.821"
    assert capacity.rated_server_words(140, 240) == "system power 240 W each"  # integrated: not 140 x 1.82
    assert capacity.rated_server_words(700, overhead=1.5) == "TDP 700 W x server overhead 1.5"
    assert capacity.rated_server_words(None) == capacity.rated_server_words(0) == "no system power and no TDP"


def test_the_rest_of_the_server_beside_measured_accelerators():
    assert capacity.non_accelerator_watts(1, 140, 240) == 100  # what the 240 W supply leaves beside the package
    assert capacity.non_accelerator_watts(8, 700) == pytest.approx(10_200 - 5_600)  # DGX H100: 4.6 kW
    assert capacity.non_accelerator_watts(1, None, 240) is None  # the measured rung needs the TDP


@given(
    accelerators=st.integers(min_value=0, max_value=1024),
    tdp=st.integers(min_value=1, max_value=2000),
    extra=st.one_of(st.none(), st.integers(min_value=0, max_value=2000)),
)
def test_accelerators_measured_at_their_tdp_give_the_rated_estimate(accelerators, tdp, extra):
    """The measured rung at exactly TDP (accelerators x TDP measured, plus the rest of the server) equals the
    rated estimate, for discrete GPUs (TDP x 1.821) and integrated systems (system power = TDP + extra) alike."""
    system = None if extra is None else tdp + extra
    rest = capacity.non_accelerator_watts(accelerators, tdp, system)
    assert accelerators * tdp + rest == pytest.approx(capacity.rated_server_watts(accelerators, tdp, system))


def test_a_pool_of_dgx_sparks_draws_their_system_power():
    pool = capacity.Pool(GB10, 3, "Desks")
    assert pool.watts_per_accelerator == 240
    assert pool.power_basis == "system power 240 W per NVIDIA GB10 (integrated)"
    recorded = capacity.Pool(GB10, 3, "Desks", server_power_w_per_accelerator=95.0)  # a recorded figure wins
    assert recorded.watts_per_accelerator == 95.0


def test_a_system_power_below_the_tdp_is_refused():
    with pytest.raises(ValueError, match="system_power_w must be at least tdp_w"):
        capacity.AcceleratorSpec("odd", 128, 273, None, tdp_w=140, system_power_w=100)


# ---------------------------------------------------------------------------------------------------------------
# Memory: the pure rule
# ---------------------------------------------------------------------------------------------------------------


def test_unified_memory_is_counted_less_what_the_host_keeps():
    assert capacity.memory_for_models_gb(128, 16) == 112
    assert capacity.memory_for_models_gb(80) == 80  # a GPU with memory of its own
    assert GB10.model_memory_gb == 112
    assert H100.model_memory_gb == 80
    assert GB10.memory_words == WORDS
    assert H100.memory_words == ""
    with pytest.raises(ValueError, match="host_reserved_gb must be less than memory_gb"):
        capacity.AcceleratorSpec("odd", 128, 273, None, host_reserved_gb=128)


def test_llama_70b_in_fp8_no_longer_gets_its_full_context_on_one_spark():
    """Weights 70.55 GB (fp8), KV cache 327,680 B per token (bf16): with 112 GB counted, 112 x 0.9 = 100.8 GB
    usable leaves (100.8 - 70.55) GB / 327,680 B = 92,304 tokens; counting the 128 GB whole (115.2 GB usable) gave
    the model's full 131,072."""
    sizing = capacity.size_serving(LLAMA_70B, GB10, 1, "fp8")
    assert sizing.usable_gb == pytest.approx(100.8)
    assert sizing.largest_context_tokens_batch1 == 92_304
    assert sizing.context_limited_by == "memory"
    whole = capacity.max_context_tokens(LLAMA_70B, 128, 1, "fp8", kv_cache_precision="bf16")
    assert whole == 131_072  # what the old count said


def test_fits_read_the_counted_memory_and_say_so():
    serving = capacity.fit_inference(
        capacity.InferenceWorkload(LLAMA_70B, "int4", 0.1, 1000, 250), capacity.Pool(GB10_RATED, 1, "Desk")
    )
    assert serving.usable_memory_gb_per_gpu == pytest.approx(100.8)
    assert any("of 100.8 GB usable (112 GB counted for models of 128 GB unified x 0.9)" in r for r in serving.reasons)
    training = capacity.fit_training(
        capacity.TrainingWorkload(LLAMA_70B, "bf16", 1e6, 365, 0.4), capacity.Pool(GB10_RATED, 1, "Desk")
    )
    assert training.usable_memory_gb_per_gpu == pytest.approx(100.8)
    assert training.bottleneck == "memory"  # 16 bytes x 70.6 B params: 1,129 GB


def test_the_usable_memory_figure_names_the_counted_part():
    pool = capacity.Pool(GB10_RATED, 1, "Desk")
    workload = capacity.InferenceWorkload(LLAMA_70B, "int4", 0.1, 1000, 250)
    fit = capacity.fit_inference(workload, pool)
    figures = capacity.fit_figures(workload, pool, fit, capacity.Origins(accelerator="catalog row NVIDIA GB10"))
    usable = next(f for f in figures if f.name == "usable_memory_gb_per_gpu")
    memory, share = usable.inputs
    assert (memory.name, memory.value) == ("memory of NVIDIA GB10 counted for models", 112)
    assert memory.origin == f"catalog row NVIDIA GB10; {WORDS}"
    assert memory.value * share.value == pytest.approx(usable.value)


# ---------------------------------------------------------------------------------------------------------------
# The database: the migration's figures, the ladder in SQL against the pure functions, the words people read
# ---------------------------------------------------------------------------------------------------------------


def shared(model: str) -> AcceleratorType:
    return AcceleratorType.objects.get(organization__isnull=True, model=model)


@pytest.mark.django_db
def test_the_catalog_gives_the_gb10_its_system_figures_and_no_other_type_any():
    gb10 = shared("GB10")
    assert (gb10.tdp_w, gb10.system_power_w, gb10.memory_gb, gb10.host_reserved_gb) == (140, 240, 128, 16)
    assert "240 W" in gb10.system_source
    assert "ASSUMPTION" in gb10.system_source
    others = AcceleratorType.objects.filter(organization__isnull=True).exclude(pk=gb10.pk)
    assert not others.filter(system_power_w__isnull=False).exists()
    assert not others.filter(host_reserved_gb__isnull=False).exists()


@pytest.mark.django_db
def test_the_accelerator_type_refuses_figures_no_system_has(organization):
    kind = AcceleratorType(
        organization=organization,
        vendor="Acme",
        model="SoC",
        memory_gb=64,
        mem_bandwidth_gbps=200,
        tdp_w=100,
        system_power_w=80,
        host_reserved_gb=64,
        release_year=2025,
        source="test",
    )
    with pytest.raises(ValidationError) as raised:
        kind.full_clean()
    assert set(raised.value.message_dict) == {"system_power_w", "host_reserved_gb"}


def _measured(server, accelerator_power_p95_w: float) -> None:
    day = timezone.now().date() - timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    ServerTelemetryDay.objects.create(
        organization=server.organization,
        server=server,
        day=day,
        source=TelemetrySource.DCGM_SCRAPE,
        window_start=moment,
        window_end=moment,
        sample_count=12,
        accelerator_power_p95_w=accelerator_power_p95_w,
    )


FLEET = {  # hostname: (accelerator type, accelerators, DCGM p95 W or None)
    "spark": ("GB10", 1, None),
    "two-sparks": ("GB10", 2, None),
    "hgx": ("H100 SXM", 8, None),
    "spark-dcgm": ("GB10", 1, 62.0),
    "hgx-dcgm": ("H100 SXM", 8, 4_100.0),
}


@pytest.mark.django_db
def test_the_power_ladder_in_sql_gives_the_pure_functions_watts(organization):
    site = SiteFactory(organization=organization, name="Lab")
    for hostname, (model, count, p95) in FLEET.items():
        server = ServerFactory(
            organization=organization,
            site=site,
            hostname=hostname,
            accelerator_type=shared(model),
            accelerator_count=count,
            power_w=None,
        )
        if p95 is not None:
            _measured(server, p95)

    watts, source = selectors.server_power_expression()
    rows = {
        row["hostname"]: (row["s"], row["w"])
        for row in Server.objects.filter(organization=organization)
        .annotate(w=watts, s=source)
        .values("hostname", "s", "w")
    }
    expected = {}
    for hostname, (model, count, p95) in FLEET.items():
        kind = shared(model)
        if p95 is None:
            expected[hostname] = capacity.rated_server_watts(count, kind.tdp_w, kind.system_power_w)
        else:
            expected[hostname] = p95 + capacity.non_accelerator_watts(count, kind.tdp_w, kind.system_power_w)
        assert rows[hostname][1] == pytest.approx(expected[hostname]), hostname
    assert {host: rung for host, (rung, _) in rows.items()} == {
        "spark": "system",
        "two-sparks": "system",
        "hgx": "tdp",
        "spark-dcgm": "measured_accelerators",
        "hgx-dcgm": "measured_accelerators",
    }
    assert expected["spark"] == 240
    assert expected["spark-dcgm"] == 162  # 62 W measured + 100 W for the rest of the system

    # The fleet, grouped in SQL (one query), and the pools the analysis builds from it agree with the pure Pool.
    (summary_site,) = analyse(organization=organization).sites
    assert summary_site.it_power_kw == pytest.approx(sum(expected.values()) / 1000)
    assert summary_site.power_sources["system"] == 2
    assert "2 servers integrated system's rated power" in summary_site.power_sources_in_words


@pytest.mark.django_db
def test_a_pool_of_unmeasured_sparks_takes_the_same_watts_in_sql_and_in_the_pure_pool(organization):
    site = SiteFactory(organization=organization, name="Desks")
    for _ in range(3):
        ServerFactory(
            organization=organization, site=site, accelerator_type=shared("GB10"), accelerator_count=1, power_w=None
        )
    (group,) = selectors.fleet_groups(organization=organization)
    (info,) = analyse(organization=organization).pools
    assert group.power_source == "system"
    assert group.watts / group.accelerators == info.pool.watts_per_accelerator == 240
    assert info.pool.server_power_w_per_accelerator is None  # computed by the pure model from the type itself
    assert "system power 240 W per NVIDIA GB10, an integrated system" in info.origins.power


def _own_gb10(organization) -> AcceleratorType:
    """The GB10 with a dense BF16 rate of its owner's (the catalog row has none, so its fits are refused)."""
    gb10 = shared("GB10")
    gb10.pk = None
    gb10.organization = organization
    gb10.model = "GB10 (measured rate)"
    gb10.bf16_tflops = 100.0
    gb10.save()
    return gb10


@pytest.mark.django_db
def test_the_capacity_page_says_what_is_counted_of_a_unified_memory(organization, viewer, client):
    """(The report says the same: reports/tests/test_integrated_systems_report.py.)"""
    site = SiteFactory(organization=organization, name="Desks")
    kind = _own_gb10(organization)
    ServerFactory(organization=organization, site=site, accelerator_type=kind, accelerator_count=1, power_w=None)
    WorkloadFactory(
        organization=organization,
        name="Local assistant",
        model_profile=ModelProfile.objects.get(organization__isnull=True, name="Llama-3.1-70B"),
        precision="int4",
        requests_per_second=0.1,
    )
    words = WORDS.replace("NVIDIA GB10:", "NVIDIA GB10 (measured rate):")
    client.force_login(viewer)
    page = client.get(reverse("inventory:capacity")).content.decode()
    assert words in page
    assert "of 100.8 GB usable (112 GB counted for models of 128 GB unified x 0.9)" in page


@pytest.mark.django_db
def test_the_overview_says_how_much_of_its_memory_total_models_can_use(organization, viewer, client):
    """Two Sparks (128 GB unified each, 16 GB kept by the host) beside one H100 server (8 x 80 GB): the total is the
    accelerators' whole memory, 2 x 128 + 640 = 896 GB, of which 2 x 112 + 640 = 864 GB count for models."""
    site = SiteFactory(organization=organization, name="Desks")
    ServerFactory(organization=organization, site=site, accelerator_type=shared("GB10"), accelerator_count=1)
    ServerFactory(organization=organization, site=site, accelerator_type=shared("GB10"), accelerator_count=1)
    ServerFactory(organization=organization, site=site, accelerator_type=shared("H100 SXM"), accelerator_count=8)
    overview = selectors.inventory_overview(organization=organization)
    assert overview.total_memory_gb == pytest.approx(896)
    assert overview.total_memory_for_models_gb == pytest.approx(864)
    (gb10,) = [row for row in overview.accelerators_by_type if row.accelerator == "NVIDIA GB10"]
    assert (gb10.memory_gb, gb10.memory_for_models_gb) == (pytest.approx(256), pytest.approx(224))
    client.force_login(viewer)
    page = client.get(reverse("inventory:overview")).content.decode()
    assert "896 GB" in page
    assert "of which 864 GB for models: unified memory counts less what the host keeps" in page


@pytest.mark.django_db
def test_the_overview_of_discrete_gpus_has_no_models_note(organization, viewer, client):
    ServerFactory(organization=organization, accelerator_type=shared("H100 SXM"), accelerator_count=8)
    client.force_login(viewer)
    page = client.get(reverse("inventory:overview")).content.decode()
    assert 'id="memory-for-models"' not in page
