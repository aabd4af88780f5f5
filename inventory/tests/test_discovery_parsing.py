"""The discovery parsers and the catalog matcher: pure Python, tested without a database. The real outputs of every
format are in test_discovery_corpus.py; these pin the rules on small texts written to show one rule each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory import discovery
from inventory.discovery import CatalogItem, Discovered, GpuRecord, Matcher, Refused, detect, parse
from inventory.discovery.base import (
    DEVICE_ID,
    GRES,
    INVENTORY_NAME,
    LABEL,
    PRINTED,
    absent,
    uuid_or_empty,
    version_or_empty,
    vgpu_guest,
    watts,
)

DATA = Path(__file__).parent / "data" / "import"
CORPUS = Path(__file__).parent / "data" / "discovery"
H100_OUTPUT = (DATA / "nvidia-smi-h100.csv").read_text()
A100_OUTPUT = (DATA / "nvidia-smi-a100-noheader-nounits.csv").read_text()
L4_OUTPUT = (DATA / "nvidia-smi-l4.csv").read_text()
HEADER = "index, name, uuid, serial, memory.total [MiB], power.limit [W], driver_version\n"


def gpus(text: str, **kwargs):
    return [g for h in parse(text, **kwargs).hosts for g in h.gpus]


def test_the_parsers_import_no_django():
    for path in Path(discovery.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + [
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        ]
        assert not [m for m in modules if m.startswith(("django", "config", "accounts"))], path.name


class TestQueryGpuCsv:
    def test_h100_with_header_and_units(self):
        result = parse(H100_OUTPUT, hostname="h")
        assert result.format == "nvidia-smi-csv"
        (host,) = result.hosts
        assert (host.hostname, host.driver_version, len(host.gpus)) == ("h", "550.54.15", 8)
        first = host.gpus[0]
        assert (first.index, first.name, first.memory_mib, first.power_limit_w) == (
            0,
            "NVIDIA H100 80GB HBM3",
            81559,
            700.0,
        )
        assert (first.serial, first.uuid) == ("1654922003641", "GPU-5e3b0a51-8e0d-ea5b-3ac1-f0a41c7d5ab1")

    def test_a100_without_header_or_units_in_the_documented_order(self):
        found = gpus(A100_OUTPUT)
        assert [(g.name, g.memory_mib, g.power_limit_w) for g in found] == [("NVIDIA A100-SXM4-80GB", 81920, 400.0)] * 4

    def test_blank_lines_windows_endings_and_a_byte_order_mark(self):
        assert len(gpus(L4_OUTPUT)) == 2
        assert len(gpus("\ufeff" + H100_OUTPUT.replace("\n", "\r\n"))) == 8

    def test_columns_are_found_by_name_in_any_order_among_others(self):
        text = "pstate, power.limit [W], fan.speed [%], name, memory.total [MiB], mig.mode.current\n"
        text += "P0, 350.00 W, 30 %, NVIDIA L40S, 46068 MiB, [N/A]\n"
        (gpu,) = gpus(text)
        assert (gpu.name, gpu.memory_mib, gpu.power_limit_w, gpu.index, gpu.mig_mode) == (
            "NVIDIA L40S",
            46068,
            350.0,
            0,
            "",
        )

    def test_nounits_and_placeholders(self):
        text = "name, serial, uuid, memory.total [MiB], power.limit [W]\n"
        text += "NVIDIA A10G, [N/A], GPU-00000000-0000-0000-0000-000000000000, 23028, [N/A]\n"
        (gpu,) = gpus(text)
        assert (gpu.serial, gpu.uuid, gpu.memory_mib, gpu.power_limit_w) == ("", "", 23028, None)

    def test_the_header_repeated_by_pasted_runs_is_skipped(self):
        assert len(gpus(L4_OUTPUT + L4_OUTPUT.replace("0, NVIDIA", "2, NVIDIA").replace("1, NVIDIA", "3, NVIDIA"))) == 4

    def test_a_hostname_column_names_the_hosts(self):
        text = "hostname, name, memory.total [MiB]\ngpu-1, NVIDIA L4, 23034 MiB\ngpu-2, NVIDIA L4, 23034 MiB\n"
        result = parse(text)
        assert [(h.hostname, len(h.gpus)) for h in result.hosts] == [("gpu-1", 1), ("gpu-2", 1)]
        assert not result.single_host

    def test_a_line_that_is_no_gpu_is_one_problem_with_its_line(self):
        text = HEADER + "0, NVIDIA L4, GPU-1, 1, 23034 MiB, 72.00 W, 550.90.07\nWarning: Permanently added 'gpu-17'\n"
        result = parse(text)
        assert len(result.hosts[0].gpus) == 1
        assert [(p.line, p.code) for p in result.problems] == [(3, "malformed")]

    def test_every_unreadable_value_of_a_line_is_a_problem_of_its_own(self):
        text = "index, name, memory.total [MiB], power.limit [W]\n0, NVIDIA H100 80GB HBM3, 81559 MiB, 700.00 W\n"
        text += "1, NVIDIA H100 80GB HBM3, abc MiB, -5 W\n"
        result = parse(text)
        assert [(p.line, p.field, p.message) for p in result.problems] == [
            (3, "memory.total", "line 3: 'abc MiB' is not a number."),
            (3, "power.limit", "line 3: '-5 W' is below zero."),
        ]
        assert [g.line for g in result.hosts[0].gpus] == [2]  # the line with problems is no GPU

    def test_a_problem_names_the_power_column_the_value_was_read_from(self):
        text = "name, power.limit [W], enforced.power.limit [W]\nNVIDIA L4, [N/A], lots W\n"
        assert [(p.field, p.message) for p in parse(text).problems] == [
            ("enforced.power.limit", "line 2: 'lots W' is not a number.")
        ]

    def test_noheader_in_another_order_is_one_refusal_naming_the_command(self):
        with pytest.raises(Refused) as caught:
            parse("NVIDIA H100 NVL, 0x232110DE\n")
        assert caught.value.format == "nvidia-smi-csv"
        assert "only the documented columns in their order" in caught.value.message
        assert discovery.QUERY_GPU_COMMAND in caught.value.message

    def test_memory_from_its_parts_when_memory_total_is_not_queried(self):
        text = (
            "name, memory.reserved [MiB], memory.used [MiB], memory.free [MiB]\nTesla P100-PCIE-16GB, 103, 0, 16280\n"
        )
        result = parse(text)
        assert result.hosts[0].gpus[0].memory_mib == 16383
        assert "memory.used + memory.free + memory.reserved" in result.notes[0]


class TestWhatRealOutputsLeaveOut:
    """Published outputs with a field the GPU does not have, or a name that is not a product's (the corpus files)."""

    def test_a_gb10_with_unified_memory_is_a_gpu_without_a_memory_size(self):
        text = (CORPUS / "nvidia-smi-table" / "gb10-dgx-spark-unified-memory_580.126.09.txt").read_text()
        result = parse(text)
        assert not result.problems
        ((gpu,),) = [host.gpus for host in result.hosts]
        assert (gpu.name, gpu.memory_mib, gpu.power_limit_w) == ("NVIDIA GB10", None, None)
        assert (result.hosts[0].driver_version, result.hosts[0].cuda_version) == ("580.126.09", "13.0")

    def test_a_memory_cell_that_is_neither_a_size_nor_not_supported_is_still_malformed(self):
        text = (CORPUS / "nvidia-smi-table" / "gb10-dgx-spark-unified-memory_580.126.09.txt").read_text()
        result = parse(text.replace("Not Supported", "Not Sure     "))
        assert [(p.code, p.line) for p in result.problems] == [("malformed", 9)]

    @pytest.mark.parametrize(
        ("mode", "virtual"),
        [("VGPU", True), ("None", False), ("Pass-Through", False), ("Host VGPU", False), ("", False)],
    )
    def test_only_a_vgpu_guest_is_virtual(self, mode, virtual):
        assert vgpu_guest(mode) is virtual

    def test_a_vgpu_guest_in_xml_and_in_q_is_virtual(self):
        xml = (CORPUS / "nvidia-smi-xml" / "grid-p4-1q-vgpu-guest.xml").read_text()
        ((gpu,),) = [host.gpus for host in parse(xml).hosts]
        assert (gpu.name, gpu.virtual) == ("GRID P4-1Q", True)
        q = (CORPUS / "nvidia-smi-q" / "a40-x10_550.127.05.txt").read_text()
        assert not any(gpu.virtual for host in parse(q).hosts for gpu in host.gpus)
        guest = q.replace("Virtualization Mode               : None", "Virtualization Mode               : VGPU")
        assert all(gpu.virtual for host in parse(guest).hosts for gpu in host.gpus)

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("rx6700xt-rocm430-vendor-id-as-series.json", "AMD GPU 0x73df"),  # Card series "0x1002": the vendor id
            ("vega-10-xt-sku-only.json", "AMD GPU 0x6861"),  # only a Card SKU, "D05101": a part number
        ],
    )
    def test_an_amd_card_without_a_product_name_is_named_by_its_device_id(self, name, expected):
        ((gpu,),) = [host.gpus for host in parse((CORPUS / "rocm-smi-json" / name).read_text()).hosts]
        assert (gpu.name, gpu.name_kind, gpu.vendor) == (expected, DEVICE_ID, "AMD")

    def test_an_amd_card_with_its_name_keeps_it(self):
        text = (CORPUS / "rocm-smi-json" / "rx6700xt-rocm571.json").read_text()
        ((gpu,),) = [host.gpus for host in parse(text).hosts]
        assert (gpu.name, gpu.name_kind) == ("Navi 22 [Radeon RX 6700/6700 XT / 6800M]", PRINTED)


