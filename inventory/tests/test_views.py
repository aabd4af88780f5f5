import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from inventory.models import (
    CloudCapacity,
    NetworkFabric,
    Server,
    ServerStatus,
    Site,
    StorageSystem,
    Workload,
    WorkloadKind,
)
from inventory.tests.factories import (
    CloudCapacityFactory,
    NetworkFabricFactory,
    ServerFactory,
    SiteFactory,
    StorageSystemFactory,
    WorkloadFactory,
    h100,
    llama_70b,
)

pytestmark = pytest.mark.django_db

FACTORIES = {
    "site": SiteFactory,
    "server": ServerFactory,
    "storage": StorageSystemFactory,
    "network": NetworkFabricFactory,
    "cloud": CloudCapacityFactory,
    "workload": WorkloadFactory,
}
MODELS = {
    "site": Site,
    "server": Server,
    "storage": StorageSystem,
    "network": NetworkFabric,
    "cloud": CloudCapacity,
    "workload": Workload,
}


def server_data(site, **overrides):
    data = {
        "hostname": "gpu-new.example.net",
        "site": site.pk,
        "status": "active",
        "accelerator_type": h100().pk,
        "accelerator_count": 8,
        "power_w": 10200,
    }
    return {**data, **overrides}


def workload_data(**overrides):
    data = {"name": "Chat", "kind": "inference", "model_profile": llama_70b().pk, "precision": "bf16"}
    return {**data, **overrides}


@pytest.fixture
def site(organization):
    return SiteFactory(organization=organization, name="Frankfurt")


@pytest.fixture
def theirs(other_organization):
    """Another organization's server (and so its site)."""
    return ServerFactory(organization=other_organization, hostname="their-gpu.example.net")


