from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from accounts.scoping import OrganizationViewMixin
from accounts.selectors import members_of_organization


class HomeView(OrganizationViewMixin, TemplateView):
    """The organization's home dashboard: where it stands and what to do next."""

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member_count"] = members_of_organization(organization=self.organization).count()
        return context