class TestDetect:
    @pytest.mark.parametrize(
        ("text", "name"),
        [
            ('<?xml version="1.0" ?>\n<nvidia_smi_log></nvidia_smi_log>', "nvidia-smi-xml"),
            ("\n==============NVSMI LOG==============\n\nDriver Version : 1\n", "nvidia-smi-q"),
            ("| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |", "nvidia-smi-table"),
            ("| NVIDIA-SMI 610.57.04   KMD Version: 610.57.04   CUDA UMD Version: 13.3 |", "nvidia-smi-table"),
            ("GPU 0: NVIDIA L4 (UUID: GPU-453f8851-d1a3-e72d-4d85-3ef04418205b)\n", "nvidia-smi-list"),
            ('{"gpu_data": []}', "amd-smi-json"),
            ('[{"gpu": 0, "asic": {}}]', "amd-smi-json"),
            ('{"card0": {}, "system": {}}', "rocm-smi-json"),
            ('{"apiVersion": "v1", "kind": "List", "items": []}', "kubectl-nodes"),
            ("NodeName=a1 Arch=x86_64\n   Gres=gpu:a100:4\n", "slurm-nodes"),
            (HEADER, "nvidia-smi-csv"),
        ],
    )
    def test_the_format_is_the_texts_shape_not_its_name(self, text, name):
        assert detect(text) == name

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("No devices were found\n", "nvidia-smi found no GPU"),
            ("WARNING: No JSON data to report\n", "This is rocm-smi's text output"),
            ('{"hello": "world"}', "This is JSON, but not the output of a tool we read"),
            ("NAME   STATUS   ROLES   AGE   VERSION\nnode1  Ready  <none> 3d v1.30\n", "This is kubectl's table"),
            ("GPU: 0\n    ASIC:\n        MARKET_NAME: AMD Instinct MI300X\n", "This is amd-smi's text output"),
            ("just words\n", "This does not look like the output of a GPU tool we read"),
        ],
    )
    def test_anything_else_is_one_message_with_the_command_to_run(self, text, says):
        with pytest.raises(Refused) as caught:
            detect(text)
        assert caught.value.message.startswith(says)


