"""NetBox: devicetype-library YAML into the server model catalog, the usable-power rule, and the REST API sync run
against responses recorded from real NetBox 4.2.9 and 4.6.8 (data/netbox/, served by `netbox_replay`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from config.errors import Invalid, Unavailable
from inventory import services
from inventory.discovery.devicetypes import PowerPort, usable_maximum_draw
from inventory.models import AcceleratorType, NetboxConfig, Server, ServerGpu, ServerModel, Site, SyncStatus
from inventory.services import netbox
from inventory.tests.netbox_replay import TOKEN, replaying

DEVICE_TYPES = Path(__file__).parent / "data" / "devicetypes"
VERSIONS = ["4.2.9", "4.6.8"]


@pytest.fixture(autouse=True)
def _the_replay_is_on_loopback(settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = True


# --- the usable power of a server model ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draws", "redundant", "watts"),
    [
        ([750, 750], None, 750),  # 1+1
        ([3000] * 6, None, 9000),  # 3+3: not the 18 kW the ports add up to
        ([2000] * 3, None, 4000),  # N+1
        ([1700] * 6, 2, 6800),  # 4+2, set on the model
        ([240], None, 240),
        ([], None, None),
        ([None, None], None, None),
    ],
)
def test_the_usable_maximum_draw_does_not_add_up_redundant_supplies(draws, redundant, watts):
    ports = [PowerPort(name=f"PSU{i}", maximum_draw=d) for i, d in enumerate(draws)]
    assert usable_maximum_draw(ports, redundant).watts == watts


# --- devicetype-library YAML -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_folder_of_device_types_loads_into_the_shared_catalog_and_again_changes_nothing(capsys):
    call_command("import_netbox", "--device-types", str(DEVICE_TYPES))
    out = capsys.readouterr().out
    assert "Loaded into the shared catalog: 9 new, 0 updated, 0 unchanged server models." in out
    assert "Skipped module-types/Nvidia/08P2T2.yaml: a module type (a card or module), not a server model" in out
    models = {str(m): m for m in ServerModel.objects.filter(organization__isnull=True)}
    assert sorted(models) == [
        "Dell PowerEdge C6525",
        "Dell PowerEdge R630",
        "NVIDIA DGX A100 640GB",
        "NVIDIA DGX Spark",
        "Supermicro ARS-121GL-NB3-LCC-R1",
        "Supermicro AS-4125GS-TNRT",
        "Supermicro AS-8125GS-TNMR2",
        "Supermicro SYS-4029GP-TRT",
        "Supermicro SuperServer SYS-421GE-TNRT",
    ]
    mi300x = models["Supermicro AS-8125GS-TNMR2"]
    assert (mi300x.u_height, len(mi300x.power_ports), mi300x.max_draw_w, len(mi300x.interfaces), mi300x.gpu_bays) == (
        8.0, 6, 9000, 14, 8,
    )  # fmt: skip
    assert (models["Dell PowerEdge R630"].max_draw_w, models["Dell PowerEdge C6525"].max_draw_w) == (750, None)
    assert models["NVIDIA DGX A100 640GB"].notes == [
        "its comments say 6.5 kW but its power ports give 1,071 W usable: check the device type's maximum_draw."
    ]
    assert (
        models["Dell PowerEdge R630"].source
        == "netbox-community/devicetype-library: device-types/Dell/PowerEdge R630.yaml"
    )
    call_command("import_netbox", "--device-types", str(DEVICE_TYPES))
    assert "0 new, 0 updated, 9 unchanged server models." in capsys.readouterr().out


@pytest.mark.django_db
def test_one_file_into_an_organizations_catalog(organization):
    result = services.server_models_import(
        path=DEVICE_TYPES / "device-types" / "Dell" / "PowerEdge R630.yaml", organization=organization
    )
    assert result.created == ["Dell PowerEdge R630"]
    assert ServerModel.objects.get().organization == organization


@pytest.mark.django_db
def test_an_unreadable_file_writes_nothing(tmp_path):
    folder = tmp_path / "device-types"
    shutil.copytree(DEVICE_TYPES / "device-types" / "Dell", folder)
    (folder / "broken.yaml").write_text("manufacturer: Dell\nmodel: [unclosed\n")
    (folder / "nameless.yaml").write_text("slug: x\nu_height: 1\n")
    with pytest.raises(Invalid) as caught:
        services.server_models_import(path=folder)
    assert [item.message for item in caught.value.errors] == [
        "broken.yaml: not valid YAML (line 3).",
        "nameless.yaml: no manufacturer or model.",
    ]
    assert not ServerModel.objects.exists()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_netbox", "--device-types", str(tmp_path / "missing"))


# --- the sync, against recorded NetBox responses -------------------------------------------------------------------

EXPECTED = {  # hostname: (site, status, accelerators, GPU rows, server model, its usable draw W)
    "dgx-a100-01": ("AI-DC1", "active", "8 x NVIDIA A100 SXM 80GB", 8, "NVIDIA DGX A100 640GB", 1071),
    "dgx-a100-mdf-01": ("MDF", "active", "8 x NVIDIA A100 SXM 80GB", 8, "NVIDIA DGX A100 640GB", 1071),
    "dgx-h100-01": ("AI-DC1", "active", "8 x NVIDIA H100 SXM", 8, "NVIDIA DGX H100", 5100),
    "dgx-h100-02": ("AI-DC1", "active", "7 x NVIDIA H100 SXM", 7, "NVIDIA DGX H100", 5100),  # GPU 8 failed
    "l40s-01": ("AI-DC1", "planned", "4 x NVIDIA L40S", 4, "Supermicro AS-4125GS-TNRT", None),  # 2 modules + 2 items
    "mi300x-01": ("AI-DC1", "active", "8 x AMD MI300X", 8, "Supermicro AS-8125GS-TNMR2", 9000),
}


def recorded_servers(organization):
    return {
        s.hostname: (
            s.site.name,
            s.status,
            f"{s.accelerator_count} x {s.accelerator_type}",
            ServerGpu.objects.filter(server=s).count(),
            str(s.server_model),
            s.server_model.max_draw_w,
        )
        for s in Server.objects.filter(organization=organization).select_related(
            "site", "accelerator_type", "server_model"
        )
    }


@pytest.mark.django_db
@pytest.mark.parametrize("version", VERSIONS)
def test_the_sync_records_the_gpu_servers_and_again_changes_nothing(version, organization):
    with replaying(version) as replay:
        plan = netbox.netbox_sync(organization=organization, url=replay.url, token=TOKEN, country="US")
        assert replay.misses == []
        assert plan.version == version
        assert plan.counts() == {
            "servers_created": 6, "servers_updated": 0, "servers_unchanged": 0, "sites_created": 2,
            "server_models": 4, "gpus": 43,
        }  # fmt: skip
        assert recorded_servers(organization) == EXPECTED
        assert sorted(Site.objects.filter(organization=organization).values_list("name", "country", "netbox_id")) == [
            ("AI-DC1", "US", 25), ("MDF", "US", 21),
        ]  # fmt: skip
        h100 = Server.objects.get(hostname="dgx-h100-02")
        assert (h100.netbox_id, h100.serial, h100.vendor, h100.model) == (108, "1562822000102", "NVIDIA", "DGX H100")
        gpu = ServerGpu.objects.filter(server=h100).order_by("position").first()
        assert (gpu.name, gpu.source, gpu.netbox_id, gpu.serial) == (
            "NVIDIA H100 SXM5 80GB",
            "netbox-module",
            13,
            "165492300200",
        )
        devices = {d.hostname: d for d in plan.devices}
        assert devices["dgx-h100-02"].notes == [
            "GPU 8 (NVIDIA H100 SXM5 80GB) is failed in NetBox: not counted.",
            "NetBox's gpu_count says 8; 7 GPU(s) are recorded on the device.",
        ]
        sloppy = ServerGpu.objects.get(server__hostname="l40s-01", name="GPU3 (NVIDIA L40S)")
        assert (sloppy.source, str(sloppy.accelerator_type)) == ("netbox-inventory-item", "NVIDIA L40S")
        assert not ServerGpu.objects.filter(name__icontains="MCX75310").exists()  # the NIC item is no GPU
        if version == "4.6.8":  # the GPU module-type profile says the memory
            assert ServerGpu.objects.filter(server=h100).first().memory_mib == 80 * 1024

        again = netbox.netbox_sync(organization=organization, url=replay.url, token=TOKEN, country="US")
        assert {d.action for d in again.devices} == {"unchanged"}
        assert recorded_servers(organization) == EXPECTED
        assert replay.misses == []


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_shows_the_changes(organization):
    Site.objects.create(organization=organization, name="AI-DC1", country="US")
    Site.objects.create(organization=organization, name="MDF", country="US")
    existing = Server.objects.create(
        organization=organization, site=Site.objects.get(name="MDF"), hostname="dgx-h100-01"
    )
    with replaying("4.2.9") as replay:
        plan = netbox.netbox_sync(organization=organization, url=replay.url, token=TOKEN, dry_run=True)
    assert plan.counts()["servers_created"] == 5
    assert plan.sites_new == []
    adopted = next(d for d in plan.devices if d.hostname == "dgx-h100-01")
    assert adopted.action == "update"
    assert adopted.changes[:3] == [
        "accelerators: no accelerators → 8 × NVIDIA H100 SXM",
        "site: MDF → AI-DC1",
        "serial: — → 1562822000101",
    ]
    assert Server.objects.filter(organization=organization).count() == 1
    existing.refresh_from_db()
    assert existing.netbox_id is None
    assert not ServerModel.objects.exists()


@pytest.mark.django_db
def test_a_server_written_in_another_case_is_the_devices_server_not_a_new_one(organization):
    # Hostnames are one whatever their case: NetBox's dgx-h100-01 is the server recorded as DGX-H100-01, whose
    # spelling is kept (no rename in the plan, none in the write).
    Site.objects.create(organization=organization, name="AI-DC1", country="US")
    Site.objects.create(organization=organization, name="MDF", country="US")
    Server.objects.create(organization=organization, site=Site.objects.get(name="MDF"), hostname="DGX-H100-01")
    with replaying("4.2.9") as replay:
        plan = netbox.netbox_sync(organization=organization, url=replay.url, token=TOKEN, dry_run=True)
    assert plan.counts()["servers_created"] == 5
    adopted = next(d for d in plan.devices if d.hostname == "dgx-h100-01")
    assert adopted.action == "update"
    assert not any(change.startswith("hostname:") for change in adopted.changes)
    assert not plan.errors


@pytest.mark.django_db
def test_sites_without_a_country_and_unknown_gpus_stop_the_sync(organization):
    AcceleratorType.objects.filter(model="MI300X").update(nvidia_smi_names=[], model="Z1")  # unknown now
    with replaying("4.2.9") as replay, pytest.raises(Invalid) as caught:
        netbox.netbox_sync(organization=organization, url=replay.url, token=TOKEN)
    messages = [item.message for item in caught.value.errors]
    assert messages[0].startswith("NetBox sites 'MDF', 'AI-DC1' have no site in InfraReady")
    assert messages[1].startswith("unknown GPU 'AMD Instinct MI300X' (8 on mi300x-01)")
    assert not Server.objects.exists()
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_a_role_syncs_its_devices_only(organization):
    with replaying("4.2.9") as replay:
        plan = netbox.netbox_sync(
            organization=organization, url=replay.url, token=TOKEN, role="gpu-server", country="US"
        )
        assert replay.misses == []
    assert len(plan.devices) == 6


@pytest.mark.django_db
def test_a_wrong_token_and_an_unreachable_netbox_are_one_clear_problem(organization, settings):
    with replaying("4.2.9") as replay, pytest.raises(Invalid) as caught:
        netbox.netbox_sync(organization=organization, url=replay.url, token="f" * 40)
    assert caught.value.errors[0].as_dict() == {
        "code": "forbidden", "field": "token", "message": "NetBox refused the token (403: Invalid token).",
    }  # fmt: skip
    settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(Unavailable) as caught:
        netbox.netbox_sync(organization=organization, url="http://127.0.0.1:9", token=TOKEN)
    assert "loopback address (INTEGRATIONS_ALLOW_PRIVATE_TARGETS is off)" in caught.value.errors[0].message
    with pytest.raises(Unavailable) as caught:
        netbox.netbox_sync(organization=organization, url="http://169.254.169.254", token=TOKEN)
    assert "metadata" in caught.value.errors[0].message


@pytest.mark.django_db
def test_the_command(organization, capsys):
    with replaying("4.6.8") as replay:
        call_command("import_netbox", "--url", replay.url, "--token", TOKEN, "--country", "us", "--dry-run")
    out = capsys.readouterr().out
    assert "NetBox 4.6.8 at http://127.0.0.1:" in out
    assert "would create 6, would update 0, 0 unchanged servers; 43 GPUs; 2 new sites; 4 server models." in out
    assert "Dry run: nothing was written." in out
    assert not Server.objects.exists()
    with pytest.raises(CommandError, match="Give --device-types PATH or --url URL"):
        call_command("import_netbox")


@pytest.mark.django_db
def test_the_task_records_progress_and_the_result(organization):
    with replaying("4.2.9") as replay:
        config = netbox.netbox_config_save(
            organization=organization, url=replay.url, token=TOKEN, new_site_country="us"
        )
        config = netbox.netbox_sync_start(config=config, dry_run=False)  # eager in tests
        config.refresh_from_db()
    assert (config.status, config.steps_done, config.steps_total, config.dry_run) == (SyncStatus.OK, 9, 9, False)
    assert config.last_result["servers_created"] == 6
    assert config.get_token() == TOKEN
    assert TOKEN not in str(NetboxConfig.objects.values_list("token_encrypted", flat=True)[0])
    assert Server.objects.filter(organization=organization).count() == 6


@pytest.mark.django_db
@pytest.mark.parametrize("status", [SyncStatus.QUEUED, SyncStatus.RUNNING])
def test_a_sync_whose_worker_died_is_failed_by_the_reaper_and_can_be_started_again(organization, status):
    """Queued or running past its deadline (a dead worker, a lost message): the reaper fails it with the reason
    (never queuing it again: a person started it), the page stops showing it under way, and it can start again.
    One within its deadline, or one that finished, is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from config.jobs import longest_task, margin, reap_all

    config = netbox.netbox_config_save(organization=organization, url="https://netbox.example.net", token=TOKEN)
    deadline = timedelta(seconds=longest_task()) + margin()
    NetboxConfig.objects.filter(pk=config.pk).update(
        status=status, started=timezone.now() - deadline + timedelta(minutes=1), task_id="t-1"
    )
    config.refresh_from_db()
    assert netbox.is_busy(config)
    assert reap_all()["inventory.services.netbox.netbox_sync_reap"] == {"requeued": 0, "failed": 0, "skipped": 0}
    NetboxConfig.objects.filter(pk=config.pk).update(started=timezone.now() - deadline - timedelta(minutes=1))
    config.refresh_from_db()
    assert not netbox.is_busy(config)
    assert netbox.netbox_sync_reap(now=timezone.now()).as_dict() == {"requeued": 0, "failed": 1, "skipped": 0}
    config.refresh_from_db()
    assert (config.status, config.last_error) == (SyncStatus.FAILED, netbox.jobs.LOST)
    assert netbox.netbox_status(config)["busy"] is False
    assert netbox.netbox_sync_reap(now=timezone.now()).as_dict() == {"requeued": 0, "failed": 0, "skipped": 0}


