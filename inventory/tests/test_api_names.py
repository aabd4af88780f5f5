"""The API takes a site, an accelerator type or a model profile by name wherever it takes its id, with the rule the
import and discovery use (`inventory.services.catalog_names`): case and spaces do not count, an organization's
private catalog entry wins over a shared one, a name two entries share is refused as ambiguous, another
organization's row is unknown by name as by id. The OpenAPI schema says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.testing import api_errors, error_fields
from inventory.models import AcceleratorType, CloudCapacity, Server, Workload
from inventory.tests.factories import SiteFactory, h100, llama_70b

pytestmark = pytest.mark.django_db

SERVERS = "api:inventory:server-list"


def private_accelerator(organization, *, vendor="Acme", model="X1", nvidia_smi_names=()):
    return AcceleratorType.objects.create(
        organization=organization,
        vendor=vendor,
        model=model,
        memory_gb=64,
        mem_bandwidth_gbps=2000,
        bf16_tflops=500,
        release_year=2025,
        source="internal",
        nvidia_smi_names=list(nvidia_smi_names),
    )


def test_a_server_names_its_site_and_accelerator_type(api_client_for, organization, assessor):
    site = SiteFactory(organization=organization, name="Frankfurt DC")
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS),
        {"site": "frankfurt  dc", "hostname": "gpu-001", "accelerator_type": "NVIDIA H100 SXM", "accelerator_count": 8},
        format="json",
    )
    assert response.status_code == 201, response.json()
    server = Server.objects.get(hostname="gpu-001")
    assert (server.site, server.accelerator_type) == (site, h100())
    # The response gives the ids, as before, and the names beside them.
    assert response.json()["site"] == site.pk
    assert response.json()["site_name"] == "Frankfurt DC"


def test_what_nvidia_smi_prints_names_an_accelerator_type_too(api_client_for, organization, assessor):
    site = SiteFactory(organization=organization)
    smi = h100().nvidia_smi_names[0]
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS),
        {"site": site.pk, "hostname": "gpu-002", "accelerator_type": smi, "accelerator_count": 8},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Server.objects.get(hostname="gpu-002").accelerator_type == h100()


def test_ids_still_work_as_numbers_and_as_strings(api_client_for, organization, assessor):
    site = SiteFactory(organization=organization)
    client = api_client_for(assessor, organization)
    for hostname, site_value in (("a", site.pk), ("b", str(site.pk))):
        response = client.post(reverse(SERVERS), {"site": site_value, "hostname": hostname}, format="json")
        assert response.status_code == 201, response.json()


def test_an_unknown_name_is_a_field_error_that_names_it(api_client_for, organization, assessor):
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS), {"site": "Atlantis", "hostname": "x"}, format="json"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"site"}
    (error,) = api_errors(response)
    assert error["message"] == "No site is named “Atlantis” here."
    assert error["code"] == "unknown_name"


def test_another_organizations_site_is_unknown_by_name(api_client_for, organization, other_organization, assessor):
    SiteFactory(organization=other_organization, name="Their DC")
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS), {"site": "Their DC", "hostname": "x"}, format="json"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"site"}


def test_a_private_entry_wins_over_a_shared_one_of_the_same_name(api_client_for, organization, assessor):
    mine = private_accelerator(organization, vendor="NVIDIA", model="H100 SXM custom", nvidia_smi_names=["H100 SXM"])
    site = SiteFactory(organization=organization)
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS),
        {"site": site.pk, "hostname": "x", "accelerator_type": "h100 sxm", "accelerator_count": 1},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Server.objects.get(hostname="x").accelerator_type == mine


def test_a_name_two_entries_share_is_ambiguous_never_guessed(api_client_for, organization, assessor):
    private_accelerator(organization, vendor="Acme", model="Twin", nvidia_smi_names=["Twin card"])
    private_accelerator(organization, vendor="Other", model="Twin B", nvidia_smi_names=["Twin card"])
    site = SiteFactory(organization=organization)
    response = api_client_for(assessor, organization).post(
        reverse(SERVERS),
        {"site": site.pk, "hostname": "x", "accelerator_type": "Twin card", "accelerator_count": 1},
        format="json",
    )
    assert response.status_code == 400
    (error,) = api_errors(response)
    assert (error["field"], error["code"]) == ("accelerator_type", "ambiguous_name")
    assert "give the id" in error["message"]


def test_sites_named_apart_only_by_case_are_each_found_by_their_own_name(api_client_for, organization, assessor):
    """ "T1" and "t1" may both exist (site names keep their case, as the import reads them): each is found by its
    name as written, in a body and in a filter; a spelling that is neither of two such names stays ambiguous."""
    upper, lower = SiteFactory(organization=organization, name="T1"), SiteFactory(organization=organization, name="t1")
    client = api_client_for(assessor, organization)
    for name, site in (("T1", upper), ("t1", lower), (" T1 ", upper)):
        response = client.post(reverse(SERVERS), {"site": name, "hostname": f"h-{site.pk}-{len(name)}"}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["site"] == site.pk
    listed = client.get(reverse(SERVERS), {"site": "t1"})
    assert listed.status_code == 200, listed.json()
    assert {row["site"] for row in listed.json()["results"]} == {lower.pk}
    SiteFactory(organization=organization, name="Hall A")
    SiteFactory(organization=organization, name="hall a")
    response = client.post(reverse(SERVERS), {"site": "HALL A", "hostname": "y"}, format="json")
    assert (api_errors(response)[0]["field"], api_errors(response)[0]["code"]) == ("site", "ambiguous_name")


def test_cloud_capacity_and_workloads_by_name(api_client_for, organization, assessor):
    client = api_client_for(assessor, organization)
    response = client.post(
        reverse("api:inventory:cloud-list"),
        {
            "provider": "aws",
            "region": "us-east-1",
            "instance_type": "p5.48xlarge",
            "accelerator_type": "H100 SXM",
            "accelerators_per_instance": 8,
            "instances": 2,
            "hourly_price": "98.32",
            "currency": "USD",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert CloudCapacity.objects.get().accelerator_type == h100()
    response = client.post(
        reverse("api:inventory:workload-list"),
        {
            "name": "chat",
            "kind": "inference",
            "model_profile": llama_70b().name.upper(),
            "requests_per_second": 5,
            "prompt_tokens": 1000,
            "output_tokens": 200,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Workload.objects.get().model_profile == llama_70b()


def test_a_bulk_request_reads_the_names_once(api_client_for, organization, assessor):
    """The names of the sites and of the accelerator types are read once per request, not once per item."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site = SiteFactory(organization=organization, name="Berlin")
    client = api_client_for(assessor, organization)

    def queries(size: int, prefix: str, site_value, accelerator_value) -> int:
        payload = [
            {
                "site": site_value,
                "hostname": f"{prefix}{i}",
                "accelerator_type": accelerator_value,
                "accelerator_count": 1,
            }
            for i in range(size)
        ]
        with CaptureQueriesContext(connection) as captured:
            assert client.post(reverse(SERVERS), payload, format="json").status_code == 201
        return len(captured)

    client.get(reverse(SERVERS))  # the token's first use is recorded once; not counted below
    by_name = {n: queries(n, f"n{n}-", "Berlin", "H100 SXM") for n in (2, 20)}
    by_id = {n: queries(n, f"i{n}-", site.pk, h100().pk) for n in (2, 20)}
    # Ids are looked up one item at a time (DRF's related field); names are read once, whatever the size.
    assert by_name[20] - by_name[2] == by_id[20] - by_id[2] - 2 * 18
    assert by_name[2] <= by_id[2]


