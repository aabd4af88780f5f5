"""Factories of inventory rows. Catalog rows come from the shared catalog that the migrations load."""

import factory

from accounts.tests.factories import OrganizationFactory
from inventory.models import (
    AcceleratorType,
    CloudCapacity,
    FabricKind,
    ModelProfile,
    NetworkFabric,
    Server,
    ServerStatus,
    Site,
    StorageKind,
    StorageSystem,
    Workload,
    WorkloadKind,
)


def h100() -> AcceleratorType:
    return AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM")


def llama_70b() -> ModelProfile:
    return ModelProfile.objects.get(organization__isnull=True, name="Llama-3.1-70B")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    country = "DE"
    region = "Frankfurt"
    pue = 1.3
    power_capacity_kw = 200.0


class ServerFactory(factory.django.DjangoModelFactory):
    """An active server with 8 H100 SXM at a site of the same organization."""

    class Meta:
        model = Server

    organization = factory.SubFactory(OrganizationFactory)
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    hostname = factory.Sequence(lambda n: f"gpu{n:03d}.example.net")
    status = ServerStatus.ACTIVE
    vendor = "Supermicro"
    model = "SYS-821GE-TNHR"
    accelerator_type = factory.LazyFunction(h100)
    accelerator_count = 8
    power_w = 10200


class StorageSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageSystem

    organization = factory.SubFactory(OrganizationFactory)
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"lustre-{n}")
    kind = StorageKind.PARALLEL_FS
    usable_tb = 500.0
    read_throughput_gbps = 80.0


class NetworkFabricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkFabric

    organization = factory.SubFactory(OrganizationFactory)
    site = factory.SubFactory(SiteFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"ib-fabric-{n}")
    kind = FabricKind.INFINIBAND
    link_speed_gbps = 400.0
    topology = "rail-optimized fat tree"


class CloudCapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CloudCapacity

    organization = factory.SubFactory(OrganizationFactory)
    provider = "AWS"
    region = factory.Sequence(lambda n: f"eu-central-{n}")
    instance_type = "p5.48xlarge"
    accelerator_type = factory.LazyFunction(h100)
    accelerators_per_instance = 8
    instances = 2
    hourly_price = "98.3200"


class WorkloadFactory(factory.django.DjangoModelFactory):
    """An inference workload serving Llama 3.1 70B."""

    class Meta:
        model = Workload

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Assistant {n}")
    kind = WorkloadKind.INFERENCE
    model_profile = factory.LazyFunction(llama_70b)
    requests_per_second = 5.0
    prompt_tokens = 1000
    output_tokens = 250
