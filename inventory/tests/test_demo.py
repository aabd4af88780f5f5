import pytest
from django.core.management import call_command

from accounts.models import Organization
from inventory.models import Server
from inventory.selectors import inventory_overview

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_realistic_inventory_once(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    call_command("seed_demo")
    call_command("seed_demo")
    demo = Organization.objects.get(slug="demo-corp")
    overview = inventory_overview(organization=demo)
    assert Server.objects.filter(organization=demo).count() == 51  # 41, and Munich Lab's 10 (the demo's findings)
    assert {a.accelerator: a.count for a in overview.accelerators_by_type} == {
        "NVIDIA H100 SXM": 208,
        "NVIDIA A100 SXM 80GB": 96,
        "NVIDIA L40S": 40,
    }
    assert overview.servers_by_status == {"planned": 2, "active": 48, "retired": 1}
    # 16 DGX H100 at 10.2 kW; 12 x 6.5 kW + 10 x 2.8 kW in Ashburn
    assert {p.site: p.rated_power_kw for p in overview.power_by_site} == {
        "Frankfurt DC": 163.2,
        "Ashburn Colo": 106.0,
        "Munich Lab": 102.0,  # near its 110 kW feed
    }
    assert overview.workloads == 3
