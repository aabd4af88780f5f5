"""The dashboards' cache is per organization and is invalidated by any change of that organization's data."""

import pytest

from accounts.models import Organization
from inventory.tests.factories import ServerFactory, SiteFactory
from reports.cache import cached

pytestmark = pytest.mark.django_db


def fresh(organization: Organization) -> Organization:
    return Organization.objects.get(pk=organization.pk)


def test_a_value_is_built_once_per_data_version(organization):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert cached(fresh(organization), "demo", build) == 1
    assert cached(fresh(organization), "demo", build) == 1
    assert len(calls) == 1


def test_saving_or_deleting_a_row_invalidates_only_its_organization(organization, other_organization):
    before, other_before = fresh(organization).data_version, fresh(other_organization).data_version
    site = SiteFactory(organization=organization)
    server = ServerFactory(organization=organization, site=site)
    assert fresh(organization).data_version > before
    middle = fresh(organization).data_version
    server.delete()
    assert fresh(organization).data_version > middle
    assert fresh(other_organization).data_version == other_before
    built = cached(fresh(organization), "n", lambda: "after")
    assert built == "after"


def test_a_bulk_import_invalidates(organization):
    import io

    from inventory import services

    before = fresh(organization).data_version
    csv = b"name,country,pue\nLab,DE,1.3\n"
    result = services.inventory_import(
        organization=organization, handle=io.BytesIO(csv), filename="sites.csv", size=len(csv), kind="site"
    )
    assert result.written, result.errors_json()
    assert fresh(organization).data_version > before
