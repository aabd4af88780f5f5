"""Grid carbon intensity per site: its own figure, else its country's reference row, else the world average."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    OuterRef,
    Subquery,
)

from accounts.models import Organization

from ..catalog import WORLD_AVERAGE_G_PER_KWH
from ..models import (
    GridRegion,
    Site,
)


def grid_intensities(*, sites: list[Site]) -> dict[int, float]:
    """gCO2e/kWh per site id: the site's utility figure when given, else its country's, else the IEA world average.
    One query for all the sites."""
    by_country = dict(
        GridRegion.objects.filter(country_code__in={s.country for s in sites}).values_list(
            "country_code", "g_co2_per_kwh"
        )
    )
    return {
        s.pk: s.grid_intensity_override
        if s.grid_intensity_override is not None
        else by_country.get(s.country, WORLD_AVERAGE_G_PER_KWH)
        for s in sites
    }


def sites_with_grid(*, organization: Organization, site_ids: Iterable[int] | None = None) -> list[Site]:
    """The organization's sites by name, each with its country's reference row (``country_g_per_kwh``,
    ``country_name``, ``country_year``, ``country_source``; None without one), in one query."""
    sites = Site.objects.filter(organization=organization)
    if site_ids is not None:
        sites = sites.filter(pk__in=list(site_ids))
    region = GridRegion.objects.filter(country_code=OuterRef("country"))
    return list(
        sites.annotate(
            country_g_per_kwh=Subquery(region.values("g_co2_per_kwh")[:1]),
            country_name=Subquery(region.values("name")[:1]),
            country_year=Subquery(region.values("year")[:1]),
            country_source=Subquery(region.values("source")[:1]),
        ).order_by("name")
    )


@dataclass(frozen=True)
class GridIntensity:
    """A site's grid carbon intensity, which figure it is (``basis``: override, country or world average) and
    where it comes from, in words."""

    g_per_kwh: float
    basis: str
    origin: str


def grid_intensity_of(site: Site) -> GridIntensity:
    """The site's own figure when recorded (``grid_intensity_override``), else its country's reference row, else
    the IEA world average. ``site`` comes from `sites_with_grid` (else its country row is looked up: a query)."""
    if site.grid_intensity_override is not None:
        return GridIntensity(
            float(site.grid_intensity_override),
            "override",
            f"Site {site.name}: its own grid intensity {site.grid_intensity_override:g} g/kWh (recorded, e.g. "
            "from its electricity contract)",
        )
    if not hasattr(site, "country_g_per_kwh"):
        row = GridRegion.objects.filter(country_code=site.country).values("g_co2_per_kwh", "name", "year", "source")
        found = row.first() or {}
        site.country_g_per_kwh = found.get("g_co2_per_kwh")
        site.country_name, site.country_year = found.get("name"), found.get("year")
        site.country_source = found.get("source")
    if site.country_g_per_kwh is not None:
        return GridIntensity(
            float(site.country_g_per_kwh),
            "country",
            f"grid intensity {site.country} {site.country_g_per_kwh:g} g/kWh (reference grid_carbon_intensity.csv "
            f"row {site.country}, {site.country_name} {site.country_year}: {site.country_source})",
        )
    return GridIntensity(
        WORLD_AVERAGE_G_PER_KWH,
        "world average",
        f"IEA world average {WORLD_AVERAGE_G_PER_KWH:g} g/kWh (no reference row for country {site.country})",
    )
