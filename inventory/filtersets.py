"""Filters of the inventory lists, shared by the app pages and the REST API.

Plain `django_filters.FilterSet` classes. Each takes the organization whose choices it offers (sites, accelerator
types, model profiles) either as the `organization` keyword or from `request` (the active membership, which also
works with API tokens); without either, those choices are empty. The queryset to filter is the caller's and must
already be scoped to the organization (the selectors do that).

    SiteFilterSet(request.GET, queryset=selectors.sites_for(organization=org), organization=org).qs
    # DRF: DjangoFilterBackend passes `request`, so `filterset_class = ServerFilterSet` is enough.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import ModelChoiceField
from drf_spectacular.utils import extend_schema_field

from accounts.models import Organization
from accounts.scoping import active_membership

from . import selectors
from .models import (
    AcceleratorType,
    CloudCapacity,
    Cooling,
    FabricKind,
    GridRegion,
    ModelProfile,
    NetworkFabric,
    Precision,
    Server,
    ServerStatus,
    Site,
    StorageKind,
    StorageSystem,
    Workload,
    WorkloadKind,
)
from .services.catalog_names import AMBIGUOUS, accelerator_type_names, name_index


class NameOrIdChoiceField(ModelChoiceField):
    """A choice given by id (the pages' selects) or by name (``?site=Frankfurt DC`` in the API), with the import's
    rule (`services.catalog_names`): case and spaces do not count, private before shared, ambiguous refused."""

    names_of: Any = staticmethod(lambda entry: [entry.name])

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not value.strip().isdigit():
            pk = name_index(self.queryset, self.names_of).resolve(value)
            what = self.queryset.model._meta
            # The name goes in as a parameter, never into the message itself: django-filter renders every
            # message with ``message % params``, so a "%" in a user's text would otherwise raise (a 500).
            params = {"plural": what.verbose_name_plural, "what": what.verbose_name, "name": value.strip()}
            if pk == AMBIGUOUS:
                raise ValidationError(
                    "Several %(plural)s are named “%(name)s”: give the id of the one you mean.",
                    code="ambiguous_name",
                    params=params,
                )
            if pk is None:
                raise ValidationError("No %(what)s is named “%(name)s” here.", code="unknown_name", params=params)
            value = pk
        return super().to_python(value)


class AcceleratorTypeChoiceField(NameOrIdChoiceField):
    names_of = staticmethod(accelerator_type_names)


class OrganizationFilterSet(django_filters.FilterSet):
    """Base: resolves the organization, limits the choice filters to it, and searches `search_fields` with `q`."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="filter_q", label="Search")

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        organization: Organization | None = None,
    ) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix)
        if organization is None and request is not None:
            membership = active_membership(request)
            organization = membership.organization if membership is not None else None
        self.organization = organization
        choices = {
            Site: selectors.sites_for,
            AcceleratorType: selectors.accelerator_types_for,
            ModelProfile: selectors.model_profiles_for,
        }
        for filter_ in self.filters.values():
            if not isinstance(filter_, django_filters.ModelChoiceFilter) or filter_.queryset.model not in choices:
                continue
            model = filter_.queryset.model
            filter_.queryset = choices[model](organization=organization) if organization else model.objects.none()
            filter_.field_class = AcceleratorTypeChoiceField if model is AcceleratorType else NameOrIdChoiceField
            filter_.__dict__.pop("_field", None)  # a form field built before (e.g. by a schema generator) is stale

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


@extend_schema_field(
    {"type": "string", "description": "An id, or a name (case and spaces do not count; an ambiguous name is refused)."}
)
class NameOrIdFilter(django_filters.ModelChoiceFilter):
    """A choice filter the API documents as it is: an id or a name (`NameOrIdChoiceField`), so a string."""


def _site_filter() -> django_filters.ModelChoiceFilter:
    return NameOrIdFilter(queryset=Site.objects.none(), label="Site")


def _accelerator_filter() -> django_filters.ModelChoiceFilter:
    return NameOrIdFilter(queryset=AcceleratorType.objects.none(), label="Accelerator type")


class SiteFilterSet(OrganizationFilterSet):
    search_fields = ("name", "region", "country")

    country = django_filters.CharFilter(lookup_expr="iexact", label="Country code")
    cooling = django_filters.ChoiceFilter(choices=Cooling.choices)

    class Meta:
        model = Site
        fields = ["q", "country", "cooling"]


class ServerFilterSet(OrganizationFilterSet):
    search_fields = ("hostname", "serial", "vendor", "model", "os")

    site = _site_filter()
    status = django_filters.ChoiceFilter(choices=ServerStatus.choices)
    accelerator_type = _accelerator_filter()

    class Meta:
        model = Server
        fields = ["q", "site", "status", "accelerator_type"]


class StorageSystemFilterSet(OrganizationFilterSet):
    search_fields = ("name",)

    site = _site_filter()
    kind = django_filters.ChoiceFilter(choices=StorageKind.choices)

    class Meta:
        model = StorageSystem
        fields = ["q", "site", "kind"]


class NetworkFabricFilterSet(OrganizationFilterSet):
    search_fields = ("name", "topology")

    site = _site_filter()
    kind = django_filters.ChoiceFilter(choices=FabricKind.choices)

    class Meta:
        model = NetworkFabric
        fields = ["q", "site", "kind"]


class CloudCapacityFilterSet(OrganizationFilterSet):
    search_fields = ("provider", "region", "instance_type")

    provider = django_filters.CharFilter(lookup_expr="iexact")
    accelerator_type = _accelerator_filter()

    class Meta:
        model = CloudCapacity
        fields = ["q", "provider", "accelerator_type"]


class WorkloadFilterSet(OrganizationFilterSet):
    search_fields = ("name", "model_profile__name")

    kind = django_filters.ChoiceFilter(choices=WorkloadKind.choices)
    model_profile = NameOrIdFilter(queryset=ModelProfile.objects.none(), label="Model")
    precision = django_filters.ChoiceFilter(choices=Precision.choices)

    class Meta:
        model = Workload
        fields = ["q", "kind", "model_profile", "precision"]


class AcceleratorTypeFilterSet(django_filters.FilterSet):
    """The catalog's filters: text compared as the other lists' names and codes are, whatever its case."""

    vendor = django_filters.CharFilter(lookup_expr="iexact", label="Vendor, e.g. NVIDIA (case does not count)")
    form_factor = django_filters.CharFilter(lookup_expr="iexact", label="Form factor, e.g. SXM (case does not count)")
    release_year = django_filters.NumberFilter()

    class Meta:
        model = AcceleratorType
        fields = ["vendor", "form_factor", "release_year"]


class ModelProfileFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact", label="Name, e.g. Llama-3.1-70B (case does not count)")

    class Meta:
        model = ModelProfile
        fields = ["name"]


class GridRegionFilterSet(django_filters.FilterSet):
    country_code = django_filters.CharFilter(lookup_expr="iexact", label="ISO country code, e.g. DE")

    class Meta:
        model = GridRegion
        fields = ["country_code"]
