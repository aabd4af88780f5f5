"""Filters of the assessment lists (the REST API's `?status=`, `?framework=`, `?q=`).

Built on the inventory's `OrganizationFilterSet` (the organization from the request, `q` searching
`search_fields`); the framework filter offers the organization's frameworks only (the shared ones and its own), so
another organization's framework is an invalid choice, never a silent empty list.
"""

from __future__ import annotations

from typing import Any

import django_filters

from inventory.filtersets import OrganizationFilterSet

from . import selectors
from .models import AreaAssignment, Assessment, AssessmentStatus, Framework


class AssessmentFilterSet(OrganizationFilterSet):
    search_fields = ("title", "scope")

    status = django_filters.ChoiceFilter(choices=AssessmentStatus.choices)
    framework = django_filters.ModelChoiceFilter(queryset=Framework.objects.none())
    assigned_to = django_filters.ChoiceFilter(
        choices=[("me", "me")],
        method="filter_assigned_to",
        label="Assigned to",
        help_text="`me`: the assessments where you own an area or a question.",
    )

    class Meta:
        model = Assessment
        fields = ["q", "status", "framework", "assigned_to"]

    def filter_assigned_to(self, queryset: Any, name: str, value: str) -> Any:
        user = getattr(self.request, "user", None)
        if value != "me" or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(pk__in=AreaAssignment.objects.filter(assignee_id=user.pk).values("assessment_id"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = self.filters["framework"]
        organization = self.organization
        framework.queryset = (
            selectors.frameworks_for(organization=organization) if organization else Framework.objects.none()
        )
        framework.__dict__.pop("_field", None)  # a form field built before (e.g. by a schema generator) is stale
