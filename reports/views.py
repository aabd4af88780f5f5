"""Dashboard pages: the organization overview (home), one assessment's results, inventory and capacity, energy,
the trend; and each chart's data as CSV. Thin: `reports.dashboards` builds (and caches) what they show."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts.scoping import OrganizationViewMixin
from accounts.selectors import members_of_organization
from assessments.selectors import assessments_for, assigned_rows

from . import dashboards


def next_steps() -> dict[str, str]:
    """Where an empty chart sends the reader."""
    return {
        "start_assessment": reverse("assessments:create"),
        "assessments": reverse("assessments:list"),
        "add_site": reverse("inventory:site_create"),
        "add_server": reverse("inventory:server_create"),
        "telemetry": reverse("inventory:telemetry"),
        "add_workload": reverse("inventory:workload_create"),
        "import": reverse("inventory:import"),
        "capacity": reverse("inventory:capacity"),
    }


class ChartsMixin:
    """Pages with charts: load plotly.js and `charts.js`, and offer the next steps of empty charts."""

    chart_page: str | None = None  # the page's slug in CSV URLs (organization-wide pages)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["load_charts"] = True
        context["chart_page"] = self.chart_page
        context["links"] = next_steps()
        return context


class HomeView(ChartsMixin, OrganizationViewMixin, TemplateView):
    """The organization's home dashboard: where it stands and what to do next."""

    template_name = "home.html"
    chart_page = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["member_count"] = members_of_organization(organization=self.organization).count()
        context["assigned_to_me"] = assigned_rows(user=self.request.user, organization=self.organization)
        summary = dashboards.overview(organization=self.organization)
        context["overview"] = summary
        context["charts"] = summary.charts
        return context


class AssessmentDashboardView(ChartsMixin, OrganizationViewMixin, TemplateView):
    """One assessment's results as charts: sub-areas, risks, evidence, answers' sources, roadmap."""

    template_name = "reports/dashboard_assessment.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = get_object_or_404(assessments_for(organization=self.organization), pk=self.kwargs["pk"])
        assessment.organization = self.organization
        dashboard = dashboards.assessment_dashboard(assessment=assessment)
        context.update(assessment=assessment, dashboard=dashboard, charts=dashboard.charts)
        return context


class InventoryDashboardView(ChartsMixin, OrganizationViewMixin, TemplateView):
    template_name = "reports/dashboard_inventory.html"
    chart_page = "inventory"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        dashboard = dashboards.inventory_dashboard(organization=self.organization)
        context.update(dashboard=dashboard, charts=dashboard.charts)
        return context


class EnergyDashboardView(InventoryDashboardView):
    template_name = "reports/dashboard_energy.html"
    chart_page = "energy"


class TrendDashboardView(ChartsMixin, OrganizationViewMixin, TemplateView):
    template_name = "reports/dashboard_trend.html"
    chart_page = "trend"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["chart"] = dashboards.trend_chart(organization=self.organization)
        return context


def csv_response(chart: Any, filename: str) -> HttpResponse:
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class ChartCsvView(OrganizationViewMixin, View):
    """`/reports/charts/<page>/<chart>.csv`: a chart's table on an organization-wide page."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        charts_of = dashboards.PAGE_CHARTS.get(kwargs["page"])
        if charts_of is None:
            raise Http404("No such dashboard.")
        chart = dashboards.chart_by_name(charts_of(organization=self.organization), kwargs["chart"])
        if chart is None:
            raise Http404("No such chart.")
        return csv_response(chart, f"{kwargs['page']}-{chart.name}")


class AssessmentChartCsvView(OrganizationViewMixin, View):
    """`/reports/assessments/<pk>/charts/<chart>.csv`: a chart's table of one of the organization's assessments."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = get_object_or_404(assessments_for(organization=self.organization), pk=kwargs["pk"])
        assessment.organization = self.organization
        chart = dashboards.chart_by_name(dashboards.assessment_charts(assessment=assessment), kwargs["chart"])
        if chart is None:
            raise Http404("No such chart.")
        return csv_response(chart, f"assessment-{assessment.pk}-{chart.name}")
