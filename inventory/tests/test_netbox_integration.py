"""Against real services (`make test-integration`): the NetBox sync run by a real Celery worker process, reading the
recorded NetBox 4.6.8 responses served by this test process, writing to PostgreSQL."""

from __future__ import annotations

import pytest

from config.tests.processes import wait_for
from inventory.models import NetboxConfig, Server, SyncStatus
from inventory.services import netbox
from inventory.tests.netbox_replay import TOKEN, replaying

from .test_telemetry_integration import on_worker_queue  # noqa: F401 (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_sync_is_run_by_the_worker_with_its_progress(on_worker_queue, organization):  # noqa: F811
    with replaying("4.6.8") as replay:
        config = netbox.netbox_config_save(
            organization=organization, url=replay.url, token=TOKEN, new_site_country="US"
        )
        config = netbox.netbox_sync_start(config=config, dry_run=False)
        assert config.status == SyncStatus.QUEUED  # not run eagerly
        assert wait_for(lambda: not netbox.is_busy(NetboxConfig.objects.get()), 90)
        assert replay.misses == []
    config.refresh_from_db()
    assert config.status == SyncStatus.OK, config.last_error
    assert (config.steps_done, config.steps_total) == (9, 9)
    assert Server.objects.filter(organization=organization).count() == 6
