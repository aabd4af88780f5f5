"""Discovery on real published outputs: every file of `data/discovery/` produces exactly the servers its manifest
(`data/discovery/expected.yaml`) says, or is refused with the problems it lists and nothing written. Plus the
malformed cases made here: an empty text, a table without GPUs, a 50 MB output (refused by size, fast)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from config.errors import Invalid, TooLarge
from inventory import services
from inventory.models import MigInstance, Server, ServerGpu, Site

DATA = Path(__file__).parent / "data" / "discovery"
MANIFEST = yaml.safe_load((DATA / "expected.yaml").read_text())
OUTPUTS = sorted(
    str(path.relative_to(DATA))
    for path in DATA.rglob("*")
    if path.is_file() and path.suffix != ".md" and path.name != "expected.yaml"
)


def test_every_output_has_its_source_and_its_expected_outcome():
    assert sorted(MANIFEST) == OUTPUTS
    for name in OUTPUTS:
        path = DATA / name
        sidecar = path.with_suffix(".source.md")
        assert sidecar.exists(), f"{name} has no {sidecar.name}"
        source = sidecar.read_text()
        assert "http" in source or "MADE BY US" in source, f"{sidecar.name} names no source URL"
    assert len(OUTPUTS) >= 15
    assert {MANIFEST[name]["format"] for name in OUTPUTS} >= {
        "nvidia-smi-csv",
        "nvidia-smi-xml",
        "nvidia-smi-q",
        "nvidia-smi-table",
        "nvidia-smi-list",
        "rocm-smi-json",
        "amd-smi-json",
        "kubectl-nodes",
        "slurm-nodes",
    }


@pytest.fixture
def lab(organization):
    return Site.objects.create(organization=organization, name="Lab", country="DE")


def _recorded(organization) -> dict[str, dict]:
    """The servers as the manifest describes them, read back from the database."""
    servers = {}
    for server in Server.objects.filter(organization=organization).select_related("accelerator_type"):
        gpus = Counter()
        for gpu in ServerGpu.objects.filter(server=server).select_related("accelerator_type"):
            memory = gpu.memory_mib if gpu.memory_mib is not None else "-"
            power = gpu.power_limit_w if gpu.power_limit_w is not None else "-"
            mig = f" | MIG {gpu.mig_mode}" if gpu.mig_mode else ""
            gpus[f"{gpu.accelerator_type} | {gpu.name} | {memory} MiB | {power} W{mig}"] += 1
        mig = [
            m.profile or m.memory_mib
            for m in MigInstance.objects.filter(gpu__server=server).order_by("gpu__position", "pk")
        ]
        servers[server.hostname] = {
            "accelerators": f"{server.accelerator_count} x {server.accelerator_type}",
            "gpus": sorted(f"{count} x {key}" for key, count in gpus.items()),
            **({"mig": mig} if mig else {}),
            **({"driver": server.gpu_driver_version} if server.gpu_driver_version else {}),
            **({"cuda": server.cuda_version} if server.cuda_version else {}),
        }
    return servers


@pytest.mark.django_db
@pytest.mark.parametrize("name", OUTPUTS)
def test_a_real_output_gives_exactly_the_expected_servers(name, organization, lab):
    expected = MANIFEST[name]
    text = (DATA / name).read_text(encoding="utf-8")
    plan = services.discovery_plan(organization=organization, text=text, site="Lab", hostname="node-1")
    assert plan.format == (expected["format"] or "")
    if "refused" in expected:
        with pytest.raises(Invalid) as caught:
            services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
        problems = [item.as_dict() for item in caught.value.errors]
        assert [(p["code"], p.get("row")) for p in problems] == [(r["code"], r.get("row")) for r in expected["refused"]]
        for problem, refusal in zip(problems, expected["refused"], strict=True):
            assert problem["message"].startswith(refusal["says"])
        assert not Server.objects.filter(organization=organization).exists()
        return
    services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
    wanted = {host: {**server, "gpus": sorted(server["gpus"])} for host, server in expected["servers"].items()}
    assert _recorded(organization) == wanted


@pytest.mark.django_db
def test_the_same_output_twice_changes_nothing_the_second_time(organization, lab):
    text = (DATA / "nvidia-smi-q" / "h100-80gb-hbm3-mig_590.48.01.txt").read_text()
    services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
    first = _recorded(organization)
    again = services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
    assert _recorded(organization) == first
    assert again.plan.hosts[0].action == "update"
    assert again.plan.hosts[0].changes == ["accelerators unchanged; the GPU records are refreshed"]
    assert ServerGpu.objects.filter(organization=organization).count() == 1
    assert MigInstance.objects.filter(organization=organization).count() == 4


# --- malformed outputs made here ---------------------------------------------------------------------------------

TABLE_WITHOUT_GPUS = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|                                         |                        |               MIG M. |
|=========================================+========================+======================|
+-----------------------------------------+------------------------+----------------------+
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("", "empty", "The output is empty"),
        ("   \n\n\t\n", "empty", "The output is empty"),
        (TABLE_WITHOUT_GPUS, "empty", "The nvidia-smi table lists no GPU"),
        ("Hello, world\nthis is not a GPU\n", "unknown_format", "This is a --query-gpu CSV without a header"),
        ("PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n", "unknown_format", "This is sinfo's table"),
        ('{"apiVersion": "v1", "kind": "List", "items": [', "malformed", "This looks like JSON but it cannot be read"),
        ("manufacturer: Dell\nmodel: R760\nslug: dell-r760\n", "unknown_format", "This is a NetBox device type"),
        ("<html><body>502 Bad Gateway</body></html>", "unknown_format", "This XML's root is <html>"),
    ],
)
def test_a_malformed_output_is_one_clear_refusal(text, code, says, organization, lab):
    with pytest.raises(Invalid) as caught:
        services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].code == code
    assert caught.value.errors[0].message.startswith(says)
    assert not Server.objects.filter(organization=organization).exists()


@pytest.mark.django_db
def test_a_50_mb_output_is_refused_by_its_size_before_it_is_read(organization, lab, monkeypatch):
    line = "0, NVIDIA H100 80GB HBM3, GPU-5e3b0a51-8e0d-ea5b-3ac1-f0a41c7d5ab1, 1654922003641, 81559 MiB, 700 W, 550\n"
    text = "index, name, uuid, serial, memory.total [MiB], power.limit [W], driver_version\n" + line * (
        50 * 1024 * 1024 // len(line) + 1
    )
    assert len(text) > 50 * 1024 * 1024
    calls = []
    monkeypatch.setattr("inventory.services.discovery.plan.parse", lambda *a, **k: calls.append(a))
    with pytest.raises(TooLarge) as caught:
        services.discover(organization=organization, text=text, site="Lab", hostname="node-1")
    assert caught.value.errors[0].message.startswith("The output is 50.0 MB; the limit is 25.0 MB.")
    assert calls == []  # refused before any parser ran
    assert not Server.objects.filter(organization=organization).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "can_add"),
    [
        ("nvidia-smi-xml/grid-p4-1q-vgpu-guest.xml", False),  # a vGPU profile, not a GPU
        ("rocm-smi-json/vega-10-xt-sku-only.json", False),  # "AMD GPU 0x6861": no product name printed
        ("rocm-smi-json/rx7900xt-marimo-9237.json", True),  # a product's name: a private type may be made of it
    ],
)
def test_only_a_product_name_is_offered_as_a_new_accelerator_type(name, can_add, organization, lab):
    text = (DATA / name).read_text(encoding="utf-8")
    plan = services.discovery_plan(organization=organization, text=text, site="Lab", hostname="node-1")
    assert [entry.can_add for entry in plan.unknown] == [can_add]
