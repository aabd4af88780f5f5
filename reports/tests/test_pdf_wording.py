"""The demo report's PDF reads as print for people: its text (extracted with poppler's pdftotext, as a reader's
copy and paste would) holds no snake_case fact id, no raw float and no hint to click, hover or zoom; it states
the scope and the inventory as scored, and "what changed since scoring" only when the inventory differs."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from inventory.facts import FACTS
from inventory.models import Server
from reports import services

from .report_fixtures import FakeExporter, seed_demo

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"),
]

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
INTERACTIVE = re.compile(r"\b(click|hover|zoom)\b", re.IGNORECASE)
RAW_FLOAT = re.compile(r"\b\d+\.\d{6,}\b")  # "94.21718589203854"; not an arXiv id (2104.04473)
CITED = {"gpu_memory_utilization", "max_num_seqs", "global_energy_mix", "private_infra", "grid_carbon_intensity"}
"""snake_case the PDF may print: the names of other projects' settings and files its sources cite (vLLM's engine
arguments, codecarbon's data file, our reference data file), never an id of ours."""


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


@pytest.fixture
def demo(monkeypatch):
    return seed_demo(monkeypatch)


def test_the_demo_pdf_has_no_ids_no_raw_floats_and_no_interactive_hints(demo, tmp_path):
    text = pdftotext(services.report_build(assessment=demo, exporter=FakeExporter()).pdf, tmp_path)
    flat = " ".join(text.split())
    ids = set(SNAKE_CASE.findall(text))
    assert not ids & set(FACTS), sorted(ids & set(FACTS))
    assert not ids - CITED, sorted(ids - CITED)  # fact ids, bottlenecks, kinds, sources: all in words
    assert not INTERACTIVE.findall(text), [m.group() for m in INTERACTIVE.finditer(text)]
    assert not RAW_FLOAT.findall(text), RAW_FLOAT.findall(text)
    assert "Scope Whole organization" in flat
    assert "Inventory as scored 3 sites, 48 active servers, 344 accelerators" in flat
    assert "What changed since scoring" not in flat
    assert "Energy and carbon" in flat
    assert "tonnes of CO2-equivalent (tCO2e) per month" in flat
    assert "Owner:" in flat


def test_what_changed_since_scoring_appears_when_the_inventory_differs(demo, tmp_path):
    Server.objects.filter(organization=demo.organization, hostname="muc-h100-10").delete()
    text = " ".join(pdftotext(services.report_build(assessment=demo, exporter=FakeExporter()).pdf, tmp_path).split())
    assert "What changed since scoring" in text
    assert "accelerators: 344 when scored, 336 today" in text
    assert "Inventory as scored 3 sites, 48 active servers, 344 accelerators" in text