class TestValues:
    @pytest.mark.parametrize("value", ["", "N/A", "[N/A]", "[Not Supported]", "REDACTED", "0", "0000000000000", None])
    def test_placeholders_are_absent(self, value):
        assert absent(value)

    def test_masked_uuids_are_absent_real_ones_kept(self):
        assert uuid_or_empty("GPU-00000000-0000-0000-0000-000000000000") == ""
        assert uuid_or_empty("MIG-00000003-0000-0000-0000-000000000003") == ""
        assert uuid_or_empty("GPU-5e3b0a51-8e0d-ea5b-3ac1-f0a41c7d5ab1") == "GPU-5e3b0a51-8e0d-ea5b-3ac1-f0a41c7d5ab1"

    @pytest.mark.parametrize(("value", "message"), [("-5 W", "'-5 W' is below zero"), ("5 V", "'5 V' is not a number")])
    def test_a_quantity_below_zero_or_in_another_unit_is_refused(self, value, message):
        with pytest.raises(ValueError, match=message):
            watts(value)

    def test_versions(self):
        assert (
            version_or_empty("610.62 [Deprecated; will be removed in CUDA 14.0. Use KMD Version instead]") == "610.62"
        )
        assert version_or_empty("Linuxversion6.14.0-24-generic(buildd@lcy02)") == ""


