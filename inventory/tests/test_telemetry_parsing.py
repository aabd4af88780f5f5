"""dcgm-exporter scrapes published by NVIDIA and others (inventory/tests/data/telemetry/, source URL beside each
file), parsed with prometheus_client's parser and summarized per server. Pure: no database."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.telemetry import dcgm
from inventory.telemetry.matching import match_hosts
from inventory.telemetry.summaries import RELATIVE_ACCURACY, DaySummary, Histogram, instant_values, mig_slices

DATA = Path(__file__).parent / "data" / "telemetry"


def scrape(name: str) -> dcgm.Scrape:
    return dcgm.parse((DATA / name).read_text(encoding="utf-8"))


def host_values(name: str) -> dict:
    return {host: instant_values(readings) for host, readings in dcgm.readings_by_host(scrape(name).readings)}


def test_every_data_file_has_its_source_beside_it():
    files = [p for p in DATA.iterdir() if not p.name.endswith(".source.md")]
    assert len(files) == 20
    for path in files:
        source = (DATA / f"{path.name}.source.md").read_text()
        assert "https://" in source, path.name


def test_eight_idle_h100s_on_eks_sum_their_power():
    # NVIDIA/aicr evidence: gpu0 113.611 W, the others 65.7-68.7 W, all at 0 % utilization.
    ((host, values),) = host_values("aicr-eks-h100x8-156a357e.prom").items()
    assert host == "ip-10-0-171-111.ec2.internal"
    assert values.gpu_count == 8
    assert values.gpu_models == ["NVIDIA H100 80GB HBM3"]
    assert values.accelerator_power_w == pytest.approx(
        113.611 + 68.347 + 65.709 + 67.316 + 68.717 + 65.742 + 67.328 + 66.997
    )
    assert values.utilization_pct == 0
    assert values.tensor_active_pct is None
    assert values.memory_used_gb is None


def test_a_loaded_t4_gives_utilization_tensor_activity_and_memory():
    ((host, values),) = host_values("cncf-aiconf-ericsson-t4-x1-notype.prom").items()
    assert host == "cp-bm14r7"
    assert values.accelerator_power_w == pytest.approx(68.244)
    assert values.utilization_pct == 91
    assert values.tensor_active_pct == pytest.approx(0.5822)  # PIPE_TENSOR_ACTIVE 0.005822
    assert values.memory_used_gb == pytest.approx(5120 / 1024)
    assert values.memory_total_gb == pytest.approx((5120 + 9791) / 1024)


@pytest.mark.parametrize(
    ("name", "host", "power", "free_mib"),
    [
        ("cncf-aiconf-kops-aws-l4-x1.prom", "i-030791dc5a37cd257", 16.365, 22563),
        ("cncf-aiconf-upcloud-l40s-x1.prom", "gpu1-wl8sg", 35.686, 45459),
    ],
)
def test_full_single_gpu_scrapes_with_help_and_type(name, host, power, free_mib):
    values = host_values(name)[host]
    assert values.gpu_count == 1
    assert values.accelerator_power_w == pytest.approx(power)
    assert values.utilization_pct == 0
    assert values.tensor_active_pct == 0
    assert values.memory_used_gb == 0
    assert values.memory_total_gb == pytest.approx(free_mib / 1024)


def test_a_vgpu_guest_reports_no_power():
    (values,) = host_values("cncf-aiconf-vks-v1.36-vgpu-grid-a100-10c.prom").values()
    assert values.accelerator_power_w is None
    assert values.gpu_models == ["GRID A100-10C"]
    assert values.memory_total_gb == pytest.approx(9323 / 1024)


def test_mig_instances_repeat_the_gpu_power_which_counts_once():
    # issue 317: 2 x A30 in MIG mode; every 1g.6gb instance repeats its GPU's power (52.636/52.746 and 56.121/56.127).
    ((host, values),) = host_values("issue-dcgm-exporter-317-a30-mig-3.3.5-3.4.1.prom").items()
    assert host == "yg-data-k8s-gpu-a30-node-test-test0003.mt"
    assert values.gpu_count == 2
    gpu0 = (52.636 + 52.636 + 52.746 + 52.746) / 4
    gpu1 = (56.121 + 56.127) / 2
    assert values.accelerator_power_w == pytest.approx(gpu0 + gpu1)
    assert values.accelerator_power_w < 120  # not 6 instances x ~54 W
    assert values.mig_profiles == {"1g.6gb": 6}
    assert values.memory_used_gb == pytest.approx(6 * 3 / 1024)  # FB_USED per instance, summed


def test_mig_activity_is_weighted_by_compute_slices():
    # issue 68: one A30 2g.12gb instance at GR_ENGINE_ACTIVE 0.381124 = 2 of the A30's 4 slices busy 38 %.
    values = host_values("issue-dcgm-exporter-68-a30-mig-2g12gb-podlabels-2.x.prom")["dcgm-exporter-sn5rp"]
    assert values.utilization_pct == pytest.approx(0.381124 * 2 / 4 * 100)
    assert values.mig_profiles == {"2g.12gb": 1}


def test_a_repeated_series_keeps_the_first_value_and_says_so():
    parsed = scrape("issue-dcgm-exporter-68-a30-mig-2g12gb-podlabels-2.x.prom")
    tensor = [r.value for r in parsed.readings if r.metric == "tensor_active"]
    assert tensor == [0.0]  # the file repeats the series with 0.022137
    assert any("repeated series" in note for note in parsed.notes)


def test_the_lowercase_hostname_label_of_newer_exporters():
    values = host_values("issue-dcgm-exporter-736-lowercase-hostname-mixed-models-mig.prom")
    assert list(values) == ["dcgm-exporter-wwwjh"]
    assert values["dcgm-exporter-wwwjh"].gpu_models == ["NVIDIA RTX 2000 Ada Generation", "NVIDIA A30"]


def test_datadog_fixture_skips_label_less_samples_with_a_note():
    parsed = scrape("datadog-integrations-core-dcgm-fixtures-metrics.txt")
    assert any("without a gpu or UUID label" in note for note in parsed.notes)
    values = host_values("datadog-integrations-core-dcgm-fixtures-metrics.txt")["424773df46e0"]
    assert values.accelerator_power_w == pytest.approx(8.969)
    assert values.memory_total_gb == pytest.approx(15109 / 1024)


@pytest.mark.parametrize(
    ("name", "line", "text"),
    [
        ("cncf-aiconf-vks-v1.35-vgpu-grid-a100-40c-WITH-CURL-NOISE.prom", 35, "* Connection #0 to host"),
        ("cncf-aiconf-viettel-l40s-x2-ELIDED-LABELS.prom", 2, 'gpu="0",...'),
        ("dcgm-exporter-README-quickstart.prom", 7, "'...'"),
    ],
)
def test_malformed_exposition_names_the_offending_line(name, line, text):
    with pytest.raises(dcgm.ExpositionError) as caught:
        scrape(name)
    assert caught.value.line == line
    assert text in caught.value.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("# just a comment\n", "no metrics"),
        (
            "<html><body>502 Bad Gateway</body></html>\n",
            "'<html><body>502 Bad Gateway</body></html>' .invalid metric name",
        ),
        ('DCGM_FI_DEV_POWER_USAGE{gpu="0" 1\n', "could not convert string to float"),
        ("node_load1 0.5\n", "no dcgm-exporter metrics"),
    ],
)
def test_text_that_is_not_a_dcgm_scrape_gets_one_clear_error(text, message):
    with pytest.raises(dcgm.ExpositionError, match=message):
        dcgm.parse(text)


def test_the_first_dcgm_exporter_is_read_under_its_own_metric_names():
    # gpu-monitoring-tools' prometheus-dcgm README: one GPU, dcgm_power_usage 31.737 W, dcgm_gpu_utilization 0 %.
    parsed = scrape("gpu-monitoring-tools-prometheus-dcgm-README-1.x.prom")
    assert sorted((r.metric, r.gpu, r.value) for r in parsed.readings) == [
        ("power_w", "GPU-8f640a3c-7e9a-608d-02a3-f4372d72b323", 31.737),
        ("util_pct", "GPU-8f640a3c-7e9a-608d-02a3-f4372d72b323", 0.0),
    ]
    assert "dcgm-exporter 1.x" in parsed.notes[0]
    values = instant_values(parsed.readings)
    assert (values.gpu_count, values.accelerator_power_w, values.utilization_pct) == (1, 31.737, 0)


def test_an_exporter_that_sees_no_gpu_is_told_so_not_asked_whether_it_is_dcgm_exporter():
    # dcgm-exporter issue 222 (GKE time-sharing): every family's # HELP and # TYPE, not one series.
    with pytest.raises(dcgm.ExpositionError) as caught:
        scrape("issue-dcgm-exporter-222-gke-timesharing-help-only.prom")
    message = caught.value.message
    assert message.startswith("dcgm-exporter answered but reports no GPU: DCGM_FI_DEV_POWER_USAGE, ")
    assert "is this dcgm-exporter" not in message


@pytest.mark.parametrize("value", ["9223372036854775794", "2147483632", "140737488355328", "NaN", "-1"])
def test_dcgm_sentinels_count_as_absent(value):
    labels = 'gpu="0",UUID="GPU-1",Hostname="n1"'
    text = f"DCGM_FI_DEV_POWER_USAGE{{{labels}}} {value}\nDCGM_FI_DEV_GPU_UTIL{{{labels}}} 40\n"
    parsed = dcgm.parse(text)
    assert [r.metric for r in parsed.readings] == ["util_pct"]
    assert instant_values(parsed.readings).accelerator_power_w is None


@pytest.mark.parametrize(("profile", "slices"), [("1g.10gb", 1), ("3g.40gb", 3), ("7g.79gb", 7), ("1c.2g.20gb", 1)])
def test_mig_profile_slices(profile, slices):
    assert mig_slices(profile) == slices


# --- hostnames --------------------------------------------------------------------------------------------------


def test_hostnames_match_ignoring_case_and_short_against_full_names():
    servers = [(1, "gpu001.example.net"), (2, "gpu002"), (3, "dup.a.net"), (4, "dup.b.net"), (5, "10.0.0.5")]
    labels = ["GPU001.example.net.", "gpu001", "gpu002.example.net", "dup", "dup.c.net", "gpu001.other.net", "10.0.0"]
    matches = match_hosts(labels, servers)
    assert matches["GPU001.example.net."].server_id == 1
    assert matches["gpu001"].server_id == 1
    assert matches["gpu002.example.net"].server_id == 2
    assert matches["dup"].server_id is None
    assert "several servers" in matches["dup"].reason
    assert matches["dup.c.net"].server_id is None
    assert matches["gpu001.other.net"].server_id is None  # two different full names never match
    assert matches["10.0.0"].server_id is None


# --- percentiles --------------------------------------------------------------------------------------------------


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


values_strategy = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=20_000, allow_nan=False)), min_size=1, max_size=300
)


@given(values_strategy, st.sampled_from([0.5, 0.95, 1.0]))
def test_histogram_percentiles_are_within_the_relative_accuracy(values, q):
    histogram = Histogram()
    for value in values:
        histogram.add(value)
    exact = nearest_rank(values, q)
    assert histogram.quantile(q) == pytest.approx(exact, rel=RELATIVE_ACCURACY * 1.0001, abs=1e-9)
    assert histogram.max == max(values)
    assert histogram.mean == pytest.approx(sum(values) / len(values))


@given(values_strategy, values_strategy)
def test_folding_two_histograms_equals_one_over_all_values(first, second):
    a, b, both = Histogram(), Histogram(), Histogram()
    for value in first:
        a.add(value)
        both.add(value)
    for value in second:
        b.add(value)
        both.add(value)
    a = Histogram.from_json(a.to_json())
    a.merge(Histogram.from_json(b.to_json()))
    for q in (0.5, 0.95):
        assert a.quantile(q) == both.quantile(q)
    assert a.count == both.count
    assert a.max == both.max


def test_one_instant_gives_its_exact_values():
    from datetime import UTC, datetime

    (readings,) = [r for _, r in dcgm.readings_by_host(scrape("cncf-aiconf-kops-aws-l4-x1.prom").readings)]
    summary = DaySummary(day=datetime(2026, 12, 1, tzinfo=UTC).date())
    summary.add(datetime(2026, 12, 1, 10, tzinfo=UTC), instant_values(readings))
    figures = summary.figures()
    assert figures["accelerator_power_p50_w"] == figures["accelerator_power_p95_w"] == 16.365
    assert figures["accelerator_power_max_w"] == 16.365
    assert figures["sample_count"] == 1


@given(
    st.lists(st.dictionaries(st.sampled_from(["gpu 0", "gpu 1", "GPU-a"]), st.floats(0, 100), min_size=1), max_size=8),
    st.lists(st.dictionaries(st.sampled_from(["gpu 0", "gpu 1", "GPU-a"]), st.floats(0, 100), min_size=1), max_size=8),
)
def test_each_gpus_day_mean_survives_the_digest_and_folds_exactly(first, second):
    """Each GPU's mean over the day is its instants' mean, whether the instants came in one upload or two (the
    second folded into the first through the stored digest)."""
    from datetime import UTC, date, datetime

    from inventory.telemetry.summaries import InstantValues

    day = date(2026, 12, 1)
    moment = datetime(2026, 12, 1, 10, tzinfo=UTC)
    a, b, both = DaySummary(day=day), DaySummary(day=day), DaySummary(day=day)
    for part, summary in ((first, a), (second, b)):
        for gpus in part:
            summary.add(moment, InstantValues(gpu_utilization=gpus))
            both.add(moment, InstantValues(gpu_utilization=gpus))
    stored = DaySummary.from_stored(
        day=day, digest=a.digest(), window_start=moment, window_end=moment, gpu_count=None, gpu_models=[],
        mig_profiles={},
    )  # fmt: skip
    stored.merge(b)
    expected = {}
    for gpus in first + second:
        for key, value in gpus.items():
            expected.setdefault(key, []).append(value)
    means = stored.gpu_means()
    assert set(means) == set(expected)
    for key, values in expected.items():
        assert means[key][1] == len(values)
        assert means[key][0] == pytest.approx(sum(values) / len(values))
    assert {key: (pytest.approx(mean), n) for key, (mean, n) in both.gpu_means().items()} == means


def test_an_instant_keeps_each_gpus_own_utilization():
    (readings,) = [r for _, r in dcgm.readings_by_host(scrape("aicr-eks-h100x8-156a357e.prom").readings)]
    values = instant_values(readings)
    assert len(values.gpu_utilization) == 8
    assert values.gpu_utilization["GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005"] == 0.0
