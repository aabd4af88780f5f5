"""A fact the inventory cannot support is absent, not zero: a new organization's servers imported without their
driver or CUDA versions, or storage without its throughput, say nothing about them.

Before, 5 accelerator servers without a driver version gave "GPU driver versions in use: 0", which the framework
scores 100 (at most 1 version is full marks): the Software Compatibility area got a perfect inventory score and a
contradiction with the answers out of data nobody recorded.
"""

import pytest

from inventory.facts import compute_facts
from inventory.tests.factories import ServerFactory, SiteFactory, StorageSystemFactory

pytestmark = pytest.mark.django_db


def test_no_server_recording_a_driver_or_cuda_version_gives_no_version_fact(organization):
    site = SiteFactory(organization=organization)
    ServerFactory.create_batch(3, organization=organization, site=site, gpu_driver_version="", cuda_version="")

    facts = compute_facts(organization=organization)

    assert "distinct_driver_versions" not in facts
    assert "distinct_cuda_versions" not in facts


def test_versions_are_counted_over_the_servers_that_record_them_and_say_so(organization):
    site = SiteFactory(organization=organization)
    ServerFactory(organization=organization, site=site, gpu_driver_version="550.54", cuda_version="12.4")
    ServerFactory(organization=organization, site=site, gpu_driver_version="535.104", cuda_version="")
    ServerFactory(organization=organization, site=site, gpu_driver_version="", cuda_version="")

    facts = compute_facts(organization=organization)

    assert facts["distinct_driver_versions"].value == 2
    assert facts["distinct_driver_versions"].explanation == (
        "across the 2 of 3 active accelerator servers that record it"
    )
    assert facts["distinct_cuda_versions"].value == 1
    assert facts["distinct_cuda_versions"].explanation == "across the 1 of 3 active accelerator servers that record it"


def test_every_server_recording_its_versions_keeps_the_short_explanation(organization):
    site = SiteFactory(organization=organization)
    ServerFactory.create_batch(
        2, organization=organization, site=site, gpu_driver_version="550.54", cuda_version="12.4"
    )

    facts = compute_facts(organization=organization)

    assert facts["distinct_driver_versions"].value == 1
    assert facts["distinct_driver_versions"].explanation == "across 2 active accelerator servers"


def test_storage_without_a_recorded_throughput_gives_no_throughput_fact(organization):
    site = SiteFactory(organization=organization)
    StorageSystemFactory(organization=organization, site=site, read_throughput_gbps=None)
    assert "storage_read_throughput_gbps" not in compute_facts(organization=organization)

    StorageSystemFactory(organization=organization, site=site, read_throughput_gbps=40.0)
    fact = compute_facts(organization=organization)["storage_read_throughput_gbps"]
    assert fact.value == 40.0
    assert fact.explanation == "sum over the 1 of 2 storage systems that record it"