CATALOG = [
    CatalogItem(1, "NVIDIA", "H100 SXM", ("NVIDIA H100 80GB HBM3",), 80, 700),
    CatalogItem(2, "NVIDIA", "H100 PCIe", ("NVIDIA H100 PCIe",), 80, 350),
    CatalogItem(3, "NVIDIA", "H100 NVL", ("NVIDIA H100 NVL",), 94, 400),
    CatalogItem(4, "NVIDIA", "GeForce RTX 4080 SUPER", ("NVIDIA GeForce RTX 4080 SUPER",), 16, 320),
    CatalogItem(5, "NVIDIA", "L4", ("NVIDIA L4",), 24, 72),
    CatalogItem(6, "NVIDIA", "L40S", ("NVIDIA L40S",), 48, 350),
    CatalogItem(7, "NVIDIA", "T4", ("Tesla T4",), 16, 70),
    CatalogItem(8, "NVIDIA", "RTX A6000", ("NVIDIA RTX A6000",), 48, 300),
    CatalogItem(9, "NVIDIA", "A100 SXM 80GB", ("NVIDIA A100-SXM4-80GB",), 80, 400),
    CatalogItem(10, "NVIDIA", "A100 SXM 40GB", ("NVIDIA A100-SXM4-40GB",), 40, 400),
    CatalogItem(11, "AMD", "MI250X", ("AMD Instinct MI250X",), 64, 280),
    CatalogItem(12, "NVIDIA", "GB200 (per GPU)", ("NVIDIA GB200",), 186, 1200),
    CatalogItem(13, "NVIDIA", "GB10", ("NVIDIA GB10",), 128, 140),
    CatalogItem(14, "NVIDIA", "K80", ("Tesla K80",), 12, 150),
]


def label_of(gpu: GpuRecord, items=CATALOG) -> str:
    match = Matcher(items).match(gpu)
    if match.item is not None:
        return match.item.label
    return "ambiguous: " + ", ".join(c.label for c in match.candidates) if match.candidates else "unknown"