class TestOverview:
    def test_totals_of_the_active_fleet(self, client, organization, viewer, site, theirs):
        ServerFactory.create_batch(2, organization=organization, site=site)
        ServerFactory(organization=organization, site=site, status=ServerStatus.PLANNED)
        WorkloadFactory(organization=organization)
        client.force_login(viewer)

        response = client.get(reverse("inventory:overview"))

        assert response.status_code == 200
        overview = response.context["overview"]
        assert overview.total_accelerators == 16
        assert overview.total_memory_gb == pytest.approx(1280)
        assert overview.total_bf16_pflops == pytest.approx(15.824)
        assert overview.servers_by_status == {"planned": 1, "active": 2, "retired": 0}
        page = response.content.decode()
        assert re.search(r'id="total-accelerators">16<', page)
        assert "1,280 GB" in page  # thousands grouped
        assert "15.824 PFLOPS" in page
        assert "NVIDIA H100 SXM" in page
        assert "20.4" in page  # 2 x 10.2 kW rated at Frankfurt, of 200 kW
        assert "10%" in page
        assert "their-gpu" not in page
        for name in ("site", "server", "storage", "network", "cloud", "workload"):
            assert reverse(f"inventory:{name}_list") in page

    def test_an_empty_inventory_says_where_to_start(self, client, assessor):
        client.force_login(assessor)
        page = client.get(reverse("inventory:overview")).content.decode()
        assert "No inventory yet" in page
        assert f'href="{reverse("inventory:site_create")}"' in page

    def test_viewers_are_not_offered_to_add(self, client, viewer):
        client.force_login(viewer)
        page = client.get(reverse("inventory:overview")).content.decode()
        assert "No inventory yet" in page
        assert reverse("inventory:site_create") not in page

    def test_the_import_button_appears_once_the_import_pages_exist(self, client, assessor):
        client.force_login(assessor)
        page = client.get(reverse("inventory:overview")).content.decode()
        try:
            import_url = reverse("inventory:import")
        except NoReverseMatch:
            assert ">Import<" not in page
        else:
            assert f'href="{import_url}"' in page
            servers = client.get(reverse("inventory:server_list")).content.decode()
            assert f'href="{import_url}?kind=servers"' in servers

    def test_anonymous_visitors_log_in_first(self, client):
        response = client.get(reverse("inventory:overview"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_the_navigation_links_to_inventory_and_workloads(self, client, viewer):
        client.force_login(viewer)
        page = client.get(reverse("inventory:workload_list")).content.decode()
        assert f'href="{reverse("inventory:overview")}">Inventory' in page
        assert re.search(r'nav-link active" href="/inventory/workloads/"', page)


class TestLists:
    def test_servers_filter_by_site_status_accelerator_and_text(self, client, organization, viewer, site):
        other_site = SiteFactory(organization=organization, name="Dublin")
        ServerFactory(organization=organization, site=site, hostname="fra-gpu1")
        ServerFactory(organization=organization, site=other_site, hostname="dub-gpu1")
        ServerFactory(organization=organization, site=site, hostname="fra-old", status=ServerStatus.RETIRED)
        ServerFactory(
            organization=organization, site=site, hostname="fra-cpu", accelerator_type=None, accelerator_count=0
        )
        client.force_login(viewer)
        url = reverse("inventory:server_list")

        def hostnames(**params):
            response = client.get(url, params)
            assert response.status_code == 200
            return sorted(s.hostname for s in response.context["object_list"])

        assert hostnames() == ["dub-gpu1", "fra-cpu", "fra-gpu1", "fra-old"]
        assert hostnames(site=other_site.pk) == ["dub-gpu1"]
        assert hostnames(status="retired") == ["fra-old"]
        assert hostnames(accelerator_type=h100().pk, site=site.pk) == ["fra-gpu1", "fra-old"]
        assert hostnames(q="FRA-") == ["fra-cpu", "fra-gpu1", "fra-old"]

    def test_another_organizations_site_is_not_a_filter_choice(self, client, viewer, site, theirs):
        client.force_login(viewer)
        response = client.get(reverse("inventory:server_list"), {"site": theirs.site.pk})
        assert list(response.context["object_list"]) == []
        assert "site" in response.context["filter_form"].errors

    def test_workloads_filter_by_kind(self, client, organization, viewer):
        WorkloadFactory(organization=organization, name="Chat")
        WorkloadFactory(organization=organization, name="Pretrain", kind=WorkloadKind.TRAINING, training_tokens=1e12)
        client.force_login(viewer)
        response = client.get(reverse("inventory:workload_list"), {"kind": "training"})
        assert [w.name for w in response.context["object_list"]] == ["Pretrain"]

    def test_lists_are_paginated_by_50(self, client, organization, viewer, site):
        ServerFactory.create_batch(51, organization=organization, site=site)
        client.force_login(viewer)
        first = client.get(reverse("inventory:server_list"), {"status": "active"})
        assert len(first.context["object_list"]) == 50
        assert "?status=active&amp;page=2" in first.content.decode()
        second = client.get(reverse("inventory:server_list"), {"status": "active", "page": 2})
        assert len(second.context["object_list"]) == 1

    @pytest.mark.parametrize("name", list(FACTORIES))
    def test_lists_run_a_constant_number_of_queries(
        self, name, client, organization, viewer, django_assert_num_queries
    ):
        factory = FACTORIES[name]
        site = SiteFactory(organization=organization)
        extra = {} if name in ("site", "cloud", "workload") else {"site": site}
        factory.create_batch(1 - (name == "site"), organization=organization, **extra)  # one row (the site)
        client.force_login(viewer)
        url = reverse(f"inventory:{name}_list")
        client.get(url)  # the first request of a session does a little more once
        with CaptureQueriesContext(connection) as one:
            assert client.get(url).status_code == 200
        factory.create_batch(49, organization=organization, **extra)
        with django_assert_num_queries(len(one)):  # exactly as many for 50 rows as for 1
            response = client.get(url)
        assert len(response.context["object_list"]) == 50
        assert response.context["paginator"].count == 50

    def test_viewers_see_no_edit_buttons(self, client, organization, viewer, site):
        server = ServerFactory(organization=organization, site=site)
        client.force_login(viewer)
        page = client.get(reverse("inventory:server_list")).content.decode()
        assert server.hostname in page
        assert reverse("inventory:server_create") not in page
        assert reverse("inventory:server_update", args=[server.pk]) not in page
        detail = client.get(reverse("inventory:server_detail", args=[server.pk])).content.decode()
        assert reverse("inventory:server_update", args=[server.pk]) not in detail
        assert reverse("inventory:server_delete", args=[server.pk]) not in detail

    def test_assessors_see_edit_buttons(self, client, organization, assessor, site):
        server = ServerFactory(organization=organization, site=site)
        client.force_login(assessor)
        page = client.get(reverse("inventory:server_list")).content.decode()
        assert reverse("inventory:server_create") in page
        assert reverse("inventory:server_update", args=[server.pk]) in page

    def test_an_empty_list_offers_to_add(self, client, assessor):
        client.force_login(assessor)
        page = client.get(reverse("inventory:storage_list")).content.decode()
        assert "No storage yet" in page
        assert reverse("inventory:storage_create") in page


class TestDetail:
    def test_site_detail_shows_its_servers_storage_and_fabrics(self, client, organization, viewer, site):
        ServerFactory(organization=organization, site=site, hostname="fra-gpu1")
        StorageSystemFactory(organization=organization, site=site, name="fra-lustre")
        NetworkFabricFactory(organization=organization, site=site, name="fra-ib")
        ServerFactory(organization=organization, hostname="elsewhere")
        client.force_login(viewer)
        page = client.get(reverse("inventory:site_detail", args=[site.pk])).content.decode()
        for name in ("fra-gpu1", "fra-lustre", "fra-ib"):
            assert name in page
        assert "elsewhere" not in page

    def test_site_detail_writes_its_numbers_as_the_lists_do(self, client, organization, viewer, site):
        """The site page's tables wrote a server's power as "10200" beside the servers list's "10,200"."""
        ServerFactory(organization=organization, site=site, hostname="fra-gpu1", power_w=10_200)
        StorageSystemFactory(organization=organization, site=site, name="fra-lustre", usable_tb=1_250.5)
        NetworkFabricFactory(organization=organization, site=site, name="fra-ib", link_speed_gbps=400)
        client.force_login(viewer)

        def cells(url: str, name: str) -> list[str]:
            page = client.get(url).content.decode()
            row = page[page.index(name) : page.index("</tr>", page.index(name))]
            return [text.strip() for text in re.findall(r'<t[dh][^>]*class="[^"]*text-end[^"]*"[^>]*>([^<]*)<', row)]

        site_page = reverse("inventory:site_detail", args=[site.pk])
        assert cells(site_page, "fra-gpu1") == ["10,200"]
        assert "10,200" in cells(reverse("inventory:server_list"), "fra-gpu1")
        assert cells(site_page, "fra-lustre") == ["1,250.50"]  # two decimals, as the storage list writes it
        assert "1,250.50" in cells(reverse("inventory:storage_list"), "fra-lustre")
        assert cells(site_page, "fra-ib") == ["400"]

    def test_server_detail_shows_the_accelerator_specs_and_source(self, client, organization, viewer, site):
        server = ServerFactory(organization=organization, site=site)
        client.force_login(viewer)
        page = client.get(reverse("inventory:server_detail", args=[server.pk])).content.decode()
        assert "8 × NVIDIA H100 SXM" in page
        assert "3350 GB/s" in page
        assert "989 TFLOPS" in page
        assert "NVIDIA H100 datasheet" in page
        assert reverse("inventory:site_detail", args=[site.pk]) in page

    @pytest.mark.parametrize(
        ("kind", "shown", "not_shown"),
        [
            ("inference", "Requests per second", "Training tokens"),
            ("training", "Training tokens", "Requests per second"),
            ("fine_tuning", "Deadline (days)", "Prompt tokens"),
        ],
    )
    def test_a_workload_shows_the_fields_of_its_kind_only(self, kind, shown, not_shown, client, organization, viewer):
        workload = WorkloadFactory(organization=organization, kind=kind, training_tokens=1e12)
        client.force_login(viewer)
        response = client.get(reverse("inventory:workload_detail", args=[workload.pk]))
        labels = [str(field["label"]).lower() for field in response.context["fields"]]
        assert shown.lower() in labels
        assert not_shown.lower() not in labels
        assert "model" in labels  # the fields of every kind stay
        page = response.content.decode()
        assert ("Tokens to train on." in page) is (kind != "inference")
        assert ("Model FLOPs utilization" in page) is (kind != "inference")

    @pytest.mark.parametrize("name", list(FACTORIES))
    def test_every_kind_has_a_detail_page(self, name, client, organization, viewer):
        obj = FACTORIES[name](organization=organization)
        client.force_login(viewer)
        assert client.get(reverse(f"inventory:{name}_detail", args=[obj.pk])).status_code == 200


class TestWrites:
    def test_an_assessor_creates_a_site_then_a_server(self, client, organization, assessor):
        client.force_login(assessor)
        response = client.post(
            reverse("inventory:site_create"),
            {
                "name": "Paris",
                "country": "fr",
                "pue": "1.4",
                "renewable_share_pct": "20",
                "currency": "eur",
                "cooling": "air",
            },
        )
        site = Site.objects.get(name="Paris")
        assert response.status_code == 302
        assert response.url == reverse("inventory:site_detail", args=[site.pk])
        assert (site.organization, site.country, site.currency) == (organization, "FR", "EUR")

        response = client.post(reverse("inventory:server_create"), server_data(site))
        server = Server.objects.get(hostname="gpu-new.example.net")
        assert response.status_code == 302
        assert (server.organization, server.site, server.accelerator_count) == (organization, site, 8)

    def test_an_assessor_edits_and_deletes(self, client, organization, assessor, site):
        server = ServerFactory(organization=organization, site=site)
        client.force_login(assessor)
        assert client.get(reverse("inventory:server_update", args=[server.pk])).status_code == 200
        response = client.post(
            reverse("inventory:server_update", args=[server.pk]),
            server_data(site, hostname=server.hostname, status="retired"),
        )
        assert response.status_code == 302
        server.refresh_from_db()
        assert server.status == ServerStatus.RETIRED

        assert client.get(reverse("inventory:server_delete", args=[server.pk])).status_code == 200
        response = client.post(reverse("inventory:server_delete", args=[server.pk]))
        assert response.url == reverse("inventory:server_list")
        assert not Server.objects.filter(pk=server.pk).exists()

    @pytest.mark.parametrize("name", list(FACTORIES))
    def test_every_kind_has_working_form_pages(self, name, client, organization, assessor):
        obj = FACTORIES[name](organization=organization)
        client.force_login(assessor)
        assert client.get(reverse(f"inventory:{name}_create")).status_code == 200
        assert client.get(reverse(f"inventory:{name}_update", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"inventory:{name}_delete", args=[obj.pk])).status_code == 200
        if name == "site":
            obj.servers.all().delete()
        response = client.post(reverse(f"inventory:{name}_delete", args=[obj.pk]))
        assert response.status_code == 302
        assert not MODELS[name].objects.filter(pk=obj.pk).exists()

    def test_viewers_cannot_write(self, client, organization, viewer, site):
        server = ServerFactory(organization=organization, site=site)
        client.force_login(viewer)
        assert client.post(reverse("inventory:server_create"), server_data(site)).status_code == 403
        assert client.post(reverse("inventory:server_update", args=[server.pk]), server_data(site)).status_code == 403
        assert client.post(reverse("inventory:server_delete", args=[server.pk])).status_code == 403
        assert client.get(reverse("inventory:server_create")).status_code == 403
        assert Server.objects.filter(organization=organization).count() == 1

    @pytest.mark.parametrize("action", ["detail", "update", "delete"])
    def test_another_organizations_row_is_a_404(self, action, client, assessor, theirs):
        client.force_login(assessor)
        url = reverse(f"inventory:server_{action}", args=[theirs.pk])
        assert client.get(url).status_code == 404
        if action != "detail":
            assert client.post(url, {"hostname": "stolen"}).status_code == 404
        theirs.refresh_from_db()
        assert theirs.hostname == "their-gpu.example.net"

    def test_another_organizations_site_in_a_form_is_a_form_error(self, client, assessor, theirs):
        client.force_login(assessor)
        response = client.post(reverse("inventory:server_create"), server_data(theirs.site))
        assert response.status_code == 200
        assert "site" in response.context["form"].errors
        assert not Server.objects.filter(hostname="gpu-new.example.net").exists()

    def test_another_organizations_private_accelerator_is_not_a_choice(
        self, client, assessor, site, other_organization
    ):
        private = h100()
        private.pk = None
        private.organization = other_organization
        private.model = "H100 SXM (their build)"
        private.save()
        client.force_login(assessor)
        response = client.post(reverse("inventory:server_create"), server_data(site, accelerator_type=private.pk))
        assert "accelerator_type" in response.context["form"].errors

    def test_a_duplicate_hostname_is_a_form_error(self, client, organization, assessor, site, theirs):
        ServerFactory(organization=organization, site=site, hostname="gpu-new.example.net")
        client.force_login(assessor)
        response = client.post(reverse("inventory:server_create"), server_data(site))
        assert response.status_code == 200
        assert response.context["form"].errors["hostname"] == [
            "A server with this hostname exists already in this organization."
        ]
        # Another organization may use the same hostname.
        response = client.post(reverse("inventory:server_create"), server_data(site, hostname=theirs.hostname))
        assert response.status_code == 302

    def test_the_power_measured_box_explains_itself_in_words(self, client, assessor):
        client.force_login(assessor)
        page = client.get(reverse("inventory:server_create")).content.decode()
        assert "Tick if the power figure was measured (a meter, the BMC)" in page
        assert "(true)" not in page

    def test_accelerators_need_a_type(self, client, assessor, site):
        client.force_login(assessor)
        response = client.post(reverse("inventory:server_create"), server_data(site, accelerator_type=""))
        assert "accelerator_type" in response.context["form"].errors
        response = client.post(
            reverse("inventory:server_create"), server_data(site, accelerator_type="", accelerator_count=0)
        )
        assert response.status_code == 302

    def test_inference_and_training_workloads_need_their_figures(self, client, assessor):
        client.force_login(assessor)
        response = client.post(reverse("inventory:workload_create"), workload_data())
        assert set(response.context["form"].errors) == {"requests_per_second", "prompt_tokens", "output_tokens"}
        response = client.post(reverse("inventory:workload_create"), workload_data(kind="training"))
        assert set(response.context["form"].errors) == {"training_tokens"}
        response = client.post(
            reverse("inventory:workload_create"), workload_data(kind="fine_tuning", training_tokens="1e9")
        )
        assert response.status_code == 302

    def test_country_codes_are_two_letters(self, client, assessor):
        client.force_login(assessor)
        response = client.post(
            reverse("inventory:site_create"),
            {
                "name": "Lab",
                "country": "Germany",
                "pue": "1.5",
                "renewable_share_pct": "0",
                "currency": "EUR",
                "cooling": "air",
            },
        )
        assert "country" in response.context["form"].errors
        assert 'class="form-control is-invalid"' in response.content.decode()

    def test_a_duplicate_storage_name_at_a_site_is_a_form_error(self, client, organization, assessor, site):
        StorageSystemFactory(organization=organization, site=site, name="scratch")
        client.force_login(assessor)
        data = {"name": "scratch", "site": site.pk, "kind": "nvme", "usable_tb": "10"}
        response = client.post(reverse("inventory:storage_create"), data)
        assert response.context["form"].errors["name"] == [
            "A storage system with this name exists already at this site."
        ]
        other_site = SiteFactory(organization=organization)
        assert client.post(reverse("inventory:storage_create"), {**data, "site": other_site.pk}).status_code == 302

    def test_deleting_a_site_with_servers_explains_why_not(self, client, organization, assessor, site):
        ServerFactory.create_batch(2, organization=organization, site=site)
        client.force_login(assessor)
        response = client.post(reverse("inventory:site_delete", args=[site.pk]), follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("inventory:site_detail", args=[site.pk])
        assert "cannot be deleted: 2 servers still refer to it" in response.content.decode()
        assert Site.objects.filter(pk=site.pk).exists()
