"""One rule for a server's power draw everywhere: `power_w` when recorded, else TDP x the server overhead factor."""

import pytest

from inventory import capacity
from inventory.analysis import analyse
from inventory.selectors import inventory_overview
from inventory.tests.factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_overview_and_capacity_model_agree_on_a_server_without_recorded_power(organization):
    site = SiteFactory(organization=organization, name="Lab")
    ServerFactory(organization=organization, site=site, power_w=None)  # 8 x H100 SXM, 700 W TDP each
    ServerFactory(organization=organization, site=site, power_w=10200)
    expected_kw = (8 * 700 * capacity.DEFAULT_SERVER_OVERHEAD_FACTOR + 10200) / 1000

    (overview_site,) = inventory_overview(organization=organization).power_by_site
    (analysed_site,) = analyse(organization=organization).sites
    assert overview_site.rated_power_kw == pytest.approx(expected_kw)
    assert analysed_site.it_power_kw == pytest.approx(expected_kw)