@pytest.mark.django_db
def test_a_server_takes_a_shared_or_its_own_server_model_never_anothers(
    api_client_for, organization, other_organization, assessor
):
    site = Site.objects.create(organization=organization, name="Lab", country="DE")
    server = Server.objects.create(organization=organization, site=site, hostname="h1")
    shared = ServerModel.objects.create(vendor="Dell", model="PowerEdge R630", source="test")
    theirs = ServerModel.objects.create(organization=other_organization, vendor="Dell", model="Secret", source="test")
    client = api_client_for(assessor, organization)
    url = f"/api/v1/inventory/servers/{server.pk}/"
    assert client.patch(url, {"server_model": theirs.pk}, format="json").status_code == 400
    response = client.patch(url, {"server_model": shared.pk}, format="json")
    assert (response.status_code, response.json()["server_model"]) == (200, shared.pk)


@pytest.mark.django_db
def test_the_power_ladder_helpers_read_the_model_draw_and_the_rated_accelerator_power_in_sql(organization):
    from inventory.hardware.selectors import servers_with_power_figures

    site = Site.objects.create(organization=organization, name="Lab", country="DE")
    services.server_models_import(path=DEVICE_TYPES / "device-types" / "Supermicro" / "AS-8125GS-TNMR2.yml")
    model = ServerModel.objects.get()
    with_all = Server.objects.create(organization=organization, site=site, hostname="a", server_model=model)
    services.discover(
        organization=organization,
        text="name, power.limit [W]\nNVIDIA L4, 72 W\nNVIDIA L4, 70 W\n",
        site="Lab",
        hostname="a",
    )
    services.discover(
        organization=organization,
        text="name, power.limit [W]\nNVIDIA L4, 72 W\nNVIDIA L4, [N/A]\n",
        site="Lab",
        hostname="b",
    )
    Server.objects.create(organization=organization, site=site, hostname="c")
    figures = {
        s.hostname: (s.model_draw_w, s.rated_accelerator_w)
        for s in servers_with_power_figures(Server.objects.filter(organization=organization))
    }
    assert figures == {"a": (9000, 142), "b": (None, None), "c": (None, None)}
    assert with_all.pk == Server.objects.get(hostname="a").pk


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["https://[::1", "http://[fe80::1", "https://169.254.169.254/", "https://netbox:99999"])
def test_an_address_no_sync_could_read_is_refused_when_saved(organization, url):
    """The integrations' one URL rule (as for Prometheus and BMCs): an IPv6 address without its bracket, a cloud
    metadata address, a port that is not one are refused on the form, not found out by a run."""
    with pytest.raises(Invalid) as caught:
        netbox.netbox_config_save(organization=organization, url=url, token=TOKEN)
    assert caught.value.errors[0].field == "url"
    assert not NetboxConfig.objects.exists()


