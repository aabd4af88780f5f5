"""The servers' list pages come from rows (`config.light_lists`) and say exactly what the serializer says:
same keys in the same order, decimals as strings with their places, ISO dates, nulls, related names; a constant
number of queries (exact), and fields the light path cannot read are refused, not dropped."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from config.light_lists import LightListUnsupported, compile_plan
from inventory.api.serializers import ServerSerializer
from inventory.api.views import ServerViewSet
from inventory.models import AcceleratorType, Server, ServerStatus
from inventory.selectors import servers_for

from .factories import ServerFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/inventory/servers/"
LIST_QUERIES = 5
"""Token, membership, count, the page's rows... as many for 1 row as for 40 (see the test)."""


def varied_servers(organization) -> None:
    """Rows that differ in every way a cell can: nulls, empty strings, decimals, dates, statuses, sites, kinds."""
    frankfurt = SiteFactory(organization=organization, name="Frankfurt")
    dublin = SiteFactory(organization=organization, name="Dublin (Ireland) — “DUB1”")
    kinds = [None, *AcceleratorType.objects.filter(organization=None).order_by("pk")[:3]]
    costs = [None, Decimal("0.00"), Decimal("310000.10"), Decimal("5"), Decimal("9999999999.99")]
    for n in range(40):
        kind = kinds[n % len(kinds)]
        ServerFactory(
            organization=organization,
            site=(frankfurt, dublin)[n % 2],
            hostname=f"host-{n:02d}.example.net",
            serial="" if n % 3 else f"SN{n}",
            status=list(ServerStatus)[n % len(ServerStatus)],
            cpu_cores=None if n % 4 == 0 else 64 + n,
            ram_gb=None if n % 5 == 0 else 1024,
            accelerator_type=kind,
            accelerator_count=0 if kind is None else 1 + n % 8,
            power_w=None if n % 6 == 0 else 9000 + n,
            power_measured=bool(n % 2),
            purchase_date=None if n % 7 == 0 else datetime.date(2023, 1 + n % 12, 1 + n % 28),
            purchase_cost=costs[n % len(costs)],
            gpu_driver_version="" if n % 2 else "550.54.15",
            os="Ubuntu 22.04 «LTS»" if n % 3 == 0 else "",
        )


def serializer_json(organization, queryset) -> list[dict]:
    """What the serializer makes of these rows, through the same renderer as the API."""
    request = APIRequestFactory().get(URL)
    data = ServerSerializer(queryset, many=True, context={"organization": organization, "request": request}).data
    return json.loads(JSONRenderer().render(data))


def test_a_page_of_rows_says_what_the_serializer_says(api_client_for, organization, viewer):
    varied_servers(organization)
    body = api_client_for(viewer, organization).get(URL, {"limit": 1000, "ordering": "hostname"}).json()
    expected = serializer_json(organization, servers_for(organization=organization).order_by("hostname"))
    assert body["count"] == 40
    assert body["results"] == expected
    assert [list(row) for row in body["results"]] == [list(row) for row in expected]  # keys in the same order
    raw = json.dumps(body["results"])
    assert '"purchase_cost": "310000.10"' in raw
    assert '"purchase_cost": "0.00"' in raw
    assert '"purchase_date": null' in raw


def test_filters_ordering_and_offsets_are_the_serializers(api_client_for, organization, viewer):
    varied_servers(organization)
    client = api_client_for(viewer, organization)
    page = client.get(URL, {"limit": 7, "offset": 5, "ordering": "-site__name", "status": "active"}).json()
    rows = servers_for(organization=organization).filter(status="active").order_by("-site__name", "hostname")
    assert page["count"] == rows.count()
    assert [row["hostname"] for row in page["results"]] == [s.hostname for s in rows[5:12]]
    assert page["results"] == serializer_json(organization, [Server.objects.get(pk=r["id"]) for r in page["results"]])


def test_cursor_pages_still_use_the_serializer(api_client_for, organization, viewer):
    varied_servers(organization)
    page = api_client_for(viewer, organization).get(URL, {"cursor": "", "limit": 10}).json()
    assert page["results"] == serializer_json(organization, servers_for(organization=organization).order_by("pk")[:10])


def test_a_list_page_runs_the_same_queries_for_1_or_40_rows(api_client_for, organization, viewer):
    client = api_client_for(viewer, organization)
    ServerFactory(organization=organization)
    client.get(URL)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL, {"limit": 1000}).status_code == 200
    for _ in range(39):
        ServerFactory(organization=organization, site=Server.objects.first().site)
    with CaptureQueriesContext(connection) as forty:
        assert client.get(URL, {"limit": 1000}).json()["count"] == 40
    assert len(one) == len(forty) == LIST_QUERIES, [q["sql"][:80] for q in forty.captured_queries]


def test_a_field_the_rows_cannot_give_is_refused_not_dropped():
    class WithMethod(ServerSerializer):
        label = serializers.SerializerMethodField()

        def get_label(self, server: Server) -> str:
            return str(server)

    with pytest.raises(LightListUnsupported, match="label"):
        compile_plan(WithMethod(), ServerViewSet.light_fields)
    with pytest.raises(LightListUnsupported, match="accelerator_type_name"):
        compile_plan(ServerSerializer(), {})  # a StringRelatedField needs its columns named