def test_the_capacity_estimate_takes_names(api_client_for, organization, viewer):
    site = SiteFactory(organization=organization, name="Lab")
    response = api_client_for(viewer, organization).post(
        reverse("api:capacity:estimate"),
        {
            "workload_spec": {
                "kind": "inference",
                "model_profile": "Llama-3.1-70B",
                "requests_per_second": 1,
                "prompt_tokens": 500,
                "output_tokens": 100,
            },
            "change": {"site": site.name, "accelerator_type": "H100 SXM", "accelerator_count": 8},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_the_openapi_schema_documents_id_or_name(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    request = schema["components"]["schemas"]["ServerRequest"]["properties"]
    assert request["site"]["oneOf"] == [{"type": "integer"}, {"type": "string"}]
    assert "its name" in request["site"]["description"]
    assert "nvidia-smi" in request["accelerator_type"]["description"]
    response = schema["components"]["schemas"]["Server"]["properties"]
    assert response["site"]["type"] == "integer"
    workload = schema["components"]["schemas"]["WorkloadRequest"]["properties"]
    assert workload["model_profile"]["oneOf"] == [{"type": "integer"}, {"type": "string"}]


def test_list_filters_take_names_too(api_client_for, organization, assessor):
    from inventory.tests.factories import ServerFactory

    berlin = SiteFactory(organization=organization, name="Berlin")
    ServerFactory(organization=organization, site=berlin, hostname="in-berlin")
    ServerFactory(organization=organization, site=SiteFactory(organization=organization, name="Paris"), hostname="p")
    client = api_client_for(assessor, organization)
    by_name = client.get(reverse(SERVERS), {"site": "berlin"}).json()
    by_id = client.get(reverse(SERVERS), {"site": berlin.pk}).json()
    assert [s["hostname"] for s in by_name["results"]] == [s["hostname"] for s in by_id["results"]] == ["in-berlin"]
    unknown = client.get(reverse(SERVERS), {"site": "Atlantis"})
    assert unknown.status_code == 400
    assert "No site is named “Atlantis” here." in str(unknown.json())