@pytest.mark.django_db
def test_a_run_on_a_malformed_saved_url_says_so_and_keeps_no_earlier_runs_problems(organization):
    """A URL saved before the rule refused it: the run fails with the URL's problem, not an unexpected error, and
    the page shows this run's problems only (it showed an earlier run's NetBox address under this one's)."""
    config = netbox.netbox_config_save(organization=organization, url="https://netbox.example.net", token=TOKEN)
    earlier = {"errors": [{"message": "NetBox at https://169.254.169.254 could not be read.", "code": "x"}]}
    NetboxConfig.objects.filter(pk=config.pk).update(url="https://[::1", last_result=earlier)
    config.refresh_from_db()
    config = netbox.netbox_sync_start(config=config, dry_run=True)  # eager in tests
    config.refresh_from_db()
    assert config.status == SyncStatus.FAILED
    assert "Enter an http:// or https:// URL." in config.last_error
    assert config.last_result == {
        "errors": [{"message": "Enter an http:// or https:// URL.", "code": "invalid", "field": "url"}]
    }

    NetboxConfig.objects.filter(pk=config.pk).update(last_result=earlier)
    config.refresh_from_db()
    netbox.jobs._finish(config, status=SyncStatus.FAILED, error=netbox.jobs.UNEXPECTED)
    config.refresh_from_db()
    assert config.last_result == {}
    assert "nothing was written" not in netbox.jobs.UNEXPECTED.lower()  # the page says it once