class TestMatching:
    @pytest.mark.parametrize(
        ("name", "kind", "memory", "truncated", "expected"),
        [
            ("nvidia h100 80gb   HBM3", "printed", None, False, "NVIDIA H100 SXM"),
            ("NVIDIA GeForce RTX 4080 ...", "printed", 16376, True, "NVIDIA GeForce RTX 4080 SUPER"),
            ("NVIDIA H100 ...", "printed", 81559, True, "ambiguous: NVIDIA H100 SXM, NVIDIA H100 PCIe"),
            ("NVIDIA H100 ...", "printed", 95830, True, "NVIDIA H100 NVL"),
            ("NVIDIA GH200 480GB", "printed", 97871, False, "unknown"),  # never GB200, never H200
            ("NVIDIA GB10", "printed", None, False, "NVIDIA GB10"),  # unified memory: nvidia-smi prints no size
            ("Tesla K80", "printed", 11441, False, "NVIDIA K80"),  # one GK210 of the board's two
            ("NVIDIA-H100-80GB-HBM3", LABEL, 81559, False, "NVIDIA H100 SXM"),
            ("Tesla-T4", LABEL, 15360, False, "NVIDIA T4"),
            ("A100-SXM4-40GB", LABEL, None, False, "NVIDIA A100 SXM 40GB"),
            ("t4", GRES, None, False, "NVIDIA T4"),
            ("l4", GRES, None, False, "NVIDIA L4"),  # not L40S
            ("a6000", GRES, None, False, "NVIDIA RTX A6000"),
            ("nvidia_a100-sxm4-80gb", GRES, None, False, "NVIDIA A100 SXM 80GB"),
            ("h100", GRES, None, False, "ambiguous: NVIDIA H100 SXM, NVIDIA H100 PCIe, NVIDIA H100 NVL"),
            ("a100", GRES, None, False, "ambiguous: NVIDIA A100 SXM 80GB, NVIDIA A100 SXM 40GB"),
            ("rtx2080ti", GRES, None, False, "unknown"),
            ("gb10", GRES, None, False, "NVIDIA GB10"),
            ("gb200", GRES, None, False, "NVIDIA GB200 (per GPU)"),  # not GB10
            ("k80", GRES, None, False, "NVIDIA K80"),
            ("H100 SXM5 80GB", INVENTORY_NAME, None, False, "NVIDIA H100 SXM"),
            ("A100-SXM4-80GB", INVENTORY_NAME, None, False, "NVIDIA A100 SXM 80GB"),
            ("GPU3 (NVIDIA L40S)", INVENTORY_NAME, None, False, "NVIDIA L40S"),
            ("Instinct MI250X", INVENTORY_NAME, None, False, "AMD MI250X"),
        ],
    )
    def test_names_by_where_they_come_from(self, name, kind, memory, truncated, expected):
        gpu = GpuRecord(name=name, index=0, memory_mib=memory, truncated=truncated, name_kind=kind)
        assert label_of(gpu) == expected

    def test_an_aliased_device_id_is_tried_after_the_printed_name(self):
        gpu = GpuRecord(name="AMD INSTINCT MI200 (MCM) OAM LC MBA HPE C2", index=0, aliases=("AMD Instinct MI250X",))
        match = Matcher(CATALOG).match(gpu)
        assert match.item.label == "AMD MI250X"
        assert "device id" in match.note

    def test_a_private_entry_wins_over_a_shared_one_of_the_same_name(self):
        mine = CatalogItem(99, "NVIDIA", "L4 (ours)", ("NVIDIA L4",), 24, 60, private=True)
        assert label_of(GpuRecord(name="NVIDIA L4", index=0), [*CATALOG, mine]) == "NVIDIA L4 (ours)"


def node(name: str, labels: dict[str, str], gpus: int | None = None) -> dict:
    capacity = {"cpu": "64", "memory": "527958528Ki"} | ({"nvidia.com/gpu": str(gpus)} if gpus is not None else {})
    return {"kind": "Node", "metadata": {"name": name, "labels": labels}, "status": {"capacity": capacity}}


def nodes(*items: dict) -> str:
    import json

    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(items)})


class TestKubernetes:
    """Labels as GPU Feature Discovery documents them (NVIDIA/k8s-device-plugin docs/gpu-feature-discovery)."""

    def test_whole_gpus_cpus_memory_and_versions(self):
        labels = {
            "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
            "nvidia.com/gpu.count": "8",
            "nvidia.com/gpu.memory": "81559",
            "nvidia.com/cuda.driver.major": "550",
            "nvidia.com/cuda.driver.minor": "54",
            "nvidia.com/cuda.driver.rev": "15",
            "nvidia.com/cuda.runtime.major": "12",
            "nvidia.com/cuda.runtime.minor": "4",
        }
        result = parse(nodes(node("gpu-a", labels, 8), node("cpu-b", {})))
        (host,) = result.hosts
        assert (host.hostname, len(host.gpus), host.gpus[0].name, host.gpus[0].memory_mib) == (
            "gpu-a", 8, "NVIDIA-H100-80GB-HBM3", 81559,
        )  # fmt: skip
        assert (host.driver_version, host.cuda_version, host.cpu_cores, host.ram_gb) == ("550.54.15", "12.4", 64, 504)
        assert result.notes == ["1 node(s) without GPUs left out: cpu-b."]

    def test_mig_single_strategy_counts_gpus_from_the_mig_devices(self):
        labels = {
            "nvidia.com/mig.strategy": "single",
            "nvidia.com/gpu.product": "A100-SXM4-40GB-MIG-1g.5gb",
            "nvidia.com/gpu.count": "56",
            "nvidia.com/gpu.memory": "5120",
        }
        (host,) = parse(nodes(node("dgx-1", labels, 56))).hosts
        assert [(g.name, g.memory_mib, len(g.mig_devices)) for g in host.gpus] == [("A100-SXM4-40GB", None, 7)] * 8
        assert host.gpus[0].mig_devices[0].profile == "1g.5gb"
        assert "56 MIG devices of 1g.5gb, at most 7 per GPU: 8 GPU(s)" in host.notes[0]

    def test_mig_mixed_strategy_spreads_the_devices_over_the_gpus(self):
        labels = {
            "nvidia.com/mig.strategy": "mixed",
            "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
            "nvidia.com/gpu.count": "2",
            "nvidia.com/mig-3g.40gb.count": "2",
            "nvidia.com/mig-3g.40gb.memory": "40192",
            "nvidia.com/mig-1g.10gb.count": "2",
        }
        (host,) = parse(nodes(node("n", labels, 2))).hosts
        assert [[d.profile for d in g.mig_devices] for g in host.gpus] == [
            ["1g.10gb", "1g.10gb", "3g.40gb"],
            ["3g.40gb"],
        ]
        assert host.gpus[1].mig_devices[0].memory_mib == 40192

    def test_shared_gpus_are_counted_as_the_physical_ones(self):
        labels = {
            "nvidia.com/gpu.product": "NVIDIA-A10G-SHARED",
            "nvidia.com/gpu.count": "1",
            "nvidia.com/gpu.replicas": "4",
        }
        (host,) = parse(nodes(node("g5", labels, 4))).hosts
        assert [g.name for g in host.gpus] == ["NVIDIA-A10G"]

    def test_gpus_without_a_product_label_are_a_problem(self):
        result = parse(nodes(node("bare", {}, 4)))
        assert [p.code for p in result.problems] == ["missing"]


