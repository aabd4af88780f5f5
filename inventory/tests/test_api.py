"""The inventory REST API. Every writable endpoint is tested the same way (as NetBox's API tests are): anonymous
access, organization isolation, roles, create, update, delete, bulk create, and constant query counts."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.urls import reverse

from config.testing import api_errors, error_fields, error_text
from inventory.models import (
    AcceleratorType,
    CloudCapacity,
    ModelProfile,
    NetworkFabric,
    Server,
    Site,
    StorageSystem,
    Workload,
)

pytestmark = pytest.mark.django_db


def h100() -> AcceleratorType:
    return AcceleratorType.objects.get(organization=None, model="H100 SXM")


def llama70b() -> ModelProfile:
    return ModelProfile.objects.get(organization=None, name="Llama-3.1-70B")


def make_site(organization: Any, name: str = "Frankfurt", **extra: Any) -> Site:
    return Site.objects.create(organization=organization, name=name, country="DE", pue=1.3, **extra)


def make_server(organization: Any, hostname: str, site: Site | None = None, **extra: Any) -> Server:
    site = site or Site.objects.filter(organization=organization).first() or make_site(organization)
    values = {"accelerator_type": h100(), "accelerator_count": 8, "status": "active", **extra}
    return Server.objects.create(organization=organization, site=site, hostname=hostname, **values)


class EndpointContract:
    """What every organization-owned CRUD endpoint does with rows: lists its own, creates, updates, deletes, bulk
    creates all or nothing. Anonymous 401, roles, another organization's 404 and flat list queries are checked for
    every route by `test_api_contracts.py` (``config.api_contracts``)."""

    basename: ClassVar[str]
    model: ClassVar[type]

    def make(self, organization: Any, n: int) -> Any:
        raise NotImplementedError

    def payload(self, organization: Any, n: int) -> dict[str, Any]:
        raise NotImplementedError

    update: ClassVar[dict[str, Any]]

    def list_url(self) -> str:
        return reverse(f"api:inventory:{self.basename}-list")

    def detail_url(self, pk: Any) -> str:
        return reverse(f"api:inventory:{self.basename}-detail", args=[pk])

    def test_lists_only_the_active_organizations_rows(self, api_client_for, organization, other_organization, viewer):
        mine = self.make(organization, 1)
        self.make(other_organization, 2)
        body = api_client_for(viewer, organization).get(self.list_url()).json()
        assert body["count"] == 1
        assert [row["id"] for row in body["results"]] == [mine.pk]
        assert "organization" not in body["results"][0]

    def test_assessors_create_update_and_delete(self, api_client_for, organization, assessor):
        client = api_client_for(assessor, organization)
        created = client.post(self.list_url(), self.payload(organization, 1), format="json")
        assert created.status_code == 201, created.json()
        row = self.model.objects.get(pk=created.json()["id"])
        assert row.organization == organization
        updated = client.patch(self.detail_url(row.pk), self.update, format="json")
        assert updated.status_code == 200, updated.json()
        for field, value in self.update.items():
            assert updated.json()[field] == value
        assert client.delete(self.detail_url(row.pk)).status_code == 204
        assert not self.model.objects.filter(pk=row.pk).exists()

    def test_the_payload_cannot_choose_the_organization(
        self, api_client_for, organization, other_organization, assessor
    ):
        payload = {**self.payload(organization, 1), "organization": other_organization.pk}
        created = api_client_for(assessor, organization).post(self.list_url(), payload, format="json")
        assert created.status_code == 201
        assert self.model.objects.get(pk=created.json()["id"]).organization == organization

    def test_bulk_create_is_all_or_nothing(self, api_client_for, organization, assessor):
        client = api_client_for(assessor, organization)
        good = [self.payload(organization, n) for n in range(1, 4)]
        response = client.post(self.list_url(), good, format="json")
        assert response.status_code == 201, response.json()
        assert len(response.json()) == 3
        before = self.model.objects.count()
        bad = [self.payload(organization, 10), {**self.payload(organization, 11), **self.invalid}]
        response = client.post(self.list_url(), bad, format="json")
        assert response.status_code == 400
        errors = api_errors(response)  # each names the failing item's index
        assert {item["index"] for item in errors} == {1}
        assert {item["field"] for item in errors} == set(self.invalid)
        assert self.model.objects.count() == before

    invalid: ClassVar[dict[str, Any]]


class TestSites(EndpointContract):
    basename = "site"
    model = Site
    update = {"pue": 1.2}
    invalid = {"pue": 0.9}

    def make(self, organization, n):
        return make_site(organization, name=f"Site {n}")

    def payload(self, organization, n):
        return {"name": f"New site {n}", "country": "fr", "pue": 1.25, "power_capacity_kw": 500}


class TestServers(EndpointContract):
    basename = "server"
    model = Server
    update = {"status": "retired"}
    invalid = {"accelerator_count": -1}

    def make(self, organization, n):
        return make_server(organization, hostname=f"gpu-{n:03d}")

    def payload(self, organization, n):
        site = Site.objects.filter(organization=organization).first() or make_site(organization)
        return {"site": site.pk, "hostname": f"new-{n}", "accelerator_type": h100().pk, "accelerator_count": 8}


class TestStorage(EndpointContract):
    basename = "storage"
    model = StorageSystem
    update = {"usable_tb": 500.0}
    invalid = {"usable_tb": -5}

    def make(self, organization, n):
        site = Site.objects.filter(organization=organization).first() or make_site(organization)
        return StorageSystem.objects.create(
            organization=organization, site=site, name=f"fs{n}", kind="nvme", usable_tb=100
        )

    def payload(self, organization, n):
        site = Site.objects.filter(organization=organization).first() or make_site(organization)
        return {
            "site": site.pk,
            "name": f"lustre-{n}",
            "kind": "parallel_fs",
            "usable_tb": 2000,
            "read_throughput_gbps": 400,
        }


class TestNetworks(EndpointContract):
    basename = "network"
    model = NetworkFabric
    update = {"link_speed_gbps": 800.0}
    invalid = {"oversubscription_ratio": 0.5}

    def make(self, organization, n):
        site = Site.objects.filter(organization=organization).first() or make_site(organization)
        return NetworkFabric.objects.create(
            organization=organization, site=site, name=f"ib{n}", kind="infiniband", link_speed_gbps=400
        )

    def payload(self, organization, n):
        site = Site.objects.filter(organization=organization).first() or make_site(organization)
        return {"site": site.pk, "name": f"roce-{n}", "kind": "roce", "link_speed_gbps": 400, "topology": "rail"}


class TestCloud(EndpointContract):
    basename = "cloud"
    model = CloudCapacity
    update = {"instances": 4}
    invalid = {"instances": 0}

    def make(self, organization, n):
        return CloudCapacity.objects.create(
            organization=organization,
            provider="aws",
            region=f"eu-{n}",
            instance_type="p5.48xlarge",
            accelerator_type=h100(),
            accelerators_per_instance=8,
            instances=2,
            hourly_price="98.32",
        )

    def payload(self, organization, n):
        return {
            "provider": "gcp",
            "region": f"europe-west{n}",
            "instance_type": "a3-highgpu-8g",
            "accelerator_type": h100().pk,
            "accelerators_per_instance": 8,
            "instances": 1,
            "hourly_price": "88.25",
        }


class TestWorkloads(EndpointContract):
    basename = "workload"
    model = Workload
    update = {"requests_per_second": 12.5}
    invalid = {"assumed_mfu": 1.5}

    def make(self, organization, n):
        return Workload.objects.create(
            organization=organization,
            name=f"chat-{n}",
            kind="inference",
            model_profile=llama70b(),
            requests_per_second=5,
            prompt_tokens=1000,
            output_tokens=250,
        )

    def payload(self, organization, n):
        return {
            "name": f"assistant-{n}",
            "kind": "inference",
            "model_profile": llama70b().pk,
            "precision": "fp8",
            "requests_per_second": 10,
            "prompt_tokens": 2000,
            "output_tokens": 300,
            "ttft_target_ms": 500,
        }


class TestServerRules:
    def test_hostnames_are_unique_per_organization_with_a_field_error(
        self, api_client_for, organization, other_organization, assessor
    ):
        make_server(other_organization, "gpu-001")  # the same hostname elsewhere is fine
        make_server(organization, "gpu-001")
        client = api_client_for(assessor, organization)
        site = Site.objects.get(organization=organization)
        response = client.post(
            reverse("api:inventory:server-list"), {"site": site.pk, "hostname": "gpu-001"}, format="json"
        )
        assert response.status_code == 400
        assert error_fields(response) == {"hostname"}
        assert "exists already" in error_text(response)

    def test_a_repeated_hostname_inside_a_bulk_request_is_refused(self, api_client_for, organization, assessor):
        site = make_site(organization)
        payload = [{"site": site.pk, "hostname": "dup"}, {"site": site.pk, "hostname": "dup"}]
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:server-list"), payload, format="json"
        )
        assert response.status_code == 400
        assert "repeated" in str(response.json())
        assert not Server.objects.exists()

    def test_another_organizations_site_is_a_field_error(
        self, api_client_for, organization, other_organization, assessor
    ):
        theirs = make_site(other_organization)
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:server-list"), {"site": theirs.pk, "hostname": "x"}, format="json"
        )
        assert response.status_code == 400
        assert error_fields(response) == {"site"}

    def test_accelerators_need_a_type(self, api_client_for, organization, assessor):
        site = make_site(organization)
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:server-list"),
            {"site": site.pk, "hostname": "x", "accelerator_count": 4},
            format="json",
        )
        assert response.status_code == 400
        assert error_fields(response) == {"accelerator_type"}

    def test_another_organizations_private_accelerator_is_a_field_error(
        self, api_client_for, organization, other_organization, assessor
    ):
        private = AcceleratorType.objects.create(
            organization=other_organization,
            vendor="Acme",
            model="X1",
            memory_gb=64,
            mem_bandwidth_gbps=2000,
            bf16_tflops=500,
            release_year=2025,
            source="internal",
        )
        site = make_site(organization)
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:server-list"),
            {"site": site.pk, "hostname": "x", "accelerator_count": 4, "accelerator_type": private.pk},
            format="json",
        )
        assert response.status_code == 400
        assert error_fields(response) == {"accelerator_type"}

    def test_inference_workloads_need_their_traffic(self, api_client_for, organization, assessor):
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:workload-list"),
            {"name": "w", "kind": "inference", "model_profile": llama70b().pk},
            format="json",
        )
        assert response.status_code == 400
        assert error_fields(response) == {"requests_per_second", "prompt_tokens", "output_tokens"}

    def test_too_many_items_in_one_bulk_request(self, api_client_for, organization, assessor):
        response = api_client_for(assessor, organization).post(
            reverse("api:inventory:site-list"), [{"name": str(n)} for n in range(1001)], format="json"
        )
        assert response.status_code == 400
        assert "import" in str(response.json())


class TestFiltersOrderingPagination:
    @pytest.fixture
    def fleet(self, organization):
        berlin, paris = make_site(organization, "Berlin"), make_site(organization, "Paris")
        a100 = AcceleratorType.objects.get(organization=None, model="A100 SXM 80GB")
        for n in range(6):
            make_server(organization, f"ber-{n}", site=berlin, status="active" if n % 2 else "planned")
        for n in range(4):
            make_server(organization, f"par-{n}", site=paris, accelerator_type=a100)
        return berlin, paris, a100

    def get(self, client, **params):
        return client.get(reverse("api:inventory:server-list"), params).json()

    def test_filters(self, api_client_for, organization, viewer, fleet):
        berlin, paris, a100 = fleet
        client = api_client_for(viewer, organization)
        assert self.get(client, site=berlin.pk)["count"] == 6
        assert self.get(client, site=berlin.pk, status="planned")["count"] == 3
        assert self.get(client, accelerator_type=a100.pk)["count"] == 4
        assert self.get(client, q="par-")["count"] == 4

    def test_ordering(self, api_client_for, organization, viewer, fleet):
        client = api_client_for(viewer, organization)
        names = [row["hostname"] for row in self.get(client, ordering="-hostname")["results"]]
        assert names == sorted(names, reverse=True)

    def test_limit_offset_with_default_and_maximum(self, api_client_for, organization, viewer, fleet):
        client = api_client_for(viewer, organization)
        page = self.get(client, limit=3, offset=3)
        assert [row["hostname"] for row in page["results"]] == ["ber-3", "ber-4", "ber-5"]
        assert page["count"] == 10
        assert len(self.get(client, limit=100000)["results"]) == 10  # capped at 1000, not an error

    def test_cursor_walk_visits_every_row_once(self, api_client_for, organization, viewer, fleet):
        client = api_client_for(viewer, organization)
        seen, url = [], reverse("api:inventory:server-list") + "?cursor=&limit=4"
        while url:
            page = client.get(url).json()
            seen += [row["hostname"] for row in page["results"]]
            url = page["next"]
        assert sorted(seen) == sorted(Server.objects.values_list("hostname", flat=True))
        assert len(seen) == 10


class TestCatalog:
    @pytest.mark.parametrize(
        ("route", "params"),
        [
            ("acceleratortype-list", {"vendor": "amd"}),
            ("acceleratortype-list", {"vendor": "AMD"}),
            ("modelprofile-list", {"name": "llama-3.1-70b"}),
            ("gridregion-list", {"country_code": "de"}),
        ],
    )
    def test_catalog_filters_do_not_count_case_as_the_other_lists_do(
        self, api_client_for, organization, viewer, route, params
    ):
        """``?country=de`` finds the German sites; ``?country_code=de`` found no grid region, ``?vendor=amd`` no
        accelerator and ``?name=llama-3.1-70b`` no model (exact, case-sensitive), with no error to say why."""
        body = api_client_for(viewer, organization).get(reverse(f"api:inventory:{route}"), params).json()
        assert body["count"] >= 1, body
        value = next(iter(params.values()))
        assert all(str(row[next(iter(params))]).lower() == value.lower() for row in body["results"])

    def test_the_shared_catalog_is_loaded_with_sources(self, api_client_for, organization, viewer):
        client = api_client_for(viewer, organization)
        body = client.get(reverse("api:inventory:acceleratortype-list"), {"limit": 100}).json()
        h100_row = next(row for row in body["results"] if row["model"] == "H100 SXM")
        assert (h100_row["memory_gb"], h100_row["bf16_tflops"], h100_row["shared"]) == (80.0, 989.0, True)
        assert "datasheet" in h100_row["source"]
        assert (
            client.get(reverse("api:inventory:gridregion-list"), {"country_code": "FR"}).json()["results"][0][
                "g_co2_per_kwh"
            ]
            == 56.0
        )
        profiles = client.get(reverse("api:inventory:modelprofile-list")).json()
        assert {"Llama-3.1-70B", "Mixtral-8x7B"} <= {row["name"] for row in profiles["results"]}

    def test_private_entries_are_the_organizations_own(
        self, api_client_for, organization, other_organization, assessor, outsider
    ):
        payload = {
            "vendor": "Acme",
            "model": "X1",
            "memory_gb": 64,
            "mem_bandwidth_gbps": 2000,
            "bf16_tflops": 500,
            "release_year": 2025,
            "source": "vendor briefing 2025-06",
        }
        created = api_client_for(assessor, organization).post(
            reverse("api:inventory:acceleratortype-list"), payload, format="json"
        )
        assert created.status_code == 201
        assert created.json()["shared"] is False
        theirs = api_client_for(outsider, other_organization)
        assert (
            theirs.get(reverse("api:inventory:acceleratortype-detail", args=[created.json()["id"]])).status_code == 404
        )

    def test_shared_entries_cannot_be_changed_through_the_api(self, api_client_for, organization, owner):
        url = reverse("api:inventory:acceleratortype-detail", args=[h100().pk])
        client = api_client_for(owner, organization)
        assert client.patch(url, {"memory_gb": 1}, format="json").status_code == 403
        assert client.delete(url).status_code == 403
        assert h100().memory_gb == 80

    def test_grid_regions_are_read_only(self, api_client_for, organization, owner):
        response = api_client_for(owner, organization).post(
            reverse("api:inventory:gridregion-list"), {"country_code": "XX"}, format="json"
        )
        assert response.status_code == 405


def test_the_schema_says_which_currency_prices_are_in(api_client_for, organization, viewer):
    schemas = api_client_for(viewer, organization).get("/api/schema/", {"format": "json"}).json()["components"]
    properties = {name: schemas["schemas"][name]["properties"] for name in ("Site", "CloudCapacity")}
    assert "currency" in properties["Site"]["electricity_price_per_kwh"]["description"]
    assert "currency" in properties["CloudCapacity"]["hourly_price"]["description"]
    assert "ISO 4217" in properties["Site"]["currency"]["description"]
