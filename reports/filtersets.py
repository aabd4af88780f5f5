"""Filters of the report lists (the REST API's `?status=`, `?assessment=`, `?page_size=`).

The assessment filter offers the organization's assessments only, so another organization's assessment is an
invalid choice, never a silent empty list.
"""

from __future__ import annotations

from typing import Any

import django_filters

from assessments.models import Assessment
from assessments.selectors import assessments_for
from inventory.filtersets import OrganizationFilterSet

from .models import PageSize, Report, ReportStatus


class ReportFilterSet(OrganizationFilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)
    assessment = django_filters.ModelChoiceFilter(queryset=Assessment.objects.none())
    page_size = django_filters.ChoiceFilter(choices=PageSize.choices)

    class Meta:
        model = Report
        fields = ["status", "assessment", "page_size"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessment = self.filters["assessment"]
        organization = self.organization
        assessment.queryset = assessments_for(organization=organization) if organization else Assessment.objects.none()
        assessment.__dict__.pop("_field", None)  # a form field built before (e.g. by a schema generator) is stale