class TestSlurm:
    def test_several_gres_types_on_one_node_and_several_nodes(self):
        text = (
            "NodeName=mixed-1 Arch=x86_64 CoresPerSocket=32\n   CPUTot=128 RealMemory=1031000\n"
            "   Gres=gpu:a100:4(S:0),gpu:l4:2(S:1),shard:16\n   State=IDLE\n\n"
            "NodeName=t4-2 Arch=x86_64\n   Gres=gpu:t4:2\n   OS=Linux 5.4.0-91-generic #102-Ubuntu SMP\n"
            "NodeName=cpu-3 Gres=(null)\n"
        )
        result = parse(text)
        assert [(h.hostname, [g.name for g in h.gpus], h.cpu_cores, h.ram_gb) for h in result.hosts] == [
            ("mixed-1", ["a100"] * 4 + ["l4"] * 2, 128, 1007),
            ("t4-2", ["t4", "t4"], None, None),
        ]
        assert result.notes == ["1 node(s) without GPUs left out: cpu-3."]


CORPUS_TEXTS = [
    p.read_text(encoding="utf-8")
    for p in sorted((Path(__file__).parent / "data" / "discovery").rglob("*"))
    if p.is_file() and p.suffix not in (".md", ".yaml")
]


def read_or_refusal(text: str) -> Discovered | Refused:
    try:
        return parse(text, hostname="h")
    except Refused as exc:
        return exc


class TestNeverCrashes:
    """Whatever the text (a real output cut anywhere, or noise), parsing reads it or refuses it with one message:
    no other exception reaches a caller (no 500)."""

    @given(st.sampled_from(CORPUS_TEXTS), st.floats(min_value=0, max_value=1))
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_a_real_output_cut_anywhere(self, text, fraction):
        outcome = read_or_refusal(text[: int(len(text) * fraction)])
        assert isinstance(outcome, Discovered) or outcome.message

    @given(st.text(max_size=400))
    @settings(max_examples=300, deadline=None)
    def test_any_text(self, text):
        outcome = read_or_refusal(text)
        assert isinstance(outcome, Discovered) or outcome.message

    @given(
        st.sampled_from(["kubectl", "amd-smi", "rocm-smi"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
            ),
            max_leaves=20,
        ),
    )
    @settings(max_examples=300, deadline=None)
    def test_json_of_any_shape(self, kind, value):
        import json

        wrapped = {
            "kubectl": {"apiVersion": "v1", "kind": "List", "items": [value, {"metadata": value, "status": value}]},
            "amd-smi": {"gpu_data": [value, {"asic": value, "vram": value, "limit": value, "board": value}]},
            "rocm-smi": {
                "card0": value,
                "card1": {"Card Series": value, "VRAM Total Memory (B)": value},
                "system": value,
            },
        }[kind]
        outcome = read_or_refusal(json.dumps(wrapped))
        assert isinstance(outcome, Discovered) or outcome.message
