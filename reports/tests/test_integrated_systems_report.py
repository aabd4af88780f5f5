"""The report's capacity section says what the model counts of a unified memory, as the capacity page does
(inventory/tests/test_integrated_systems.py): "NVIDIA GB10: 128 GB unified, of which ~112 GB counted for models"."""

import pytest

from inventory.models import AcceleratorType, ModelProfile
from inventory.tests.factories import ServerFactory, SiteFactory, WorkloadFactory
from reports.report_data.capacity import capacity_section

WORDS = (
    "NVIDIA GB10 (measured rate): 128 GB unified, of which ~112 GB counted for models (16 GB kept for the operating "
    "system and CPU)"
)


@pytest.mark.django_db
def test_the_report_says_what_is_counted_of_a_unified_memory(organization):
    gb10 = AcceleratorType.objects.get(organization__isnull=True, model="GB10")
    gb10.pk = None
    gb10.organization = organization
    gb10.model = "GB10 (measured rate)"
    gb10.bf16_tflops = 100.0  # the catalog row has no dense rate: an owner's measured one, made up for the test
    gb10.save()
    site = SiteFactory(organization=organization, name="Desks")
    ServerFactory(organization=organization, site=site, accelerator_type=gb10, accelerator_count=1, power_w=None)
    WorkloadFactory(
        organization=organization,
        name="Local assistant",
        model_profile=ModelProfile.objects.get(organization__isnull=True, name="Llama-3.1-70B"),
        precision="int4",
        requests_per_second=0.1,
    )
    assert capacity_section(organization=organization).memory_notes == (WORDS,)
